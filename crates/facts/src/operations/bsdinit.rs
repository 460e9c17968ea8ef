//! `pyinfra.operations.bsdinit`: BSD rc.d services.

use serde_json::json;

use crate::args::Args;
use crate::nested;
use crate::operations::service_control::{ServiceControl, handle_service_control};
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str};

/// What this module manages.
pub const DOC: &str = "Control BSD rc.d services (scripts in `/etc/rc.d` and `/usr/local/etc/rc.d`).";

/// The operations of `bsdinit`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "service",
    doc: "Start, stop, restart or reload a BSD rc.d service and optionally enable it at boot. The service \
          state comes from `bsdinit.RcdStatus`: a start or stop only runs when the service is not already \
          in the wanted state, and restart/reload only happen when it is running. The script is looked up \
          in `/etc/rc.d` first, then `/usr/local/etc/rc.d`. Enabling writes or removes a \
          `<service>_enable=\"YES\"` line in `/etc/rc.conf.local`.",
    args: &[
        arg("service", "str", Dflt::Required, "Name of the rc.d script to manage."),
        arg("running", "bool", Dflt::Bool(true), "Whether the service should be running (true) or stopped (false)."),
        arg("restarted", "bool", Dflt::Bool(false), "Restart the service if it is running."),
        arg("reloaded", "bool", Dflt::Bool(false), "Reload the service if it is running."),
        arg(
            "command",
            "str | None",
            Dflt::None,
            "Extra action to run through the script every time, e.g. `rotate` gives `/etc/rc.d/<service> rotate`.",
        ),
        arg(
            "enabled",
            "bool | None",
            Dflt::None,
            "Enable (true) or disable (false) the service at boot via `/etc/rc.conf.local`; None leaves it.",
        ),
    ],
    planner: Some(service),
    ..Operation::NEW
}];

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let service = a.str("service")?;
    // pyinfra asks for the OS (to pick OpenBSD's `check` status verb), though the choice is unused.
    ctx.fact("server.Os", &[])?;
    let statuses = ctx.fact("bsdinit.RcdStatus", &[])?;
    let control = ServiceControl {
        name: &service,
        formatter: "test -e /etc/rc.d/{0} && /etc/rc.d/{0} {1} || /usr/local/etc/rc.d/{0} {1}",
        running: a.get("running"),
        restarted: a.flag("restarted"),
        reloaded: a.flag("reloaded"),
        command: a.flag("command").then(|| py_str(a.get("command"))),
    };
    handle_service_control(ctx, &statuses, &control)?;

    if let Value::Bool(enabled) = *a.get("enabled") {
        nested(
            ctx,
            "files.line",
            &[
                ("path", json!("/etc/rc.conf.local")),
                ("line", json!(format!("^{service}_enable="))),
                ("replace", json!(format!("{service}_enable=\"YES\""))),
                ("present", json!(enabled)),
            ],
        )?;
    }
    Ok(())
}
