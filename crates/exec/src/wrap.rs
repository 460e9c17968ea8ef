//! How a planned command reaches the host's shell: pyinfra's wrapping for `_sudo`, `_sudo_user`,
//! `_chdir`, `_shell_executable`, `_env`, `_stdin`, `_timeout`, and the privileged copy after an
//! upload under sudo. The strings match pyinfra's (its vectors show them), so a user reading `-vv`
//! output sees the commands pyinfra would run.

use rinfra_facts::args::Args;
use rinfra_facts::globals::GLOBAL_ARGS;
use rinfra_facts::quote::quote;
use rinfra_facts::value::{Map, Value};

use crate::connector::RemoteCommand;

/// The exit codes that count as success (`_success_exit_codes`, default `[0]`).
pub fn success_codes(globals: &Args) -> Vec<i64> {
    match globals.get("_success_exit_codes") {
        Value::Array(codes) => codes.iter().filter_map(Value::as_i64).collect(),
        _ => vec![0],
    }
}

/// The command line pyinfra would run for `raw` with these global arguments:
/// `[sudo -H -n [-u user]] sh -c '<cd dir && >raw'`, with `_env` as the command's environment.
pub fn wrap_command(raw: &str, globals: &Args) -> Result<RemoteCommand, String> {
    let mut body = raw.to_string();
    if let Some(dir) = globals.opt_str("_chdir") {
        body = format!("cd {} && {body}", quote(&dir));
    }
    let shell = globals.opt_str("_shell_executable");
    let mut line = match shell.as_deref() {
        Some(sh) if !sh.is_empty() => format!("{sh} -c {}", quote(&body)),
        _ => body,
    };
    if globals.flag("_sudo") {
        let user = globals.opt_str("_sudo_user").map(|u| format!("-u {} ", quote(&u))).unwrap_or_default();
        line = format!("sudo -H -n {user}{line}");
    }
    let mut remote = RemoteCommand::new(line);
    if let Some(secs) = globals.get("_timeout").as_f64().filter(|s| s.is_finite() && *s > 0.0) {
        remote = remote.timeout(std::time::Duration::from_secs_f64(secs.min(1e9)));
    }
    // `_stdin`: a string or lines, each ending with a newline (as pyinfra writes them).
    let lines: Vec<String> = match globals.get("_stdin") {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect(),
        _ => Vec::new(),
    };
    if !lines.is_empty() {
        let text: String = lines.iter().map(|l| if l.ends_with('\n') { l.clone() } else { format!("{l}\n") }).collect();
        remote = remote.stdin(text.into_bytes());
    }
    if let Value::Object(env) = globals.get("_env") {
        for (k, v) in env {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            remote = remote.env(k.clone(), text);
        }
    }
    Ok(remote)
}

/// The command that runs a fact batch for an operation with these global arguments: `sh -s`, or
/// under sudo when it uses `_sudo` (pyinfra gathers an operation's facts with its privileges).
pub fn fact_runner(globals: &Args) -> String {
    let plain = "sh -s".to_string();
    if globals.flag("_sudo") {
        let user = globals.opt_str("_sudo_user").map(|u| format!("-u {} ", quote(&u))).unwrap_or_default();
        return format!("sudo -H -n {user}{plain}");
    }
    plain
}

/// After a sudo upload to `temp`: the privileged copy into `dest` (owned by `_sudo_user` when set),
/// and the unprivileged removal of `temp`.
pub fn sudo_copy_commands(temp: &str, dest: &str, globals: &Args) -> Result<(RemoteCommand, RemoteCommand), String> {
    let mut copy = format!("cp {} {}", quote(temp), quote(dest));
    if let Some(user) = globals.opt_str("_sudo_user") {
        copy = format!("{copy} && chown {} {}", quote(&user), quote(dest));
    }
    let mut root = globals.clone();
    // The copy runs as root; chown hands the file to the sudo user, as pyinfra does.
    root.set("_sudo_user", Value::Null);
    root.set("_chdir", Value::Null);
    let cleanup = wrap_command(
        &format!("rm -f {}", quote(temp)),
        &Args::bind(GLOBAL_ARGS, &[], &Map::new()).map_err(|e| e.to_string())?,
    )?;
    Ok((wrap_command(&copy, &root)?, cleanup))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn globals(pairs: Value) -> Args {
        let map: Map<String, Value> = pairs.as_object().cloned().unwrap_or_default();
        Args::bind(GLOBAL_ARGS, &[], &map).expect("globals bind")
    }

    #[test]
    fn commands_are_wrapped_as_pyinfra_does() {
        let plain = wrap_command("echo 'a b'", &globals(json!({}))).expect("wrap");
        assert_eq!(plain.command, "sh -c 'echo '\"'\"'a b'\"'\"''");
        let sudo =
            wrap_command("id", &globals(json!({"_sudo": true, "_sudo_user": "app", "_chdir": "/srv"}))).expect("wrap");
        assert_eq!(sudo.command, "sudo -H -n -u app sh -c 'cd /srv && id'");
        let env = wrap_command("env", &globals(json!({"_env": {"A": "1"}}))).expect("wrap");
        assert_eq!(env.env, vec![("A".to_string(), "1".to_string())]);
    }

    #[test]
    fn facts_of_sudo_calls_are_gathered_under_sudo() {
        assert_eq!(fact_runner(&globals(json!({}))), "sh -s");
        assert_eq!(fact_runner(&globals(json!({"_sudo": true, "_sudo_user": "pg"}))), "sudo -H -n -u pg sh -s");
    }

    #[test]
    fn sudo_uploads_copy_into_place_as_root() {
        let g = globals(json!({"_sudo": true, "_sudo_user": "app"}));
        let (copy, cleanup) = sudo_copy_commands("/tmp/rinfra-upload-1", "/etc/a b", &g).expect("commands");
        assert_eq!(
            copy.command,
            "sudo -H -n sh -c 'cp /tmp/rinfra-upload-1 '\"'\"'/etc/a b'\"'\"' && chown app '\"'\"'/etc/a b'\"'\"''"
        );
        assert_eq!(cleanup.command, "sh -c 'rm -f /tmp/rinfra-upload-1'");
    }
}
