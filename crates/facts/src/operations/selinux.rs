//! `pyinfra.operations.selinux`: SELinux booleans, file contexts and port types.

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, ErrorKind, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg, enum_arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Set SELinux booleans, file contexts, file context mappings and port types. These \
                       operations need root privileges.";

/// The operations of `selinux`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "boolean",
        doc: "Switch an SELinux boolean on or off with `setsebool`, only when its current value \
              (`getsebool`) differs. Without `persistent` the change lasts until reboot; with it the \
              policy on disk is rewritten too (`-P`), which is slow.",
        args: &[
            arg("bool_name", "str", Dflt::Required, "Name of the SELinux boolean, e.g. `httpd_can_network_connect`."),
            enum_arg(
                "value",
                "Boolean",
                &["on", "off"],
                Dflt::Required,
                "Wanted state: `Boolean.ON`/`Boolean.OFF` or the strings `on`/`off`.",
            ),
            arg(
                "persistent",
                "bool",
                Dflt::Bool(false),
                "Also write the value into the policy so it survives reboots.",
            ),
        ],
        planner: Some(boolean),
        ..Operation::NEW
    },
    Operation {
        name: "file_context",
        doc: "Give an existing file or directory the SELinux type `se_type` with `chcon -t`, only when its \
              current type differs. The change is not recorded in the policy, so a relabel \
              (`restorecon`) reverts it; use `file_context_mapping` for a lasting rule.",
        args: &[
            arg("path", "str", Dflt::Required, "Path of the file or directory to relabel."),
            arg("se_type", "str", Dflt::Required, "SELinux type to set, e.g. `httpd_sys_content_t`."),
        ],
        planner: Some(file_context),
        ..Operation::NEW
    },
    Operation {
        name: "file_context_mapping",
        doc: "Add, change or delete a persistent file context rule (`semanage fcontext`) mapping paths that \
              match `target` to `se_type`; nothing runs when the rule is already as wanted. Existing files \
              are not relabelled: run `restorecon` for them. `se_type` is required when `present`.",
        args: &[
            arg("target", "str", Dflt::Required, "Path expression the rule matches, e.g. `/web(/.*)?`."),
            arg("se_type", "str | None", Dflt::None, "SELinux type for matching paths (required when present)."),
            arg("present", "bool", Dflt::Bool(true), "Whether the rule should exist (False: delete it)."),
        ],
        planner: Some(file_context_mapping),
        ..Operation::NEW
    },
    Operation {
        name: "port",
        doc: "Add, change or delete the SELinux type of a network port (`semanage port`), only when it \
              differs from the current assignment (read with `sepolicy` when available, otherwise from \
              `semanage port -l`). `se_type` is required when `present`.",
        args: &[
            enum_arg(
                "protocol",
                "Protocol | str",
                &["udp", "tcp", "sctp", "dccp"],
                Dflt::Required,
                "Protocol of the port: a `Protocol` member or its name.",
            ),
            arg("port_num", "int", Dflt::Required, "Port number."),
            arg(
                "se_type",
                "str | None",
                Dflt::None,
                "SELinux type for the port, e.g. `http_port_t` (required when present).",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the port should carry the type (False: remove it)."),
        ],
        planner: Some(port),
        ..Operation::NEW
    },
];

/// An enum member given as its value (`on`) or its Python name (`Boolean.ON`), as the value.
fn enum_value(v: &Value, enum_name: &str) -> String {
    let text = py_str(v);
    match text.strip_prefix(enum_name).and_then(|t| t.strip_prefix('.')) {
        Some(member) => member.to_lowercase(),
        None => text,
    }
}

fn boolean(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let bool_name = py_str(a.get("bool_name"));
    let value = a.get("value");
    let value_str = match value {
        Value::String(s) if s == "on" || s == "off" => s.clone(),
        Value::String(s) if s == "Boolean.ON" || s == "Boolean.OFF" => enum_value(value, "Boolean"),
        other => return Err(PlanError::value(format!("Invalid value '{}' for boolean operation", py_str(other)))),
    };
    let current = ctx.fact("selinux.SEBoolean", &[("boolean", json!(bool_name))])?;
    if current.as_str() == Some(value_str.as_str()) {
        ctx.noop(format!("boolean '{bool_name}' already had the value '{value_str}'"));
        return Ok(());
    }
    let persistent = if a.flag("persistent") { " -P" } else { "" };
    ctx.change(format!("set boolean {bool_name} to {value_str}"));
    ctx.shell(format!("setsebool{persistent} {} {value_str}", quote(&bool_name)));
    Ok(())
}

fn file_context(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = py_str(a.get("path"));
    let se_type = a.get("se_type");
    let current = ctx.fact("selinux.FileContext", &[("path", json!(path))])?;
    let current_type = current.get("type").cloned().unwrap_or(json!(""));
    if *se_type == current_type {
        ctx.noop(format!("file_context: '{path}' already had type '{}'", py_str(se_type)));
        return Ok(());
    }
    ctx.change(format!("set type of {path} to {}", py_str(se_type)));
    ctx.shell(format!("chcon -t {} {}", quote(&py_str(se_type)), quote(&path)));
    Ok(())
}

fn file_context_mapping(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let present = a.flag("present");
    let se_type = a.get("se_type");
    if present && se_type.is_null() {
        return Err(PlanError::new(ErrorKind::ValueError, "se_type must have a valid value if present is set"));
    }
    let target = py_str(a.get("target"));
    let current = ctx.fact("selinux.FileContextMapping", &[("target", json!(target))])?;
    let empty = current.as_object().is_none_or(|m| m.is_empty());
    if present {
        let changes = empty || current.get("type") != Some(se_type);
        if changes && !se_type.is_null() {
            let option = if empty { "-a" } else { "-m" };
            ctx.change(format!("map {target} to {}", py_str(se_type)));
            ctx.shell(format!("semanage fcontext {option} -t {} {}", quote(&py_str(se_type)), quote(&target)));
        } else {
            ctx.noop(format!("mapping for '{target}' -> '{}' already present", py_str(se_type)));
        }
    } else if !empty {
        ctx.change(format!("remove the mapping for {target}"));
        ctx.shell(format!("semanage fcontext -d {}", quote(&target)));
    } else {
        ctx.noop(format!("no existing mapping for '{target}'"));
    }
    Ok(())
}

fn port(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let protocol = enum_value(a.get("protocol"), "Protocol");
    let present = a.flag("present");
    let se_type = a.get("se_type");
    if present && se_type.is_null() {
        return Err(PlanError::new(ErrorKind::ValueError, "se_type must have a valid value if present is set"));
    }
    let port_num = a.get("port_num");
    let port_str = py_str(port_num);
    let which = ctx.fact("server.Which", &[("command", json!("sepolicy"))])?;
    // `Which or ""`: only a non-empty path means sepolicy can be asked directly.
    let direct_get = truthy(&which) && !py_str(&which).is_empty();
    let current = if direct_get {
        ctx.fact("selinux.SEPort", &[("protocol", json!(protocol)), ("port", port_num.clone())])?
    } else {
        let ports = ctx.fact("selinux.SEPorts", &[])?;
        ports.get(&protocol).and_then(|p| p.get(&port_str)).cloned().unwrap_or(json!(""))
    };
    let unset = current.as_str() == Some("");
    if present {
        let changes = unset || current != *se_type;
        if changes && !se_type.is_null() {
            let option = if unset { "-a" } else { "-m" };
            ctx.change(format!("set type of {protocol}/{port_str} to {}", py_str(se_type)));
            ctx.shell(format!(
                "semanage port {option} -t {} -p {} {}",
                quote(&py_str(se_type)),
                quote(&protocol),
                quote(&port_str)
            ));
        } else {
            ctx.noop(format!("setype for '{protocol}/{port_str}' is already '{}'", py_str(se_type)));
        }
    } else if !unset {
        ctx.change(format!("remove the type of {protocol}/{port_str}"));
        ctx.shell(format!("semanage port -d -p {} {}", quote(&protocol), quote(&port_str)));
    } else {
        ctx.noop(format!("setype for '{protocol}/{port_str}' is already unset"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::enum_value;
    use serde_json::json;

    #[test]
    fn enum_members() {
        assert_eq!(enum_value(&json!("tcp"), "Protocol"), "tcp");
        assert_eq!(enum_value(&json!("Protocol.TCP"), "Protocol"), "tcp");
    }
}
