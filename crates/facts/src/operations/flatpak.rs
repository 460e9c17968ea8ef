//! `pyinfra.operations.flatpak`: Flatpak applications and runtimes.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, str_or_list};

/// What this module manages.
pub const DOC: &str = "Install and remove Flatpak applications and runtimes.";

/// The operations of `flatpak`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Make sure Flatpak applications or runtimes (given by ID, e.g. `org.videolan.VLC`) are installed or \
          uninstalled. The IDs are compared with `flatpak list` (`flatpak.FlatpakPackages`): all missing ones \
          are installed in one non-interactive `flatpak install`, all unwanted ones removed in one \
          `flatpak uninstall`, and nothing runs when everything already matches.",
    args: &[
        arg("packages", "str | list[str] | None", Dflt::None, "Application/runtime ID or list of IDs."),
        arg("remote", "str | None", Dflt::None, "Remote to install from, e.g. `flathub`."),
        arg("present", "bool", Dflt::Bool(true), "Install the packages when true, uninstall them when false."),
    ],
    planner: Some(packages),
    ..Operation::NEW
}];

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.get("packages").is_null() {
        return Ok(());
    }
    let installed = ctx.fact("flatpak.FlatpakPackages", &[])?;
    let is_installed = |p: &str| installed.as_array().is_some_and(|l| l.iter().any(|n| n.as_str() == Some(p)));
    let present = a.flag("present");
    let remote = match a.get("remote") {
        Value::Null => String::new(),
        r => py_str(r).trim().to_string(),
    };
    let (mut install, mut remove) = (Vec::new(), Vec::new());
    for package in str_or_list(a.get("packages")) {
        match (is_installed(&package), present) {
            (true, true) => {}
            (true, false) => remove.push(package),
            (false, true) => install.push(package),
            (false, false) => ctx.noop(format!("flatpak package {package} is not installed")),
        }
    }
    let quoted = |list: &[String]| list.iter().map(|p| quote(p)).collect::<Vec<_>>().join(" ");
    if !install.is_empty() {
        ctx.change(format!("install {}", install.join(" ")));
        let from = if remote.is_empty() { String::new() } else { format!(" {}", quote(&remote)) };
        ctx.shell(format!("flatpak install --noninteractive{from} {}", quoted(&install)));
    }
    if !remove.is_empty() {
        ctx.change(format!("remove {}", remove.join(" ")));
        ctx.shell(format!("flatpak uninstall --noninteractive {}", quoted(&remove)));
    }
    Ok(())
}
