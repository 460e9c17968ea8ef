//! `pyinfra.operations.vzctl`: schema only for now.

use crate::schema::{Arg, ArgKind, Dflt, Operation, arg, var_arg};

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
        ..Operation::NEW
    },
    Operation {
        name: "stop",
        doc: "Stop a container (`vzctl stop`). It runs every time, whatever the container's state.",
        args: &[CTID],
        ..Operation::NEW
    },
    Operation {
        name: "restart",
        doc: "Restart a container as a `vzctl stop` followed by a `vzctl start`, on every run.",
        args: &[CTID, FORCE],
        ..Operation::NEW
    },
    Operation {
        name: "mount",
        doc: "Mount the container's filesystem without starting it (`vzctl mount`), on every run.",
        args: &[CTID],
        ..Operation::NEW
    },
    Operation {
        name: "unmount",
        doc: "Unmount the container's filesystem (`vzctl umount`), on every run.",
        args: &[CTID],
        ..Operation::NEW
    },
    Operation {
        name: "delete",
        doc: "Delete a container and its private area (`vzctl delete`), on every run. The container must \
              be stopped.",
        args: &[CTID],
        ..Operation::NEW
    },
    Operation {
        name: "create",
        doc: "Create a container with `vzctl create`, optionally from an OS template. It fails when a \
              container with this CTID already exists (per `vzlist`) instead of leaving it alone.",
        args: &[CTID, arg("template", "str | None", Dflt::None, "OS template to build from (`--ostemplate`).")],
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
        ..Operation::NEW
    },
];
