//! `pyinfra.operations.runit`: runit services, their SVDIR links and `down` files.

use serde_json::json;

use crate::args::Args;
use crate::nested;
use crate::operations::service_control::{ServiceControl, handle_service_control};
use crate::plan::{Ctx, PlanError};
use crate::schema::{Arg, Dflt, Operation, arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Supervise services with runit: link service directories into the supervised directory \
                       (SVDIR), control them with `sv`, and manage their `down` files.";

/// `service`: the service directory name every operation takes.
const SERVICE: Arg = arg("service", "str", Dflt::Required, "Name of the service directory.");
/// `svdir`: where supervised services are linked.
const SVDIR: Arg =
    arg("svdir", "str", Dflt::Str("/var/service"), "Supervised directory (SVDIR); another one serves user services.");
/// `sourcedir`: where available services live.
const SOURCEDIR: Arg =
    arg("sourcedir", "str", Dflt::Str("/etc/sv"), "Directory holding the available service directories.");

/// The operations of `runit`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "service",
        doc: "Bring a runit service to the wanted state. It first makes sure the service is linked into \
              SVDIR (or unlinked with `managed=False`); a newly linked service gets a `down` file so it \
              does not start on its own, and the operation waits up to 10 seconds for its `runsv` to come \
              up. `enabled` then creates or removes `<sourcedir>/<service>/down` (otherwise its previous \
              state is restored). For managed services, `sv start`/`sv stop` run only when the current \
              state differs, restart/reload only when it is running, and a custom `command` always runs.",
        args: &[
            SERVICE,
            arg("running", "bool", Dflt::Bool(true), "Whether the service should be running (False: stopped)."),
            arg("restarted", "bool", Dflt::Bool(false), "Restart the service if it is already running."),
            arg("reloaded", "bool", Dflt::Bool(false), "Reload (HUP) the service if it is already running."),
            arg(
                "command",
                "str | None",
                Dflt::None,
                "Extra `sv` command to run every time (`sv <command> <service>`).",
            ),
            arg("enabled", "bool | None", Dflt::None, "Start automatically (no `down` file) or not; None: keep as is."),
            arg(
                "managed",
                "bool",
                Dflt::Bool(true),
                "Whether runit supervises the service (its link in SVDIR exists).",
            ),
            SVDIR,
            SOURCEDIR,
        ],
        planner: Some(service),
        ..Operation::NEW
    },
    Operation {
        name: "manage",
        doc: "Create or remove the symlink `<svdir>/<service>` -> `<sourcedir>/<service>` that puts a \
              service under runit supervision, like `files.link`; nothing happens when it is already as \
              wanted. SVDIR itself must exist.",
        args: &[
            SERVICE,
            arg("managed", "bool", Dflt::Bool(true), "Whether the link should exist (False: remove it)."),
            SVDIR,
            SOURCEDIR,
        ],
        planner: Some(manage),
        ..Operation::NEW
    },
    Operation {
        name: "wait_runsv",
        doc: "Poll `sv status` once a second until the service's `runsv` supervisor answers, failing after \
              `timeout` seconds. Useful right after linking a service, as `runsvdir` only scans SVDIR every \
              few seconds. It runs every time (not idempotent).",
        args: &[SERVICE, SVDIR, arg("timeout", "int", Dflt::Int(10), "Seconds to wait before failing.")],
        planner: Some(wait_runsv),
        ..Operation::NEW
    },
    Operation {
        name: "auto",
        doc: "Control whether runit starts a service by itself, through the `<sourcedir>/<service>/down` \
              file: it is removed to start automatically and created to keep the service down until \
              started explicitly. Nothing happens when the file is already as wanted.",
        args: &[
            SERVICE,
            arg("auto", "bool", Dflt::Bool(true), "Whether the service should start automatically (no `down` file)."),
            SOURCEDIR,
        ],
        planner: Some(auto),
        ..Operation::NEW
    },
];

/// The string value of an argument (pyinfra formats them into paths with `str()`).
fn s(a: &Args, name: &str) -> String {
    py_str(a.get(name))
}

fn service(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (service, svdir, sourcedir) = (a.str("service")?, s(a, "svdir"), s(a, "sourcedir"));
    let managed = a.flag("managed");
    let on_svdir = [("service", json!(service)), ("svdir", json!(svdir))];
    let managed_now = ctx.fact("runit.RunitManaged", &on_svdir)?;
    let was_managed = managed_now.as_array().is_some_and(|m| m.iter().any(|n| n.as_str() == Some(&service)));
    let down = ctx.fact("files.File", &[("path", json!(format!("{sourcedir}/{service}/down")))])?;
    let was_auto = !truthy(&down);
    let auto_args = |auto: Value| [("service", json!(service)), ("auto", auto), ("sourcedir", json!(sourcedir))];

    // Keep a newly managed service from starting by itself before its wanted state is applied.
    if !was_managed && managed && was_auto {
        nested(ctx, "runit.auto", &auto_args(json!(false)))?;
    }
    nested(
        ctx,
        "runit.manage",
        &[
            ("service", json!(service)),
            ("managed", json!(managed)),
            ("svdir", json!(svdir)),
            ("sourcedir", json!(sourcedir)),
        ],
    )?;
    // runsvdir only scans SVDIR every few seconds: wait for the new service's runsv.
    if !was_managed && managed {
        nested(ctx, "runit.wait_runsv", &[("service", json!(service)), ("svdir", json!(svdir))])?;
    }
    let auto = match a.get("enabled") {
        Value::Bool(enabled) => *enabled,
        _ => was_auto,
    };
    nested(ctx, "runit.auto", &auto_args(json!(auto)))?;

    if !managed {
        return Ok(());
    }
    let statuses = ctx.fact("runit.RunitStatus", &on_svdir)?;
    let formatter = format!("SVDIR={svdir} sv {{1}} {{0}}");
    let control = ServiceControl {
        name: &service,
        formatter: &formatter,
        running: a.get("running"),
        restarted: a.flag("restarted"),
        reloaded: a.flag("reloaded"),
        command: a.flag("command").then(|| s(a, "command")),
    };
    handle_service_control(ctx, &statuses, &control)
}

fn manage(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (service, svdir, sourcedir) = (s(a, "service"), s(a, "svdir"), s(a, "sourcedir"));
    nested(
        ctx,
        "files.link",
        &[
            ("path", json!(format!("{svdir}/{service}"))),
            ("target", json!(format!("{sourcedir}/{service}"))),
            ("present", a.get("managed").clone()),
            ("create_remote_dir", json!(false)),
        ],
    )
}

fn wait_runsv(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (service, svdir, timeout) = (s(a, "service"), s(a, "svdir"), s(a, "timeout"));
    ctx.change(format!("wait for runsv of {service}"));
    ctx.shell(format!(
        "export SVDIR={svdir}\nfor i in $(seq {timeout}); do\n    sv status {service} > /dev/null && exit 0\n    \
         sleep 1;\ndone\nexit 1"
    ));
    Ok(())
}

fn auto(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (service, sourcedir) = (s(a, "service"), s(a, "sourcedir"));
    nested(
        ctx,
        "files.file",
        &[
            ("path", json!(format!("{sourcedir}/{service}/down"))),
            ("present", json!(!a.flag("auto"))),
            ("create_remote_dir", json!(false)),
        ],
    )
}
