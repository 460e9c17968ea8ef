//! The parts of an OpenSSH client configuration file (`~/.ssh/config`) that decide how to reach a
//! host: `Host` blocks (patterns with `*`, `?` and `!`), `Include` (globs, relative to the including
//! file as pyinfra resolves them) and the keywords below. As in OpenSSH, the first value found for a
//! keyword wins, except `IdentityFile`, which accumulates. `Match` blocks are not evaluated: their
//! settings are skipped.

use std::path::{Path, PathBuf};

/// Settings for one host, as found in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSettings {
    /// `HostName` (with `%h` expanded).
    pub hostname: Option<String>,
    /// `User`.
    pub user: Option<String>,
    /// `Port`.
    pub port: Option<String>,
    /// `IdentityFile`, in order (tokens and `~` expanded later).
    pub identity_files: Vec<String>,
    /// `UserKnownHostsFile` (space-separated list).
    pub user_known_hosts_file: Option<String>,
    /// `StrictHostKeyChecking`.
    pub strict_host_key_checking: Option<String>,
    /// `ConnectTimeout` (seconds).
    pub connect_timeout: Option<String>,
    /// `ServerAliveInterval` (seconds).
    pub server_alive_interval: Option<String>,
    /// `IdentityAgent`.
    pub identity_agent: Option<String>,
    /// `ProxyJump`.
    pub proxy_jump: Option<String>,
    /// `ProxyCommand`.
    pub proxy_command: Option<String>,
}

/// Read `file` (with its includes) and collect the settings that apply to `host`. A missing file
/// gives no settings.
pub fn lookup(file: &Path, host: &str) -> Result<HostSettings, String> {
    let mut lines = Vec::new();
    let mut seen = Vec::new();
    read_with_includes(file, &mut lines, &mut seen)?;
    Ok(settings_for(&lines, host))
}

/// Split `Key Value` / `Key=Value`, dropping quotes around the value.
fn split_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    let key_end = line.find(|c: char| c.is_whitespace() || c == '=')?;
    let (key, rest) = line.split_at(key_end);
    let value = rest.trim_start().strip_prefix('=').unwrap_or(rest).trim();
    let value = strip_comment(value);
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    Some((key.to_ascii_lowercase(), value.to_string()))
}

/// A `#` after whitespace and outside quotes starts a comment (pyinfra's `_strip_inline_comment`).
fn strip_comment(value: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in value.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('#', None) if i > 0 && (prev == ' ' || prev == '\t') => return value[..i].trim_end(),
            _ => {}
        }
        prev = c;
    }
    value
}

fn read_with_includes(file: &Path, out: &mut Vec<String>, seen: &mut Vec<PathBuf>) -> Result<(), String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && seen.is_empty() => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match split_line(line) {
            Some((key, value)) if key == "include" => {
                for pattern in value.split_whitespace() {
                    for path in include_paths(file, pattern) {
                        if seen.contains(&path) {
                            return Err(format!("Include loop in SSH config: {}", path.display()));
                        }
                        seen.push(path.clone());
                        read_with_includes(&path, out, seen)?;
                    }
                }
            }
            _ => out.push(line.to_string()),
        }
    }
    Ok(())
}

/// The files an `Include` names: relative to the including file's directory, `~` expanded, a glob
/// in the last component.
fn include_paths(from: &Path, pattern: &str) -> Vec<PathBuf> {
    let expanded = expand_home(pattern);
    let full =
        if expanded.is_absolute() { expanded } else { from.parent().map_or(expanded.clone(), |d| d.join(&expanded)) };
    let name = full.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !name.contains(['*', '?']) {
        return if full.is_file() { vec![full] } else { Vec::new() };
    }
    let dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| glob(&name, &e.file_name().to_string_lossy()))
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// `~/x` → `$HOME/x`.
pub(crate) fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ if path == "~" => std::env::var_os("HOME").map_or_else(|| PathBuf::from(path), PathBuf::from),
        _ => PathBuf::from(path),
    }
}

/// Whether a `Host` line's patterns select `host`: one positive match and no negated one.
fn host_matches(patterns: &str, host: &str) -> bool {
    let mut found = false;
    for p in patterns.split_whitespace() {
        match p.strip_prefix('!') {
            Some(neg) if glob(&neg.to_ascii_lowercase(), &host.to_ascii_lowercase()) => return false,
            Some(_) => {}
            None if glob(&p.to_ascii_lowercase(), &host.to_ascii_lowercase()) => found = true,
            None => {}
        }
    }
    found
}

fn settings_for(lines: &[String], host: &str) -> HostSettings {
    let mut s = HostSettings::default();
    // Lines before the first Host apply to every host.
    let mut active = true;
    for line in lines {
        let Some((key, value)) = split_line(line) else { continue };
        match key.as_str() {
            "host" => active = host_matches(&value, host),
            "match" => active = false,
            _ if !active => {}
            "identityfile" => s.identity_files.push(value),
            k => {
                let slot = match k {
                    "hostname" => &mut s.hostname,
                    "user" => &mut s.user,
                    "port" => &mut s.port,
                    "userknownhostsfile" => &mut s.user_known_hosts_file,
                    "stricthostkeychecking" => &mut s.strict_host_key_checking,
                    "connecttimeout" => &mut s.connect_timeout,
                    "serveraliveinterval" => &mut s.server_alive_interval,
                    "identityagent" => &mut s.identity_agent,
                    "proxyjump" => &mut s.proxy_jump,
                    "proxycommand" => &mut s.proxy_command,
                    _ => continue,
                };
                if slot.is_none() {
                    *slot = Some(value);
                }
            }
        }
    }
    if let Some(h) = &mut s.hostname {
        *h = h.replace("%h", host);
    }
    s
}

/// Expand OpenSSH tokens in an `IdentityFile`: `%d` home, `%u` local user, `%h` remote host name,
/// `%r` remote user, `%%`; then `~`.
pub fn expand_identity(path: &str, hostname: &str, remote_user: &str, local_user: &str) -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut out = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str(&home),
            Some('u') => out.push_str(local_user),
            Some('h') => out.push_str(hostname),
            Some('r') => out.push_str(remote_user),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    expand_home(&out)
}

/// `*` and `?` wildcards.
fn glob(pattern: &str, text: &str) -> bool {
    super::known_hosts::glob(pattern, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    #[test]
    fn first_value_wins_and_identity_files_accumulate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = write(
            dir.path(),
            "config",
            "# comment\nUser everyone\nHost web* !web-old\n  HostName %h.example.com\n  Port=2222\n  \
             IdentityFile ~/.ssh/web\nHost *\n  Port 22\n  User later\n  IdentityFile \"/keys/all\" # trailing\n\
             Match host web1\n  User matched\n",
        );
        let s = lookup(&cfg, "web1").expect("lookup");
        assert_eq!(s.hostname.as_deref(), Some("web1.example.com"));
        assert_eq!((s.port.as_deref(), s.user.as_deref()), (Some("2222"), Some("everyone")));
        assert_eq!(s.identity_files, vec!["~/.ssh/web", "/keys/all"]);
        let old = lookup(&cfg, "web-old").expect("lookup");
        assert_eq!((old.hostname, old.port.as_deref()), (None, Some("22")));
        assert_eq!(lookup(&dir.path().join("absent"), "x").expect("missing file"), HostSettings::default());
    }

    #[test]
    fn includes_are_relative_and_globbed() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("conf.d")).expect("mkdir");
        write(&dir.path().join("conf.d"), "a.conf", "Host db\n  HostName 10.0.0.9\n");
        write(&dir.path().join("conf.d"), "b.txt", "Host db\n  HostName wrong\n");
        let cfg = write(dir.path(), "config", "Include conf.d/*.conf\nHost db\n  User dba\n");
        let s = lookup(&cfg, "db").expect("lookup");
        assert_eq!((s.hostname.as_deref(), s.user.as_deref()), (Some("10.0.0.9"), Some("dba")));
        let looped = write(dir.path(), "loop", "Include loop\n");
        assert!(lookup(&looped, "x").expect_err("loop").contains("loop"));
    }

    #[test]
    fn identity_tokens() {
        let p = expand_identity("/k/%r@%h-%u%%", "host", "deploy", "me");
        assert_eq!(p, PathBuf::from("/k/deploy@host-me%"));
    }
}
