//! `pyinfra.facts.opkg`: OpenWrt's opkg configuration, feeds, architectures, and installed and
//! upgradeable packages. Lines the parsers cannot read are skipped (pyinfra logs a warning).

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::{Map, Value};

use super::util::packaging::{is_space, parse_packages, run_len, take_run};

/// The facts of `opkg`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "OpkgConf",
        doc: "The settings of `/etc/opkg.conf` as a named tuple `(paths, list_dir, options, arch_cfg)`: \
              install destinations by name (`dest` lines), the package-list directory (`lists_dir`), \
              `option` lines (a bare option is True), and architecture priorities (`arch` lines).",
        returns: "tuple[dict[str, str], str, dict[str, str | bool], dict[str, int]]",
        command: Some(conf_command),
        requires: Some(requires_opkg),
        parse: Some(parse_conf),
        default: "[{}, \"\", {}, {}]",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgFeeds",
        doc: "The package feeds configured in `/etc/opkg/distfeeds.conf` and `customfeeds.conf`: feed name \
              mapped to a named tuple `(url, fmt, kind)`, where `fmt` is e.g. `src/gz` and `kind` is \
              `distribution` or `custom` depending on the file.",
        returns: "dict[str, tuple[str, str, str]]",
        command: Some(feeds_command),
        requires: Some(requires_opkg),
        parse: Some(parse_feeds),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgInstallableArchitectures",
        doc: "The architectures `opkg print-architecture` accepts packages for, each mapped to its priority.",
        returns: "dict[str, int]",
        command: Some(architectures_command),
        requires: Some(requires_opkg),
        parse: Some(parse_architectures),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgPackages",
        doc: "The installed packages, from `opkg list-installed`: package name mapped to the set of installed \
              versions.",
        returns: "dict[str, set[str]]",
        command: Some(packages_command),
        requires: Some(requires_opkg),
        parse: Some(parse_opkg_packages),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgUpgradeablePackages",
        doc: "The installed packages that have a newer version available (`opkg list-upgradable`): name \
              mapped to a named tuple `(installed, available)` of versions. Empty when the command fails.",
        returns: "dict[str, tuple[str, str]]",
        command: Some(upgradeable_command),
        requires: Some(requires_opkg),
        parse: Some(parse_upgradeable),
        default: "{}",
        ..Fact::NEW
    },
];

fn requires_opkg(_: &Args) -> Option<String> {
    Some("opkg".into())
}

fn conf_command(_: &Args) -> String {
    "cat /etc/opkg.conf".into()
}

fn feeds_command(_: &Args) -> String {
    "cat /etc/opkg/distfeeds.conf; echo CUSTOM; cat /etc/opkg/customfeeds.conf".into()
}

fn architectures_command(_: &Args) -> String {
    "opkg print-architecture".into()
}

fn packages_command(_: &Args) -> String {
    "opkg list-installed".into()
}

fn upgradeable_command(_: &Args) -> String {
    // Sic: opkg spells it this way.
    "opkg list-upgradable".into()
}

/// Python's `\w`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `(?:\s*\#.*)?$`: nothing left, or a comment (whitespace alone is not allowed).
fn only_comment(s: &str) -> bool {
    s.is_empty() || s.trim_start_matches(is_space).starts_with('#')
}

/// `\s+` then a non-empty run of `pred`: `(run, rest)`.
fn spaced_run(s: &str, pred: impl Fn(char) -> bool) -> Option<(&str, &str)> {
    let (_, rest) = take_run(s, is_space)?;
    take_run(rest, pred)
}

/// `<keyword>\s+(\w+)\s+(\d+)` ending the line (before a comment): an `arch` line's name and
/// priority.
fn arch_entry(s: &str) -> Option<(String, i64)> {
    let (arch, rest) = spaced_run(s.strip_prefix("arch")?, is_word)?;
    let (prio, rest) = spaced_run(rest, |c| c.is_ascii_digit())?;
    if !only_comment(rest) {
        return None;
    }
    Some((arch.to_string(), prio.parse().ok()?))
}

/// `dest\s+(\w+)\s+([\w/\-]+)`, `lists_dir\s+ext\s+([\w/\-]+)`: the name (`ext` for lists_dir) and path.
fn path_entry<'a>(s: &'a str, keyword: &str, name: impl Fn(char) -> bool) -> Option<(&'a str, &'a str)> {
    let is_path = |c: char| is_word(c) || c == '/' || c == '-';
    let (name, rest) = spaced_run(s.strip_prefix(keyword)?, name)?;
    let (path, rest) = spaced_run(rest, is_path)?;
    only_comment(rest).then_some((name, path))
}

/// `option\s+(\w+)(?:\s+([^#]+))?`: the option's name and its value, if any (up to a `#`).
fn option_entry(s: &str) -> Option<(&str, Option<&str>)> {
    let (name, rest) = spaced_run(s.strip_prefix("option")?, is_word)?;
    let spaces = run_len(rest, is_space);
    if spaces == 0 {
        return only_comment(rest).then_some((name, None));
    }
    let after = &rest[spaces..];
    let value_len = after.find('#').unwrap_or(after.len());
    if value_len > 0 {
        return Some((name, Some(&after[..value_len])));
    }
    // `\s+` gives back its last character for `[^#]+` to match, when it has one to spare.
    let start = spaces - rest[..spaces].chars().next_back().map_or(0, char::len_utf8);
    if start > 0 {
        return Some((name, Some(&rest[start..spaces])));
    }
    only_comment(rest).then_some((name, None))
}

fn parse_conf(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let (mut dest, mut lists_dir, mut options, mut arch_cfg) = (Map::new(), String::new(), Map::new(), Map::new());
    for line in ctx.output {
        let s = line.trim_start_matches(is_space);
        if let Some((arch, prio)) = arch_entry(s) {
            arch_cfg.insert(arch, prio.into());
        } else if let Some((name, path)) = path_entry(s, "dest", is_word) {
            dest.insert(name.to_string(), path.into());
        } else if let Some((_, path)) =
            path_entry(s, "lists_dir", |c| c.is_alphanumeric() || c == '_').filter(|(name, _)| *name == "ext")
        {
            lists_dir = path.to_string();
        } else if let Some((name, value)) = option_entry(s) {
            let value = value.filter(|v| !v.is_empty()).map_or(Value::Bool(true), Value::from);
            options.insert(name.to_string(), value);
        }
        // Anything else is a blank or comment line, or one pyinfra warns about and skips.
    }
    Ok(Value::Array(vec![dest.into(), lists_dir.into(), options.into(), arch_cfg.into()]))
}

/// `\s*([\w/]+)\s+(\w+)\s+([\w./:]+)` ending the line: a feed's format, name and URL.
fn feed_entry(line: &str) -> Option<(&str, &str, &str)> {
    let s = line.trim_start_matches(is_space);
    let (fmt, rest) = take_run(s, |c| is_word(c) || c == '/')?;
    let (name, rest) = spaced_run(rest, is_word)?;
    let (url, rest) = spaced_run(rest, |c| is_word(c) || matches!(c, '.' | '/' | ':'))?;
    only_comment(rest).then_some((fmt, name, url))
}

fn parse_feeds(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut feeds = Map::new();
    let mut kind = "distribution";
    for line in ctx.output {
        // `^(CUSTOM)` is not anchored at the end: the marker between the two files.
        if line.starts_with("CUSTOM") {
            kind = "custom";
        } else if let Some((fmt, name, url)) = feed_entry(line) {
            feeds.insert(name.to_string(), Value::Array(vec![url.into(), fmt.into(), kind.into()]));
        }
    }
    Ok(Value::Object(feeds))
}

fn parse_architectures(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut archs = Map::new();
    for line in ctx.output {
        if let Some((arch, prio)) = arch_entry(line.trim_start_matches(is_space)) {
            archs.insert(arch, prio.into());
        }
    }
    Ok(Value::Object(archs))
}

/// `[\w\-.]`
fn is_version_char(c: char) -> bool {
    is_word(c) || c == '-' || c == '.'
}

/// `^([a-zA-Z0-9][\w\-.]*)`, then the ` - `-separated versions (`\s-\s([\w\-.]+)`), `count` of them.
fn opkg_fields(line: &str, count: usize) -> Option<Vec<&str>> {
    if !line.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let name_len = run_len(line, is_version_char);
    let mut fields = vec![&line[..name_len]];
    let mut rest = &line[name_len..];
    for _ in 0..count {
        let mut chars = rest.chars();
        chars.next().filter(|c| is_space(*c))?;
        let after_dash = chars.as_str().strip_prefix('-')?;
        let mut chars = after_dash.chars();
        chars.next().filter(|c| is_space(*c))?;
        let (field, r) = take_run(chars.as_str(), is_version_char)?;
        fields.push(field);
        rest = r;
    }
    Some(fields)
}

fn parse_opkg_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut lines = ctx.output.to_vec();
    lines.sort();
    Ok(parse_packages(&lines, |l| opkg_fields(l, 1).map(|f| (f[0].to_string(), f[1].to_string()))))
}

fn parse_upgradeable(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut packages = Map::new();
    for fields in ctx.output.iter().filter_map(|l| opkg_fields(l, 2)) {
        packages.insert(fields[0].to_string(), Value::Array(vec![fields[1].into(), fields[2].into()]));
    }
    Ok(Value::Object(packages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values() {
        assert_eq!(option_entry("option a"), Some(("a", None)));
        assert_eq!(option_entry("option a b c # x"), Some(("a", Some("b c "))));
        assert_eq!(option_entry("option a #x"), Some(("a", None)));
        assert_eq!(option_entry("option a  #x"), Some(("a", Some(" "))));
        assert_eq!(option_entry("option a-b"), None);
        assert_eq!(option_entry("option a "), None);
        assert_eq!(option_entry("option a  "), Some(("a", Some(" "))));
        assert_eq!(option_entry("option"), None);
    }

    #[test]
    fn arch_lines() {
        assert_eq!(arch_entry("arch all 1"), Some(("all".into(), 1)));
        assert_eq!(arch_entry("arch all 1 # c"), Some(("all".into(), 1)));
        assert_eq!(arch_entry("arch all 1x"), None);
        assert_eq!(arch_entry("arch zzz"), None);
        assert_eq!(arch_entry("arch all 1 "), None);
    }

    #[test]
    fn package_lines() {
        assert_eq!(opkg_fields("libuv1 - 1.34.2-1 - 1.40.0-1", 2), Some(vec!["libuv1", "1.34.2-1", "1.40.0-1"]));
        assert_eq!(opkg_fields("xray123-123", 1), None);
        assert_eq!(opkg_fields("-a - 1", 1), None);
    }
}
