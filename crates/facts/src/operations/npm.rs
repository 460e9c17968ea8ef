//! `pyinfra.operations.npm`: Node.js packages.

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::py_str;

/// What this module manages.
pub const DOC: &str = "Install, remove and upgrade Node.js packages with `npm`, globally or in a project directory.";

/// The operations of `npm`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Make sure npm packages are installed or removed, either globally (`npm install -g`) or inside \
          a project directory. Installed packages are read from `npm list`, so only missing packages are \
          installed and only present ones removed. A version can be pinned as `<pkg>@<version>`; with \
          `latest`, installed packages given without a version are passed to `npm update` on every run.",
    args: &[
        arg("packages", "str | list[str] | None", Dflt::None, "Package name(s), optionally pinned as `name@version`."),
        arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: uninstall)."),
        arg("latest", "bool", Dflt::Bool(false), "Upgrade installed, unpinned packages to the newest version."),
        arg("directory", "str | None", Dflt::None, "Project directory to manage (default: global packages)."),
    ],
    planner: Some(packages),
    ..Operation::NEW
}];

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let directory = a.get("directory");
    let current = ctx.fact("npm.NpmPackages", &[("directory", directory.clone())])?;
    let npm = |verb: &str| match directory.is_null() {
        true => format!("npm {verb} -g"),
        false => format!("cd {} && npm {verb}", quote(&py_str(directory))),
    };
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some("@")),
        present_flag(a.get("present")),
        npm("install"),
        npm("uninstall"),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some(npm("update"));
    ensure_packages(ctx, &current, &spec)
}
