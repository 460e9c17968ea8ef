//! `pyinfra.operations.runit`: schema only for now.

use crate::schema::{Arg, Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Supervise services with runit: link service directories into the supervised directory \
                       (SVDIR), control them with `sv`, and manage their `down` files.";

/// `service`: the service directory name every operation takes.
const SERVICE: Arg = arg("service", "str", Dflt::Required, "Name of the service directory.");
/// `svdir`: where supervised services are linked.
const SVDIR: Arg =
    arg("svdir", "str", Dflt::Str("/var/service"), "Supervised directory (SVDIR); another one serves user services.");
/// `sourcedir`: where available services live.
const SOURCEDIR: Arg =
    arg("sourcedir", "str", Dflt::Str("/etc/sv"), "Directory holding the available service directories.");

/// The operations of `runit`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "service",
        doc: "Bring a runit service to the wanted state. It first makes sure the service is linked into \
              SVDIR (or unlinked with `managed=False`); a newly linked service gets a `down` file so it \
              does not start on its own, and the operation waits up to 10 seconds for its `runsv` to come \
              up. `enabled` then creates or removes `<sourcedir>/<service>/down` (otherwise its previous \
              state is restored). For managed services, `sv start`/`sv stop` run only when the current \
              state differs, restart/reload only when it is running, and a custom `command` always runs.",
        args: &[
            SERVICE,
            arg("running", "bool", Dflt::Bool(true), "Whether the service should be running (False: stopped)."),
            arg("restarted", "bool", Dflt::Bool(false), "Restart the service if it is already running."),
            arg("reloaded", "bool", Dflt::Bool(false), "Reload (HUP) the service if it is already running."),
            arg(
                "command",
                "str | None",
                Dflt::None,
                "Extra `sv` command to run every time (`sv <command> <service>`).",
            ),
            arg("enabled", "bool | None", Dflt::None, "Start automatically (no `down` file) or not; None: keep as is."),
            arg(
                "managed",
                "bool",
                Dflt::Bool(true),
                "Whether runit supervises the service (its link in SVDIR exists).",
            ),
            SVDIR,
            SOURCEDIR,
        ],
        ..Operation::NEW
    },
    Operation {
        name: "manage",
        doc: "Create or remove the symlink `<svdir>/<service>` -> `<sourcedir>/<service>` that puts a \
              service under runit supervision, like `files.link`; nothing happens when it is already as \
              wanted. SVDIR itself must exist.",
        args: &[
            SERVICE,
            arg("managed", "bool", Dflt::Bool(true), "Whether the link should exist (False: remove it)."),
            SVDIR,
            SOURCEDIR,
        ],
        ..Operation::NEW
    },
    Operation {
        name: "wait_runsv",
        doc: "Poll `sv status` once a second until the service's `runsv` supervisor answers, failing after \
              `timeout` seconds. Useful right after linking a service, as `runsvdir` only scans SVDIR every \
              few seconds. It runs every time (not idempotent).",
        args: &[SERVICE, SVDIR, arg("timeout", "int", Dflt::Int(10), "Seconds to wait before failing.")],
        ..Operation::NEW
    },
    Operation {
        name: "auto",
        doc: "Control whether runit starts a service by itself, through the `<sourcedir>/<service>/down` \
              file: it is removed to start automatically and created to keep the service down until \
              started explicitly. Nothing happens when the file is already as wanted.",
        args: &[
            SERVICE,
            arg("auto", "bool", Dflt::Bool(true), "Whether the service should start automatically (no `down` file)."),
            SOURCEDIR,
        ],
        ..Operation::NEW
    },
];
