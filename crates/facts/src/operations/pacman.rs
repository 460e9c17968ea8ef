//! `pyinfra.operations.pacman`: packages on Arch Linux with pacman.

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::Value;

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};

/// What this module manages.
pub const DOC: &str = "Manage packages on Arch Linux and derivatives with `pacman`.";

/// The operations of `pacman`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade every installed package to the version in the synced repositories \
              (`pacman --noconfirm -Su`). It runs every time (not idempotent).",
        args: &[],
        planner: Some(upgrade),
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Synchronise the package databases from the mirrors (`pacman -Sy`). It runs every time \
              (not idempotent).",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install (`pacman -S`) or remove (`pacman -R`) packages, comparing against the installed list \
              so only what differs is touched. A package group is expanded to its members and counts as \
              installed when all of them are. A spec like `<pkg>=<version>` is handed to pacman as is. \
              `update`/`upgrade` first sync the databases and upgrade the system; each counts as a change.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Package or group name(s) to manage."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("update", "bool", Dflt::Bool(false), "Sync the package databases (`pacman -Sy`) first."),
            arg("upgrade", "bool", Dflt::Bool(false), "Upgrade all packages (`pacman -Su`) first."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

fn upgrade(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("upgrade all packages");
    ctx.shell("pacman --noconfirm -Su");
    Ok(())
}

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update the pacman package databases");
    ctx.shell("pacman -Sy");
    Ok(())
}

/// The packages a group or virtual name stands for (`pacman.PacmanUnpackGroup`).
fn unpack_group(ctx: &Ctx<'_>, name: &str) -> Result<Value, PlanError> {
    ctx.fact("pacman.PacmanUnpackGroup", &[("package", json!(name))])
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("update") {
        crate::nested(ctx, "pacman.update", &[])?;
    }
    if a.flag("upgrade") {
        crate::nested(ctx, "pacman.upgrade", &[])?;
    }
    let current = ctx.fact("pacman.PacmanPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), None),
        present_flag(a.get("present")),
        "pacman --noconfirm -S".into(),
        "pacman --noconfirm -R".into(),
    );
    spec.expand = Some(&unpack_group);
    ensure_packages(ctx, &current, &spec)
}
