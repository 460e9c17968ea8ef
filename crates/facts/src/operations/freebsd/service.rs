//! `pyinfra.operations.freebsd.service`: rc(8) services via service(8).

use serde_json::json;

use super::{jail, push_opt};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg, enum_arg};
use crate::value::{Value, py_str, str_or_list, truthy};

/// What this module manages.
pub const DOC: &str = "Control FreeBSD `rc(8)` services with `service(8)`, on the host or inside a jail.";

/// The operations of `freebsd.service`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "service",
    doc: "Bring an rc(8) service into a state, or run one of its commands. Nothing happens when no rc script \
          of that name exists. `started` and `stopped` first check the service's status and only act when it \
          differs; `restarted` and `reloaded` always run; `custom` runs the script with `command` as its \
          arguments. Any other `srvstate` is an error.",
    args: &[
        arg("srvname", "str", Dflt::Required, "Name of the rc(8) service."),
        arg("jail", "str | None", Dflt::None, "Control the service inside this jail (`service -j`)."),
        enum_arg(
            "srvstate",
            "str",
            &["started", "stopped", "restarted", "reloaded", "custom"],
            Dflt::Str("started"),
            "Wanted state, or `custom` to run `command`.",
        ),
        arg(
            "command",
            "str | list[str] | None",
            Dflt::None,
            "With `srvstate=\"custom\"`: the script argument(s) to run, e.g. `configure`.",
        ),
        arg(
            "environment",
            "list[str] | None",
            Dflt::None,
            "Environment variables for the script, each `NAME=value` (`-E`).",
        ),
        arg("verbose", "bool", Dflt::Bool(false), "Make service(8) verbose (`-v`)."),
    ],
    planner: Some(service),
    ..Operation::NEW
}];

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let srvname = py_str(a.get("srvname"));
    let fact_args = [("srvname", json!(srvname)), ("jail", jail(a))];
    if !truthy(&ctx.fact("freebsd.ServiceScript", &fact_args)?) {
        ctx.noop(format!("Cannot find rc(8) script '{srvname}'"));
        return Ok(());
    }
    let mut words = vec!["service".to_string()];
    if a.flag("verbose") {
        words.push("-v".into());
    }
    push_opt(&mut words, a, "jail", "-j");
    if let Value::Array(vars) = a.get("environment") {
        for var in vars {
            words.extend(["-E".into(), quote(&py_str(var))]);
        }
    }
    let name = quote(&srvname);
    let srvstate = py_str(a.get("srvstate"));
    match srvstate.as_str() {
        "started" | "stopped" => {
            let running = truthy(&ctx.fact("freebsd.ServiceStatus", &fact_args)?);
            let start = srvstate == "started";
            if running == start {
                ctx.noop(format!("Service '{srvname}' already {srvstate}"));
                return Ok(());
            }
            words.extend([name, if start { "start" } else { "stop" }.into()]);
        }
        "restarted" => words.extend([name, "restart".into()]),
        "reloaded" => words.extend([name, "reload".into()]),
        "custom" => {
            words.push(name);
            words.extend(str_or_list(a.get("command")).iter().map(|c| quote(c)));
        }
        _ => return Err(PlanError::value(format!("Invalid service command: {srvstate}"))),
    }
    ctx.change(format!("{srvstate} {srvname}"));
    ctx.shell(words.join(" "));
    Ok(())
}
