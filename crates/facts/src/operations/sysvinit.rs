//! `pyinfra.operations.sysvinit`: SysV init scripts and their runlevel links.

use serde_json::json;

use crate::args::Args;
use crate::nested;
use crate::operations::service_control::{ServiceControl, handle_service_control};
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, str_or_list};

/// What this module manages.
pub const DOC: &str = "Control SysV init scripts in `/etc/init.d` and their `/etc/rcN.d` start/stop links.";

/// The operations of `sysvinit`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "service",
        doc: "Start or stop an init script (`/etc/init.d/<service> start|stop`) when its status says it is \
              in the other state; restart and reload happen only when it is running, and a custom \
              `command` always runs. `enabled=True` registers the script only when no `/etc/rc*.d/S*` link \
              exists, and only on Debian/Ubuntu (`update-rc.d`), CentOS/Fedora/RHEL (`chkconfig`) and \
              Gentoo (`rc-update`); `enabled=False` deletes every start link found. For other systems or \
              finer control use `sysvinit.enable`.",
        args: &[
            arg("service", "str", Dflt::Required, "Name of the init script in /etc/init.d."),
            arg("running", "bool", Dflt::Bool(true), "Whether the service should be running (False: stopped)."),
            arg("restarted", "bool", Dflt::Bool(false), "Restart the service if it is already running."),
            arg("reloaded", "bool", Dflt::Bool(false), "Reload the service if it is already running."),
            arg(
                "enabled",
                "bool | None",
                Dflt::None,
                "Start at boot (True) or remove the start links (False); None: leave.",
            ),
            arg("command", "str | None", Dflt::None, "Extra init script verb to run every time, e.g. `reload`."),
        ],
        planner: Some(service),
        ..Operation::NEW
    },
    Operation {
        name: "enable",
        doc: "Enable an init script by hand: create `/etc/rc<level>.d/S<priority><service>` links for the \
              start runlevels and `K<priority><service>` links for the stop runlevels, all pointing at \
              `/etc/init.d/<service>`. Links that already exist are left alone; others in those \
              directories are not removed.",
        args: &[
            arg("service", "str", Dflt::Required, "Name of the init script in /etc/init.d."),
            arg("start_priority", "int", Dflt::Int(20), "Two-digit order of the start (`S`) links."),
            arg("stop_priority", "int", Dflt::Int(80), "Two-digit order of the kill (`K`) links."),
            arg("start_levels", "list", Dflt::Json("[2, 3, 4, 5]"), "Runlevels in which the service is started."),
            arg("stop_levels", "list", Dflt::Json("[0, 1, 6]"), "Runlevels in which the service is stopped."),
        ],
        planner: Some(enable),
        ..Operation::NEW
    },
];

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let service = a.str("service")?;
    let statuses = ctx.fact("sysvinit.InitdStatus", &[])?;
    let control = ServiceControl {
        name: &service,
        formatter: "/etc/init.d/{0} {1}",
        running: a.get("running"),
        restarted: a.flag("restarted"),
        reloaded: a.flag("reloaded"),
        command: a.flag("command").then(|| py_str(a.get("command"))),
    };
    handle_service_control(ctx, &statuses, &control)?;

    let Value::Bool(enabled) = *a.get("enabled") else { return Ok(()) };
    let start_links = ctx.fact(
        "files.FindLinks",
        &[("path", json!("/etc")), ("path_match", json!(format!("/etc/rc*.d/S*{service}")))],
    )?;
    let start_links = str_or_list(&start_links);
    let quoted = quote(&service);
    if enabled && start_links.is_empty() {
        // Without start links, register the script the distribution's own way (where known).
        let distro = ctx.fact("server.LinuxDistribution", &[])?;
        let commands = match distro.get("name").and_then(Value::as_str) {
            Some("Ubuntu" | "Debian") => vec![format!("update-rc.d {quoted} defaults")],
            Some("CentOS" | "Fedora" | "Red Hat Enterprise Linux") => {
                vec![format!("chkconfig {quoted} --add"), format!("chkconfig {quoted} on")]
            }
            Some("Gentoo") => vec![format!("rc-update add {quoted} default")],
            _ => vec![],
        };
        if !commands.is_empty() {
            ctx.change(format!("enable {service}"));
        }
        for command in commands {
            ctx.shell(command);
        }
    } else if !enabled {
        // No state check: every start link found goes.
        for link in start_links {
            ctx.change(format!("remove {link}"));
            ctx.shell(format!("rm -f {}", quote(&link)));
        }
    }
    Ok(())
}

fn enable(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let service = py_str(a.get("service"));
    let (start_priority, stop_priority) = (py_str(a.get("start_priority")), py_str(a.get("stop_priority")));
    let levels = |name: &str| -> Vec<String> {
        match a.get(name) {
            Value::Array(items) => items.iter().map(py_str).collect(),
            // A string iterates by character in Python.
            Value::String(s) => s.chars().map(String::from).collect(),
            _ => vec![],
        }
    };
    let start = levels("start_levels").into_iter().map(|l| format!("/etc/rc{l}.d/S{start_priority}{service}"));
    let stop = levels("stop_levels").into_iter().map(|l| format!("/etc/rc{l}.d/K{stop_priority}{service}"));
    let links: Vec<String> = start.chain(stop).collect();
    for link in links {
        nested(ctx, "files.link", &[("path", json!(link)), ("target", json!(format!("/etc/init.d/{service}")))])?;
    }
    Ok(())
}
