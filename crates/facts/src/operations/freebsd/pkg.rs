//! `pyinfra.operations.freebsd.pkg`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage FreeBSD binary packages with `pkg(8)`, on the host or inside a jail.";

/// Doc of the `jail` argument, shared by every operation.
const JAIL: &str = "Run pkg inside this jail (`pkg -j`) instead of on the host.";

/// The operations of `freebsd.pkg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "update",
        doc: "Refresh the local catalogues of the enabled package repositories with `pkg update`. The command \
              runs on every deploy.",
        args: &[
            arg("jail", "str | None", Dflt::None, JAIL),
            arg("force", "bool", Dflt::Bool(false), "Download the full catalogue even if it is current (`-f`)."),
            arg("reponame", "str | None", Dflt::None, "Only update this repository (`-r`)."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "upgrade",
        doc: "Upgrade all installed packages non-interactively (`pkg upgrade -y`). The command runs on every \
              deploy; pkg does nothing when all packages are current.",
        args: &[
            arg("jail", "str | None", Dflt::None, JAIL),
            arg("force", "bool", Dflt::Bool(false), "Reinstall every package even if up to date (`-f`)."),
            arg("reponame", "str | None", Dflt::None, "Only upgrade from this repository (`-r`)."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "install",
        doc: "Install one package with `pkg install -y`, unless it is already installed (checked with \
              `pkg info -E`, see `freebsd.PkgPackage`). The package may also be a local archive.",
        args: &[
            arg("package", "str", Dflt::Required, "Name (or archive path) of the package to install."),
            arg("jail", "str | None", Dflt::None, JAIL),
            arg("reponame", "str | None", Dflt::None, "Install from this repository only (`-r`)."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "remove",
        doc: "Remove one installed package with `pkg remove -y`; nothing happens when it is not installed.",
        args: &[
            arg("package", "str", Dflt::Required, "Name of the package to remove."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "autoremove",
        doc: "Remove packages that were installed only as dependencies and are no longer needed \
              (`pkg autoremove -y`). The command runs on every deploy.",
        args: &[arg("jail", "str | None", Dflt::None, JAIL)],
        ..Operation::NEW
    },
    Operation {
        name: "clean",
        doc: "Delete cached package archives from pkg's local cache (`pkg clean -y`): by default only those \
              no longer referenced by the catalogue, with `all_pkg` every one. Runs on every deploy.",
        args: &[
            arg("all_pkg", "bool", Dflt::Bool(false), "Delete all cached packages, not just stale ones (`-a`)."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        ..Operation::NEW
    },
];
