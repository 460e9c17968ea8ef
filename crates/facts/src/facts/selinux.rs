//! `pyinfra.facts.selinux`: SELinux booleans, file contexts, mappings and port types.

use crate::fact_source::FactCtx;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

/// The facts of `selinux`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "SEBoolean",
        doc: "The current value of an SELinux boolean as reported by `getsebool`: `on` or `off`; an empty \
              string when the boolean does not exist.",
        args: &[arg("boolean", "str", Dflt::Required, "Name of the SELinux boolean.")],
        returns: "str",
        default: "\"\"",
        command: Some(|a| format!("getsebool {}", py_str(a.get("boolean")))),
        requires: Some(|_| Some("getsebool".into())),
        parse: Some(parse_boolean),
        ..Fact::NEW
    },
    Fact {
        name: "FileContext",
        doc: "The SELinux label of a file, split into `{\"user\", \"role\", \"type\", \"level\"}` (e.g. \
              `system_u`, `object_r`, `etc_t`, `s0`). None when the file does not exist.",
        args: &[arg("path", "str", Dflt::Required, "Path of the file or directory.")],
        returns: "dict[str, str] | None",
        command: Some(|a| format!("stat -c %C {} || exit 0", py_str(a.get("path")))),
        parse: Some(parse_file_context),
        ..Fact::NEW
    },
    Fact {
        name: "FileContextMapping",
        doc: "The persistent file context rule (`semanage fcontext`) for a path expression, split like \
              `FileContext` into user, role, type and level. Empty when there is no single matching rule. \
              Needs root.",
        args: &[arg("target", "str", Dflt::Required, "Path expression of the rule, e.g. `/web(/.*)?`.")],
        returns: "dict[str, str]",
        default: "{}",
        command: Some(|a| {
            format!("set -o pipefail && semanage fcontext -n -l | (grep '^{}' || true)", py_str(a.get("target")))
        }),
        requires: Some(|_| Some("semanage".into())),
        parse: Some(parse_mapping),
        ..Fact::NEW
    },
    Fact {
        name: "SEPorts",
        doc: "The SELinux types assigned to network ports (`semanage port -l`): protocol (`tcp`, `udp`, \
              `sctp`, `dccp`) mapped to port number -> type, with ranges expanded and the catch-all \
              `unreserved_port_t` left out. Needs root.",
        returns: "dict[str, dict[int, str]]",
        default: "{}",
        command: Some(|_| "semanage port -ln".into()),
        requires: Some(|_| Some("semanage".into())),
        parse: Some(parse_ports),
        ..Fact::NEW
    },
    Fact {
        name: "SEPort",
        doc: "The SELinux type specifically assigned to one protocol/port, read with `sepolicy network` \
              (needs policycoreutils-dev); an empty string when only a generic range type applies.",
        args: &[
            arg("protocol", "str", Dflt::Required, "Protocol: `tcp`, `udp`, `sctp` or `dccp`."),
            arg("port", "int", Dflt::Required, "Port number."),
        ],
        returns: "str",
        default: "\"\"",
        command: Some(|a| {
            format!(
                "(sepolicy network -p {} 2>/dev/null || true) | grep {}",
                py_str(a.get("port")),
                py_str(a.get("protocol"))
            )
        }),
        requires: Some(|_| Some("sepolicy".into())),
        parse: Some(parse_port),
        ..Fact::NEW
    },
];

/// The SELinux context fields, in the order they appear in `user:role:type:level`.
const FIELDS: [&str; 4] = ["user", "role", "type", "level"];

/// The first output line, or pyinfra's IndexError.
fn first_line<'a>(f: &'a FactCtx<'_>) -> Result<&'a str, String> {
    f.output.first().map(String::as_str).ok_or_else(|| "IndexError: list index out of range".to_string())
}

/// `name --> on`.
fn parse_boolean(f: &FactCtx<'_>) -> Result<Value, String> {
    let line = first_line(f)?;
    let value = line.split(" --> ").nth(1).ok_or("IndexError: list index out of range")?;
    Ok(Value::String(value.to_string()))
}

/// `system_u:object_r:etc_t:s0` (extra `:` fields are ignored), or None for fewer fields.
fn parse_file_context(f: &FactCtx<'_>) -> Result<Value, String> {
    let parts: Vec<&str> = first_line(f)?.split(':').collect();
    if parts.len() < 4 {
        return Ok(Value::Null);
    }
    Ok(Value::Object(FIELDS.iter().zip(parts).map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect()))
}

/// Python's `\w`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `w+:w+:w+:w+` at the start of `s` (the last run as long as it goes).
fn context_at(s: &str) -> Option<Vec<String>> {
    let mut rest = s;
    let mut groups = Vec::new();
    for i in 0..4 {
        let len: usize = rest.chars().take_while(|c| is_word(*c)).map(char::len_utf8).sum();
        if len == 0 {
            return None;
        }
        groups.push(rest[..len].to_string());
        rest = &rest[len..];
        if i < 3 {
            rest = rest.strip_prefix(':')?;
        }
    }
    Some(groups)
}

/// pyinfra's `^.*\s+(\w+):(\w+):(\w+):(\w+)`: the last context that follows whitespace.
fn last_context(line: &str) -> Option<Vec<String>> {
    let starts: Vec<usize> = line
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())
        .filter(|i| !line[*i..].starts_with(char::is_whitespace))
        .collect();
    starts.iter().rev().find_map(|i| context_at(&line[*i..]))
}

/// `/etc   all files   system_u:object_r:etc_t:s0`: exactly one line, else `{}`.
fn parse_mapping(f: &FactCtx<'_>) -> Result<Value, String> {
    let found = match f.output {
        [line] => last_context(line),
        _ => None,
    };
    Ok(Value::Object(
        found
            .map(|g| FIELDS.iter().zip(g).map(|(k, v)| (k.to_string(), Value::String(v))).collect())
            .unwrap_or_default(),
    ))
}

/// pyinfra's `^([\w_]+)\s+(\w+)\s+([\w\-,\s]+)$`: type, protocol and port list.
fn port_line(line: &str) -> Option<(&str, &str, &str)> {
    let word_end = |s: &str| s.find(|c: char| !is_word(c)).unwrap_or(s.len());
    let n = word_end(line);
    let (label, rest) = line.split_at(n);
    let trimmed = rest.trim_start();
    if n == 0 || trimmed.len() == rest.len() {
        return None;
    }
    let n = word_end(trimmed);
    let (protocol, rest) = trimmed.split_at(n);
    let ports = rest.trim_start();
    let ok = n > 0
        && ports.len() < rest.len()
        && !ports.is_empty()
        && ports.chars().all(|c| is_word(c) || c == '-' || c == ',' || c.is_whitespace());
    ok.then_some((label, protocol, ports))
}

/// Python's `int()` of a port number.
fn port_number(s: &str) -> Result<u64, String> {
    s.trim().parse().map_err(|_| format!("ValueError: invalid literal for int() with base 10: '{s}'"))
}

/// `http_port_t   tcp   80, 8000-8002`: protocol mapped to port mapped to type.
fn parse_ports(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut labels: Map<String, Value> = Map::new();
    for line in f.output {
        let Some((label, protocol, ports)) = port_line(line) else { continue };
        // This type covers the whole unreserved range.
        if label == "unreserved_port_t" {
            continue;
        }
        let entry = labels.entry(protocol.to_string()).or_insert_with(|| Value::Object(Map::new()));
        for item in ports.split(',') {
            let item = item.trim();
            let (start, stop) = match item.split_once('-') {
                Some((a, b)) => (port_number(a)?, port_number(b.split('-').next().unwrap_or(b))?),
                None => (port_number(item)?, port_number(item)?),
            };
            if let Value::Object(map) = entry {
                for port in start..=stop {
                    map.insert(port.to_string(), Value::String(label.to_string()));
                }
            }
        }
    }
    Ok(Value::Object(labels))
}

/// `22: tcp ssh_port_t 22` lines; the type is set only when a specific line precedes the generic one.
fn parse_port(f: &FactCtx<'_>) -> Result<Value, String> {
    if f.output.len() <= 1 {
        return Ok(Value::String(String::new()));
    }
    let line = first_line(f)?;
    let found = line.split(' ').nth(2).ok_or("IndexError: list index out of range")?;
    Ok(Value::String(found.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{last_context, port_line};

    #[test]
    fn mapping_line() {
        let got = last_context("/web(/.*)?   all files   system_u:object_r:httpd_sys_content_t:s0");
        assert_eq!(got, Some(vec!["system_u".into(), "object_r".into(), "httpd_sys_content_t".into(), "s0".into()]));
        assert_eq!(last_context("/etc/systemd/system = /usr/lib/systemd/system"), None);
    }

    #[test]
    fn ports_line() {
        assert_eq!(port_line("http_port_t   tcp   80, 8000-8002"), Some(("http_port_t", "tcp", "80, 8000-8002")));
        assert_eq!(port_line("x tcp"), None);
    }
}
