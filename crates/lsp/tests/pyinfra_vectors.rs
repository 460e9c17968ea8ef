//! RI005 (wrong-literal-type) against the arguments of pyinfra 3.10's own operation tests
//! (`$RINFRA_VECTORS/operations`): every call that a test makes without expecting an exception is
//! written out as a deploy file, and the rule must not report a literal pyinfra accepts.
//!
//! The one kind of finding allowed is a string for a `bool` parameter: a few of pyinfra's tests pass
//! `present="true"` or `""`, which pyinfra reads by truth value; the rule reports those on purpose,
//! because `present="false"` reads the same way.

use std::path::Path;

use rinfra_facts::conformance::default_dir;
use rinfra_facts::value::Value;
use rinfra_lsp::analysis::analyze;
use rinfra_lsp::rules::Rule;

/// `value` as a Python literal.
fn python(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        // A JSON string literal is a valid Python string literal with the same value.
        Value::String(_) => value.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(python).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let items: Vec<String> =
                map.iter().map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), python(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// The deploy file that makes the vector's call of `target` (`files.line`, `freebsd.service.service`).
fn deploy(target: &str, vector: &Value) -> Option<String> {
    let (module, op) = target.rsplit_once('.')?;
    let (package, name) = match module.rsplit_once('.') {
        Some((package, name)) => (format!("pyinfra.operations.{package}"), name),
        None => ("pyinfra.operations".to_string(), module),
    };
    let mut args: Vec<String> = vector.get("args")?.as_array()?.iter().map(python).collect();
    if let Some(kwargs) = vector.get("kwargs").and_then(Value::as_object) {
        args.extend(kwargs.iter().map(|(k, v)| format!("{k}={}", python(v))));
    }
    Some(format!("from {package} import {name}\n{name}.{op}({})\n", args.join(", ")))
}

/// Every `(target, vector)` below `dir` that is strict JSON (a few vectors are YAML; they are skipped).
fn vectors(dir: &Path) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for target in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        for case in std::fs::read_dir(target.path()).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(case.path()).unwrap_or_default();
            if let Ok(vector) = serde_json::from_str::<Value>(&text) {
                out.push((name.clone(), vector));
            }
        }
    }
    out
}

#[test]
fn pyinfra_test_arguments_pass_the_literal_type_rule() {
    let dir = default_dir().join("operations");
    let mut calls = 0;
    let mut unexpected = Vec::new();
    for (target, vector) in vectors(&dir) {
        if vector.get("exception").is_some() {
            continue;
        }
        let Some(src) = deploy(&target, &vector) else { continue };
        calls += 1;
        for d in analyze(&src).diagnostics.iter().filter(|d| d.rule == Rule::WrongLiteralType) {
            if !d.message.ends_with("expects `bool`, not a string") {
                unexpected.push(format!("{}\n  {src}", d.message));
            }
        }
    }
    assert!(calls >= 600, "only {calls} calls found under {} (set RINFRA_VECTORS)", dir.display());
    assert!(unexpected.is_empty(), "false positives:\n{}", unexpected.join("\n"));
}
