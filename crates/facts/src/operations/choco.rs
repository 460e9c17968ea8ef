//! `pyinfra.operations.choco`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage Windows software with Chocolatey (`choco`), and install Chocolatey itself.";

/// The operations of `choco`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "packages",
        doc: "Make sure Chocolatey packages are installed or uninstalled. Only packages that differ from the \
              installed list (`choco.ChocoPackages`) get a `choco install -y` or `choco uninstall -y -x`, so a \
              repeat run changes nothing. Pin versions as `name:version`; `latest` runs `choco update -y` for \
              installed packages given without a version. Needs an Administrator session.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package name or list of names, optionally as `name:version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Install the packages when true, uninstall them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages that were given without a version."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "install",
        doc: "Install Chocolatey by downloading and running its official PowerShell install script. Does not \
              check whether Chocolatey is already there: the script runs on every deploy.",
        args: &[],
        ..Operation::NEW
    },
];
