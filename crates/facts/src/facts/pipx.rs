//! `pyinfra.facts.pipx`: pipx applications and environment.

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{at_end, parse_packages, take_run};
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `pipx`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PipxPackages",
        doc: "The applications installed with pipx, from `pipx list --short`: package name mapped to the set \
              of installed versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|_| "pipx list --short".into()),
        requires: Some(|_| Some("pipx".into())),
        parse: Some(parse_packages_fact),
        ..Fact::NEW
    },
    Fact {
        name: "PipxEnvironment",
        doc: "The variables printed by `pipx environment` (`PIPX_HOME`, `PIPX_BIN_DIR`, ...), name mapped to \
              value.",
        returns: "dict[str, str]",
        default: "{}",
        command: Some(|_| "pipx environment".into()),
        requires: Some(|_| Some("pipx".into())),
        parse: Some(parse_environment),
        ..Fact::NEW
    },
];

fn parse_packages_fact(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, package_line))
}

/// `name 1.2.3` (the version may end in lower-case letters, digits and dashes, as `1.0rc1`).
fn package_line(line: &str) -> Option<(String, String)> {
    let (name, rest) = take_run(line, |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.'))?;
    let (_, rest) = take_run(rest, char::is_whitespace)?;
    let version = rest.strip_suffix('\n').unwrap_or(rest);
    let (numeric, tail) = take_run(version, |c| c.is_ascii_digit() || c == '.')?;
    let tail_ok = tail.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (tail_ok && at_end(&rest[numeric.len() + tail.len()..])).then(|| (name.to_string(), version.to_string()))
}

/// `NAME=value` lines (upper-case names with underscores).
fn parse_environment(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut vars = Map::new();
    for line in f.output {
        if let Some((key, value)) = line.split_once('=')
            && !key.is_empty()
            && key.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            && !value.contains('\n')
        {
            vars.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
    Ok(Value::Object(vars))
}

#[cfg(test)]
mod tests {
    use super::package_line;

    #[test]
    fn list_lines() {
        assert_eq!(package_line("black 24.1.0"), Some(("black".into(), "24.1.0".into())));
        assert_eq!(package_line("x  1.0rc1"), Some(("x".into(), "1.0rc1".into())));
        assert_eq!(package_line("x 1.0rc1.2"), None);
        assert_eq!(package_line("x v1"), None);
    }
}
