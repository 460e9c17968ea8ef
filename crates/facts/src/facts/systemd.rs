//! `pyinfra.facts.systemd`: unit states from `systemctl show`.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::quote::quote;
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value, py_str, truthy};

/// The arguments both facts share.
const ARGS: &[Arg] = &[
    arg("user_mode", "bool", Dflt::Bool(false), "Ask the user's service manager (`systemctl --user`)."),
    arg("machine", "str | None", Dflt::None, "Container or machine to talk to (`--machine`)."),
    arg("user_name", "str | None", Dflt::None, "User whose manager to talk to (`--machine=user@...`)."),
    arg("services", "str | list[str] | None", Dflt::None, "Units (or globs) to list (None: all)."),
];

/// The facts of `systemd`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "SystemdStatus",
        doc: "Every unit `systemctl show` lists, mapped to whether it is active (its sub-state is running, \
              waiting, exited, listening or mounted).",
        args: ARGS,
        returns: "dict[str, bool]",
        command: Some(status_command),
        requires: Some(requires_systemctl),
        parse: Some(parse_status),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "SystemdEnabled",
        doc: "Every unit `systemctl show` lists, mapped to whether it starts at boot (its unit file state \
              is enabled or static).",
        args: ARGS,
        returns: "dict[str, bool]",
        command: Some(enabled_command),
        requires: Some(requires_systemctl),
        parse: Some(parse_enabled),
        default: "{}",
        ..Fact::NEW
    },
];

/// The unit types systemd knows, as unit name suffixes (without the dot).
pub const UNIT_TYPES: &[&str] =
    &["service", "socket", "device", "mount", "automount", "swap", "target", "path", "timer", "slice", "scope"];

/// `systemctl [--user] [--machine=...]`, as pyinfra builds it for both the facts and the operations.
pub fn systemctl_command(user_mode: bool, machine: &Value, user_name: &Value) -> String {
    let mut cmd = String::from(if user_mode { "systemctl --user" } else { "systemctl" });
    match (machine, user_name) {
        (Value::Null, Value::Null) => {}
        (Value::Null, user) => cmd.push_str(&format!(" --machine={}@.host", py_str(user))),
        (machine, Value::Null) => cmd.push_str(&format!(" --machine={}", py_str(machine))),
        (machine, user) => cmd.push_str(&format!(" --machine={}@{}", py_str(user), py_str(machine))),
    }
    cmd
}

fn requires_systemctl(_: &Args) -> Option<String> {
    Some("systemctl".into())
}

fn show_command(a: &Args, state_key: &str) -> String {
    let user_mode = truthy(a.get("user_mode"));
    let base = systemctl_command(user_mode, a.get("machine"), a.get("user_name"));
    let services: Vec<String> = match a.get("services") {
        Value::Null => vec![quote("*")],
        Value::Array(items) => items.iter().map(|s| quote(&py_str(s))).collect(),
        other => vec![quote(&py_str(other))],
    };
    let cmd = format!("{base} show --all --property Id --property {state_key} {}", services.join(" "));
    // The user manager may not exist yet while planning: swallow that error.
    if user_mode { format!("( {cmd} 2>/dev/null || true )") } else { cmd }
}

fn status_command(a: &Args) -> String {
    show_command(a, "SubState")
}

fn enabled_command(a: &Args) -> String {
    show_command(a, "UnitFileState")
}

/// Whether `value` starts like a unit name (pyinfra's `re.match` of its unit name pattern).
fn is_unit_name(value: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.' | '\\' | '@');
    let prefix_end = value.find(|c: char| !allowed(c)).unwrap_or(value.len());
    value[..prefix_end]
        .match_indices('.')
        .any(|(i, _)| i > 0 && UNIT_TYPES.iter().any(|t| value[i + 1..].starts_with(t)))
}

/// Map each unit (`Id=`) to whether its `state_key` value is one of `active`.
fn parse_show(output: &[String], state_key: &str, active: &[&str]) -> Value {
    let mut units = Map::new();
    let mut current: Option<String> = None;
    for line in output {
        let Some((key, value)) = line.trim().split_once('=') else {
            current = None;
            continue;
        };
        if key == "Id" && is_unit_name(value) {
            current = Some(value.to_string());
            continue;
        }
        if let Some(unit) = current.as_ref().filter(|_| key == state_key) {
            units.insert(unit.clone(), Value::Bool(active.contains(&value)));
        }
    }
    Value::Object(units)
}

fn parse_status(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_show(f.output, "SubState", &["running", "waiting", "exited", "listening", "mounted"]))
}

fn parse_enabled(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_show(f.output, "UnitFileState", &["enabled", "static"]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unit_names() {
        assert!(is_unit_name("ssh.service"));
        assert!(is_unit_name("a.b.timer"));
        assert!(is_unit_name("x.servicefoo"));
        assert!(!is_unit_name(".service"));
        assert!(!is_unit_name("ssh"));
        assert!(!is_unit_name("my unit.service"));
    }

    #[test]
    fn machine_flags() {
        assert_eq!(systemctl_command(false, &json!(null), &json!(null)), "systemctl");
        assert_eq!(systemctl_command(true, &json!(null), &json!("u")), "systemctl --user --machine=u@.host");
        assert_eq!(systemctl_command(false, &json!("m"), &json!("u")), "systemctl --machine=u@m");
    }
}
