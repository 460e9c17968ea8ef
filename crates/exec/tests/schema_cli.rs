//! `rinfra-exec schema --json` prints the whole catalogue: 49 modules, 182 operations (plus pyinfra's
//! public aliases), the 32 global arguments, every operation and argument documented and typed.

use std::process::Command;

use serde_json::Value;

fn schema_json() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rinfra-exec")).args(["schema", "--json"]).output().expect("run");
    assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("schema --json prints JSON")
}

#[test]
fn catalogue_has_every_module_operation_and_global() {
    let s = schema_json();
    assert_eq!(s["modules"].as_array().map(Vec::len), Some(49));
    let ops = s["operations"].as_object().expect("operations");
    let own: Vec<(&String, &Value)> = ops.iter().filter(|(_, o)| o.get("alias_of").is_none()).collect();
    assert_eq!(own.len(), 182, "operations that are not aliases");
    for name in ["apt.packages", "files.put", "server.shell", "freebsd.pkg.install", "postgresql.role"] {
        assert!(ops.contains_key(name), "{name} missing");
    }
    assert_eq!(ops["server.crontab"]["alias_of"], "crontab.crontab");
    assert_eq!(ops["postgresql.role"]["replaced_by"], "postgres.role");

    let globals: Vec<&str> =
        s["global_arguments"].as_array().expect("globals").iter().filter_map(|g| g["name"].as_str()).collect();
    assert_eq!(globals.len(), 32);
    for g in ["_sudo", "_sudo_user", "_env", "_if", "_serial", "_retry_until", "name"] {
        assert!(globals.contains(&g), "global {g} missing");
    }

    let facts = s["facts"].as_object().expect("facts");
    assert!(facts.len() >= 194, "only {} facts", facts.len());
    assert!(facts.contains_key("server.Os") && facts.contains_key("files.File"));
}

#[test]
fn every_operation_and_argument_is_documented_and_typed() {
    let s = schema_json();
    let mut missing = Vec::new();
    for (name, op) in s["operations"].as_object().expect("operations") {
        if op.get("alias_of").is_some() {
            continue;
        }
        if op["doc"].as_str().is_none_or(|d| d.trim().is_empty()) {
            missing.push(format!("{name}: doc"));
        }
        for a in op["args"].as_array().expect("args") {
            let arg = a["name"].as_str().unwrap_or("?");
            if a["doc"].as_str().is_none_or(|d| d.trim().is_empty()) {
                missing.push(format!("{name}({arg}): doc"));
            }
            if a["type"].as_str().is_none_or(|t| t.trim().is_empty()) {
                missing.push(format!("{name}({arg}): type"));
            }
        }
    }
    for g in s["global_arguments"].as_array().expect("globals") {
        if g["doc"].as_str().is_none_or(|d| d.trim().is_empty()) || g["type"].as_str().is_none() {
            missing.push(format!("global {}", g["name"]));
        }
    }
    assert!(missing.is_empty(), "{} undocumented or untyped:\n{}", missing.len(), missing.join("\n"));
}
