//! `pyinfra.operations.upstart`: Upstart jobs and their boot-time override files.

use serde_json::json;

use crate::args::Args;
use crate::nested;
use crate::operations::service_control::{ServiceControl, handle_service_control};
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str};

/// What this module manages.
pub const DOC: &str = "Control Upstart jobs with `initctl` and whether they start at boot.";

/// The operations of `upstart`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "service",
    doc: "Start or stop an Upstart job (`initctl start|stop`) when `initctl list` shows it in the other \
          state; restart and reload happen only when it is running, and a custom `command` always runs. \
          Boot-time start is controlled through `/etc/init/<service>.override`: `enabled=False` writes \
          `manual` into it, `enabled=True` removes it (the job's own runlevels then apply).",
    args: &[
        arg("service", "str", Dflt::Required, "Name of the Upstart job."),
        arg("running", "bool", Dflt::Bool(true), "Whether the job should be running (False: stopped)."),
        arg("restarted", "bool", Dflt::Bool(false), "Restart the job if it is already running."),
        arg("reloaded", "bool", Dflt::Bool(false), "Reload the job if it is already running."),
        arg("command", "str | None", Dflt::None, "Extra `initctl` verb to run every time."),
        arg(
            "enabled",
            "bool | None",
            Dflt::None,
            "Start at boot (True) or not (False, via an override file); None: leave.",
        ),
    ],
    planner: Some(service),
    ..Operation::NEW
}];

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let service = a.str("service")?;
    let statuses = ctx.fact("upstart.UpstartStatus", &[])?;
    let control = ServiceControl {
        name: &service,
        formatter: "initctl {1} {0}",
        running: a.get("running"),
        restarted: a.flag("restarted"),
        reloaded: a.flag("reloaded"),
        command: a.flag("command").then(|| py_str(a.get("command"))),
    };
    handle_service_control(ctx, &statuses, &control)?;

    // The job's own config sets its runlevels: boot start is only switched off by an override file.
    let path = format!("/etc/init/{service}.override");
    match a.get("enabled") {
        Value::Bool(true) => nested(ctx, "files.file", &[("path", json!(path)), ("present", json!(false))]),
        Value::Bool(false) => nested(ctx, "files.put", &[("src", json!("io:manual\n")), ("dest", json!(path))]),
        _ => Ok(()),
    }
}
