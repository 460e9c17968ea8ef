//! Planners for host-wide settings: kernel modules, mounts, hostname, hosts file, time zone,
//! sysctls, locales and security limits.

use serde_json::json;

use super::py::{py_eq, str_in, str_list, try_int};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::value::{Value, py_str, truthy};

/// Load the modules that are missing, or unload those that are loaded.
pub fn modprobe(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let wanted = str_list(a.get("module"));
    let present = a.flag("present");
    let loaded = ctx.fact("server.KernelModules", &[])?;
    let (have, missing): (Vec<&String>, Vec<&String>) = wanted.iter().partition(|m| str_in(m, &loaded));
    let mut words = vec!["modprobe".to_string()];
    if a.flag("force") {
        words.push("-f".into());
    }
    let quoted = |mods: &[&String]| mods.iter().map(|m| quote(m)).collect::<Vec<_>>();
    if !present && !have.is_empty() {
        words.extend(["-r".to_string(), "-a".to_string()]);
        words.extend(quoted(&have));
        ctx.change(format!("unload {}", wanted.join("/")));
        ctx.shell(words.join(" "));
    } else if present && !missing.is_empty() {
        words.push("-a".into());
        words.extend(quoted(&missing));
        ctx.change(format!("load {}", wanted.join("/")));
        ctx.shell(words.join(" "));
    } else {
        let many = wanted.len() > 1;
        ctx.noop(format!(
            "{} {} {} {}",
            if many { "modules" } else { "module" },
            wanted.join("/"),
            if many { "are" } else { "is" },
            if present { "loaded" } else { "not loaded" }
        ));
    }
    Ok(())
}

/// Mount, unmount, or remount with missing options. The path or device of an existing mount
/// identifies it; `/etc/fstab` is left alone.
pub fn mount(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = py_str(a.get("path"));
    let mounted = a.get("mounted");
    // A string is iterated per character, as Python does with `",".join(options)`.
    let options: Vec<String> = match a.get("options") {
        Value::String(s) => s.chars().map(String::from).collect(),
        other => str_list(other),
    };
    let options_string = options.join(",");
    let device = a.get("device");
    let mounts = ctx.fact("server.Mounts", &[])?;
    let table = mounts.as_object().cloned().unwrap_or_default();

    let mut mounted_path = path.clone();
    let mut is_mounted = table.contains_key(&path);
    // The same filesystem may be listed under another spelling of the path: match by device.
    if !is_mounted
        && truthy(device)
        && let Some((mp, _)) = table.iter().find(|(_, info)| info.get("device").is_some_and(|d| py_eq(d, device)))
    {
        is_mounted = true;
        mounted_path = mp.clone();
    }

    if truthy(mounted) && !is_mounted {
        let mut words = vec!["mount".to_string()];
        if truthy(a.get("fs_type")) {
            words.extend(["-t".to_string(), py_str(a.get("fs_type"))]);
        }
        if !options_string.is_empty() {
            words.extend(["-o".to_string(), options_string.clone()]);
        }
        if truthy(device) {
            words.push(py_str(device));
        }
        words.push(path.clone());
        ctx.change(format!("mount {path}"));
        ctx.shell(words.join(" "));
    } else if *mounted == Value::Bool(false) && is_mounted {
        ctx.change(format!("unmount {mounted_path}"));
        ctx.shell(format!("umount {}", quote(&mounted_path)));
    } else if is_mounted && truthy(mounted) && !options.is_empty() {
        let info = table.get(&mounted_path).cloned().unwrap_or(Value::Null);
        let field =
            |k: &str| info.get(k).cloned().ok_or_else(|| PlanError::op(format!("mount {mounted_path} has no {k}")));
        let current = field("options")?;
        let needs_remount = options.iter().any(|o| !str_in(o, &current));
        if needs_remount {
            ctx.change(format!("remount {mounted_path} with {options_string}"));
            if py_str(&ctx.fact("server.Kernel", &[])?).trim().contains("BSD") {
                // `mount -u` is common to the BSDs.
                let (fs_type, dev) = (py_str(&field("type")?), py_str(&field("device")?));
                ctx.shell(format!("mount -uo {options_string} -t {fs_type} {} {}", quote(&dev), quote(&mounted_path)));
            } else {
                ctx.shell(format!("mount -o remount,{options_string} {}", quote(&mounted_path)));
            }
        }
    } else {
        ctx.noop(format!("filesystem {path} is {}", if truthy(mounted) { "mounted" } else { "not mounted" }));
    }
    Ok(())
}

/// `hostnamectl` where it exists; otherwise `hostname` plus the hostname file (`/etc/hostname`
/// on Linux, `/etc/myname` on OpenBSD, or the given one; `False` writes none).
pub fn hostname(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = a.get("hostname").clone();
    let current = ctx.fact("server.Hostname", &[])?;
    let has_hostnamectl = truthy(&ctx.fact("server.Which", &[("command", json!("hostnamectl"))])?);
    if has_hostnamectl {
        if py_eq(&current, &name) {
            ctx.noop("hostname is set");
        } else {
            ctx.change(format!("set hostname to {}", py_str(&name)));
            ctx.shell(format!("hostnamectl set-hostname {}", quote(&py_str(&name))));
        }
        return Ok(());
    }
    let mut file = a.get("hostname_file").clone();
    if file.is_null() {
        match py_str(&ctx.fact("server.Os", &[])?).as_str() {
            "Linux" => file = json!("/etc/hostname"),
            "OpenBSD" => file = json!("/etc/myname"),
            _ => {}
        }
    }
    if py_eq(&current, &name) {
        ctx.noop("hostname is set");
    } else {
        ctx.change(format!("set hostname to {}", py_str(&name)));
        ctx.shell(format!("hostname {}", quote(&py_str(&name))));
    }
    if truthy(&file) {
        let contents = format!("io:{}\n", py_str(&name));
        crate::nested(ctx, "files.put", &[("src", json!(contents)), ("dest", file)])?;
    }
    Ok(())
}

/// Keep the hosts-file line of `ip` exactly `ip names...`, or drop names (or the whole line).
pub fn etc_hosts(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let ip = py_str(a.get("ip"));
    let path = py_str(a.get("path"));
    let present = a.flag("present");
    let names: Vec<String> = match a.get("hostnames") {
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        other => str_list(other),
    };
    if present && names.is_empty() {
        return Err(PlanError::op("hostnames must be provided when present=True"));
    }
    let entries = ctx.fact("server.EtcHosts", &[("path", json!(path))])?;
    let current = entries.get(&ip).filter(|v| !v.is_null());
    if present {
        if current.is_some_and(|c| py_eq(c, &json!(names))) {
            ctx.noop(format!("{ip} -> {} already present in {path}", names.join(" ")));
            return Ok(());
        }
    } else {
        let Some(current) = current else {
            ctx.noop(format!("{ip} already absent from {path}"));
            return Ok(());
        };
        if !names.is_empty() && !names.iter().any(|n| str_in(n, current)) {
            ctx.noop(format!("{ip} in {path} does not reference any of: {}", names.join(" ")));
            return Ok(());
        }
    }

    let existing = ctx.fact("files.FileContents", &[("path", json!(path))])?;
    let lines: Vec<String> = match &existing {
        Value::Array(items) => items.iter().map(|l| py_str(l).trim_end_matches(['\r', '\n']).to_string()).collect(),
        _ => vec![],
    };
    let new_lines = rewrite_hosts(&lines, &ip, &names, present);
    let mut content = new_lines.join("\n");
    if !content.is_empty() {
        content.push('\n');
    }
    ctx.change(if present {
        format!("set {ip} -> {} in {path}", names.join(" "))
    } else {
        format!("remove {ip} from {path}")
    });
    crate::nested(ctx, "files.put", &[("src", json!(format!("io:{content}"))), ("dest", json!(path))])
}

/// The hosts file with the lines of `ip` replaced, trimmed or dropped; comments and other lines kept.
fn rewrite_hosts(lines: &[String], ip: &str, names: &[String], present: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut found = false;
    for line in lines {
        let stripped = line.split('#').next().unwrap_or_default().trim();
        let tokens: Vec<&str> = stripped.split_whitespace().collect();
        if tokens.first() != Some(&ip) {
            out.push(line.clone());
            continue;
        }
        found = true;
        if present {
            out.push(format!("{ip} {}", names.join(" ")));
        } else if !names.is_empty() {
            let remaining: Vec<&str> = tokens[1..].iter().copied().filter(|n| !names.iter().any(|x| x == n)).collect();
            if !remaining.is_empty() {
                out.push(format!("{ip} {}", remaining.join(" ")));
            }
        }
    }
    if present && !found {
        out.push(format!("{ip} {}", names.join(" ")));
    }
    out
}

/// `timedatectl set-timezone` where it exists, else link `/etc/localtime` and write `/etc/timezone`.
pub fn timezone(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let tz = a.get("timezone").clone();
    let current = ctx.fact("server.Timezone", &[])?;
    if py_eq(&current, &tz) {
        ctx.noop("timezone is set");
        return Ok(());
    }
    let tz = py_str(&tz);
    ctx.change(format!("set time zone to {tz}"));
    if truthy(&ctx.fact("server.Which", &[("command", json!("timedatectl"))])?) {
        ctx.shell(format!("timedatectl set-timezone {}", quote(&tz)));
    } else {
        ctx.shell(format!("ln -sf {} /etc/localtime", quote(&format!("/usr/share/zoneinfo/{tz}"))));
        ctx.shell(format!("echo {} > /etc/timezone", quote(&tz)));
    }
    Ok(())
}

/// Set a sysctl when its current value differs; optionally persist it with `files.line`.
pub fn sysctl(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let key = py_str(a.get("key"));
    let raw = a.get("value");
    // The text shown and written (`1024 65535` for a list) and the value compared with the fact.
    let (string_value, value) = match raw {
        Value::Array(items) => {
            let text = items.iter().map(py_str).collect::<Vec<_>>().join(" ");
            let mut ints: Vec<Value> = items.iter().map(try_int).collect();
            (text, if ints.len() == 1 { ints.remove(0) } else { Value::Array(ints) })
        }
        Value::String(s) if s.split_whitespace().count() > 1 => {
            (s.clone(), Value::Array(s.split_whitespace().map(|w| try_int(&json!(w))).collect()))
        }
        other => (py_str(other), try_int(other)),
    };
    let existing = ctx.fact("server.Sysctl", &[("keys", json!([key]))])?;
    let current = existing.get(&key).cloned().unwrap_or(Value::Null);
    if py_eq(&current, &value) {
        ctx.noop(format!("sysctl {key} is set to {string_value}"));
    } else {
        ctx.change(format!("set sysctl {key} to {string_value}"));
        ctx.shell(format!("sysctl {}={}", quote(&key), quote(&string_value)));
    }
    if a.flag("persist") {
        crate::nested(
            ctx,
            "files.line",
            &[
                ("path", a.get("persist_file").clone()),
                ("line", json!(format!("{key}[[:space:]]*=[[:space:]]*{string_value}"))),
                ("replace", json!(format!("{key} = {string_value}"))),
            ],
        )?;
    }
    Ok(())
}

const LOCALE_GEN: &str = "/etc/locale.gen";

/// Comment or uncomment the locale's line of `/etc/locale.gen`, then run `locale-gen`.
pub fn locale(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let locale = py_str(a.get("locale"));
    let present = a.flag("present");
    let locales = ctx.fact("server.Locales", &[])?;
    let matching = ctx.fact(
        "files.FindInFile",
        &[
            ("path", json!(LOCALE_GEN)),
            ("pattern", json!(format!("^.*{locale}[[:space:]]\\+.*$"))),
            ("interpolate_variables", json!(false)),
            ("extended_regex", json!(false)),
        ],
    )?;
    let lines = match &matching {
        Value::Array(items) if !items.is_empty() => items,
        _ => return Err(PlanError::op(format!("Locale {locale} not found in {LOCALE_GEN}"))),
    };
    if lines.len() > 1 {
        return Err(PlanError::op(format!("Multiple locales matches for {locale} in {LOCALE_GEN}")));
    }
    let line = py_str(&lines[0]);
    let enabled = str_in(&locale, &locales);
    if !present && enabled {
        ctx.change(format!("disable locale {locale}"));
        crate::nested(
            ctx,
            "files.line",
            &[
                ("path", json!(LOCALE_GEN)),
                ("line", json!(format!("^{line}$"))),
                ("replace", json!(format!("# {line}"))),
            ],
        )?;
        ctx.shell("locale-gen");
    }
    if present && !enabled {
        ctx.change(format!("enable locale {locale}"));
        crate::nested(
            ctx,
            "files.replace",
            &[
                ("path", json!(LOCALE_GEN)),
                ("text", json!(format!("^{line}$"))),
                ("replace", json!(line.replace("# ", ""))),
            ],
        )?;
        ctx.shell("locale-gen");
    }
    Ok(())
}

/// One tab-separated line of `/etc/security/limits.conf` per domain, type and item.
pub fn security_limit(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let [domain, limit_type, item, value] = ["domain", "limit_type", "item", "value"].map(|k| py_str(a.get(k)));
    crate::nested(
        ctx,
        "files.line",
        &[
            ("path", json!("/etc/security/limits.conf")),
            ("line", json!(format!("^{domain}[[:space:]]+{limit_type}[[:space:]]+{item}"))),
            ("replace", json!(format!("{domain}\t{limit_type}\t{item}\t{value}"))),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn hosts_rewrite() {
        let lines = s(&["# c", "10.0.0.1 a b # x", "127.0.0.1 localhost"]);
        assert_eq!(
            rewrite_hosts(&lines, "10.0.0.1", &s(&["b"]), false),
            s(&["# c", "10.0.0.1 a", "127.0.0.1 localhost"])
        );
        assert_eq!(rewrite_hosts(&lines, "10.0.0.1", &[], false), s(&["# c", "127.0.0.1 localhost"]));
        assert_eq!(rewrite_hosts(&lines, "10.0.0.2", &s(&["c"]), true).last().map(String::as_str), Some("10.0.0.2 c"));
    }
}
