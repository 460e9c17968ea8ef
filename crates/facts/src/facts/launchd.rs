//! `pyinfra.facts.launchd`: job states from `launchctl list`.

use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `launchd`.
pub const FACTS: &[Fact] = &[Fact {
    name: "LaunchdStatus",
    doc: "Every job listed by `launchctl list`, mapped to whether it is running (it has a PID). Empty when \
          `launchctl` is not available.",
    returns: "dict[str, bool]",
    command: Some(|_| "launchctl list".into()),
    requires: Some(|_| Some("launchctl".into())),
    parse: Some(parse_status),
    default: "{}",
    ..Fact::NEW
}];

/// `PID Status Label` rows: a job is running when its PID column is a number.
fn parse_status(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut services = Map::new();
    for line in f.output {
        let bits: Vec<&str> = line.split_whitespace().collect();
        if bits.first().is_none_or(|b| *b == "PID") {
            continue;
        }
        let name = bits.get(2).ok_or_else(|| format!("no label in launchctl line {line:?}"))?;
        services.insert(name.to_string(), Value::Bool(is_py_int(bits[0])));
    }
    Ok(Value::Object(services))
}

/// Whether Python's `int()` accepts `s`: a sign, then digits with single `_` between them.
fn is_py_int(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::is_py_int;

    #[test]
    fn python_ints() {
        assert!(is_py_int("411") && is_py_int("-1") && is_py_int("1_000"));
        assert!(!is_py_int("-") && !is_py_int("_1") && !is_py_int("1__0") && !is_py_int("+"));
    }
}
