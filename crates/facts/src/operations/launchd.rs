//! `pyinfra.operations.launchd`: macOS launchd jobs.

use crate::args::Args;
use crate::operations::service_control::{ServiceControl, handle_service_control};
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::truthy;

/// What this module manages.
pub const DOC: &str = "Start, stop and restart macOS launchd jobs with `launchctl`.";

/// The operations of `launchd`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "service",
    doc: "Bring a launchd job to the wanted running state using `launchctl start`/`launchctl stop`. The \
          current state comes from `launchctl list` (a job with a PID counts as running), so nothing runs \
          when the job is already in the wanted state. launchctl has no restart verb: a restart is done as \
          a stop followed by a start, and only when the job was already running. Enabling at boot is not \
          supported, and `command` is accepted but currently ignored.",
    args: &[
        arg("service", "str", Dflt::Required, "Label of the launchd job to manage."),
        arg("running", "bool", Dflt::Bool(true), "Whether the job should be running (False: stopped)."),
        arg("restarted", "bool", Dflt::Bool(false), "Stop and start the job again if it was already running."),
        arg("command", "str | None", Dflt::None, "Custom launchctl verb; accepted for compatibility but not used."),
    ],
    planner: Some(service),
    ..Operation::NEW
}];

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let service = a.str("service")?;
    let statuses = ctx.fact("launchd.LaunchdStatus", &[])?;
    let was_running = statuses.get(&service).is_some_and(truthy);
    let control = ServiceControl {
        name: &service,
        formatter: "launchctl {1} {0}",
        running: a.get("running"),
        restarted: false,
        reloaded: false,
        command: None,
    };
    handle_service_control(ctx, &statuses, &control)?;
    // launchctl has no restart verb.
    if a.flag("restarted") && was_running {
        ctx.change(format!("restart {service}"));
        ctx.shell(format!("launchctl stop {service}"));
        ctx.shell(format!("launchctl start {service}"));
    }
    Ok(())
}
