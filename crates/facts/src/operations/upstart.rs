//! `pyinfra.operations.upstart`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

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
    ..Operation::NEW
}];
