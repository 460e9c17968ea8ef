//! `pyinfra.facts.pkg`: installed BSD packages (`pkg info` / `pkg_info`).

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{parse_packages, run_len};
use crate::schema::Fact;
use crate::value::Value;

/// The facts of `pkg`.
pub const FACTS: &[Fact] = &[Fact {
    name: "PkgPackages",
    doc: "The installed BSD packages, from `pkg info` (or `pkg_info` where pkg is missing): package name \
          mapped to the set of installed versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    command: Some(|_| "pkg info || pkg_info || true".into()),
    parse: Some(parse),
    ..Fact::NEW
}];

/// `name-version...` lines.
fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, |line| {
        split_name_version(
            line,
            |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'),
            |rest| {
                let n = run_len(rest, |c| c.is_ascii_digit() || c.is_ascii_lowercase() || c == '.');
                (n > 0).then(|| &rest[..n])
            },
        )
    }))
}

/// A regex `^(NAME+)-(VERSION)` on a line whose names may contain `-` themselves: the last `-`
/// (inside the leading run of `name_char`s) after which `version` matches, as a greedy regex
/// would pick it. `version` gets the text after that `-` and returns the version it matches.
pub(crate) fn split_name_version<'l>(
    line: &'l str,
    name_char: impl Fn(char) -> bool,
    version: impl Fn(&'l str) -> Option<&'l str>,
) -> Option<(String, String)> {
    let name_run = run_len(line, name_char);
    line[..name_run]
        .match_indices('-')
        .rev()
        .filter(|(i, _)| *i > 0)
        .find_map(|(i, _)| version(&line[i + 1..]).map(|v| (line[..i].to_string(), v.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use crate::fact_source::NoFacts;
    use serde_json::json;

    #[test]
    fn names_with_dashes() {
        let lines: Vec<String> = ["py311-pip-23.1", "nano-3.48", "noversion", "-1"].map(String::from).into();
        let args = Args::from_pairs([]);
        let f = FactCtx { args: &args, output: &lines, facts: &NoFacts };
        assert_eq!(parse(&f).unwrap(), json!({"py311-pip": ["23.1"], "nano": ["3.48"]}));
    }
}
