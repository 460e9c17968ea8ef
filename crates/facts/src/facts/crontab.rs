//! `pyinfra.facts.crontab`: a user's crontab as a list of entries.
//!
//! Each entry is an object: a schedule line has `command`, `minute`, `hour`, `month`, `day_of_month`,
//! `day_of_week` (numbers where the field is a plain integer); an `@daily`-style line has `command`
//! and `special_time`; an environment line has `env`. All carry the `comments` (and blank lines)
//! directly above them.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::quote::quote;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

/// The facts of `crontab`.
pub const FACTS: &[Fact] = &[Fact {
    name: "Crontab",
    doc: "The entries of a user's crontab (`crontab -l`), in file order: scheduled commands, `@reboot`-style \
          commands and environment lines, each with the comment lines just above it.",
    args: &[arg("user", "str | None", Dflt::None, "Whose crontab to read (None: the connecting user).")],
    returns: "list[dict[str, str | int | list[str]]]",
    command: Some(command),
    requires: Some(requires),
    parse: Some(parse),
    default: "[]",
    ..Fact::NEW
}];

fn requires(_: &Args) -> Option<String> {
    Some("crontab".into())
}

fn command(a: &Args) -> String {
    if a.flag("user") {
        return format!("crontab -l -u {} || true", quote(&py_str(a.get("user"))));
    }
    "crontab -l || true".into()
}

/// Python's `str.split(None, maxsplit)`: split on runs of whitespace, at most `maxsplit` times.
pub fn split_ws(s: &str, maxsplit: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if parts.len() == maxsplit {
            parts.push(rest);
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        parts.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    parts
}

/// Python's `int(s)` for a string: optional sign, digits with single `_` between them, surrounding
/// whitespace allowed.
pub fn parse_py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let ok = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !ok {
        return None;
    }
    let n: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -n } else { n })
}

/// pyinfra's `try_int` on a schedule field: the integer when the text is one, else the text.
fn try_int(field: &str) -> Value {
    parse_py_int(field).map(Value::from).unwrap_or_else(|| Value::String(field.to_string()))
}

/// Whether a line sets an environment variable (`NAME = value`, the name possibly quoted).
fn is_env_line(line: &str) -> bool {
    let s = line.trim_start();
    let rest = match s.chars().next() {
        Some(q @ ('"' | '\'')) => match s[1..].find(q) {
            Some(end) => &s[end + 2..],
            None => return false,
        },
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            s.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => return false,
    };
    rest.trim_start().starts_with('=')
}

fn entry(pairs: Vec<(&str, Value)>, comments: &mut Vec<Value>) -> Value {
    let mut m: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    m.insert("comments".into(), Value::Array(std::mem::take(comments)));
    Value::Object(m)
}

fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut crons = Vec::new();
    let mut comments: Vec<Value> = Vec::new();
    for raw in f.output {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            comments.push(Value::String(line.to_string()));
            continue;
        }
        if line.starts_with('@') {
            let [special, cmd] = split_ws(line, 1)[..] else {
                return Err(format!("special time without a command: {line:?}"));
            };
            crons.push(entry(vec![("command", cmd.into()), ("special_time", special.into())], &mut comments));
        } else if is_env_line(line) {
            crons.push(entry(vec![("env", line.into())], &mut comments));
        } else {
            let [minute, hour, dom, month, dow, cmd] = split_ws(line, 5)[..] else {
                return Err(format!("not a crontab line: {line:?}"));
            };
            crons.push(entry(
                vec![
                    ("command", cmd.into()),
                    ("minute", try_int(minute)),
                    ("hour", try_int(hour)),
                    ("month", try_int(month)),
                    ("day_of_month", try_int(dom)),
                    ("day_of_week", try_int(dow)),
                ],
                &mut comments,
            ));
        }
    }
    Ok(Value::Array(crons))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_split() {
        assert_eq!(split_ws("  a\t b  c d ", 1), vec!["a", "b  c d "]);
        assert_eq!(split_ws("* * * * * echo  hi", 5), vec!["*", "*", "*", "*", "*", "echo  hi"]);
        assert_eq!(split_ws("@reboot", 1), vec!["@reboot"]);
    }

    #[test]
    fn python_int() {
        assert_eq!(parse_py_int("05"), Some(5));
        assert_eq!(parse_py_int("-1"), Some(-1));
        assert_eq!(parse_py_int("1_0"), Some(10));
        assert_eq!(parse_py_int("*/5"), None);
        assert_eq!(parse_py_int("1,2"), None);
        assert_eq!(parse_py_int("_1"), None);
    }

    #[test]
    fn env_lines() {
        assert!(is_env_line("MAILTO=me"));
        assert!(is_env_line("cron_tz = UTC"));
        assert!(is_env_line("\"A B\"=1"));
        assert!(!is_env_line("0 0 * * * a=b"));
        assert!(!is_env_line("1A=b"));
    }
}
