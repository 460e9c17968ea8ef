//! Commands and parsers of the simpler `server` facts: one-line values, key/value listings, logs.

use serde_json::json;

use super::util::{int_or_err, joined, kernel, kernel_for_parse, py_float, try_int};
use crate::args::Args;
use crate::fact_source::{CommandError, FactCtx, FactSource};
use crate::quote::quote;
use crate::value::{Map, Value, py_repr_str, py_str};

/// pyinfra's default `process()`: the output as one string.
pub fn parse_joined(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::String(joined(ctx.output)))
}

/// The first output line (an `IndexError` in pyinfra when there is none).
fn first_line<'a>(ctx: &'a FactCtx<'_>) -> Result<&'a str, String> {
    ctx.output.first().map(String::as_str).ok_or_else(|| "list index out of range".to_string())
}

/// A user name that may follow `~` unquoted: `[a-zA-Z0-9._][a-zA-Z0-9._-]*`.
fn safe_username(user: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_';
    let mut chars = user.chars();
    chars.next().is_some_and(ok) && chars.all(|c| ok(c) || c == '-')
}

/// `~user` cannot be quoted without losing tilde expansion, so unsafe names are refused.
fn check_tilde_username(user: &Value) -> Result<String, CommandError> {
    let name = py_str(user);
    if crate::value::truthy(user) && !safe_username(&name) {
        return Err(CommandError::Invalid(format!(
            "Unsafe username for shell tilde expansion: {}",
            py_repr_str(&name)
        )));
    }
    Ok(name)
}

/// `server.Home`: `echo ~user`.
pub fn home_command(a: &Args, _: &dyn FactSource) -> Result<String, CommandError> {
    Ok(format!("echo ~{}", check_tilde_username(a.get("user"))?))
}

/// `server.Uptime`: `/proc/uptime` on Linux, boot time arithmetic on Darwin and FreeBSD.
pub fn uptime_command(_: &Args, facts: &dyn FactSource) -> Result<String, CommandError> {
    let k = kernel(facts)?;
    Ok(if k == "Darwin" || k == "FreeBSD" {
        "date +%s; sysctl -n kern.boottime | awk '{print $4}' | tr -d ','".into()
    } else {
        "cut -d. -f1 /proc/uptime".into()
    })
}

/// Seconds of uptime, from the command chosen by [`uptime_command`].
pub fn uptime_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let k = kernel_for_parse(ctx.facts)?;
    let line = |i: usize| ctx.output.get(i).ok_or_else(|| "list index out of range".to_string());
    let now = int_or_err(line(0)?)?;
    if k == "Darwin" || k == "FreeBSD" {
        return Ok(Value::from(now - int_or_err(line(1)?)?));
    }
    Ok(Value::from(now))
}

/// `server.Command`: the command itself.
pub fn command_command(a: &Args) -> String {
    py_str(a.get("command"))
}

/// The first line of output.
pub fn first_line_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    first_line(ctx).map(|l| Value::String(l.to_string()))
}

/// `server.Which`: `command -v NAME || true`.
pub fn which_command(a: &Args) -> String {
    format!("command -v {} || true", quote(&py_str(a.get("command"))))
}

/// `server.Date`: `strptime(line, "%Y-%m-%dT%H:%M:%S%z")`, as ISO-8601.
pub fn date_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let line = first_line(ctx)?;
    parse_iso_with_offset(line)
        .map(Value::String)
        .ok_or_else(|| format!("time data {} does not match format '%Y-%m-%dT%H:%M:%S%z'", py_repr_str(line)))
}

/// Parse `YYYY-MM-DDTHH:MM:SS±HHMM` (or `Z`, `±HH:MM`) into Python's `isoformat()`.
fn parse_iso_with_offset(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = s.get(from..from + len)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 61
    {
        return None;
    }
    let offset = format_offset(s.get(19..)?)?;
    Some(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{offset}"))
}

/// A `%z` offset (`+0100`, `+01:00`, `Z`) as `isoformat()` writes it.
pub fn format_offset(z: &str) -> Option<String> {
    if z == "Z" || z == "z" {
        return Some("+00:00".into());
    }
    let sign = match z.chars().next()? {
        c @ ('+' | '-') => c,
        _ => return None,
    };
    let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = (&digits[0..2], &digits[2..4]);
    if h.parse::<u32>().ok()? > 23 || m.parse::<u32>().ok()? > 59 {
        return None;
    }
    let secs = digits.get(4..6).filter(|s| *s != "00").map(|s| format!(":{s}")).unwrap_or_default();
    Some(format!("{sign}{h}:{m}{secs}"))
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `server.Sysctl`: all settings, or the given keys.
pub fn sysctl_command(a: &Args) -> String {
    let keys: Vec<String> = match a.get("keys") {
        Value::Null => return "sysctl -a 2>/dev/null || true".into(),
        // A string is iterated character by character, as Python does.
        Value::String(s) => s.chars().map(|c| quote(&c.to_string())).collect(),
        Value::Array(items) => items.iter().map(|k| quote(&py_str(k))).collect(),
        Value::Object(o) => o.keys().map(|k| quote(k)).collect(),
        other => vec![quote(&py_str(other))],
    };
    let mut words = vec!["sysctl".to_string()];
    words.extend(keys);
    words.push("2>/dev/null || true".into());
    words.join(" ")
}

/// Sysctl values: integers where they are, lists for space-separated values, else text.
pub fn sysctl_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut out = Map::new();
    for line in ctx.output {
        let Some((key, values)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            continue;
        };
        if key.is_empty() || values.is_empty() {
            continue;
        }
        let (key, values) = (key.trim(), values.trim());
        let simple = !values.is_empty()
            && values.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c) || c.is_whitespace());
        let value = if simple {
            let mut items: Vec<Value> = values.split_whitespace().map(try_int).collect();
            if items.len() == 1 { items.remove(0) } else { Value::Array(items) }
        } else {
            Value::String(values.to_string())
        };
        out.insert(key.to_string(), value);
    }
    Ok(Value::Object(out))
}

/// Group names from `/etc/group`.
pub fn groups_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(ctx
        .output
        .iter()
        .filter(|l| l.contains(':'))
        .map(|l| Value::String(l.split(':').next().unwrap_or_default().to_string()))
        .collect())
}

/// `lsb_release -ca` as a mapping (`Distributor ID` becomes `id`).
pub fn lsb_release_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut out = Map::new();
    for line in ctx.output {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_lowercase();
        let key = if key.contains(' ') { key.rsplit(' ').next().unwrap_or_default().to_string() } else { key };
        out.insert(key, Value::String(value.trim().to_string()));
    }
    Ok(Value::Object(out))
}

/// `/etc/os-release` as a mapping with lower-case keys and unquoted values.
pub fn os_release_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut out = Map::new();
    for line in ctx.output {
        if let Some((key, value)) = line.split_once('=') {
            out.insert(key.trim().to_lowercase(), Value::String(value.trim().trim_matches('"').to_string()));
        }
    }
    Ok(Value::Object(out))
}

/// The SELinux mode from `sestatus`.
pub fn selinux_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let all = joined(ctx.output);
    let mode = all.strip_prefix("SELinux status:").and_then(|rest| {
        let after = rest.trim_start();
        (after.len() < rest.len()).then_some(())?;
        let word: String = after.chars().take_while(|c| !c.is_whitespace()).collect();
        (!word.is_empty()).then_some(word)
    });
    Ok(json!({ "mode": mode }))
}

/// Desktop sessions pyinfra recognises, by binary.
const KNOWN_GUIS: &[(&str, &str)] = &[
    ("/usr/bin/gnome-session", "GNOME"),
    ("/usr/bin/mate-session", "MATE"),
    ("/usr/bin/lxsession", "LXDE"),
    ("/usr/bin/plasma_session", "KDE Plasma"),
    ("/usr/bin/xfce4-session", "XFCE 4"),
];

/// Names of the known desktop sessions installed.
pub fn linux_gui_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(ctx
        .output
        .iter()
        .filter_map(|l| KNOWN_GUIS.iter().find(|(bin, _)| bin == l).map(|(_, name)| Value::String(name.to_string())))
        .collect())
}

/// `server.HasGui` from `server.LinuxGui`.
pub fn has_gui(v: &Value) -> Value {
    Value::Bool(v.as_array().is_some_and(|a| !a.is_empty()))
}

/// Locale names, with `utf8` spelled `UTF-8` as in `/etc/locale.gen`.
pub fn locales_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(ctx.output.iter().map(|l| Value::String(l.replace("utf8", "UTF-8"))).collect())
}

/// Entries of `/etc/security/limits.conf` (four fields per line, comments skipped).
pub fn security_limits_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut out = Vec::new();
    for line in ctx.output {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let [domain, limit_type, item, value] = f[..] else {
            return Err(format!("expected 4 fields in limits line {line:?}, found {}", f.len()));
        };
        out.push(json!({"domain": domain, "limit_type": limit_type, "item": item, "value": value}));
    }
    Ok(Value::Array(out))
}

/// Whether the script printed `reboot_required`.
pub fn reboot_required_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::Bool(first_line(ctx)?.trim() == "reboot_required"))
}

/// `server.EtcHosts`: `cat PATH 2>/dev/null || true`.
pub fn etc_hosts_command(a: &Args) -> String {
    format!("cat {} 2>/dev/null || true", quote(&py_str(a.get("path"))))
}

/// IP -> host names, merged over repeated lines, comments and blank lines ignored.
pub fn etc_hosts_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut out: Map<String, Value> = Map::new();
    for raw in ctx.output {
        let line = raw.split('#').next().unwrap_or_default().trim();
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [ip, names @ ..] = &parts[..] else {
            continue;
        };
        if names.is_empty() {
            continue;
        }
        let entry = out.entry(ip.to_string()).or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(existing) = entry {
            for name in names {
                if !existing.iter().any(|e| e == name) {
                    existing.push(Value::String(name.to_string()));
                }
            }
        }
    }
    Ok(Value::Object(out))
}

/// `server.AuthorizedKeys`: the given file, or `~user/.ssh/authorized_keys`.
pub fn authorized_keys_command(a: &Args, _: &dyn FactSource) -> Result<String, CommandError> {
    match a.get("path") {
        Value::Null => {
            Ok(format!("cat ~{}/.ssh/authorized_keys 2>/dev/null || true", check_tilde_username(a.get("user"))?))
        }
        path => Ok(format!("cat {} 2>/dev/null || true", quote(&py_str(path)))),
    }
}

/// Key lines, without blanks and comments, in file order.
pub fn authorized_keys_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(ctx
        .output
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Value::String(l.to_string()))
        .collect())
}

const WEEKDAYS: &[&str] = &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Login records of `last` / `lastb`: user, tty, host and the raw time text.
pub fn last_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut out = Vec::new();
    for raw in ctx.output {
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        let lower = line.to_lowercase();
        let skip = ["wtmp begins", "btmp begins", "user ", "username "];
        if skip.iter().any(|p| lower.starts_with(p)) {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() < 3 {
            continue;
        }
        let (tty, rest) = if parts[0] == "reboot" && parts[1] == "system" && parts[2] == "boot" {
            ("system boot".to_string(), &parts[3..])
        } else {
            (parts[1].to_string(), &parts[2..])
        };
        let Some(first) = rest.first() else { continue };
        let (host, time) = if WEEKDAYS.contains(first) { ("", rest) } else { (*first, &rest[1..]) };
        out.push(json!({"user": parts[0], "tty": tty, "host": host, "time": time.join(" ")}));
    }
    Ok(Value::Array(out))
}

/// Load averages from `/proc/loadavg`, or from `uptime`'s `load average(s):` text.
pub fn load_average_parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    for raw in ctx.output {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.len() >= 3
            && let (Some(a), Some(b), Some(c)) = (py_float(tokens[0]), py_float(tokens[1]), py_float(tokens[2]))
        {
            return Ok(json!({"1": a, "5": b, "15": c}));
        }
        if let Some([a, b, c]) = uptime_loads(line) {
            let f = |s: &str| py_float(s).ok_or_else(|| format!("could not convert string to float: {s:?}"));
            return Ok(json!({"1": f(a)?, "5": f(b)?, "15": f(c)?}));
        }
    }
    Ok(json!({}))
}

/// The three numbers after `load average:` / `load averages:` (regex search semantics).
fn uptime_loads(line: &str) -> Option<[&str; 3]> {
    let is_num = |c: char| c.is_ascii_digit() || c == '.';
    let is_sep = |c: char| c == ',' || c.is_whitespace();
    let mut from = 0;
    while let Some(i) = line[from..].find("load average") {
        let start = from + i;
        from = start + 1;
        let mut rest = &line[start + "load average".len()..];
        rest = rest.strip_prefix('s').filter(|r| r.starts_with(':')).unwrap_or(rest);
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        let mut nums = [""; 3];
        let mut cur = rest;
        let mut ok = true;
        for (n, slot) in nums.iter_mut().enumerate() {
            let end = cur.find(|c: char| !is_num(c)).unwrap_or(cur.len());
            if end == 0 {
                ok = false;
                break;
            }
            *slot = &cur[..end];
            cur = &cur[end..];
            if n < 2 {
                let sep = cur.find(|c: char| !is_sep(c)).unwrap_or(cur.len());
                if sep == 0 {
                    ok = false;
                    break;
                }
                cur = &cur[sep..];
            }
        }
        if ok {
            return Some(nums);
        }
    }
    None
}

/// `server.LinuxName` from `server.LinuxDistribution`.
pub fn linux_name(v: &Value) -> Value {
    v.get("name").cloned().unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_offsets() {
        assert_eq!(parse_iso_with_offset("2019-01-01T00:00:00+0000").as_deref(), Some("2019-01-01T00:00:00+00:00"));
        assert_eq!(parse_iso_with_offset("2019-02-30T00:00:00+0000"), None);
        assert_eq!(format_offset("-0600").as_deref(), Some("-06:00"));
    }

    #[test]
    fn uptime_text() {
        assert_eq!(uptime_loads("up 2 days, load averages: 0.12, 0.21, 0.22"), Some(["0.12", "0.21", "0.22"]));
        assert_eq!(uptime_loads("no load here"), None);
    }

    #[test]
    fn usernames() {
        assert!(safe_username("_tesTy.test"));
        assert!(!safe_username("-x"));
        assert!(!safe_username("a b"));
    }
}
