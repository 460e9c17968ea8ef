//! `pyinfra.operations.vzctl`: OpenVZ containers.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Arg, ArgKind, Dflt, Operation, arg, var_arg};
use crate::value::{Value, py_str};

/// What this module manages.
pub const DOC: &str = "Create, configure, start, stop and delete OpenVZ containers with `vzctl`. These \
                       operations run their command every time (they do not check the container's state).";

/// `ctid`: the container every operation acts on.
const CTID: Arg = arg("ctid", "str", Dflt::Required, "ID (CTID) of the container.");
/// `force`: passes `--force` to the start.
const FORCE: Arg =
    arg("force", "bool", Dflt::Bool(false), "Start the container even if it is marked disabled (`--force`).");

/// The operations of `vzctl`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "start",
        doc: "Start a container (`vzctl start`). It runs every time, whatever the container's state.",
        args: &[CTID, FORCE],
        planner: Some(plan_start),
        ..Operation::NEW
    },
    Operation {
        name: "stop",
        doc: "Stop a container (`vzctl stop`). It runs every time, whatever the container's state.",
        args: &[CTID],
        planner: Some(plan_stop),
        ..Operation::NEW
    },
    Operation {
        name: "restart",
        doc: "Restart a container as a `vzctl stop` followed by a `vzctl start`, on every run.",
        args: &[CTID, FORCE],
        planner: Some(plan_restart),
        ..Operation::NEW
    },
    Operation {
        name: "mount",
        doc: "Mount the container's filesystem without starting it (`vzctl mount`), on every run.",
        args: &[CTID],
        planner: Some(plan_mount),
        ..Operation::NEW
    },
    Operation {
        name: "unmount",
        doc: "Unmount the container's filesystem (`vzctl umount`), on every run.",
        args: &[CTID],
        planner: Some(plan_unmount),
        ..Operation::NEW
    },
    Operation {
        name: "delete",
        doc: "Delete a container and its private area (`vzctl delete`), on every run. The container must \
              be stopped.",
        args: &[CTID],
        planner: Some(plan_delete),
        ..Operation::NEW
    },
    Operation {
        name: "create",
        doc: "Create a container with `vzctl create`, optionally from an OS template. It fails when a \
              container with this CTID already exists (per `vzlist`) instead of leaving it alone.",
        args: &[CTID, arg("template", "str | None", Dflt::None, "OS template to build from (`--ostemplate`).")],
        planner: Some(plan_create),
        ..Operation::NEW
    },
    Operation {
        name: "set",
        doc: "Change container parameters with `vzctl set`, on every run. Each extra keyword becomes an \
              option: `hostname=\"web1\"` gives `--hostname web1`, and a list value repeats the option \
              once per item (e.g. several `nameserver`s).",
        args: &[
            CTID,
            arg("save", "bool", Dflt::Bool(true), "Write the settings to the container config (`--save`)."),
            var_arg("settings", ArgKind::VarKwargs, "vzctl options as keywords: `name=value` gives `--name value`."),
        ],
        planner: Some(plan_set),
        ..Operation::NEW
    },
];

/// `vzctl <action> <ctid>`, the start of every command.
fn vzctl(action: &str, a: &Args) -> String {
    format!("vzctl {action} {}", quote(&py_str(a.get("ctid"))))
}

fn plan_start(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut cmd = vzctl("start", a);
    if a.flag("force") {
        cmd.push_str(" --force");
    }
    ctx.shell(cmd);
    Ok(())
}

fn plan_stop(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.shell(vzctl("stop", a));
    Ok(())
}

fn plan_restart(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    crate::nested(ctx, "vzctl.stop", &[("ctid", a.get("ctid").clone())])?;
    crate::nested(ctx, "vzctl.start", &[("ctid", a.get("ctid").clone()), ("force", a.get("force").clone())])
}

fn plan_mount(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.shell(vzctl("mount", a));
    Ok(())
}

fn plan_unmount(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.shell(vzctl("umount", a));
    Ok(())
}

fn plan_delete(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.shell(vzctl("delete", a));
    Ok(())
}

/// Whether the `OpenvzContainers` fact (keyed by CTID) holds `ctid`.
fn has_container(containers: &Value, ctid: &Value) -> bool {
    let key = py_str(ctid);
    match containers {
        Value::Object(map) => map.contains_key(&key),
        Value::Array(items) => items.iter().any(|c| py_str(c) == key),
        _ => false,
    }
}

fn plan_create(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let containers = ctx.fact("vzctl.OpenvzContainers", &[])?;
    let ctid = a.get("ctid");
    if has_container(&containers, ctid) {
        return Err(PlanError::op(format!("An OpenVZ container with CTID {} already exists", py_str(ctid))));
    }
    let mut cmd = vzctl("create", a);
    if a.flag("template") {
        cmd.push_str(&format!(" --ostemplate {}", quote(&py_str(a.get("template")))));
    }
    ctx.shell(cmd);
    Ok(())
}

fn plan_set(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut cmd = vec![vzctl("set", a)];
    if a.flag("save") {
        cmd.push("--save".into());
    }
    // Keys and values are both user input: quote both.
    for (key, value) in &a.extra {
        let values = match value {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for v in values {
            cmd.push(quote(&format!("--{key}")));
            cmd.push(quote(&py_str(&v)));
        }
    }
    ctx.shell(cmd.join(" "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_lookup() {
        assert!(has_container(&json!({"123": {}}), &json!(123)));
        assert!(has_container(&json!([123]), &json!(123)));
        assert!(!has_container(&json!({}), &json!(123)));
    }
}
