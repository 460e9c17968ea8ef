//! `pyinfra.operations.cargo`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install and remove Rust command-line tools with `cargo install`.";

/// The operations of `cargo`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Make sure crates are installed (or uninstalled) as binaries with cargo. The wanted crates are \
          compared with `cargo install --list` (`cargo.CargoPackages`), so only missing crates are installed \
          and only present ones removed. Pin a version as `name@version`; `latest` re-runs `cargo install` \
          for installed crates given without a version.",
    args: &[
        arg(
            "packages",
            "str | list[str] | None",
            Dflt::None,
            "Crate name or list of names, optionally as `name@version`.",
        ),
        arg("present", "bool", Dflt::Bool(true), "Install the crates when true, uninstall them when false."),
        arg("latest", "bool", Dflt::Bool(false), "Upgrade installed crates that were given without a version."),
    ],
    ..Operation::NEW
}];
