//! `pyinfra.operations.systemd`: systemd units and the systemd manager.

use serde_json::json;

use crate::args::Args;
use crate::facts::systemd::{UNIT_TYPES, systemctl_command};
use crate::operations::service_control::{ServiceControl, handle_service_control};
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Control systemd units (start, stop, restart, reload, enable at boot) and reload the \
                       systemd manager, system-wide, per user or inside a container/machine.";

/// The operations of `systemd`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "daemon_reload",
        doc: "Make systemd re-read its unit files (`systemctl daemon-reload`), e.g. after a unit file was \
              uploaded or changed. Runs every time.",
        args: &[
            arg("user_mode", "bool", Dflt::Bool(false), "Reload the user's manager (`systemctl --user`)."),
            arg("machine", "str | None", Dflt::None, "Container or machine whose manager to reload."),
            arg("user_name", "str | None", Dflt::None, "User whose manager to reload (`--machine=user@...`)."),
        ],
        planner: Some(daemon_reload),
        ..Operation::NEW
    },
    Operation {
        name: "service",
        doc: "Bring a systemd unit to the wanted state. A name without a unit type suffix is taken as a \
              `.service`. Start/stop only run when the unit's active state differs; restart and reload \
              only happen when the unit is already running; a custom `command` always runs. With \
              `enabled` True/False the unit is enabled/disabled at boot only if needed. Set \
              `daemon_reload` to reload unit files first.",
        args: &[
            arg("service", "str", Dflt::Required, "Unit name (`nginx` or `nginx.service`, `backup.timer`...)."),
            arg("running", "bool", Dflt::Bool(true), "Whether the unit should be active (False: stopped)."),
            arg("restarted", "bool", Dflt::Bool(false), "Restart the unit if it is running."),
            arg("reloaded", "bool", Dflt::Bool(false), "Reload the unit if it is running."),
            arg("command", "str | None", Dflt::None, "Extra `systemctl` verb to run on the unit every time."),
            arg("enabled", "bool | None", Dflt::None, "Enable (True) or disable (False) at boot; None: leave as is."),
            arg("daemon_reload", "bool", Dflt::Bool(false), "Run `systemctl daemon-reload` first."),
            arg("user_mode", "bool", Dflt::Bool(false), "Manage the user's units (`systemctl --user`)."),
            arg("machine", "str | None", Dflt::None, "Container or machine to manage units in."),
            arg("user_name", "str | None", Dflt::None, "User whose units to manage (`--machine=user@...`)."),
        ],
        planner: Some(service),
        ..Operation::NEW
    },
];

/// `systemctl` with the `--user` / `--machine` flags of the call.
fn systemctl(a: &Args) -> String {
    systemctl_command(a.flag("user_mode"), a.get("machine"), a.get("user_name"))
}

fn daemon_reload(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.change("reload systemd unit files");
    ctx.shell(format!("{} daemon-reload", systemctl(a)));
    Ok(())
}

/// The unit name with `.service` appended when it has no unit type suffix.
fn unit_name(service: &str) -> String {
    if UNIT_TYPES.iter().any(|t| service.strip_suffix(t).is_some_and(|s| s.ends_with('.'))) {
        service.to_string()
    } else {
        format!("{service}.service")
    }
}

/// Ask a unit fact (`SystemdStatus` / `SystemdEnabled`) about this one unit.
fn unit_fact(ctx: &Ctx<'_>, fact: &str, a: &Args, unit: &str) -> Result<Value, PlanError> {
    ctx.fact(
        fact,
        &[
            ("user_mode", a.get("user_mode").clone()),
            ("machine", a.get("machine").clone()),
            ("user_name", a.get("user_name").clone()),
            ("services", json!([unit])),
        ],
    )
}

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let systemctl = systemctl(a);
    let unit = unit_name(&a.str("service")?);
    if a.flag("daemon_reload") {
        daemon_reload(ctx, a)?;
    }
    let statuses = unit_fact(ctx, "systemd.SystemdStatus", a, &unit)?;
    let formatter = format!("{systemctl} {{1}} {{0}}");
    let control = ServiceControl {
        name: &unit,
        formatter: &formatter,
        running: a.get("running"),
        restarted: a.flag("restarted"),
        reloaded: a.flag("reloaded"),
        command: a.flag("command").then(|| py_str(a.get("command"))),
    };
    handle_service_control(ctx, &statuses, &control)?;

    // Only a real bool asks for a change of the boot state.
    if let Value::Bool(enabled) = *a.get("enabled") {
        let states = unit_fact(ctx, "systemd.SystemdEnabled", a, &unit)?;
        let is_enabled = states.get(&unit).is_some_and(truthy);
        if enabled != is_enabled {
            let verb = if enabled { "enable" } else { "disable" };
            ctx.change(format!("{verb} {unit}"));
            ctx.shell(format!("{systemctl} {verb} {}", quote(&unit)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::unit_name;

    #[test]
    fn unit_suffixes() {
        assert_eq!(unit_name("nginx"), "nginx.service");
        assert_eq!(unit_name("backup.timer"), "backup.timer");
        assert_eq!(unit_name("xtimer"), "xtimer.service");
        assert_eq!(unit_name("a.b"), "a.b.service");
    }
}
