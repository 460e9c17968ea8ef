//! `pyinfra.facts.xbps`: the packages XBPS has installed.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::Value;

use super::util::packaging::{parse_packages, run_len, take_run};

/// The facts of `xbps`.
pub const FACTS: &[Fact] = &[Fact {
    name: "XbpsPackages",
    doc: "The installed packages, from `xbps-query -l`: package name mapped to the set of installed versions \
          (`version_revision`).",
    returns: "dict[str, set[str]]",
    command: Some(packages_command),
    requires: Some(requires_xbps_query),
    parse: Some(parse_xbps_packages),
    default: "{}",
    ..Fact::NEW
}];

fn requires_xbps_query(_: &Args) -> Option<String> {
    Some("xbps-query".into())
}

fn packages_command(_: &Args) -> String {
    "xbps-query -l".into()
}

/// `[a-zA-Z0-9_\-\+\.]`
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.')
}

/// `[0-9a-z\.]+_[0-9]+` at the start of `s`.
fn xbps_version(s: &str) -> Option<&str> {
    let (_, rest) = take_run(s, |c| c.is_ascii_digit() || c.is_ascii_lowercase() || c == '.')?;
    let rest = rest.strip_prefix('_')?;
    let revision = run_len(rest, |c| c.is_ascii_digit());
    (revision > 0).then(|| &s[..s.len() - rest.len() + revision])
}

/// `^.. (name)\-(version)`: a state column, a space, then `name-version`; the name is the longest
/// one a version follows.
fn xbps_line(line: &str) -> Option<(String, String)> {
    let mut chars = line.chars();
    for _ in 0..2 {
        chars.next().filter(|c| *c != '\n')?;
    }
    let rest = chars.as_str().strip_prefix(' ')?;
    let run = &rest[..run_len(rest, is_name_char)];
    run.match_indices('-')
        .rev()
        .filter(|(i, _)| *i > 0)
        .find_map(|(i, _)| xbps_version(&rest[i + 1..]).map(|v| (run[..i].to_string(), v.to_string())))
}

fn parse_xbps_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(ctx.output, xbps_line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_lines() {
        let pair = |n: &str, v: &str| Some((n.to_string(), v.to_string()));
        assert_eq!(xbps_line("ii python3-jaraco.classes-3.4.0_2   Utility"), pair("python3-jaraco.classes", "3.4.0_2"));
        assert_eq!(xbps_line("ii vim-8.2.0891_1 Vim editor"), pair("vim", "8.2.0891_1"));
        assert_eq!(xbps_line("ii a-b-1_x"), None);
        assert_eq!(xbps_line("ii a-1_2-2_3"), pair("a-1_2", "2_3"));
        assert_eq!(xbps_line("i"), None);
    }
}
