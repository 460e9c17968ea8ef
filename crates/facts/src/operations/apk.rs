//! `pyinfra.operations.apk`: packages on Alpine Linux with apk.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};

/// What this module manages.
pub const DOC: &str = "Install, remove and upgrade packages with apk, the package manager of Alpine Linux.";

/// The operations of `apk`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "upgrade",
        doc: "Upgrade every installed apk package by running `apk upgrade`. Runs every time and always \
              counts as a change. With `available`, packages are also replaced by the versions the \
              configured repositories currently offer, which is what an Alpine release upgrade needs.",
        args: &[arg(
            "available",
            "bool",
            Dflt::Bool(false),
            "Add `--available` so every package is re-synced to the repositories' versions.",
        )],
        planner: Some(upgrade),
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Refresh the apk package index from the configured repositories (`apk update`). Not \
              idempotent: the command runs on every deploy.",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Make sure apk packages are installed or removed. Compares the wanted packages with the \
              installed ones (the `apk.ApkPackages` fact) and only runs `apk add` / `apk del` for the \
              difference, so a second run changes nothing. A version can be pinned as `name=version`; \
              with `latest`, installed packages given without a version are upgraded too. `update` and \
              `upgrade` refresh the index or upgrade everything first.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package name or list of names, optionally pinned as `name=version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Install the packages when true, remove them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages that were given without a version."),
            arg("update", "bool", Dflt::Bool(false), "Run `apk update` before anything else."),
            arg("upgrade", "bool", Dflt::Bool(false), "Run `apk upgrade` before installing."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

fn upgrade(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.change("upgrade all packages");
    ctx.shell(if a.flag("available") { "apk upgrade --available" } else { "apk upgrade" });
    Ok(())
}

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update the apk package index");
    ctx.shell("apk update");
    Ok(())
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("update") {
        crate::nested(ctx, "apk.update", &[])?;
    }
    if a.flag("upgrade") {
        crate::nested(ctx, "apk.upgrade", &[])?;
    }
    let current = ctx.fact("apk.ApkPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some("=")),
        present_flag(a.get("present")),
        "apk add".into(),
        "apk del".into(),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some("apk upgrade".into());
    ensure_packages(ctx, &current, &spec)
}
