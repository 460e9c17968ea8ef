//! `pyinfra.facts.apk`: the packages apk has installed.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::Value;

use super::util::packaging::{is_space, parse_packages, take_run};

/// The facts of `apk`.
pub const FACTS: &[Fact] = &[Fact {
    name: "ApkPackages",
    doc: "The apk packages installed on the host, from `apk list --installed`: a mapping of package name \
          to the set of installed versions (version and `-rN` release together). Empty when apk is absent.",
    returns: "dict[str, set[str]]",
    command: Some(packages_command),
    requires: Some(requires_apk),
    parse: Some(parse_apk_packages),
    default: "{}",
    ..Fact::NEW
}];

fn requires_apk(_: &Args) -> Option<String> {
    Some("apk".into())
}

fn packages_command(_: &Args) -> String {
    "apk list --installed".into()
}

/// ` \S+ \{\S+\} \(.+?\)`: the architecture, origin and licence after the version.
fn apk_details(s: &str) -> bool {
    let Some((_, rest)) = s.strip_prefix(' ').and_then(|r| take_run(r, |c| !is_space(c))) else { return false };
    let Some((origin, rest)) = rest.strip_prefix(" {").and_then(|r| take_run(r, |c| !is_space(c))) else {
        return false;
    };
    // `\S+\}` then a space: the origin run ends with `}` and has something before it.
    let Some(inner) = origin.strip_suffix('}') else { return false };
    if inner.is_empty() {
        return false;
    }
    // `\(.+?\)`: a `)` after at least one character (lines are cut at newlines already).
    rest.strip_prefix(" (").is_some_and(|r| r.chars().skip(1).any(|c| c == ')'))
}

/// `([^-]+-r[^-]+)` followed by the details: the version-release, longest first.
fn apk_version(s: &str) -> Option<&str> {
    let dash = s.find('-')?;
    if dash == 0 || !s[dash + 1..].starts_with('r') {
        return None;
    }
    let tail_start = dash + 2;
    let tail_end = s[tail_start..].find('-').map_or(s.len(), |i| tail_start + i);
    // `[^-]+` backtracks from its longest run until the details match.
    (tail_start + 1..=tail_end)
        .rev()
        .find(|&end| s.is_char_boundary(end) && apk_details(&s[end..]))
        .map(|end| &s[..end])
}

/// `(.+)-([^-]+-r[^-]+) \S+ \{\S+\} \(.+?\)` at the start of a line of `apk list`: the longest
/// name for which a version and the details follow.
fn apk_line(line: &str) -> Option<(String, String)> {
    let line = line.split('\n').next().unwrap_or_default();
    line.match_indices('-')
        .rev()
        .filter(|(i, _)| *i > 0)
        .find_map(|(i, _)| apk_version(&line[i + 1..]).map(|v| (line[..i].to_string(), v.to_string())))
}

fn parse_apk_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(ctx.output, apk_line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(n: &str, v: &str) -> Option<(String, String)> {
        Some((n.to_string(), v.to_string()))
    }

    #[test]
    fn list_lines() {
        assert_eq!(
            apk_line("linux-firmware-rtl_nic-20220509-r1 x86_64 {linux-firmware} (custom:multiple) [installed]"),
            pair("linux-firmware-rtl_nic", "20220509-r1")
        );
        assert_eq!(
            apk_line("musl-utils-1.1.22-r3 x86_64 {musl} (MIT BSD GPL2+) [installed]"),
            pair("musl-utils", "1.1.22-r3")
        );
        assert_eq!(apk_line("WARNING: Ignoring APKINDEX.00740ba1.tar.gz: No such file or directory"), None);
        assert_eq!(apk_line("a-1-r2 x {} (m)"), None);
        assert_eq!(apk_line("a-1-r2 x {o} ()"), None);
        assert_eq!(apk_line("a-1-r2 x {o} ())"), pair("a", "1-r2"));
        assert_eq!(apk_line("a-1-ré x {o} (m)"), pair("a", "1-ré"));
    }
}
