//! `pyinfra.facts.openrc`: service states from `rc-status` and `rc-update`.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{is_space, take_run};
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

/// `runlevel`: the runlevel both facts look at.
const RUNLEVEL: &[Arg] = &[arg("runlevel", "str", Dflt::Str("default"), "Runlevel to inspect.")];

/// The facts of `openrc`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "OpenrcStatus",
        doc: "The services `rc-status` lists for a runlevel, each mapped to whether it is started.",
        args: RUNLEVEL,
        returns: "dict[str, bool]",
        command: Some(status_command),
        requires: Some(|_| Some("rc-status".into())),
        parse: Some(parse_status),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpenrcEnabled",
        doc: "Every service `rc-update show -v` knows, mapped to whether it is added to the given runlevel.",
        args: RUNLEVEL,
        returns: "dict[str, bool]",
        command: Some(|_| "rc-update show -v".into()),
        requires: Some(|_| Some("rc-update".into())),
        parse: Some(parse_enabled),
        default: "{}",
        ..Fact::NEW
    },
];

fn status_command(a: &Args) -> String {
    format!("rc-status {}", py_str(a.get("runlevel")))
}

fn parse_status(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut services = Map::new();
    for (name, state) in f.output.iter().filter_map(|l| status_line(l)) {
        services.insert(name.to_string(), Value::Bool(state == "started"));
    }
    Ok(Value::Object(services))
}

/// One `rc-status` line, ` name [ state ]` with an optional uptime in the brackets
/// (`started 1 day(s) 02:03:04 (5)`), as `(name, state)`.
fn status_line(line: &str) -> Option<(&str, &str)> {
    let (_, rest) = take_run(line, is_space)?;
    let (name, rest) = take_run(rest, |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))?;
    let (_, rest) = take_run(rest, is_space)?;
    let rest = rest.strip_prefix('[')?;
    let (_, rest) = take_run(rest, is_space)?;
    let (state, rest) = take_run(rest, |c| c.is_ascii_lowercase())?;
    let rest = skip_uptime(rest).unwrap_or(rest);
    let (_, rest) = take_run(rest, is_space)?;
    rest.starts_with(']').then_some((name, state))
}

/// The optional ` [N day(s) ]HH:MM:SS (N)` part after the state; `None` when it is not there.
fn skip_uptime(s: &str) -> Option<&str> {
    let mut rest = s.strip_prefix(|c: char| c.is_whitespace())?;
    if let Some((_, after)) = take_run(rest, |c| c.is_ascii_digit())
        && let Some(after) = after.strip_prefix(|c: char| c.is_whitespace())
        && let Some(after) = after.strip_prefix("day(s)")
        && let Some(after) = after.strip_prefix(|c: char| c.is_whitespace())
    {
        rest = after;
    }
    let digits = |s| take_run(s, |c: char| c.is_ascii_digit()).map(|(_, r)| r);
    let rest = digits(rest)?.strip_prefix(':')?;
    let rest = digits(rest)?.strip_prefix(':')?;
    let rest = digits(rest)?.strip_prefix(|c: char| c.is_whitespace())?.strip_prefix('(')?;
    digits(rest)?.strip_prefix(')')
}

fn parse_enabled(f: &FactCtx<'_>) -> Result<Value, String> {
    let runlevel = py_str(f.args.get("runlevel"));
    let mut services = Map::new();
    for line in f.output {
        // pyinfra unpacks `line.split("|", 1)`: a line without `|` is an error there too.
        let (name, levels) = line.split_once('|').ok_or_else(|| format!("no `|` in rc-update line {line:?}"))?;
        let enabled = levels.split_whitespace().any(|l| l == runlevel);
        services.insert(name.trim().to_string(), Value::Bool(enabled));
    }
    Ok(Value::Object(services))
}

#[cfg(test)]
mod tests {
    use super::status_line;

    #[test]
    fn status_lines() {
        assert_eq!(status_line(" sshd   [  started  ]"), Some(("sshd", "started")));
        assert_eq!(status_line(" cron [ started 1 day(s) 02:03:04 (7) ]"), Some(("cron", "started")));
        assert_eq!(status_line(" cron [ started 02:03:04 (7) ]"), Some(("cron", "started")));
        assert_eq!(status_line("Runlevel: default"), None);
    }
}
