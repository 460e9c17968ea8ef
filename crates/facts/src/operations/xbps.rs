//! `pyinfra.operations.xbps`: packages on Void Linux with XBPS.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};

/// What this module manages.
pub const DOC: &str = "Manage packages on Void Linux with XBPS (`xbps-install`/`xbps-remove`). Package names \
                       are case-sensitive.";

/// The operations of `xbps`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade all installed packages (`xbps-install -y -u`). It runs every time (not idempotent).",
        args: &[],
        planner: Some(upgrade),
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Synchronise the remote repository indexes (`xbps-install -S`). It runs every time (not \
              idempotent).",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install (`xbps-install -y -u`) or remove (`xbps-remove -y`) packages, comparing against the \
              installed list so only what differs is touched. `update`/`upgrade` first sync the indexes \
              and upgrade the system; each counts as a change.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Package name(s) to manage."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("update", "bool", Dflt::Bool(false), "Sync the repository indexes (`xbps-install -S`) first."),
            arg("upgrade", "bool", Dflt::Bool(false), "Upgrade all packages (`xbps-install -y -u`) first."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

fn upgrade(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("upgrade all packages");
    ctx.shell("xbps-install -y -u");
    Ok(())
}

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update the XBPS repository indexes");
    ctx.shell("xbps-install -S");
    Ok(())
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("update") {
        crate::nested(ctx, "xbps.update", &[])?;
    }
    if a.flag("upgrade") {
        crate::nested(ctx, "xbps.upgrade", &[])?;
    }
    let current = ctx.fact("xbps.XbpsPackages", &[])?;
    let spec = Ensure::new(
        packages_from_arg(a.get("packages"), None),
        present_flag(a.get("present")),
        "xbps-install -y -u".into(),
        "xbps-remove -y".into(),
    );
    ensure_packages(ctx, &current, &spec)
}
