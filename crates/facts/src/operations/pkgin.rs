//! `pyinfra.operations.pkgin`: pkgin (pkgsrc) packages.

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use crate::args::Args;
use crate::nested;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage binary packages with `pkgin` (pkgsrc, e.g. on NetBSD, SmartOS or macOS).";

/// The operations of `pkgin`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade all installed packages (`pkgin -y upgrade`). It runs every time (not idempotent).",
        args: &[],
        planner: Some(upgrade),
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Refresh pkgin's repository catalogue (`pkgin -y update`). It runs every time (not idempotent).",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install (`pkgin -y install`) or remove (`pkgin -y remove`) packages, comparing against the \
              installed list so only what differs is touched. With `latest`, installed packages are \
              passed to `pkgin -y upgrade` on every run. Version patterns are not understood when \
              checking what is installed. `update`/`upgrade` first refresh the catalogue and upgrade \
              everything; each counts as a change.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Package name(s) to manage."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages to the newest version."),
            arg("update", "bool", Dflt::Bool(false), "Refresh the catalogue (`pkgin update`) first."),
            arg("upgrade", "bool", Dflt::Bool(false), "Upgrade all packages (`pkgin upgrade`) first."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

fn upgrade(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("upgrade pkgin packages");
    ctx.shell("pkgin -y upgrade");
    Ok(())
}

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update pkgin repositories");
    ctx.shell("pkgin -y update");
    Ok(())
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("update") {
        nested(ctx, "pkgin.update", &[])?;
    }
    if a.flag("upgrade") {
        nested(ctx, "pkgin.upgrade", &[])?;
    }
    let current = ctx.fact("pkgin.PkginPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), None),
        present_flag(a.get("present")),
        "pkgin -y install".into(),
        "pkgin -y remove".into(),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some("pkgin -y upgrade".into());
    ensure_packages(ctx, &current, &spec)
}
