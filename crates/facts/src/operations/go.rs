//! `pyinfra.operations.go`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install and remove Go programs with `go install`.";

/// The operations of `go`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Make sure Go programs, given by import path, are installed in the Go binary directory (`GOBIN`, \
          else `$GOPATH/bin`) or removed from it. Installed programs and their module versions come from \
          `go.GoPackages`. A pinned `path@version` is installed when that version is missing; an unpinned \
          (or `@latest`) path only when absent, or on every run with `latest` since there is nothing to \
          compare against. Removal deletes the binary, named after the last path element (ignoring a \
          `/vN` suffix).",
    args: &[
        arg(
            "packages",
            "str | list[str] | None",
            Dflt::None,
            "Import path or list of paths, optionally as `path@version`.",
        ),
        arg("present", "bool", Dflt::Bool(true), "Install the programs when true, remove their binaries when false."),
        arg("latest", "bool", Dflt::Bool(false), "Reinstall installed unpinned programs at `@latest` on every run."),
    ],
    ..Operation::NEW
}];
