//! `server.Mounts`: mounted filesystems from `/proc/self/mountinfo`, FreeBSD's `mount -p --libxo json`
//! or OpenBSD's `mount -v`.

use serde_json::json;

use super::util::{kernel, kernel_for_parse};
use crate::args::Args;
use crate::fact_source::{CommandError, FactCtx, FactSource};
use crate::value::{Map, Value, py_str};

/// The command for the host's kernel.
pub fn command(_: &Args, facts: &dyn FactSource) -> Result<String, CommandError> {
    Ok(match kernel(facts)?.trim() {
        "FreeBSD" => "mount -p --libxo json",
        "OpenBSD" => "mount -v",
        _ => "cat /proc/self/mountinfo",
    }
    .to_string())
}

/// Mount point -> device, type and options.
pub fn parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    match kernel_for_parse(ctx.facts)?.trim() {
        "FreeBSD" => parse_freebsd(ctx.output),
        "OpenBSD" => Ok(parse_openbsd(ctx.output)),
        _ => parse_mountinfo(ctx.output),
    }
}

fn entry(device: &str, fs_type: &str, options: Vec<String>) -> Value {
    json!({"device": device, "type": fs_type, "options": options})
}

fn parse_freebsd(output: &[String]) -> Result<Value, String> {
    let doc: Value = serde_json::from_str(&output.join("\n")).map_err(|e| e.to_string())?;
    let entries = doc
        .get("mount")
        .and_then(|m| m.get("fstab"))
        .and_then(Value::as_array)
        .ok_or("no mount.fstab in mount output")?;
    let mut out = Map::new();
    for e in entries {
        let field = |k: &str| e.get(k).map(py_str).ok_or_else(|| format!("mount entry has no {k}"));
        let options = field("opts")?.split(',').map(|o| o.trim().to_string()).collect();
        out.insert(field("mntpoint")?, entry(&field("device")?, &field("fstype")?, options));
    }
    Ok(Value::Object(out))
}

/// `(\S+)(?: \(.*\))? on (/.*) type (\w+) \((.+)\)`, matched against the whole line.
fn openbsd_line(line: &str) -> Option<(&str, &str, &str, &str)> {
    let dev_end = line.find(char::is_whitespace)?;
    if dev_end == 0 || !line[dev_end..].starts_with(' ') {
        return None;
    }
    let rest = &line[dev_end..];
    // The optional label group: greedy `.*`, so the last `)` is tried first.
    let mut afters: Vec<usize> = Vec::new();
    if rest.starts_with(" (") {
        let closes: Vec<usize> = rest.match_indices(')').map(|(i, _)| i).filter(|&i| i >= 2).collect();
        afters.extend(closes.into_iter().rev().map(|i| i + 1));
    }
    afters.push(0);
    afters.into_iter().find_map(|after| openbsd_tail(&rest[after..]).map(|(p, t, o)| (&line[..dev_end], p, t, o)))
}

/// ` on (/.*) type (\w+) \((.+)\)` to the end of the line.
fn openbsd_tail(s: &str) -> Option<(&str, &str, &str)> {
    let body = s.strip_prefix(" on ")?;
    if !body.starts_with('/') {
        return None;
    }
    // Every occurrence, overlapping ones included, last first (greedy `.*`).
    let found: Vec<usize> =
        (1..body.len()).filter(|&i| body.is_char_boundary(i) && body[i..].starts_with(" type ")).collect();
    found.into_iter().rev().find_map(|i| {
        let path = &body[..i];
        let after = &body[i + " type ".len()..];
        let word_end = after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(after.len());
        let opts = after[word_end..].strip_prefix(" (")?.strip_suffix(')')?;
        (word_end > 0 && !opts.is_empty() && !path.contains('\n')).then_some((path, &after[..word_end], opts))
    })
}

fn parse_openbsd(output: &[String]) -> Value {
    let mut out = Map::new();
    for line in output {
        if let Some((device, path, fs_type, opts)) = openbsd_line(line) {
            let options =
                opts.split(',').filter(|o| !o.contains("ctime=")).map(|o| o.trim_matches(' ').to_string()).collect();
            out.insert(path.to_string(), entry(device, fs_type, options));
        }
    }
    Value::Object(out)
}

/// Undo the kernel's `\NNN` octal escapes in mountinfo fields.
fn unescape_octal(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let octal = chars.get(i + 1..i + 4).filter(|d| chars[i] == '\\' && d.iter().all(|c| ('0'..='7').contains(c)));
        match octal.and_then(|d| u32::from_str_radix(&d.iter().collect::<String>(), 8).ok()).and_then(char::from_u32) {
            Some(c) => {
                out.push(c);
                i += 4;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

fn parse_mountinfo(output: &[String]) -> Result<Value, String> {
    let mut out = Map::new();
    for line in output {
        let fields: Vec<&str> = line.splitn(7, ' ').collect();
        let [_, _, _, _, mount_point, mount_options, mut rest] = fields[..] else {
            return Err(format!("not enough fields in mountinfo line {line:?}"));
        };
        // Skip the optional tags up to the `-` separator.
        loop {
            let (tag, tail) = rest.split_once(' ').ok_or_else(|| format!("no separator in mountinfo line {line:?}"))?;
            rest = tail;
            if tag == "-" {
                break;
            }
        }
        let tail: Vec<&str> = rest.split(' ').collect();
        let [fs_type, source, super_options] = tail[..] else {
            return Err(format!("expected 3 fields after the separator in {line:?}"));
        };
        let mut options: Vec<String> = mount_options.split(',').map(str::to_string).collect();
        // ro/rw of the superblock would repeat (or contradict) the mount's own.
        options.extend(super_options.split(',').filter(|o| *o != "ro" && *o != "rw").map(unescape_octal));
        out.insert(unescape_octal(mount_point), entry(&unescape_octal(source), fs_type, options));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_escapes() {
        assert_eq!(unescape_octal("a\\040b\\134c\\9"), "a b\\c\\9");
    }

    #[test]
    fn openbsd_lines() {
        let l = "/dev/sd0a (b48.a) on / type ffs (rw, local)";
        assert_eq!(openbsd_line(l), Some(("/dev/sd0a", "/", "ffs", "rw, local")));
        assert_eq!(openbsd_line("mfs:75 on /run type mfs (rw)"), Some(("mfs:75", "/run", "mfs", "rw")));
        assert_eq!(openbsd_line("garbage"), None);
    }
}
