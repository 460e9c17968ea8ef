//! Python semantics the `server` planners lean on: `==`, `in`, `int()` and `*iterable`.

use crate::facts::server::util::py_int;
use crate::plan::{ErrorKind, PlanError};
use crate::value::{Value, py_str};

/// Python `a == b` for JSON-shaped values (`1 == 1.0 == True`, lists and dicts structurally).
pub fn py_eq(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| py_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        (Value::Number(_) | Value::Bool(_), Value::Number(_) | Value::Bool(_)) => num(a) == num(b),
        _ => a == b,
    }
}

/// Python `item in container`: list membership, dict keys, or a substring.
pub fn py_in(item: &Value, container: &Value) -> bool {
    match container {
        Value::Array(items) => items.iter().any(|v| py_eq(v, item)),
        Value::Object(map) => item.as_str().is_some_and(|k| map.contains_key(k)),
        Value::String(s) => item.as_str().is_some_and(|i| s.contains(i)),
        _ => false,
    }
}

/// [`py_in`] for a string item.
pub fn str_in(item: &str, container: &Value) -> bool {
    py_in(&Value::String(item.to_string()), container)
}

/// pyinfra's `try_int`: Python's `int(value)` when it succeeds, else the value unchanged.
pub fn try_int(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            n.as_f64().map(|f| Value::from(f.trunc() as i64)).unwrap_or_else(|| v.clone())
        }
        Value::Bool(b) => Value::from(i64::from(*b)),
        Value::String(s) => py_int(s).map(Value::from).unwrap_or_else(|| v.clone()),
        other => other.clone(),
    }
}

/// The items of `*value` (a list's items, a string's characters).
pub fn iter_items(v: &Value) -> Result<Vec<Value>, PlanError> {
    match v {
        Value::Array(items) => Ok(items.clone()),
        Value::String(s) => Ok(s.chars().map(|c| Value::String(c.to_string())).collect()),
        Value::Object(map) => Ok(map.keys().map(|k| Value::String(k.clone())).collect()),
        other => Err(PlanError::new(
            ErrorKind::TypeError,
            format!("argument after * must be an iterable, not {}", crate::value::py_type_name(other)),
        )),
    }
}

/// A string-or-list argument as a list of strings (a string is one item).
pub fn str_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().map(py_str).collect(),
        Value::Null => vec![],
        other => vec![py_str(other)],
    }
}

/// `a or b` for values.
pub fn or<'a>(a: &'a Value, b: &'a Value) -> &'a Value {
    if crate::value::truthy(a) { a } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_and_membership() {
        assert!(py_eq(&json!(2000), &json!(2000.0)));
        assert!(py_eq(&json!([1024, 65535]), &json!([1024, 65535])));
        assert!(!py_eq(&json!("2000"), &json!(2000)));
        assert!(str_in("a", &json!({"a": 1})));
        assert!(str_in("a", &json!(["a"])));
        assert!(!str_in("a", &json!(null)));
    }

    #[test]
    fn python_try_int() {
        assert_eq!(try_int(&json!("2000")), json!(2000));
        assert_eq!(try_int(&json!("a b")), json!("a b"));
        assert_eq!(try_int(&json!(2.7)), json!(2));
    }
}
