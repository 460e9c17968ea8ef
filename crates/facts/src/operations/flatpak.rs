//! `pyinfra.operations.flatpak`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install and remove Flatpak applications and runtimes.";

/// The operations of `flatpak`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Make sure Flatpak applications or runtimes (given by ID, e.g. `org.videolan.VLC`) are installed or \
          uninstalled. The IDs are compared with `flatpak list` (`flatpak.FlatpakPackages`): all missing ones \
          are installed in one non-interactive `flatpak install`, all unwanted ones removed in one \
          `flatpak uninstall`, and nothing runs when everything already matches.",
    args: &[
        arg("packages", "str | list[str] | None", Dflt::None, "Application/runtime ID or list of IDs."),
        arg("remote", "str | None", Dflt::None, "Remote to install from, e.g. `flathub`."),
        arg("present", "bool", Dflt::Bool(true), "Install the packages when true, uninstall them when false."),
    ],
    ..Operation::NEW
}];
