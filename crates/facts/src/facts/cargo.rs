//! `pyinfra.facts.cargo`: crates installed with `cargo install`.

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{parse_packages, take_run};
use crate::schema::Fact;
use crate::value::Value;

/// The facts of `cargo`.
pub const FACTS: &[Fact] = &[Fact {
    name: "CargoPackages",
    doc: "The crates installed globally with `cargo install`, from `cargo install --list`: crate name mapped \
          to the set of installed versions.",
    returns: "dict[str, set[str]]",
    default: "{}",
    command: Some(|_| "cargo install --list".into()),
    requires: Some(|_| Some("cargo".into())),
    parse: Some(parse),
    ..Fact::NEW
}];

fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, package_line))
}

/// `name v1.2.3:` (the start of a line): name and version.
fn package_line(line: &str) -> Option<(String, String)> {
    let (name, rest) = take_run(line, |c| c.is_ascii_alphanumeric() || c == '-')?;
    let rest = rest.strip_prefix(char::is_whitespace)?.strip_prefix('v')?;
    let (version, _) = take_run(rest, |c| c.is_ascii_digit() || c == '.')?;
    Some((name.to_string(), version.to_string()))
}
