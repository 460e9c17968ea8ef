//! pyinfra's type check of global arguments: an operation called with `_sudo="yes"` or
//! `_timeout="soon"` raises `ArgumentTypeError` at the call, before anything runs. Operations' own
//! arguments are not checked here, as pyinfra does not check them (`present="yes"` counts as true).

use rinfra_facts::globals::GLOBAL_ARGS;
use rinfra_facts::value::{Map, Value};

/// Check the global arguments among an operation call's keywords against their annotations, as
/// pyinfra does: only values other than the default, `None` always allowed (rinfra reads it as
/// unset; pyinfra refuses some). The message names the argument, the expected and the given type.
pub fn check(operation: &str, keywords: &Map<String, Value>) -> Result<(), String> {
    let (_, globals) = crate::run::split_globals(operation, keywords);
    for arg in GLOBAL_ARGS {
        // `_if` and `_retry_until` hold callables, checked on the Python side (only a marker
        // reaches Rust).
        if arg.name == "_if" || arg.name == "_retry_until" {
            continue;
        }
        let Some(value) = globals.get(arg.name) else { continue };
        if value.is_null() || arg.default.value().as_ref() == Some(value) || matches(arg.ty, value) {
            continue;
        }
        return Err(format!(
            "invalid argument `{}`: expected {}, got {}",
            arg.name,
            shown_type(arg.ty),
            describe(arg.ty, value)
        ));
    }
    Ok(())
}

/// Whether `value` is an instance of the Python annotation `ty` (the shapes global arguments use).
fn matches(ty: &str, value: &Value) -> bool {
    union_members(ty).into_iter().any(|member| {
        let (base, params) = split_generic(member);
        let params = params.map(union_params).unwrap_or_default();
        match base.rsplit('.').next().unwrap_or(base) {
            "None" => value.is_null(),
            "bool" => value.is_boolean(),
            // As in Python, a bool is an int, and an int may stand for a float.
            "int" => value.is_i64() || value.is_u64() || value.is_boolean(),
            "float" => value.is_number() || value.is_boolean(),
            "str" => value.is_string(),
            "list" => value.as_array().is_some_and(|items| every(&params, 0, items.iter())),
            "dict" | "Mapping" => value.as_object().is_some_and(|m| every(&params, 1, m.values())),
            // Anything Python can iterate; typeguard does not look inside an iterable either.
            "Iterable" => value.is_array() || value.is_string() || value.is_object(),
            // A callable or a HiddenValue never travels as JSON.
            "Callable" | "HiddenValue" => false,
            // An annotation this check does not know: pyinfra's own check decides nothing here.
            _ => true,
        }
    })
}

/// Whether every item matches type parameter `index` (true when there is none).
fn every<'a>(params: &[&str], index: usize, mut items: impl Iterator<Item = &'a Value>) -> bool {
    params.get(index).is_none_or(|ty| items.all(|v| matches(ty, v)))
}

/// `A | B[C | D]` -> `["A", "B[C | D]"]`: the members of a union, split at the top level only.
fn union_members(ty: &str) -> Vec<&str> {
    split_top_level(ty, '|')
}

/// `K, V` -> `["K", "V"]`.
fn union_params(params: &str) -> Vec<&str> {
    split_top_level(params, ',')
}

fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if c == separator && depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts
}

/// `list[str]` -> (`list`, Some(`str`)).
fn split_generic(member: &str) -> (&str, Option<&str>) {
    match member.split_once('[') {
        Some((base, rest)) => (base.trim(), rest.strip_suffix(']')),
        None => (member.trim(), None),
    }
}

/// An annotation as users write it: without the `collections.abc.` and pyinfra module prefixes.
fn shown_type(ty: &str) -> String {
    ty.replace("collections.abc.", "").replace("pyinfra.api.hiddenvalue.", "")
}

/// The Python type name of a value, and for a container of the right kind, the offending item's.
fn describe(ty: &str, value: &Value) -> String {
    let container_expected = union_members(ty).iter().any(|m| {
        let base = split_generic(m).0;
        let base = base.rsplit('.').next().unwrap_or(base);
        match value {
            Value::Array(_) => base == "list",
            Value::Object(_) => base == "dict" || base == "Mapping",
            _ => false,
        }
    });
    let bad_item = match value {
        Value::Array(items) if container_expected => items.iter().find(|v| !v.is_string()).map(|v| (None, v)),
        Value::Object(m) if container_expected => m.iter().find(|(_, v)| !v.is_string()).map(|(k, v)| (Some(k), v)),
        _ => None,
    };
    match bad_item {
        Some((Some(key), item)) => format!("{} whose value for {key:?} is {}", type_name(value), type_name(item)),
        Some((None, item)) => format!("{} with an item of type {}", type_name(value), type_name(item)),
        None => type_name(value).to_string(),
    }
}

/// The Python type a JSON value came from, as pyinfra's argument errors name it (`None`, not
/// `NoneType`).
fn type_name(value: &Value) -> &'static str {
    match rinfra_facts::value::py_type_name(value) {
        "NoneType" => "None",
        name => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kw(v: serde_json::Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn wrong_types_are_refused_with_the_argument_and_types() {
        let err = check("server.shell", &kw(json!({"_sudo": "yes"}))).expect_err("str for bool");
        assert_eq!(err, "invalid argument `_sudo`: expected bool, got str");
        let err = check("server.shell", &kw(json!({"_timeout": 1.5}))).expect_err("float for int");
        assert_eq!(err, "invalid argument `_timeout`: expected int, got float");
        let err = check("server.shell", &kw(json!({"_env": {"A": 1}}))).expect_err("int env value");
        assert_eq!(
            err,
            "invalid argument `_env`: expected Mapping[str, str | HiddenValue], got dict whose value for \"A\" is int"
        );
        assert!(check("server.shell", &kw(json!({"_success_exit_codes": 0}))).is_err());
        assert!(check("server.shell", &kw(json!({"name": 3}))).is_err());
    }

    #[test]
    fn right_types_defaults_and_none_pass() {
        let ok = kw(json!({
            "_sudo": true, "_timeout": 10, "_retry_delay": 0.5, "_env": {"A": "b"}, "_stdin": ["x", "y"],
            "_success_exit_codes": [0, 1], "_shell_executable": null, "_if": true, "name": "n",
            "_su_shell": false, "commands": {"not": "a global"},
        }));
        assert_eq!(check("server.shell", &ok), Ok(()));
        // Python's numeric tower: a bool is an int.
        assert_eq!(check("server.shell", &kw(json!({"_retries": true}))), Ok(()));
    }
}
