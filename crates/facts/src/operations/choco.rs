//! `pyinfra.operations.choco`: Chocolatey packages on Windows.

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Manage Windows software with Chocolatey (`choco`), and install Chocolatey itself.";

/// The operations of `choco`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "packages",
        doc: "Make sure Chocolatey packages are installed or uninstalled. Only packages that differ from the \
              installed list (`choco.ChocoPackages`) get a `choco install -y` or `choco uninstall -y -x`, so a \
              repeat run changes nothing. Pin versions as `name:version`; `latest` runs `choco update -y` for \
              installed packages given without a version. Needs an Administrator session.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package name or list of names, optionally as `name:version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Install the packages when true, uninstall them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages that were given without a version."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
    Operation {
        name: "install",
        doc: "Install Chocolatey by downloading and running its official PowerShell install script. Does not \
              check whether Chocolatey is already there: the script runs on every deploy.",
        args: &[],
        planner: Some(install),
        ..Operation::NEW
    },
];

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let current = ctx.fact("choco.ChocoPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some(":")),
        present_flag(a.get("present")),
        "choco install -y".into(),
        "choco uninstall -y -x".into(),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some("choco update -y".into());
    ensure_packages(ctx, &current, &spec)
}

fn install(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("install Chocolatey");
    ctx.shell(
        "Set-ExecutionPolicy Bypass -Scope Process -Force ;iex ((New-Object System.Net.WebClient).DownloadString\
         (\"https://chocolatey.org/install.ps1\"))",
    );
    Ok(())
}
