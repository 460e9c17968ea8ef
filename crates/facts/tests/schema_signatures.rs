//! Holds the schema to pyinfra 3.10's public call surface (`../shared/pyinfra-api/signatures.json`,
//! or `$RINFRA_PYINFRA_API`): every operation, fact and global argument, with parameter names, order,
//! kinds, defaults and annotations exactly as pyinfra has them; and every item documented.

use std::path::PathBuf;

use rinfra_facts::schema::{Arg, ArgKind, catalogue};
use serde_json::Value;

fn signatures() -> Value {
    let dir = std::env::var_os("RINFRA_PYINFRA_API")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pyinfra-api"));
    let path = dir.join("signatures.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("signatures.json is JSON")
}

fn num_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| num_eq(a, b)),
        _ => a == b,
    }
}

/// Compare one parameter list; push a line per difference.
fn check_params(what: &str, ours: &[Arg], theirs: &[Value], errors: &mut Vec<String>) {
    let names: Vec<&str> = ours.iter().map(|a| a.name).collect();
    let want: Vec<&str> = theirs.iter().filter_map(|p| p["name"].as_str()).collect();
    if names != want {
        errors.push(format!("{what}: parameters {names:?}, want {want:?}"));
        return;
    }
    for (a, p) in ours.iter().zip(theirs) {
        let kind = match p["kind"].as_str() {
            Some("*args") => ArgKind::VarArgs,
            Some("**kwargs") => ArgKind::VarKwargs,
            _ => ArgKind::Normal,
        };
        if a.kind != kind {
            errors.push(format!("{what}.{}: kind {:?}, want {kind:?}", a.name, a.kind));
            continue;
        }
        if kind != ArgKind::Normal {
            continue;
        }
        let required = p["required"].as_bool().unwrap_or(false);
        match a.default.value() {
            None if !required => errors.push(format!("{what}.{}: required, want default {}", a.name, p["default"])),
            Some(d) if required => errors.push(format!("{what}.{}: default {d}, want required", a.name)),
            Some(d) if !num_eq(&d, &p["default"]) => {
                errors.push(format!("{what}.{}: default {d}, want {}", a.name, p["default"]))
            }
            _ => {}
        }
        if let Some(ty) = p["type"].as_str() {
            if a.ty != ty {
                errors.push(format!("{what}.{}: type {:?}, want {ty:?}", a.name, a.ty));
            }
        } else if a.ty.is_empty() {
            errors.push(format!("{what}.{}: no type", a.name));
        }
    }
}

#[test]
fn operations_match_pyinfra_signatures() {
    let sig = signatures();
    let cat = catalogue();
    let mut errors = Vec::new();
    let ops = sig["operations"].as_object().expect("operations");
    for (module, table) in ops {
        let Some(m) = cat.operations.iter().find(|m| m.name == module) else {
            errors.push(format!("module {module} missing"));
            continue;
        };
        for (name, spec) in table.as_object().expect("module table") {
            let what = format!("{module}.{name}");
            let Some(op) = m.operations.iter().find(|o| o.name == name) else {
                errors.push(format!("{what} missing"));
                continue;
            };
            if op.alias_of != spec["alias_of"].as_str() {
                errors.push(format!("{what}: alias_of {:?}, want {}", op.alias_of, spec["alias_of"]));
            }
            if op.alias_of.is_some() {
                continue;
            }
            if op.deprecated != spec["deprecated"].as_bool().unwrap_or(false) {
                errors.push(format!("{what}: deprecated {}, want {}", op.deprecated, spec["deprecated"]));
            }
            if op.replaced_by != spec["replaced_by"].as_str() {
                errors.push(format!("{what}: replaced_by {:?}, want {}", op.replaced_by, spec["replaced_by"]));
            }
            let params = spec["params"].as_array().cloned().unwrap_or_default();
            check_params(&what, op.args, &params, &mut errors);
        }
        for op in m.operations {
            if !table.as_object().is_some_and(|t| t.contains_key(op.name)) {
                errors.push(format!("{module}.{} is not a pyinfra operation", op.name));
            }
        }
    }
    for m in cat.operations {
        if !ops.contains_key(m.name) {
            errors.push(format!("module {} is not a pyinfra module", m.name));
        }
    }
    assert!(errors.is_empty(), "{} schema differences:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn facts_match_pyinfra_signatures() {
    let sig = signatures();
    let cat = catalogue();
    let mut errors = Vec::new();
    for (module, table) in sig["facts"].as_object().expect("facts") {
        let Some(m) = cat.facts.iter().find(|m| m.name == module) else {
            errors.push(format!("facts module {module} missing"));
            continue;
        };
        for (name, spec) in table.as_object().expect("facts table") {
            let what = format!("{module}.{name}");
            let Some(fact) = m.facts.iter().find(|f| f.name == name) else {
                errors.push(format!("fact {what} missing"));
                continue;
            };
            let params = spec["params"].as_array().cloned().unwrap_or_default();
            check_params(&what, fact.args, &params, &mut errors);
        }
    }
    assert!(errors.is_empty(), "{} fact schema differences:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn global_arguments_match_pyinfra() {
    let sig = signatures();
    let mut errors = Vec::new();
    check_params("globals", catalogue().globals, sig["global_arguments"].as_array().expect("globals"), &mut errors);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(catalogue().globals.len(), 32);
}

#[test]
fn everything_is_documented() {
    let cat = catalogue();
    let mut missing = Vec::new();
    for m in cat.operations {
        if m.doc.trim().is_empty() {
            missing.push(format!("module {}", m.name));
        }
        for op in m.operations.iter().filter(|o| o.alias_of.is_none()) {
            if op.doc.trim().is_empty() {
                missing.push(format!("{}.{}", m.name, op.name));
            }
            for a in op.args.iter().filter(|a| a.doc.trim().is_empty()) {
                missing.push(format!("{}.{}({})", m.name, op.name, a.name));
            }
        }
    }
    for m in cat.facts {
        for f in m.facts {
            if f.doc.trim().is_empty() || f.returns.trim().is_empty() {
                missing.push(format!("fact {}.{}", m.name, f.name));
            }
        }
    }
    for a in cat.globals.iter().filter(|a| a.doc.trim().is_empty()) {
        missing.push(format!("global {}", a.name));
    }
    assert!(missing.is_empty(), "{} undocumented:\n{}", missing.len(), missing.join("\n"));
}
