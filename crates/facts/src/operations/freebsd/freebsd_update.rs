//! `pyinfra.operations.freebsd.freebsd_update`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Apply FreeBSD base system binary updates with `freebsd-update`.";

/// The operations of `freebsd.freebsd_update`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "update",
    doc: "Fetch and install all available binary updates of the FreeBSD base system (`freebsd-update fetch \
          install`, without a pager). The command runs on every deploy; freebsd-update itself does nothing \
          when the system is current. Each option maps to the matching `freebsd-update(8)` flag. Caveat: \
          `currently_running` is accepted but pyinfra 3.10 does not pass it on.",
    args: &[
        arg("force", "bool", Dflt::Bool(false), "Force the fetch even if the system looks unchanged (`-F`)."),
        arg("basedir", "str | None", Dflt::None, "Operate on the system installed under this directory (`-b`)."),
        arg("workdir", "str | None", Dflt::None, "Working directory for downloads and state (`-d`)."),
        arg("conffile", "str | None", Dflt::None, "Configuration file to read instead of the default (`-f`)."),
        arg("jail", "str | None", Dflt::None, "Update the given jail instead of the host (`-j`)."),
        arg("key", "str | None", Dflt::None, "SHA256 hash of the trusted public key (`-k`)."),
        arg(
            "currently_running",
            "str | None",
            Dflt::None,
            "Release to assume is running (`--currently-running`); currently ignored.",
        ),
        arg("server", "str | None", Dflt::None, "Update server to fetch from (`-s`)."),
    ],
    ..Operation::NEW
}];
