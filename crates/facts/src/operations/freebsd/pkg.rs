//! `pyinfra.operations.freebsd.pkg`: FreeBSD binary packages.

use serde_json::json;

use super::{jail, push_opt, with_jail};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Manage FreeBSD binary packages with `pkg(8)`, on the host or inside a jail.";

/// Doc of the `jail` argument, shared by every operation.
const JAIL: &str = "Run pkg inside this jail (`pkg -j`) instead of on the host.";

/// The operations of `freebsd.pkg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "update",
        doc: "Refresh the local catalogues of the enabled package repositories with `pkg update`. The command \
              runs on every deploy.",
        args: &[
            arg("jail", "str | None", Dflt::None, JAIL),
            arg("force", "bool", Dflt::Bool(false), "Download the full catalogue even if it is current (`-f`)."),
            arg("reponame", "str | None", Dflt::None, "Only update this repository (`-r`)."),
        ],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "upgrade",
        doc: "Upgrade all installed packages non-interactively (`pkg upgrade -y`). The command runs on every \
              deploy; pkg does nothing when all packages are current.",
        args: &[
            arg("jail", "str | None", Dflt::None, JAIL),
            arg("force", "bool", Dflt::Bool(false), "Reinstall every package even if up to date (`-f`)."),
            arg("reponame", "str | None", Dflt::None, "Only upgrade from this repository (`-r`)."),
        ],
        planner: Some(upgrade),
        ..Operation::NEW
    },
    Operation {
        name: "install",
        doc: "Install one package with `pkg install -y`, unless it is already installed (checked with \
              `pkg info -E`, see `freebsd.PkgPackage`). The package may also be a local archive.",
        args: &[
            arg("package", "str", Dflt::Required, "Name (or archive path) of the package to install."),
            arg("jail", "str | None", Dflt::None, JAIL),
            arg("reponame", "str | None", Dflt::None, "Install from this repository only (`-r`)."),
        ],
        planner: Some(install),
        ..Operation::NEW
    },
    Operation {
        name: "remove",
        doc: "Remove one installed package with `pkg remove -y`; nothing happens when it is not installed.",
        args: &[
            arg("package", "str", Dflt::Required, "Name of the package to remove."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        planner: Some(remove),
        ..Operation::NEW
    },
    Operation {
        name: "autoremove",
        doc: "Remove packages that were installed only as dependencies and are no longer needed \
              (`pkg autoremove -y`). The command runs on every deploy.",
        args: &[arg("jail", "str | None", Dflt::None, JAIL)],
        planner: Some(autoremove),
        ..Operation::NEW
    },
    Operation {
        name: "clean",
        doc: "Delete cached package archives from pkg's local cache (`pkg clean -y`): by default only those \
              no longer referenced by the catalogue, with `all_pkg` every one. Runs on every deploy.",
        args: &[
            arg("all_pkg", "bool", Dflt::Bool(false), "Delete all cached packages, not just stale ones (`-a`)."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        planner: Some(clean),
        ..Operation::NEW
    },
];

/// Run the command the words make.
fn run(ctx: &mut Ctx<'_>, words: Vec<String>, change: &str) -> Result<(), PlanError> {
    ctx.change(change);
    ctx.shell(words.join(" "));
    Ok(())
}

fn update(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut words = with_jail("pkg", a);
    words.push("update".into());
    if a.flag("force") {
        words.push("-f".into());
    }
    push_opt(&mut words, a, "reponame", "-r");
    run(ctx, words, "update package catalogues")
}

fn upgrade(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut words = with_jail("pkg", a);
    words.extend(["upgrade".into(), "-y".into()]);
    if a.flag("force") {
        words.push("-f".into());
    }
    push_opt(&mut words, a, "reponame", "-r");
    run(ctx, words, "upgrade packages")
}

/// Whether `freebsd.PkgPackage` finds the package.
fn installed(ctx: &Ctx<'_>, a: &Args, package: &str) -> Result<bool, PlanError> {
    let found = ctx.fact("freebsd.PkgPackage", &[("package", json!(package)), ("jail", jail(a))])?;
    Ok(truthy(&found))
}

fn install(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let package = py_str(a.get("package"));
    if installed(ctx, a, &package)? {
        ctx.noop(format!("Package '{package}' already installed"));
        return Ok(());
    }
    let mut words = with_jail("pkg", a);
    words.extend(["install".into(), "-y".into()]);
    push_opt(&mut words, a, "reponame", "-r");
    words.extend(["--".into(), quote(&package)]);
    run(ctx, words, &format!("install {package}"))
}

fn remove(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let package = py_str(a.get("package"));
    if !installed(ctx, a, &package)? {
        ctx.noop(format!("Package '{package}' cannot be found"));
        return Ok(());
    }
    let mut words = with_jail("pkg", a);
    words.extend(["remove".into(), "-y".into(), "--".into(), quote(&package)]);
    run(ctx, words, &format!("remove {package}"))
}

fn autoremove(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut words = with_jail("pkg", a);
    words.extend(["autoremove".into(), "-y".into()]);
    run(ctx, words, "remove orphan packages")
}

fn clean(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut words = with_jail("pkg", a);
    words.extend(["clean".into(), "-y".into()]);
    if a.flag("all_pkg") {
        words.push("-a".into());
    }
    run(ctx, words, "clean the package cache")
}
