//! `pyinfra.operations.cargo`: Rust crates installed with `cargo install`.

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
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
    planner: Some(packages),
    ..Operation::NEW
}];

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let current = ctx.fact("cargo.CargoPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some("@")),
        present_flag(a.get("present")),
        "cargo install".into(),
        "cargo uninstall".into(),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some("cargo install".into());
    ensure_packages(ctx, &current, &spec)
}
