//! `pyinfra.operations.pkg`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install and remove BSD binary packages with `pkg` (FreeBSD) or `pkg_add`/`pkg_delete` \
                       (OpenBSD and others). Package names are case-sensitive.";

/// The operations of `pkg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Install or remove BSD packages, comparing against the installed list so only what differs is \
          touched. Hosts with a `pkg` binary use `pkg install -y`/`pkg delete -y`, others \
          `pkg_add`/`pkg_delete`. When installing and neither `pkg_path` nor `/etc/installurl` exists, \
          `PKG_PATH` is set to `http://ftp.<os>.org/pub/<OS>/<version>/packages/<arch>/`, a layout that \
          fits OpenBSD mirrors only.",
    args: &[
        arg("packages", "str | list[str] | None", Dflt::None, "Package name(s) to manage."),
        arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: delete)."),
        arg(
            "pkg_path",
            "str | None",
            Dflt::None,
            "Value of `PKG_PATH` for installs (default: derived OpenBSD mirror).",
        ),
    ],
    ..Operation::NEW
}];
