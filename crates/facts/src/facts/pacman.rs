//! `pyinfra.facts.pacman`: installed pacman packages, and what a group or virtual name stands for.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::quote::quote;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Value, py_str};

use super::util::packaging::{is_space, parse_packages, take_run};

/// The facts of `pacman`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PacmanUnpackGroup",
        doc: "The real package names a name stands for, as `pacman -S --print-format %n` lists them: the \
              members of a group, the provider of a virtual package, or just the package itself. Empty \
              when pacman knows no such name.",
        args: &[arg("package", "str", Dflt::Required, "Package, group or virtual package name to expand.")],
        returns: "list[str]",
        command: Some(unpack_group_command),
        requires: Some(requires_pacman),
        parse: Some(parse_unpack_group),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "PacmanPackages",
        doc: "The installed packages, from `pacman -Q`: package name mapped to the set of installed versions.",
        returns: "dict[str, set[str]]",
        command: Some(packages_command),
        requires: Some(requires_pacman),
        parse: Some(parse_pacman_packages),
        default: "{}",
        ..Fact::NEW
    },
];

fn requires_pacman(_: &Args) -> Option<String> {
    Some("pacman".into())
}

fn unpack_group_command(a: &Args) -> String {
    // `|| true`: an unknown name is not an error, just nothing.
    format!("pacman -S --print-format %n {} || true", quote(&py_str(a.get("package"))))
}

fn parse_unpack_group(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(ctx.output.iter().map(|l| Value::from(l.as_str())).collect())
}

fn packages_command(_: &Args) -> String {
    "pacman -Q".into()
}

/// `^(\S+)\s(\S+)`: one `name version` line of `pacman -Q`.
fn pacman_line(line: &str) -> Option<(String, String)> {
    let (name, rest) = take_run(line, |c| !is_space(c))?;
    let mut chars = rest.chars();
    chars.next().filter(|c| is_space(*c))?;
    let (version, _) = take_run(chars.as_str(), |c| !is_space(c))?;
    Some((name.to_string(), version.to_string()))
}

fn parse_pacman_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(ctx.output, pacman_line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_lines() {
        assert_eq!(pacman_line("lz4 1:1.9.2-1"), Some(("lz4".into(), "1:1.9.2-1".into())));
        assert_eq!(pacman_line("lz4  1"), None);
        assert_eq!(pacman_line("lz4"), None);
    }
}
