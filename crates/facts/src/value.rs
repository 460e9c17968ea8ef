//! The value model shared by planners, fact parsers, the cache and both front ends.
//!
//! Arguments and facts are JSON values ([`Value`]). Python types JSON lacks are encoded the way
//! pyinfra's test vectors encode them: a datetime is the string `"datetime:ISO-8601"` (fact parsers
//! emit plain ISO-8601, which [`as_datetime`] accepts too), an in-memory file is `"io:CONTENTS"`.
//! These helpers give Python's semantics (truthiness, `str()`) so planners read like pyinfra's code.

pub use serde_json::{Map, Value};

/// Python truthiness of a value (`bool(x)`).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python's name of a value's type (`type(x).__name__`), as its `TypeError` messages show it.
pub fn py_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python's `str(x)` of a value (`None`, `True`, `['a', 'b']`, `{'k': 1}`).
pub fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr(x)` of a value.
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                if f.fract() == 0.0 && f.abs() < 1e16 { format!("{f:.1}") } else { format!("{f}") }
            } else {
                n.to_string()
            }
        }
        Value::String(s) => py_repr_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter().map(|(k, v)| format!("{}: {}", py_repr_str(k), py_repr(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Python's `repr()` of a string: single quotes unless the string holds a single quote and no double.
pub fn py_repr_str(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c)
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// A value that is a string or a list of strings, as a list (`"a"` -> `["a"]`, `None` -> `[]`).
pub fn str_or_list(v: &Value) -> Vec<String> {
    match v {
        Value::Null => vec![],
        Value::Array(a) => a.iter().map(py_str).collect(),
        other => vec![py_str(other)],
    }
}

/// A datetime value as its ISO-8601 text, accepting `"datetime:..."` and plain ISO strings.
pub fn as_datetime(v: &Value) -> Option<&str> {
    let s = v.as_str()?;
    let s = s.strip_prefix("datetime:").unwrap_or(s);
    let b = s.as_bytes();
    (b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T').then_some(s)
}

/// The contents of an in-memory file value (`"io:..."`), if it is one.
pub fn as_io(v: &Value) -> Option<&str> {
    v.as_str()?.strip_prefix("io:")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_str_and_repr() {
        assert_eq!(py_str(&json!(null)), "None");
        assert_eq!(py_str(&json!(false)), "False");
        assert_eq!(py_str(&json!(["/a", "b'c"])), "['/a', \"b'c\"]");
        assert_eq!(py_str(&json!({"k": 1})), "{'k': 1}");
        assert_eq!(py_str(&json!(1.5)), "1.5");
        assert_eq!(py_str(&json!(2.0)), "2.0");
    }

    #[test]
    fn truthiness() {
        assert!(!truthy(&json!("")));
        assert!(!truthy(&json!(0)));
        assert!(truthy(&json!([0])));
    }
}
