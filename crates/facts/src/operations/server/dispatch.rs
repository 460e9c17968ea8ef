//! `server.service` and `server.packages`: find the host's init system or package manager and
//! hand over to that module's operation.

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::value::{py_str, truthy};

fn has(ctx: &Ctx<'_>, command: &str) -> Result<bool, PlanError> {
    Ok(truthy(&ctx.fact("server.Which", &[("command", json!(command))])?))
}

fn fact_true(ctx: &Ctx<'_>, fact: &str, path: &str) -> Result<bool, PlanError> {
    Ok(truthy(&ctx.fact(fact, &[("path", json!(path))])?))
}

/// The `service` operation for the first init system found, in pyinfra's order.
fn init_system(ctx: &Ctx<'_>) -> Result<&'static str, PlanError> {
    for (command, op) in [
        ("systemctl", "systemd.service"),
        ("rc-service", "openrc.service"),
        ("initctl", "upstart.service"),
        ("sv", "runit.service"),
    ] {
        if has(ctx, command)? {
            return Ok(op);
        }
    }
    // Before sysvinit: the BSDs ship their own `service` command, which is not the Linux wrapper.
    let os = py_str(&ctx.fact("server.Os", &[])?);
    if ["FreeBSD", "OpenBSD", "NetBSD", "DragonFly"].contains(&os.as_str())
        && fact_true(ctx, "files.Directory", "/etc/rc.d")?
    {
        return Ok("bsdinit.service");
    }
    if has(ctx, "service")?
        || fact_true(ctx, "files.Link", "/etc/init.d")?
        || fact_true(ctx, "files.Directory", "/etc/init.d")?
    {
        return Ok("sysvinit.service");
    }
    Err(PlanError::op("No init system found (no systemctl, initctl, /etc/init.d or /etc/rc.d found)"))
}

/// Start, stop, restart, reload or enable a service with whichever init system the host has.
pub fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let op = init_system(ctx)?;
    let keys = ["service", "running", "restarted", "reloaded", "command", "enabled"];
    let kw: Vec<(&str, _)> = keys.iter().map(|k| (*k, a.get(k).clone())).collect();
    crate::nested(ctx, op, &kw)
}

/// The `packages` operation of the first package manager found, in pyinfra's order (zypper first,
/// as openSUSE also ships apt-like tools).
fn package_manager(ctx: &Ctx<'_>) -> Result<&'static str, PlanError> {
    let candidates: [(&[&str], &str); 9] = [
        (&["zypper"], "zypper.packages"),
        (&["apk"], "apk.packages"),
        (&["apt"], "apt.packages"),
        (&["brew"], "brew.packages"),
        (&["dnf"], "dnf.packages"),
        (&["pacman"], "pacman.packages"),
        (&["xbps-install", "xbps"], "xbps.packages"),
        (&["yum"], "yum.packages"),
        (&["pkg", "pkg_add"], "pkg.packages"),
    ];
    for (commands, op) in candidates {
        for command in commands {
            if has(ctx, command)? {
                return Ok(op);
            }
        }
    }
    Err(PlanError::op(
        "No system package manager found (no apk, apt, brew, dnf, pacman, pkg, xbps, yum or zypper found)",
    ))
}

/// Install or remove packages with whichever package manager the host has.
pub fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let op = package_manager(ctx)?;
    crate::nested(ctx, op, &[("packages", a.get("packages").clone()), ("present", a.get("present").clone())])
}
