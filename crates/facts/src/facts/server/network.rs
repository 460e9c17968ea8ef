//! `server.Port` and `server.Ports`: listening sockets from `ss`, `netstat` or FreeBSD's `sockstat`.

use serde_json::json;

use super::util::{int_or_err, is_digits, kernel, kernel_for_parse, py_int, which, which_for_parse};
use crate::args::Args;
use crate::fact_source::{CommandError, FactCtx, FactSource};
use crate::quote::quote;
use crate::value::{Value, py_str};

/// Which tool the command uses, decided from the kernel and whether `ss` exists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tool {
    Ss,
    Netstat,
    Sockstat,
}

fn command_tool(facts: &dyn FactSource) -> Result<Tool, CommandError> {
    let k = kernel(facts)?;
    if k.trim() == "FreeBSD" {
        return Ok(Tool::Sockstat);
    }
    Ok(if which(facts, "ss")? { Tool::Ss } else { Tool::Netstat })
}

fn parse_tool(facts: &dyn FactSource) -> Result<Tool, String> {
    let k = kernel_for_parse(facts)?;
    if k.trim() == "FreeBSD" {
        return Ok(Tool::Sockstat);
    }
    Ok(if which_for_parse(facts, "ss")? { Tool::Ss } else { Tool::Netstat })
}

/// `server.Port`: the socket listening on one port.
pub fn port_command(a: &Args, facts: &dyn FactSource) -> Result<String, CommandError> {
    let port = py_str(a.get("port"));
    let protocol = py_str(a.get("protocol"));
    let flag = if protocol == "tcp" { "t" } else { "u" };
    Ok(match command_tool(facts)? {
        Tool::Sockstat => format!("sockstat -l -p {} -P {}", quote(&port), quote(&protocol)),
        Tool::Ss => format!("ss -lp{flag}n | grep {} || true", quote(&format!(":{port} "))),
        Tool::Netstat => format!("netstat -{flag}lnp 2>/dev/null | awk {}", quote(&format!("$4 ~ /:{port}$/"))),
    })
}

/// `(process, pid)` of the first listener found, or `(None, None)`.
pub fn port_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let found = match parse_tool(ctx.facts)? {
        Tool::Ss => port_ss(ctx.output)?,
        Tool::Netstat => port_netstat(ctx.output)?,
        Tool::Sockstat => port_sockstat(ctx.output)?,
    };
    Ok(match found {
        Some((proc_name, pid)) => json!([proc_name, pid]),
        None => json!([null, null]),
    })
}

fn port_ss(output: &[String]) -> Result<Option<(String, i64)>, String> {
    for line in output {
        if !line.contains('"') || !line.contains("pid=") {
            continue;
        }
        let name = line.split('"').nth(1).unwrap_or_default().to_string();
        let after = line.split("pid=").nth(1).unwrap_or_default();
        return Ok(Some((name, int_or_err(after.split(',').next().unwrap_or_default())?)));
    }
    Ok(None)
}

fn port_netstat(output: &[String]) -> Result<Option<(String, i64)>, String> {
    for line in output {
        for part in line.split_whitespace() {
            if let Some((pid, name)) = part.split_once('/') {
                if is_digits(pid) {
                    return Ok(Some((name.to_string(), int_or_err(pid)?)));
                }
                break;
            }
        }
    }
    Ok(None)
}

fn port_sockstat(output: &[String]) -> Result<Option<(String, i64)>, String> {
    for line in output {
        let line = line.trim();
        if line.is_empty() || line.starts_with("USER") {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() >= 3 {
            return Ok(Some((parts[1].to_string(), int_or_err(parts[2])?)));
        }
    }
    Ok(None)
}

/// `server.Ports`: every listening socket.
pub fn ports_command(_: &Args, facts: &dyn FactSource) -> Result<String, CommandError> {
    Ok(match command_tool(facts)? {
        Tool::Sockstat => "sockstat -l",
        Tool::Ss => "ss -lpuntn || true",
        Tool::Netstat => "netstat -tunp 2>/dev/null || true",
    }
    .to_string())
}

/// A list of `{port, ip, protocol, process}` records.
pub fn ports_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let records = match parse_tool(ctx.facts)? {
        Tool::Ss => ports_ss(ctx.output),
        Tool::Netstat => ports_netstat(ctx.output)?,
        Tool::Sockstat => ports_sockstat(ctx.output),
    };
    Ok(Value::Array(records))
}

fn record(port: i64, ip: &str, protocol: &str, process: &str) -> Value {
    json!({"port": port, "ip": ip, "protocol": protocol, "process": process})
}

fn ports_ss(output: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for line in output {
        if !line.contains('"') || !line.contains("pid=") {
            continue;
        }
        let parts: Vec<&str> = line.split('"').collect();
        let (head, name) = (parts[0], parts.get(1).copied().unwrap_or_default());
        let info: Vec<&str> = head.split_whitespace().collect();
        if info.len() < 2 {
            continue;
        }
        // `ss` without a Netid column starts with the state; with one, the state is second.
        let (protocol, addr_idx) = if ["LISTEN", "UNCONN", "ESTAB", "ESTABLISHED"].contains(&info[0]) {
            (if info[0] == "UNCONN" { "udp" } else { "tcp" }, if info.len() > 3 { 3 } else { 1 })
        } else {
            (if info[1] == "UNCONN" { "udp" } else { "tcp" }, if info.len() > 4 { 4 } else { 1 })
        };
        let Some(addr) = info.get(addr_idx) else {
            continue;
        };
        let Some((ip, port)) = addr.rsplit_once(':') else {
            continue;
        };
        let mut ip = ip;
        if let Some(inner) = ip.strip_prefix('[') {
            ip = inner.split_once(']').map(|(i, _)| i).unwrap_or(inner);
        }
        let ip = ip.split('%').next().unwrap_or_default();
        let Some(port) = py_int(port) else { continue };
        out.push(record(port, ip, protocol, name));
    }
    out
}

fn ports_netstat(output: &[String]) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for line in output {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = parts.first() else { continue };
        let protocol = if first.starts_with("tcp") { "tcp" } else { "udp" };
        for (i, part) in parts.iter().enumerate() {
            let Some((pid, name)) = part.split_once('/') else {
                continue;
            };
            if !is_digits(pid) {
                continue;
            }
            if i > 0 {
                let addr = parts.get(3).ok_or("list index out of range")?;
                if let Some((ip, port)) = addr.rsplit_once(':') {
                    // A bad port skips to the next column, as pyinfra's `continue` does.
                    let Some(port) = py_int(port) else { continue };
                    out.push(record(port, ip, protocol, name));
                }
            }
            break;
        }
    }
    Ok(out)
}

fn ports_sockstat(output: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for line in output {
        let line = line.trim();
        if line.is_empty() || line.starts_with("USER") {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() < 6 {
            continue;
        }
        let local = parts[5];
        let (ip, port) = if let Some((ip, port)) = local.rsplit_once(':') {
            (ip, port)
        } else if let Some(port) = local.strip_prefix("*.") {
            ("*", port)
        } else {
            continue;
        };
        let Some(port) = py_int(port) else { continue };
        out.push(record(port, ip, parts[4], parts[1]));
    }
    out
}
