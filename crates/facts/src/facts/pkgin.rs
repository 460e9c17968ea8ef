//! `pyinfra.facts.pkgin`: installed pkgsrc packages from `pkgin list`.

use crate::fact_source::FactCtx;
use crate::facts::pkg::split_name_version;
use crate::facts::util::packaging::{parse_packages, run_len};
use crate::schema::Fact;
use crate::value::Value;

/// The facts of `pkgin`.
pub const FACTS: &[Fact] = &[Fact {
    name: "PkginPackages",
    doc: "The installed packages, from `pkgin list`: package name mapped to the set of installed versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    command: Some(|_| "pkgin list".into()),
    requires: Some(|_| Some("pkgin".into())),
    parse: Some(parse),
    ..Fact::NEW
}];

/// `name-1.2.3nb1   description` lines.
fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, |line| split_name_version(line, |c| c.is_ascii_alphanumeric() || c == '-', version)))
}

/// pkgin's `[0-9.]+-?[a-z0-9]*` version, which must be followed by whitespace.
fn version(rest: &str) -> Option<&str> {
    let digits = run_len(rest, |c| c.is_ascii_digit() || c == '.');
    if digits == 0 {
        return None;
    }
    let suffix = |from: usize| {
        let end = from + run_len(&rest[from..], |c| c.is_ascii_lowercase() || c.is_ascii_digit());
        rest[end..].starts_with(char::is_whitespace).then(|| &rest[..end])
    };
    let dashed = rest[digits..].starts_with('-').then(|| suffix(digits + 1)).flatten();
    dashed.or_else(|| suffix(digits))
}

#[cfg(test)]
mod tests {
    use super::version;

    #[test]
    fn versions() {
        assert_eq!(version("2.0.14nb2   SDL"), Some("2.0.14nb2"));
        assert_eq!(version("1.0-rc1 x"), Some("1.0-rc1"));
        assert_eq!(version("1.0"), None);
        assert_eq!(version("x1 y"), None);
    }
}
