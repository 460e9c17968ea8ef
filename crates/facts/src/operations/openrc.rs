//! `pyinfra.operations.openrc`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

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
    ..Operation::NEW
}];
