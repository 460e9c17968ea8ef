//! `pyinfra.facts.gem`: locally installed gems from `gem list --local`.

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{at_end, parse_packages, take_run};
use crate::schema::Fact;
use crate::value::Value;

/// The facts of `gem`.
pub const FACTS: &[Fact] = &[Fact {
    name: "GemPackages",
    doc: "The locally installed Ruby gems, from `gem list --local`: gem name mapped to the set of installed \
          versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    command: Some(|_| "gem list --local".into()),
    requires: Some(|_| Some("gem".into())),
    parse: Some(parse),
    ..Fact::NEW
}];

fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, package_line))
}

/// `name (1.2.3)`: a gem with a single version.
fn package_line(line: &str) -> Option<(String, String)> {
    let (name, rest) = take_run(line, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '_'))?;
    let rest = rest.strip_prefix(char::is_whitespace)?.strip_prefix('(')?;
    let (version, rest) = take_run(rest, |c| c.is_ascii_digit() || c == '.')?;
    at_end(rest.strip_prefix(')')?).then(|| (name.to_string(), version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::package_line;

    #[test]
    fn list_lines() {
        assert_eq!(package_line("rake (13.0.6)"), Some(("rake".into(), "13.0.6".into())));
        assert_eq!(package_line("rake (13.0.6, 12.3.3)"), None);
        assert_eq!(package_line("bundler (default: 2.1.4)"), None);
    }
}
