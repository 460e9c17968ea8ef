//! `pyinfra.operations.pipx`: Python applications installed with pipx.

use super::util::packaging::{Ensure, PkgInfo, ensure_packages, present_flag};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Map, Value, py_str, str_or_list};

/// What this module manages.
pub const DOC: &str = "Install Python applications into isolated environments with `pipx`.";

/// The operations of `pipx`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "packages",
        doc: "Install (`pipx install`) or uninstall applications with pipx, one package per command. \
              Specs are PEP 508 requirements (`name==version`); names are compared case-insensitively \
              against `pipx list`, so only missing or unwanted packages are touched. With `latest`, \
              installed packages given without a version are passed to `pipx upgrade` on every run. \
              Passing no packages is a no-op.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package spec(s) in PEP 508 form, e.g. `black==24.1.0`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: uninstall)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed, unpinned packages."),
            arg("extra_args", "str | None", Dflt::None, "Extra arguments appended to `pipx install`."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
    Operation {
        name: "upgrade_all",
        doc: "Upgrade every application installed with pipx (`pipx upgrade-all`). It runs every time.",
        args: &[],
        planner: Some(upgrade_all),
        ..Operation::NEW
    },
    Operation {
        name: "ensure_path",
        doc: "Make sure pipx's binary directory is on the user's PATH by running `pipx ensurepath`, unless \
              the `PIPX_BIN_DIR` reported by `pipx environment` is already one of the PATH entries.",
        args: &[],
        planner: Some(ensure_path),
        ..Operation::NEW
    },
];

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.get("packages").is_null() {
        ctx.noop("no package list provided to pipx.packages");
        return Ok(());
    }
    let mut install = String::from("pipx install");
    if a.flag("extra_args") {
        install = format!("{install} {}", py_str(a.get("extra_args")));
    }
    // PEP 426: package names compare case-insensitively.
    let current = ctx.fact("pipx.PipxPackages", &[])?;
    let current: Map<String, Value> =
        current.as_object().into_iter().flatten().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
    let current = Value::Object(current);
    // pipx takes one package per command.
    for package in str_or_list(a.get("packages")) {
        let mut spec = Ensure::new(
            vec![PkgInfo::from_pep508(&package)],
            present_flag(a.get("present")),
            install.clone(),
            "pipx uninstall".into(),
        );
        spec.latest = a.flag("latest");
        spec.upgrade_command = Some("pipx upgrade".into());
        ensure_packages(ctx, &current, &spec)?;
    }
    Ok(())
}

fn upgrade_all(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("upgrade all pipx packages");
    ctx.shell("pipx upgrade-all");
    Ok(())
}

fn ensure_path(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    let path = py_str(&ctx.fact("server.Path", &[])?);
    let env = ctx.fact("pipx.PipxEnvironment", &[])?;
    match env.get("PIPX_BIN_DIR") {
        Some(bin) if path.split(':').any(|p| p == py_str(bin)) => ctx.noop("pipx bin dir is already in the PATH"),
        _ => {
            ctx.change("add the pipx bin dir to the PATH");
            ctx.shell("pipx ensurepath");
        }
    }
    Ok(())
}
