//! `pyinfra.operations.snap`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install and remove snap packages (snapcraft.io) and keep them on a channel.";

/// The operations of `snap`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "package",
    doc: "Install or remove snaps, comparing against `snap list`: missing snaps are installed from \
          `channel` in one `snap install`, unwanted ones removed, and installed snaps tracking another \
          channel are switched with `snap refresh --channel`. Passing no packages does nothing.",
    args: &[
        arg("packages", "str | list[str] | None", Dflt::None, "Snap name(s) to manage."),
        arg("channel", "str", Dflt::Str("latest/stable"), "Channel the snaps should track, e.g. `4.0/stable`."),
        arg("classic", "bool", Dflt::Bool(false), "Install with classic confinement (`--classic`)."),
        arg("present", "bool", Dflt::Bool(true), "Whether the snaps should be installed (False: remove)."),
    ],
    ..Operation::NEW
}];
