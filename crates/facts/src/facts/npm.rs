//! `pyinfra.facts.npm`: top-level npm packages from `npm list`.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{at_end, parse_packages, take_run};
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Value, py_str, truthy};

/// The facts of `npm`.
pub const FACTS: &[Fact] = &[Fact {
    name: "NpmPackages",
    doc: "Top-level npm packages, from `npm list -g --depth=0` (run inside `directory` when given): package \
          name mapped to the set of installed versions. Empty when the directory does not exist.",
    args: &[arg("directory", "str | None", Dflt::None, "Project directory to list from (default: global packages).")],
    returns: "dict[str, set[str]]",
    command: Some(command),
    requires: Some(|_| Some("npm".into())),
    parse: Some(parse),
    default: "{}",
    ..Fact::NEW
}];

fn command(a: &Args) -> String {
    // pyinfra puts the directory in unquoted.
    match a.get("directory") {
        d if truthy(d) => {
            let d = py_str(d);
            format!("! test -d {d} || (cd {d} && npm list -g --depth=0)")
        }
        _ => "npm list -g --depth=0".into(),
    }
}

fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, package_line))
}

/// `├── name@1.2.3` (or `└──`): name and version.
fn package_line(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix(['└', '├'])?.strip_prefix("──")?;
    let rest = rest.strip_prefix(char::is_whitespace)?;
    let (name, rest) = take_run(rest, |c| c.is_ascii_alphanumeric() || c == '-')?;
    let (version, rest) = take_run(rest.strip_prefix('@')?, |c| c.is_ascii_digit() || c == '.')?;
    at_end(rest).then(|| (name.to_string(), version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::package_line;

    #[test]
    fn list_lines() {
        assert_eq!(package_line("├── npm@8.1.0"), Some(("npm".into(), "8.1.0".into())));
        assert_eq!(package_line("└── a-b@1"), Some(("a-b".into(), "1".into())));
        assert_eq!(package_line("└── @scope/x@1"), None);
        assert_eq!(package_line("/usr/lib"), None);
    }
}
