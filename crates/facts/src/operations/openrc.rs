//! `pyinfra.operations.openrc`: OpenRC services and their runlevels.

use serde_json::json;

use crate::args::Args;
use crate::operations::service_control::{ServiceControl, handle_service_control};
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Control OpenRC services (`rc-service`) and their runlevel membership (`rc-update`).";

/// The operations of `openrc`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "service",
    doc: "Start or stop an OpenRC service, optionally restart or reload it, and add it to or remove it \
          from a runlevel. The running state comes from `rc-status` for that runlevel, so start/stop only \
          run when needed; restart and reload only happen when the service is already running; a custom \
          `command` always runs (`rc-service <service> <command>`). With `enabled` set, `rc-update add` or \
          `rc-update del` runs only if the runlevel membership differs.",
    args: &[
        arg("service", "str", Dflt::Required, "Name of the service (its init script)."),
        arg("running", "bool", Dflt::Bool(true), "Whether the service should be running (False: stopped)."),
        arg("restarted", "bool", Dflt::Bool(false), "Restart the service if it is already running."),
        arg("reloaded", "bool", Dflt::Bool(false), "Reload the service if it is already running."),
        arg("command", "str | None", Dflt::None, "Extra `rc-service` verb to run every time (e.g. `zap`)."),
        arg(
            "enabled",
            "bool | None",
            Dflt::None,
            "Add to (True) or remove from (False) the runlevel; None: leave as is.",
        ),
        arg("runlevel", "str", Dflt::Str("default"), "Runlevel whose status and membership are managed."),
    ],
    planner: Some(service),
    ..Operation::NEW
}];

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = a.str("service")?;
    let runlevel = py_str(a.get("runlevel"));
    let statuses = ctx.fact("openrc.OpenrcStatus", &[("runlevel", json!(runlevel))])?;
    let control = ServiceControl {
        name: &name,
        formatter: "rc-service {0} {1}",
        running: a.get("running"),
        restarted: a.flag("restarted"),
        reloaded: a.flag("reloaded"),
        command: a.flag("command").then(|| py_str(a.get("command"))),
    };
    handle_service_control(ctx, &statuses, &control)?;

    // Only a real bool asks for a change of runlevel membership.
    if let Value::Bool(enabled) = *a.get("enabled") {
        let states = ctx.fact("openrc.OpenrcEnabled", &[("runlevel", json!(runlevel))])?;
        let is_enabled = states.get(&name).is_some_and(truthy);
        match (enabled, is_enabled) {
            (true, false) | (false, true) => {
                let verb = if enabled { "add" } else { "del" };
                ctx.change(format!("rc-update {verb} {name} {runlevel}"));
                ctx.shell(format!("rc-update {verb} {} {}", quote(&name), quote(&runlevel)));
            }
            (true, true) => ctx.noop(format!("service {name} is enabled")),
            (false, false) => ctx.noop(format!("service {name} is disabled")),
        }
    }
    Ok(())
}
