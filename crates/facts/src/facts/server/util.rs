//! Small Python-semantics helpers shared by the `server` fact parsers.

use serde_json::json;

use crate::fact_source::{CommandError, FactKey, FactSource};
use crate::value::{Value, py_str};

/// Another fact's value, for a command builder: unknown facts must be gathered first.
pub fn need(facts: &dyn FactSource, name: &str, args: &[(&str, Value)]) -> Result<Value, CommandError> {
    let key = FactKey::new(name, args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    facts.fact(&key).map_err(|_| CommandError::NeedsFact(key))
}

/// Another fact's value, for a parser (an unknown fact is a parse error).
pub fn consult(facts: &dyn FactSource, name: &str, args: &[(&str, Value)]) -> Result<Value, String> {
    let key = FactKey::new(name, args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    facts.fact(&key).map_err(|_| format!("fact {key} is not known"))
}

/// The `server.Kernel` value as text (`None` reads as empty), for command builders.
pub fn kernel(facts: &dyn FactSource) -> Result<String, CommandError> {
    need(facts, "server.Kernel", &[]).map(|v| text(&v))
}

/// The `server.Kernel` value as text, for parsers.
pub fn kernel_for_parse(facts: &dyn FactSource) -> Result<String, String> {
    consult(facts, "server.Kernel", &[]).map(|v| text(&v))
}

/// Whether `server.Which(command)` found the command (Python truthiness of the fact).
pub fn which(facts: &dyn FactSource, command: &str) -> Result<bool, CommandError> {
    need(facts, "server.Which", &[("command", json!(command))]).map(|v| crate::value::truthy(&v))
}

/// Parser-side variant of [`which`].
pub fn which_for_parse(facts: &dyn FactSource, command: &str) -> Result<bool, String> {
    consult(facts, "server.Which", &[("command", json!(command))]).map(|v| crate::value::truthy(&v))
}

/// A fact value as a string (`None` -> empty).
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => py_str(other),
    }
}

/// pyinfra's default `process()`: the output lines joined with newlines.
pub fn joined(output: &[String]) -> String {
    output.join("\n")
}

/// Python's `str.split(None, maxsplit)`: whitespace runs separate, the remainder keeps its tail.
pub fn split_ws(s: &str, maxsplit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if out.len() == maxsplit {
            out.push(rest.to_string());
            break;
        }
        match rest.find(char::is_whitespace) {
            Some(i) => {
                out.push(rest[..i].to_string());
                rest = rest[i..].trim_start();
            }
            None => {
                out.push(rest.to_string());
                break;
            }
        }
    }
    out
}

/// Python's `int(text)` for base 10: surrounding whitespace, a sign, digits with single underscores.
pub fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    if !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    let n: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -n } else { n })
}

/// pyinfra's `try_int`: the integer when the text is one, else the text itself.
pub fn try_int(s: &str) -> Value {
    match py_int(s) {
        Some(n) => Value::from(n),
        None => Value::String(s.to_string()),
    }
}

/// Python's `float(text)` (no underscores or hex; whitespace allowed).
pub fn py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || t.contains('_') {
        return None;
    }
    t.parse().ok()
}

/// Python's `str.isdigit()` for ASCII text (false when empty).
pub fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// An integer conversion that fails like Python's `int()` would.
pub fn int_or_err(s: &str) -> Result<i64, String> {
    py_int(s).ok_or_else(|| format!("invalid literal for int() with base 10: {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_with_max() {
        assert_eq!(split_ws("  a  b  c  ", 1), vec!["a", "b  c  "]);
        assert_eq!(split_ws("a b", 5), vec!["a", "b"]);
        assert!(split_ws("   ", 2).is_empty());
    }

    #[test]
    fn python_int() {
        assert_eq!(py_int(" 1_000 "), Some(1000));
        assert_eq!(py_int("-2"), Some(-2));
        assert_eq!(py_int("1__0"), None);
        assert_eq!(py_int("1.5"), None);
        assert_eq!(py_int(""), None);
    }
}
