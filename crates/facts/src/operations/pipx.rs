//! `pyinfra.operations.pipx`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install Python applications into isolated environments with `pipx`.";

/// The operations of `pipx`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "packages",
        doc: "Install (`pipx install`) or uninstall applications with pipx, one package per command. \
              Specs are PEP 508 requirements (`name==version`); names are compared case-insensitively \
              against `pipx list`, so only missing or unwanted packages are touched. With `latest`, \
              installed packages given without a version are passed to `pipx upgrade` on every run. \
              Passing no packages is a no-op.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package spec(s) in PEP 508 form, e.g. `black==24.1.0`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: uninstall)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed, unpinned packages."),
            arg("extra_args", "str | None", Dflt::None, "Extra arguments appended to `pipx install`."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "upgrade_all",
        doc: "Upgrade every application installed with pipx (`pipx upgrade-all`). It runs every time.",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "ensure_path",
        doc: "Make sure pipx's binary directory is on the user's PATH by running `pipx ensurepath`, unless \
              the `PIPX_BIN_DIR` reported by `pipx environment` is already one of the PATH entries.",
        args: &[],
        ..Operation::NEW
    },
];
