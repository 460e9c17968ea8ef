//! `pyinfra.operations.freebsd.service`: schema only for now.

use crate::schema::{Dflt, Operation, arg, enum_arg};

/// What this module manages.
pub const DOC: &str = "Control FreeBSD `rc(8)` services with `service(8)`, on the host or inside a jail.";

/// The operations of `freebsd.service`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "service",
    doc: "Bring an rc(8) service into a state, or run one of its commands. Nothing happens when no rc script \
          of that name exists. `started` and `stopped` first check the service's status and only act when it \
          differs; `restarted` and `reloaded` always run; `custom` runs the script with `command` as its \
          arguments. Any other `srvstate` is an error.",
    args: &[
        arg("srvname", "str", Dflt::Required, "Name of the rc(8) service."),
        arg("jail", "str | None", Dflt::None, "Control the service inside this jail (`service -j`)."),
        enum_arg(
            "srvstate",
            "str",
            &["started", "stopped", "restarted", "reloaded", "custom"],
            Dflt::Str("started"),
            "Wanted state, or `custom` to run `command`.",
        ),
        arg(
            "command",
            "str | list[str] | None",
            Dflt::None,
            "With `srvstate=\"custom\"`: the script argument(s) to run, e.g. `configure`.",
        ),
        arg(
            "environment",
            "list[str] | None",
            Dflt::None,
            "Environment variables for the script, each `NAME=value` (`-E`).",
        ),
        arg("verbose", "bool", Dflt::Bool(false), "Make service(8) verbose (`-v`)."),
    ],
    ..Operation::NEW
}];
