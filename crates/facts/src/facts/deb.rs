//! `pyinfra.facts.deb`: dpkg's view of installed packages and `.deb` archives.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::quote::quote;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

use super::apt::{is_package_name_char, is_version_char};
use super::util::packaging::{at_end, is_space, parse_packages, take_run};

/// The facts of `deb`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "DebArch",
        doc: "The host's Debian architecture name as used in apt sources (`amd64`, `arm64` ...), from \
              `dpkg --print-architecture`.",
        returns: "str",
        command: Some(arch_command),
        requires: Some(requires_dpkg),
        parse: Some(parse_text),
        ..Fact::NEW
    },
    Fact {
        name: "DebPackages",
        doc: "Packages dpkg has installed or held (`dpkg -l`): package name mapped to its installed \
              versions. An architecture suffix such as `:amd64` is dropped from the name.",
        returns: "dict[str, set[str]]",
        command: Some(packages_command),
        requires: Some(requires_dpkg),
        parse: Some(parse_deb_packages),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "DebPackage",
        doc: "Name and version of one package: read from the archive when `package` is an existing file \
              named `*.deb` (relative to the remote working directory), otherwise from dpkg's database \
              of installed packages. Empty when neither knows it. Because it depends on which files \
              exist, the answer can change between runs.",
        args: &[arg("package", "str", Dflt::Required, "Package name, or path of a `.deb` file on the host.")],
        returns: "dict: {name: str, version: str}",
        command: Some(package_command),
        requires: Some(requires_dpkg),
        parse: Some(parse_deb_package),
        ..Fact::NEW
    },
];

fn requires_dpkg(_: &Args) -> Option<String> {
    Some("dpkg".into())
}

fn arch_command(_: &Args) -> String {
    "dpkg --print-architecture".into()
}

/// pyinfra's default parser: the output lines joined.
fn parse_text(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::String(ctx.output.join("\n")))
}

fn packages_command(_: &Args) -> String {
    "dpkg -l".into()
}

/// `^[i|h]i\s+(name):?[a-zA-Z0-9]*\s+(version).+$` — one installed or held line of `dpkg -l`.
fn dpkg_line(line: &str) -> Option<(String, String)> {
    let mut chars = line.chars();
    if !matches!(chars.next(), Some('i' | '|' | 'h')) || chars.next() != Some('i') {
        return None;
    }
    let (_, rest) = take_run(chars.as_str(), is_space)?;
    let (name, rest) = take_run(rest, is_package_name_char)?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric());
    let (_, rest) = take_run(rest, is_space)?;
    let (version, rest) = take_run(rest, is_version_char)?;
    // `.+$` needs at least one more character; the version gives one back if it ran to the end.
    let tail = rest.strip_suffix('\n').unwrap_or(rest);
    if !tail.is_empty() && !tail.contains('\n') {
        return Some((name.to_string(), version.to_string()));
    }
    if at_end(rest) && version.len() > 1 {
        return Some((name.to_string(), version[..version.len() - 1].to_string()));
    }
    None
}

fn parse_deb_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(ctx.output, dpkg_line))
}

fn package_command(a: &Args) -> String {
    // Only an existing `*.deb` file is read as an archive; anything else asks dpkg's database.
    let p = quote(&py_str(a.get("package")));
    format!(
        "test -f {p} && case {p} in *.deb) dpkg -I {p} ;; *) dpkg -s {p} 2>/dev/null || true ;; esac || \
         dpkg -s {p} 2>/dev/null || true"
    )
}

/// `^Field:\s+(chars)$` on a stripped line.
fn field(line: &str, name: &str, pred: fn(char) -> bool) -> Option<String> {
    let rest = line.strip_prefix(name)?.strip_prefix(':')?;
    let (_, rest) = take_run(rest, is_space)?;
    let (value, rest) = take_run(rest, pred)?;
    at_end(rest).then(|| value.to_string())
}

fn parse_deb_package(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut data = Map::new();
    for line in ctx.output.iter().map(|l| l.trim()) {
        if let Some(name) = field(line, "Package", is_package_name_char) {
            data.insert("name".into(), name.into());
        } else if let Some(version) = field(line, "Version", is_version_char) {
            data.insert("version".into(), version.into());
        }
    }
    Ok(Value::Object(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_lines() {
        let l = |s: &str| dpkg_line(s).map(|(n, v)| format!("{n} {v}"));
        assert_eq!(l("ii  libc6:amd64 2.35-0 amd64 GNU C Library").as_deref(), Some("libc6 2.35-0"));
        assert_eq!(l("hi  x 1.0 all").as_deref(), Some("x 1.0"));
        assert_eq!(l("ii  x 1.0").as_deref(), Some("x 1."));
        assert_eq!(l("rc  x 1.0 all"), None);
        assert_eq!(l("ii  x_y 1.0 all"), None);
    }
}
