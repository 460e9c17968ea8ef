//! `pyinfra.facts.snap`: installed snaps (`snap list`, `snap info`).

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::facts::util::packaging::take_run;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

/// The facts of `snap`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "SnapPackage",
        doc: "Details of one snap from `snap info`: `name`, `publisher`, `snap-id`, `channel` (the tracked \
              `track/risk`) and `version` (installed), each present only when reported.",
        args: &[arg("package", "str", Dflt::Required, "Name of the snap.")],
        returns: "dict[str, str]",
        default: "{}",
        command: Some(info_command),
        requires: Some(|_| Some("snap".into())),
        parse: Some(parse_info),
        ..Fact::NEW
    },
    Fact {
        name: "SnapPackages",
        doc: "The names of the installed snaps, as listed by `snap list`.",
        returns: "list[str]",
        default: "[]",
        command: Some(|_| "snap list".into()),
        requires: Some(|_| Some("snap".into())),
        parse: Some(parse_list),
        ..Fact::NEW
    },
];

fn info_command(a: &Args) -> String {
    // pyinfra puts the name in unquoted.
    format!("snap info {}", py_str(a.get("package")))
}

/// Python's `\w` (plus `.` and `-`): the characters of a channel or version word.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The value after `key:` and at least one space.
fn field<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let rest = line.strip_prefix(key)?.strip_prefix(':')?;
    let (_, value) = take_run(rest, |c| c == ' ')?;
    Some(value.split('\n').next().unwrap_or(value))
}

/// `track/risk` of a `tracking:` value (a branch after it is dropped).
fn channel(value: &str) -> Option<&str> {
    let (track, rest) = take_run(value, is_word)?;
    let (risk, _) = take_run(rest.strip_prefix('/')?, is_word)?;
    Some(&value[..track.len() + 1 + risk.len()])
}

fn parse_info(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut data = Map::new();
    for line in f.output {
        let found = [
            ("name", field(line, "name")),
            ("publisher", field(line, "publisher")),
            ("snap-id", field(line, "snap-id")),
            ("channel", field(line, "tracking").and_then(channel)),
            ("version", field(line, "installed").and_then(|v| take_run(v, is_word).map(|(w, _)| w))),
        ];
        for (key, value) in found {
            if let Some(value) = value {
                data.insert(key.to_string(), Value::String(value.to_string()));
            }
        }
    }
    Ok(Value::Object(data))
}

/// The first column of every line after the header.
fn parse_list(f: &FactCtx<'_>) -> Result<Value, String> {
    let names = f.output.iter().skip(1).map(|line| match line.split_whitespace().next() {
        Some(name) => Ok(Value::String(name.to_string())),
        None => Err(format!("blank line in snap list output: {line:?}")),
    });
    Ok(Value::Array(names.collect::<Result<_, _>>()?))
}

#[cfg(test)]
mod tests {
    use super::{channel, field};

    #[test]
    fn info_fields() {
        assert_eq!(field("tracking:     4.0/stable/ubuntu-20.04", "tracking").and_then(channel), Some("4.0/stable"));
        assert_eq!(field("tracking: latest", "tracking").and_then(channel), None);
        assert_eq!(field("name:lxd", "name"), None);
    }
}
