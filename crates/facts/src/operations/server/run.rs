//! Planners that run things: reboot, wait for a port, shell code, scripts, kill.

use serde_json::json;

use super::py::iter_items;
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::value::{Map, Value, py_str};

/// The callbacks are executor built-ins; `wait_and_reconnect` reads `delay`, `interval` and
/// `reboot_timeout` from this call's own arguments, as pyinfra's closure does.
pub fn reboot(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("reboot and wait for the host to come back");
    ctx.callback("remove_any_askpass_file", vec![], Map::new());
    ctx.callback("capture_uptime", vec![], Map::new());
    // Detached so the connection closes at once instead of hanging on the dying session.
    ctx.shell("( sleep 1 && reboot ) </dev/null >/dev/null 2>&1 &");
    ctx.callback("wait_and_reconnect", vec![], Map::new());
    ctx.callback("clean_sudo_info", vec![], Map::new());
    Ok(())
}

/// A shell loop polling `netstat` until the port listens.
pub fn wait(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let port = py_str(a.get("port"));
    ctx.change(format!("wait for port {port}"));
    ctx.shell(format!(
        "while ! (netstat -an | grep LISTEN | grep -e \"\\.{port}\" -e \":{port}\"); do\n            \
         echo \"waiting for port {port}...\"\n            sleep 1\n        done"
    ));
    Ok(())
}

/// Each command as given (strings are stripped, as pyinfra does with every string command).
pub fn shell(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let commands = match a.get("commands") {
        Value::String(s) => vec![Value::String(s.clone())],
        other => iter_items(other)?,
    };
    for c in commands {
        ctx.shell(py_str(&c).trim().to_string());
    }
    Ok(())
}

/// `chmod +x TEMP` then `TEMP ARGS...` (arguments are passed as written, unquoted).
fn run_uploaded(ctx: &mut Ctx<'_>, temp: &str, args: &Value) -> Result<(), PlanError> {
    ctx.shell(format!("chmod +x {}", quote(temp)));
    let mut words = vec![temp.to_string()];
    words.extend(iter_items(args)?.iter().map(py_str));
    ctx.shell(words.join(" "));
    Ok(())
}

/// Upload a local script to a temporary file and run it.
pub fn script(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    // pyinfra asks for a fresh temporary name (no key).
    let temp = ctx.env.temp_filename("");
    ctx.change(format!("run script {}", py_str(a.get("src"))));
    crate::nested(ctx, "files.put", &[("src", a.get("src").clone()), ("dest", json!(temp))])?;
    run_uploaded(ctx, &temp, a.get("args"))
}

/// Render a local template to a temporary file and run it.
pub fn script_template(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let src = py_str(a.get("src"));
    let data = Value::Object(a.extra.clone());
    let temp = ctx.env.temp_filename(&format!("{src}{}", py_str(&data)));
    ctx.change(format!("run script template {src}"));
    let mut kw: Vec<(&str, Value)> = vec![("src", a.get("src").clone()), ("dest", json!(temp))];
    kw.extend(a.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
    crate::nested(ctx, "files.template", &kw)?;
    run_uploaded(ctx, &temp, a.get("args"))
}

/// `kill -SIGNAL PID`.
pub fn kill(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (pid, signal) = (py_str(a.get("pid")), py_str(a.get("signal")));
    ctx.change(format!("send {signal} to process {pid}"));
    ctx.shell(format!("kill {} {}", quote(&format!("-{signal}")), quote(&pid)));
    Ok(())
}
