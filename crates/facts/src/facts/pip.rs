//! `pyinfra.facts.pip`: packages installed for a pip (`pip freeze --all`).

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Value, py_str, truthy};

use super::util::packaging::{at_end, parse_packages, take_run};

/// The facts of `pip`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PipPackages",
        doc: "Packages installed for a pip, from `pip freeze --all`: package name mapped to its installed \
              versions. Give the pip to ask (a path into a virtualenv, `pip3` ...) to look elsewhere than \
              the `pip` on the PATH. Packages installed from URLs or in editable mode are not listed.",
        args: &[arg("pip", "str | None", Dflt::None, "The pip command or path to run; `pip` when not given.")],
        returns: "dict[str, set[str]]",
        command: Some(pip_command),
        requires: Some(pip_requires),
        parse: Some(parse_pip_packages),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Pip3Packages",
        doc: "Like `PipPackages`, but runs `pip3` when no pip is given.",
        args: &[arg("pip", "str | None", Dflt::None, "The pip command or path to run; `pip3` when not given.")],
        returns: "dict[str, set[str]]",
        command: Some(pip3_command),
        requires: Some(pip3_requires),
        parse: Some(parse_pip_packages),
        default: "{}",
        ..Fact::NEW
    },
];

/// `pip or default`, with Python truthiness.
fn pip_or(a: &Args, default: &str) -> String {
    match a.get("pip") {
        v if truthy(v) => py_str(v),
        _ => default.to_string(),
    }
}

fn pip_command(a: &Args) -> String {
    format!("{} freeze --all", pip_or(a, "pip"))
}

fn pip_requires(a: &Args) -> Option<String> {
    Some(pip_or(a, "pip"))
}

fn pip3_command(a: &Args) -> String {
    format!("{} freeze --all", pip_or(a, "pip3"))
}

fn pip3_requires(a: &Args) -> Option<String> {
    Some(pip_or(a, "pip3"))
}

/// `^([a-zA-Z0-9_\-\+\.]+)==([0-9\.]+[a-z0-9\-]*)$` — one `name==version` line of `pip freeze`.
pub fn freeze_line(line: &str) -> Option<(String, String)> {
    let (name, rest) = take_run(line, |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.'))?;
    let version = rest.strip_prefix("==")?;
    let (_, tail) = take_run(version, |c| c.is_ascii_digit() || c == '.')?;
    let (_, end) = take_run(tail, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-').unwrap_or(("", tail));
    at_end(end).then(|| (name.to_string(), version.strip_suffix('\n').unwrap_or(version).to_string()))
}

fn parse_pip_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(ctx.output, freeze_line))
}

#[cfg(test)]
mod tests {
    use super::freeze_line;

    #[test]
    fn freeze_lines() {
        assert_eq!(freeze_line("Py_Dash==3.48rc1"), Some(("Py_Dash".into(), "3.48rc1".into())));
        assert_eq!(freeze_line("x==1.0.post1"), Some(("x".into(), "1.0.post1".into())));
        assert_eq!(freeze_line("x==1.0_b"), None);
        assert_eq!(freeze_line("x @ file:///tmp/x"), None);
        assert_eq!(freeze_line("x==abc"), None);
    }
}
