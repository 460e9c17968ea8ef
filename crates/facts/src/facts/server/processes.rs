//! `server.Processes` (from `ps`) and `server.KernelModules` (`/proc/modules` or FreeBSD's `kldstat`).

use serde_json::json;

use super::util::{int_or_err, kernel, kernel_for_parse, py_float, py_int, split_ws, which, which_for_parse};
use crate::args::Args;
use crate::fact_source::{CommandError, FactCtx, FactSource};
use crate::quote::quote;
use crate::value::{Map, Value, py_str};

const FULL_FIELDS: &str = "pid,user,stat,%cpu,%mem,comm,args";
/// BusyBox `ps` only has reliable pid, user, vsz, stat and args columns.
const BUSYBOX_FIELDS: &str = "pid,user,vsz,stat,args";

fn is_bsd(kernel: &str) -> bool {
    matches!(kernel.trim(), "FreeBSD" | "Darwin")
}

/// `server.Processes`: all processes, or one PID.
pub fn processes_command(a: &Args, facts: &dyn FactSource) -> Result<String, CommandError> {
    let bsd = is_bsd(&kernel(facts)?);
    let busybox = !bsd && which(facts, "busybox")?;
    let fields = if busybox { BUSYBOX_FIELDS } else { FULL_FIELDS };
    Ok(match a.get("pid") {
        Value::Null if bsd => format!("LANG=C ps -eo {fields}"),
        Value::Null if busybox => format!("LANG=C ps -o {fields}"),
        Value::Null => format!("LANG=C ps -eo {fields} --no-headers"),
        pid if busybox => format!("LANG=C ps -o {fields} | awk {}", quote(&format!("NR==1 || $1=={}", py_str(pid)))),
        pid => format!("LANG=C ps -p {} -o {fields}", quote(&py_str(pid))),
    })
}

/// PID -> user, state, CPU and memory percentages, command and arguments.
pub fn processes_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let busybox = !is_bsd(&kernel_for_parse(ctx.facts)?) && which_for_parse(ctx.facts, "busybox")?;
    let mut out = Map::new();
    for line in ctx.output {
        let line = line.trim();
        if line.is_empty() || line.starts_with("PID") {
            continue;
        }
        let record = if busybox { busybox_line(line) } else { full_line(line)? };
        if let Some((pid, value)) = record {
            out.insert(pid.to_string(), value);
        }
    }
    Ok(Value::Object(out))
}

fn float_or_err(s: &str) -> Result<f64, String> {
    py_float(s).ok_or_else(|| format!("could not convert string to float: {s:?}"))
}

fn full_line(line: &str) -> Result<Option<(i64, Value)>, String> {
    let parts = split_ws(line, 6);
    if parts.len() < 6 {
        return Ok(None);
    }
    let Some(pid) = py_int(&parts[0]) else {
        return Ok(None);
    };
    let args = parts.get(6).unwrap_or(&parts[5]);
    Ok(Some((
        pid,
        json!({
            "user": parts[1],
            "state": parts[2],
            "cpu_percent": float_or_err(&parts[3])?,
            "mem_percent": float_or_err(&parts[4])?,
            "command": parts[5],
            "args": args,
        }),
    )))
}

fn busybox_line(line: &str) -> Option<(i64, Value)> {
    let parts = split_ws(line, 4);
    if parts.len() < 5 {
        return None;
    }
    let pid = py_int(&parts[0])?;
    let args = &parts[4];
    let command = args.split_whitespace().next().map(|w| w.rsplit('/').next().unwrap_or(w)).unwrap_or_default();
    Some((
        pid,
        json!({
            "user": parts[1],
            "state": parts[3],
            "cpu_percent": 0.0,
            "mem_percent": 0.0,
            "command": command,
            "args": args,
        }),
    ))
}

/// `server.KernelModules`: `kldstat` on FreeBSD, `/proc/modules` elsewhere.
pub fn kernel_modules_command(_: &Args, facts: &dyn FactSource) -> Result<String, CommandError> {
    Ok(if kernel(facts)?.trim() == "FreeBSD" {
        "kldstat | tail +2".into()
    } else {
        "! test -f /proc/modules || cat /proc/modules".into()
    })
}

/// Module name -> size, instances, state (and dependencies) or FreeBSD's id, refs, address, size.
pub fn kernel_modules_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let freebsd = kernel_for_parse(ctx.facts)?.trim() == "FreeBSD";
    let mut out = Map::new();
    for line in ctx.output {
        if freebsd {
            let parts = split_ws(line, 4);
            let [id, refs, address, size, name] = &parts[..] else {
                return Err(format!("expected 5 fields in kldstat line {line:?}"));
            };
            out.insert(name.clone(), json!({"address": address, "id": id, "refs": refs, "size": size}));
        } else {
            let parts: Vec<&str> = line.splitn(6, ' ').collect();
            let [name, size, instances, depends, state, _] = parts[..] else {
                return Err(format!("expected 6 fields in /proc/modules line {line:?}"));
            };
            let mut module = json!({"size": size, "instances": int_or_err(instances)?, "state": state});
            if depends != "-" {
                let deps: Vec<&str> = depends.split(',').filter(|d| !d.is_empty()).collect();
                module["depends"] = json!(deps);
            }
            out.insert(name.to_string(), module);
        }
    }
    Ok(Value::Object(out))
}
