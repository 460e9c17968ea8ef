//! `pyinfra.operations.gem`: Ruby gems.

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install, remove and update Ruby gems with the `gem` command.";

/// The operations of `gem`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Make sure Ruby gems are installed or uninstalled. The wanted gems are compared with \
          `gem list --local` (`gem.GemPackages`), so only missing gems are installed and only present ones \
          uninstalled. Pin versions as `name:version`; `latest` runs `gem update` for installed gems given \
          without a version.",
    args: &[
        arg(
            "packages",
            "str | list[str] | None",
            Dflt::None,
            "Gem name or list of names, optionally as `name:version`.",
        ),
        arg("present", "bool", Dflt::Bool(true), "Install the gems when true, uninstall them when false."),
        arg("latest", "bool", Dflt::Bool(false), "Update installed gems that were given without a version."),
    ],
    planner: Some(packages),
    ..Operation::NEW
}];

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let current = ctx.fact("gem.GemPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some(":")),
        present_flag(a.get("present")),
        "gem install".into(),
        "gem uninstall".into(),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some("gem update".into());
    ensure_packages(ctx, &current, &spec)
}
