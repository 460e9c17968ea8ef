//! `pyinfra.operations.freebsd.sysrc`: rc.conf variables via sysrc(8).

use serde_json::json;

use super::{jail, push_opt};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg, enum_arg};
use crate::value::{py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Edit FreeBSD rc configuration variables (`/etc/rc.conf` and friends) with `sysrc(8)`.";

/// The operations of `freebsd.sysrc`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "sysrc",
    doc: "Set, extend, shrink or delete an rc.conf variable through `sysrc`. `set` assigns the value but, \
          unless `overwrite` is true, leaves a variable that already has a value untouched; `del` removes the \
          variable and does nothing when it is not set; `add` and `sub` append or remove a word from the \
          value and run every time. Any other `command` is an error.",
    args: &[
        arg("parameter", "str", Dflt::Required, "Name of the variable, e.g. `sshd_enable`."),
        arg("value", "str", Dflt::Required, "Value to set, add or remove (ignored by `del`, but still required)."),
        arg("jail", "str | None", Dflt::None, "Edit the rc files of this jail (`sysrc -j`)."),
        enum_arg(
            "command",
            "str",
            &["add", "sub", "set", "del"],
            Dflt::Str("set"),
            "What to do with the variable: `set`, `add`, `sub` or `del`.",
        ),
        arg("overwrite", "bool", Dflt::Bool(false), "With `set`: replace a value that is already set."),
    ],
    planner: Some(sysrc),
    ..Operation::NEW
}];

fn sysrc(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let parameter = py_str(a.get("parameter"));
    let command = py_str(a.get("command"));
    let mut words = vec!["sysrc".to_string(), "-i".to_string()];
    let is_set = |ctx: &Ctx<'_>| -> Result<bool, PlanError> {
        Ok(truthy(&ctx.fact("freebsd.Sysrc", &[("parameter", json!(parameter)), ("jail", jail(a))])?))
    };
    let sign = match command.as_str() {
        "del" => {
            if !is_set(ctx)? {
                ctx.noop(format!("Cannot find sysrc(8) parameter '{parameter}'"));
                return Ok(());
            }
            words.push("-x".into());
            "="
        }
        "set" => {
            if !a.flag("overwrite") && is_set(ctx)? {
                ctx.noop(format!("sysrc(8) parameter '{parameter}' already set"));
                return Ok(());
            }
            "="
        }
        "add" => "+=",
        "sub" => "-=",
        _ => return Err(PlanError::value(format!("Invalid sysrc command: {command}"))),
    };
    push_opt(&mut words, a, "jail", "-j");
    words.extend(["--".into(), quote(&format!("{parameter}{sign}{}", py_str(a.get("value"))))]);
    ctx.change(format!("sysrc {command} {parameter}"));
    ctx.shell(words.join(" "));
    Ok(())
}
