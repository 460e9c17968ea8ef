//! `pyinfra.operations.snap`: snap packages and their channels.

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, str_or_list};

/// What this module manages.
pub const DOC: &str = "Install and remove snap packages (snapcraft.io) and keep them on a channel.";

/// The operations of `snap`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "package",
    doc: "Install or remove snaps, comparing against `snap list`: missing snaps are installed from \
          `channel` in one `snap install`, unwanted ones removed, and installed snaps tracking another \
          channel are switched with `snap refresh --channel`. Passing no packages does nothing.",
    args: &[
        arg("packages", "str | list[str] | None", Dflt::None, "Snap name(s) to manage."),
        arg("channel", "str", Dflt::Str("latest/stable"), "Channel the snaps should track, e.g. `4.0/stable`."),
        arg("classic", "bool", Dflt::Bool(false), "Install with classic confinement (`--classic`)."),
        arg("present", "bool", Dflt::Bool(true), "Whether the snaps should be installed (False: remove)."),
    ],
    planner: Some(package),
    ..Operation::NEW
}];

fn package(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.get("packages").is_null() {
        return Ok(());
    }
    let channel = py_str(a.get("channel"));
    let present = a.flag("present");
    let installed = ctx.fact("snap.SnapPackages", &[])?;
    let is_installed = |p: &str| installed.as_array().is_some_and(|l| l.iter().any(|n| n.as_str() == Some(p)));
    let (mut install, mut remove, mut refresh) = (Vec::new(), Vec::new(), Vec::new());
    for package in str_or_list(a.get("packages")) {
        match (is_installed(&package), present) {
            (true, true) => {
                let info = ctx.fact("snap.SnapPackage", &[("package", json!(package))])?;
                // Only a known, different tracked channel asks for a refresh.
                if let Some(tracked) = info.get("channel")
                    && *tracked != Value::String(channel.clone())
                {
                    refresh.push(package);
                }
            }
            (true, false) => remove.push(package),
            (false, true) => install.push(package),
            (false, false) => ctx.noop(format!("snap package {package} is not installed")),
        }
    }
    let classic = if a.flag("classic") { " --classic" } else { "" };
    if !install.is_empty() {
        ctx.change(format!("install {}", install.join(" ")));
        ctx.shell(format!("snap install{classic} {} --channel={channel}", install.join(" ")));
    }
    if !remove.is_empty() {
        ctx.change(format!("remove {}", remove.join(" ")));
        ctx.shell(format!("snap remove {}", remove.join(" ")));
    }
    if !refresh.is_empty() {
        ctx.change(format!("switch {} to {channel}", refresh.join(" ")));
        ctx.shell(format!("snap refresh {} --channel={channel}", refresh.join(" ")));
    }
    Ok(())
}
