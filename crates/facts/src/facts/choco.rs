//! `pyinfra.facts.choco`: Chocolatey packages and version.

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{at_end, parse_packages, take_run};
use crate::schema::Fact;
use crate::value::Value;

/// The facts of `choco`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "ChocoPackages",
        doc: "The Chocolatey packages installed on the host, from `choco list`: package name mapped to the set \
              of installed versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|_| "choco list".into()),
        requires: Some(|_| Some("choco".into())),
        parse: Some(parse_list),
        ..Fact::NEW
    },
    Fact {
        name: "ChocoVersion",
        doc: "The version of Chocolatey itself as printed by `choco --version` (all output joined into one \
              string), or None when choco is not installed.",
        returns: "str",
        default: "null",
        command: Some(|_| "choco --version".into()),
        requires: Some(|_| Some("choco".into())),
        parse: Some(parse_version),
        ..Fact::NEW
    },
];

/// `name 1.2.3` lines.
fn parse_list(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, |line| {
        let (name, rest) = take_run(line, |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))?;
        let rest = rest.strip_prefix(char::is_whitespace)?;
        let (version, rest) = take_run(rest, |c| c.is_ascii_digit() || c == '.')?;
        at_end(rest).then(|| (name.to_string(), version.to_string()))
    }))
}

/// All output joined, without newlines.
fn parse_version(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::String(f.output.concat().replace('\n', "")))
}
