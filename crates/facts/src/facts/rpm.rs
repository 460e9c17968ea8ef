//! `pyinfra.facts.rpm`: installed RPM packages, one package (installed or an `.rpm` file), and the
//! packages providing a capability.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::quote::quote;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Value, py_str};

use super::util::packaging::{at_end, parse_packages};

/// rpm's `--queryformat`: `name version-release` per line.
const RPM_QUERY_FORMAT: &str = "%{NAME} %{VERSION}-%{RELEASE}\\n";

/// The facts of `rpm`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "RpmPackages",
        doc: "The installed RPM packages, from `rpm -qa`: package name mapped to the set of installed \
              `version-release` strings.",
        returns: "dict[str, set[str]]",
        command: Some(packages_command),
        requires: Some(requires_rpm),
        parse: Some(parse_rpm_packages),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "RpmPackage",
        doc: "Name and `version-release` of one package, as `{\"name\": ..., \"version\": ...}`: the \
              installed package of that name, or else the `.rpm` file at that path. None when neither \
              exists.",
        args: &[arg("package", "str", Dflt::Required, "Installed package name, or path of an `.rpm` file.")],
        returns: "dict[str, str] | None",
        command: Some(package_command),
        requires: Some(requires_rpm),
        parse: Some(parse_rpm_package),
        ..Fact::NEW
    },
    Fact {
        name: "RpmPackageProvides",
        doc: "The packages that provide a capability (a command, file or virtual name), from `dnf repoquery \
              --whatprovides`, as `[name, version-release]` pairs. Empty when nothing provides it.",
        args: &[arg("package", "str", Dflt::Required, "Capability to look up, e.g. `/usr/bin/vim` or `vim`.")],
        returns: "list[list[str]]",
        command: Some(provides_command),
        requires: Some(requires_dnf),
        parse: Some(parse_provides),
        default: "[]",
        ..Fact::NEW
    },
];

fn requires_rpm(_: &Args) -> Option<String> {
    Some("rpm".into())
}

fn requires_dnf(_: &Args) -> Option<String> {
    Some("dnf".into())
}

/// `^(\S+)\ (\S+)$`: one `name version` line of the query format.
pub fn rpm_line(line: &str) -> Option<(String, String)> {
    let (name, rest) = line.split_once(' ')?;
    let version_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (version, tail) = rest.split_at(version_len);
    let ok = !name.is_empty() && !version.is_empty() && !name.contains(char::is_whitespace) && at_end(tail);
    ok.then(|| (name.to_string(), version.to_string()))
}

fn packages_command(_: &Args) -> String {
    format!("rpm --queryformat {} -qa", quote(RPM_QUERY_FORMAT))
}

fn parse_rpm_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(ctx.output, rpm_line))
}

fn package_command(a: &Args) -> String {
    let (format, package) = (quote(RPM_QUERY_FORMAT), quote(&py_str(a.get("package"))));
    format!(
        "rpm --queryformat {format} -q {package} || ! test -e {package} || \
         rpm --queryformat {format} -qp {package} 2> /dev/null"
    )
}

fn parse_rpm_package(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(ctx
        .output
        .iter()
        .find_map(|l| rpm_line(l))
        .map_or(Value::Null, |(name, version)| serde_json::json!({"name": name, "version": version})))
}

fn provides_command(a: &Args) -> String {
    // `|| true`: an unknown capability is not an error, just nothing.
    format!(
        "dnf repoquery --quiet --queryformat {} --whatprovides {} || true",
        quote(RPM_QUERY_FORMAT),
        quote(&py_str(a.get("package")))
    )
}

fn parse_provides(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(ctx
        .output
        .iter()
        .filter_map(|l| rpm_line(l))
        .map(|(name, version)| Value::Array(vec![name.into(), version.into()]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_lines() {
        assert_eq!(rpm_line("vim 8.0-1.el8"), Some(("vim".into(), "8.0-1.el8".into())));
        assert_eq!(rpm_line("vim 8.0-1.el8\n"), Some(("vim".into(), "8.0-1.el8".into())));
        assert_eq!(rpm_line("vim  8.0"), None);
        assert_eq!(rpm_line("vim 8.0 x"), None);
        assert_eq!(rpm_line("package vim is not installed"), None);
    }
}
