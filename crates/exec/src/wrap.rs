//! How a planned command reaches the host's shell: pyinfra's `make_unix_command` — `_env`, `_chdir`,
//! `_shell_executable`, then `_doas`, `_dzdo`, `_sudo` (`_use_sudo_login`, `_preserve_sudo_env`,
//! `_sudo_user`) and `_su_user` (`_use_su_login`, `_preserve_su_env`, `_su_shell`) — plus `_stdin`,
//! `_timeout`, `_get_pty`, and the privileged copy after an upload. The strings match pyinfra 3.10's
//! byte for byte (the tests below hold them to strings pyinfra produced), so `-vv` shows the commands
//! pyinfra would run.
//!
//! One deliberate difference: with a sudo password pyinfra prefixes
//! `env SUDO_ASKPASS=... PYINFRA_SUDO_PASSWORD=<password>`, which puts the password in the target's
//! process list. rinfra builds the `sudo -H -n` form here and [`with_sudo_password`] swaps it for
//! `sudo -H -A -k`; the askpass helper is set through the environment by
//! [`crate::connector::askpass`], and reads the password from a private file. Likewise with
//! `_su_password` pyinfra pipes `env PYINFRA_SU_PASSWORD=<password> <askpass> | su ...`; rinfra
//! pipes the output of the askpass script named by [`SU_ASKPASS_VAR`] (see [`command_line`]).

use rinfra_facts::args::Args;
use rinfra_facts::globals::GLOBAL_ARGS;
use rinfra_facts::quote::quote;
use rinfra_facts::value::{Map, Value, py_str, truthy};

use crate::connector::RemoteCommand;
use crate::connector::askpass::{Passwords, Secret};

/// The environment variable naming the script that prints an operation's `_su_password` (set by
/// [`crate::connector::askpass::SudoPassword`]).
pub const SU_ASKPASS_VAR: &str = "RINFRA_SU_ASKPASS";

/// What su's standard input carries after the password line.
#[derive(Clone, Copy)]
enum Input<'a> {
    /// The command's own input (its `_stdin`, or a fact script).
    Stdin,
    /// Nothing (on a PTY, where `cat` would wait for an end of input that never comes).
    Nothing,
    /// This file on the host.
    File(&'a str),
}

/// The command that feeds su its password line, then `input`.
fn su_feed(input: Input<'_>) -> String {
    let askpass = format!("\"${SU_ASKPASS_VAR}\"");
    match input {
        Input::Stdin => format!("{{ {askpass} && cat; }}"),
        Input::Nothing => askpass,
        Input::File(path) => format!("{{ {askpass} && cat {}; }}", quote(path)),
    }
}

/// The operation's passwords for its sudo and su (`_sudo_password` when `_sudo` is set,
/// `_su_password` when `_su_user` is), as pyinfra uses them; an error for a password sudo or su
/// cannot read (a line break in it).
pub fn passwords(globals: &Args) -> Result<Passwords, String> {
    let secret = |name: &str| -> Result<Option<Secret>, String> {
        match set_str(globals, name) {
            None => Ok(None),
            Some(pw) => {
                Secret::new(pw).map(Some).ok_or_else(|| format!("{name} holds a line break: sudo and su read one line"))
            }
        }
    };
    let sudo = if globals.flag("_sudo") { secret("_sudo_password")? } else { None };
    let su = if set_str(globals, "_su_user").is_some() { secret("_su_password")? } else { None };
    Ok(Passwords { sudo, su })
}

/// The exit codes that count as success (`_success_exit_codes`, default `[0]`).
pub fn success_codes(globals: &Args) -> Vec<i64> {
    match globals.get("_success_exit_codes") {
        Value::Array(codes) => codes.iter().filter_map(Value::as_i64).collect(),
        _ => vec![0],
    }
}

/// A global argument as a string when it is truthy (pyinfra tests these with `if _arg:`).
fn set_str(globals: &Args, name: &str) -> Option<String> {
    let v = globals.get(name);
    truthy(v).then(|| py_str(v))
}

/// The shell that wraps commands: `_shell_executable`, `sh` when it is not a string, none when `None`.
fn shell(globals: &Args) -> Option<String> {
    match globals.get("_shell_executable") {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        _ => Some("sh".to_string()),
    }
}

/// `_env` and `_chdir` applied to `raw`: `cd DIR && export 'K=V' ... && raw`.
fn with_env_and_dir(raw: &str, globals: &Args) -> String {
    let mut body = raw.to_string();
    if let Value::Object(env) = globals.get("_env")
        && !env.is_empty()
    {
        // Each `key=value` pair is quoted whole, so a value cannot add shell tokens.
        let pairs: Vec<String> = env.iter().map(|(k, v)| quote(&format!("{k}={}", py_str(v)))).collect();
        body = format!("export {} && {body}", pairs.join(" "));
    }
    if let Some(dir) = set_str(globals, "_chdir") {
        body = format!("cd {} && {body}", quote(&dir));
    }
    body
}

/// The privilege prefix (`doas`, `dzdo`, `sudo`) and the `su` wrapping around `inner`, which is the
/// shell command line to run (`sh -c '...'`, or the raw command when there is no shell).
///
/// With `_su_password`, su reads the password line on its standard input, fed by the askpass
/// script ahead of `input`, and runs as the connecting user: pyinfra's pipeline puts the
/// `doas` / `dzdo` / `sudo` prefix on the password's printer, not on su, so rinfra leaves it out.
fn escalate(inner: String, globals: &Args, input: Input<'_>) -> String {
    let su_password = set_str(globals, "_su_user").is_some() && truthy(globals.get("_su_password"));
    if su_password {
        return format!("{} | {}", su_feed(input), su_wrap(inner, globals));
    }
    let mut bits: Vec<String> = Vec::new();
    if globals.flag("_doas") {
        bits.extend(["doas".into(), "-n".into()]);
        if let Some(user) = set_str(globals, "_doas_user") {
            bits.extend(["-u".into(), quote(&user)]);
        }
    }
    if globals.flag("_dzdo") {
        bits.extend(["dzdo".into(), "-H".into(), "-n".into()]);
        if let Some(user) = set_str(globals, "_dzdo_user") {
            bits.extend(["-u".into(), quote(&user)]);
        }
    }
    if globals.flag("_sudo") {
        // Always the non-interactive form; `with_sudo_password` turns it into the askpass form.
        bits.extend([SUDO_NO_PROMPT.to_string()]);
        if globals.flag("_use_sudo_login") {
            bits.push("-i".into());
        }
        if globals.flag("_preserve_sudo_env") {
            bits.push("-E".into());
        }
        if let Some(user) = set_str(globals, "_sudo_user") {
            bits.extend(["-u".into(), quote(&user)]);
        }
    }
    if set_str(globals, "_su_user").is_some() {
        bits.push(su_wrap(inner, globals));
    } else {
        bits.push(inner);
    }
    bits.join(" ")
}

/// `su [-l] [-m] [-s SHELL] USER -c 'INNER'` (`inner` unchanged when there is no `_su_user`).
fn su_wrap(inner: String, globals: &Args) -> String {
    let Some(user) = set_str(globals, "_su_user") else { return inner };
    let mut bits: Vec<String> = vec!["su".into()];
    if globals.flag("_use_su_login") {
        bits.push("-l".into());
    }
    if globals.flag("_preserve_su_env") {
        bits.push("-m".into());
    }
    if let Some(sh) = set_str(globals, "_su_shell") {
        bits.extend(["-s".into(), format!("$(command -v {})", quote(&sh))]);
    }
    // The whole `sh -c '...'` is quoted once more: BSD su has no shell option.
    bits.extend([quote(&user), "-c".into(), quote(&inner)]);
    bits.join(" ")
}

/// How every sudo command rinfra builds starts (see [`with_sudo_password`]).
const SUDO_NO_PROMPT: &str = "sudo -H -n";

/// The command line of `command` when a sudo password is available: its leading `sudo -H -n`
/// becomes `sudo -H -A -k` (ask the askpass helper, never use a cached credential), as pyinfra
/// does. `None` when the command does not start with rinfra's sudo prefix.
pub fn with_sudo_password(command: &str) -> Option<String> {
    let rest = command.strip_prefix(SUDO_NO_PROMPT)?;
    (rest.is_empty() || rest.starts_with(' ')).then(|| format!("sudo -H -A -k{rest}"))
}

/// `raw` as a line of a script that `sh` runs (each line in its own subshell, see
/// `gather::build_script`): the command line without its `sh -c` wrapper when the shell is `sh`
/// and nothing escalates — the same shell, one process fewer. Otherwise the full command line.
pub fn script_line(raw: &str, globals: &Args) -> String {
    let plain = shell(globals).as_deref() == Some("sh") && escalate(String::new(), globals, Input::Stdin).is_empty();
    if plain { with_env_and_dir(raw, globals) } else { command_line(raw, globals) }
}

/// The command line pyinfra would run for `raw` with these global arguments, without `_stdin`,
/// `_timeout` and `_get_pty` (see [`wrap_command`]). With `_su_password` it starts with
/// `{ "$RINFRA_SU_ASKPASS" && cat; } | su ...`: su reads the password line, the command the rest
/// of the input (only the password on a PTY).
pub fn command_line(raw: &str, globals: &Args) -> String {
    let input = if globals.flag("_get_pty") { Input::Nothing } else { Input::Stdin };
    command_line_reading(raw, globals, input)
}

/// [`command_line`] with the input su passes on after the password.
fn command_line_reading(raw: &str, globals: &Args, input: Input<'_>) -> String {
    let body = with_env_and_dir(raw, globals);
    let inner = match shell(globals) {
        Some(sh) => format!("{sh} -c {}", quote(&body)),
        None => body,
    };
    escalate(inner, globals, input)
}

/// The command pyinfra would run for `raw` with these global arguments (see [`command_line`]),
/// with its input, time limit and PTY request.
pub fn wrap_command(raw: &str, globals: &Args) -> Result<RemoteCommand, String> {
    let mut remote = RemoteCommand::new(command_line(raw, globals));
    if let Some(secs) = globals.get("_timeout").as_f64().filter(|s| s.is_finite() && *s > 0.0) {
        remote = remote.timeout(std::time::Duration::from_secs_f64(secs.min(1e9)));
    }
    // `_stdin`: a string or lines, each ending with a newline (as pyinfra writes them).
    let lines: Vec<String> = match globals.get("_stdin") {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().map(py_str).collect(),
        _ => Vec::new(),
    };
    if !lines.is_empty() {
        let text: String = lines.iter().map(|l| if l.ends_with('\n') { l.clone() } else { format!("{l}\n") }).collect();
        remote = remote.stdin(text.into_bytes());
    }
    remote.pty = globals.flag("_get_pty");
    Ok(remote.passwords(passwords(globals)?))
}

/// The command that runs a fact batch (a script on standard input) for an operation with these
/// global arguments: `sh -s` under the same `doas` / `dzdo` / `sudo` / `su` as the operation, since
/// pyinfra gathers an operation's facts with its privileges.
pub fn fact_runner(globals: &Args) -> String {
    escalate("sh -s".to_string(), globals, Input::Stdin)
}

/// Whether an upload with these arguments must go to a temporary file first and be copied into
/// place by a privileged command (the SSH user may not write the destination).
pub fn needs_privileged_upload(globals: &Args) -> bool {
    ["_sudo", "_doas", "_dzdo"].iter().any(|a| globals.flag(a)) || set_str(globals, "_su_user").is_some()
}

/// After an upload to `temp`: the privileged copy into `dest`, and the unprivileged removal of
/// `temp`. With sudo / doas / dzdo the copy runs as root and `chown`s the file to the target user
/// when one is set; with only `su`, the su user writes the file from its standard input.
pub fn sudo_copy_commands(temp: &str, dest: &str, globals: &Args) -> Result<(RemoteCommand, RemoteCommand), String> {
    let plain = Args::bind(GLOBAL_ARGS, &[], &Map::new()).map_err(|e| e.to_string())?;
    let cleanup = wrap_command(&format!("rm -f {}", quote(temp)), &plain)?;
    let mut privileged = globals.clone();
    privileged.set("_chdir", Value::Null);
    let root = ["_sudo", "_doas", "_dzdo"].iter().any(|a| globals.flag(a));
    let copy = if root {
        let user = ["_su_user", "_sudo_user", "_doas_user", "_dzdo_user"].iter().find_map(|a| set_str(globals, a));
        for arg in ["_su_user", "_sudo_user", "_doas_user", "_dzdo_user"] {
            privileged.set(arg, Value::Null);
        }
        let mut copy = format!("cp {} {}", quote(temp), quote(dest));
        if let Some(user) = user {
            copy = format!("{copy} && chown {} {}", quote(&user), quote(dest));
        }
        copy
    } else if truthy(globals.get("_su_password")) {
        // As below, with the password line ahead of the file's bytes.
        command_line_reading(&format!("cat > {}", quote(dest)), &privileged, Input::File(temp))
    } else {
        // The su user may not read the SSH user's temporary file: the SSH user's shell opens it
        // as su's standard input (pyinfra grants access with setfacl, which needs the acl package).
        format!("{} < {}", command_line(&format!("cat > {}", quote(dest)), &privileged), quote(temp))
    };
    let copy = if root {
        wrap_command(&copy, &privileged)?
    } else {
        RemoteCommand::new(copy).passwords(passwords(&privileged)?)
    };
    Ok((copy, cleanup))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn globals(pairs: Value) -> Args {
        let map: Map<String, Value> = pairs.as_object().cloned().unwrap_or_default();
        Args::bind(GLOBAL_ARGS, &[], &map).expect("globals bind")
    }

    /// Each case's expected string is what pyinfra 3.10's `make_unix_command(StringCommand(raw),
    /// **kwargs).get_raw_value()` returned for the same arguments.
    #[test]
    fn script_lines_drop_the_sh_wrapper_only_when_it_changes_nothing() {
        let plain = script_line("echo hi", &globals(json!({"_chdir": "/srv", "_env": {"A": "1"}})));
        assert_eq!(plain, "cd /srv && export A=1 && echo hi");
        assert_eq!(script_line("echo hi", &globals(json!({"_shell_executable": "bash"}))), "bash -c 'echo hi'");
        assert_eq!(script_line("id", &globals(json!({"_sudo": true}))), "sudo -H -n sh -c id");
    }

    #[test]
    fn command_lines_match_pyinfra() {
        let cases = [
            ("echo 'a b'", json!({}), r#"sh -c 'echo '"'"'a b'"'"''"#),
            ("id", json!({"_sudo": true}), "sudo -H -n sh -c id"),
            (
                "id",
                json!({"_sudo": true, "_sudo_user": "app", "_chdir": "/srv"}),
                "sudo -H -n -u app sh -c 'cd /srv && id'",
            ),
            (
                "id",
                json!({"_sudo": true, "_use_sudo_login": true, "_preserve_sudo_env": true, "_sudo_user": "pg"}),
                "sudo -H -n -i -E -u pg sh -c id",
            ),
            ("id", json!({"_su_user": "app"}), "su app -c 'sh -c id'"),
            (
                "id",
                json!({"_su_user": "app", "_use_su_login": true, "_preserve_su_env": true, "_su_shell": "bash"}),
                "su -l -m -s $(command -v bash) app -c 'sh -c id'",
            ),
            (
                "echo $HOME",
                json!({"_sudo": true, "_su_user": "app", "_chdir": "/tmp/a b"}),
                r#"sudo -H -n su app -c 'sh -c '"'"'cd '"'"'"'"'"'"'"'"'/tmp/a b'"'"'"'"'"'"'"'"' && echo $HOME'"'"''"#,
            ),
            ("id", json!({"_doas": true}), "doas -n sh -c id"),
            ("id", json!({"_doas": true, "_doas_user": "www"}), "doas -n -u www sh -c id"),
            ("id", json!({"_dzdo": true, "_dzdo_user": "www"}), "dzdo -H -n -u www sh -c id"),
            ("env", json!({"_env": {"A": "1", "B": "x y"}}), r#"sh -c 'export A=1 '"'"'B=x y'"'"' && env'"#),
            (
                "env",
                json!({"_env": {"A": "1"}, "_chdir": "/srv", "_sudo": true}),
                "sudo -H -n sh -c 'cd /srv && export A=1 && env'",
            ),
            ("id", json!({"_shell_executable": null, "_sudo": true}), "sudo -H -n id"),
            ("id", json!({"_shell_executable": "bash", "_su_user": "app"}), "su app -c 'bash -c id'"),
            ("id", json!({"_shell_executable": null, "_su_user": "app"}), "su app -c id"),
        ];
        for (raw, args, expected) in cases {
            assert_eq!(command_line(raw, &globals(args.clone())), expected, "{raw} {args}");
        }
    }

    #[test]
    fn stdin_timeout_and_pty_travel_with_the_command() {
        let c = wrap_command("cat", &globals(json!({"_stdin": ["a", "b\n"], "_timeout": 2, "_get_pty": true})))
            .expect("wrap");
        assert_eq!(c.stdin.as_deref(), Some(&b"a\nb\n"[..]));
        assert_eq!(c.timeout, Some(std::time::Duration::from_secs(2)));
        assert!(c.pty);
        assert!(!wrap_command("id", &globals(json!({}))).expect("wrap").pty);
    }

    #[test]
    fn a_sudo_password_switches_to_askpass() {
        assert_eq!(with_sudo_password("sudo -H -n -u app sh -c id").as_deref(), Some("sudo -H -A -k -u app sh -c id"));
        assert_eq!(with_sudo_password("sudo -H -n").as_deref(), Some("sudo -H -A -k"));
        assert_eq!(with_sudo_password("sh -c 'sudo -H -n id'"), None);
        assert_eq!(with_sudo_password("sudo -H -nx"), None);
    }

    /// With `_su_password`, su reads the password line from the askpass script's output and the
    /// command the rest of the input; the password itself is never in the line.
    #[test]
    fn a_su_password_is_piped_to_su_never_written_in_the_line() {
        let g = globals(json!({"_su_user": "app", "_su_password": "pw-x", "_sudo": true}));
        let line = command_line("id", &g);
        assert_eq!(line, r#"{ "$RINFRA_SU_ASKPASS" && cat; } | su app -c 'sh -c id'"#);
        let pty = globals(json!({"_su_user": "app", "_su_password": "pw-x", "_get_pty": true}));
        assert_eq!(command_line("id", &pty), r#""$RINFRA_SU_ASKPASS" | su app -c 'sh -c id'"#);
        assert_eq!(fact_runner(&g), r#"{ "$RINFRA_SU_ASKPASS" && cat; } | su app -c 'sh -s'"#);
        let remote = wrap_command("id", &g).expect("wrap");
        assert!(!format!("{remote:?}").contains("pw-x"), "{remote:?}");
        assert_eq!(remote.passwords.su, Secret::new("pw-x".into()));
        let (copy, _) =
            sudo_copy_commands("/tmp/t", "/srv/f", &globals(json!({"_su_user": "app", "_su_password": "p"})))
                .expect("commands");
        assert_eq!(
            copy.command,
            r#"{ "$RINFRA_SU_ASKPASS" && cat /tmp/t; } | su app -c 'sh -c '"'"'cat > /srv/f'"'"''"#
        );
        assert!(copy.passwords.su.is_some());
    }

    /// Passwords count only with the privilege they are for, as in pyinfra; a line break is refused.
    #[test]
    fn passwords_go_with_their_privilege() {
        let both = globals(json!({"_sudo": true, "_sudo_password": "a", "_su_user": "u", "_su_password": "b"}));
        let p = passwords(&both).expect("passwords");
        assert_eq!((p.sudo, p.su), (Secret::new("a".into()), Secret::new("b".into())));
        assert!(passwords(&globals(json!({"_sudo_password": "a", "_su_password": "b"}))).expect("none").is_empty());
        let sudo = globals(json!({"_sudo": true, "_sudo_password": "pw"}));
        assert_eq!(command_line("id", &sudo), "sudo -H -n sh -c id", "the askpass layer switches it to -A -k");
        assert_eq!(wrap_command("id", &sudo).expect("wrap").passwords.sudo, Secret::new("pw".into()));
        let broken = globals(json!({"_sudo": true, "_sudo_password": "a\nb"}));
        assert!(wrap_command("id", &broken).is_err_and(|e| e.contains("_sudo_password") && !e.contains("a\nb")));
    }

    #[test]
    fn facts_are_gathered_with_the_operations_privileges() {
        assert_eq!(fact_runner(&globals(json!({}))), "sh -s");
        assert_eq!(fact_runner(&globals(json!({"_sudo": true, "_sudo_user": "pg"}))), "sudo -H -n -u pg sh -s");
        assert_eq!(fact_runner(&globals(json!({"_su_user": "app"}))), "su app -c 'sh -s'");
        assert_eq!(fact_runner(&globals(json!({"_doas": true}))), "doas -n sh -s");
    }

    #[test]
    fn privileged_uploads_copy_into_place() {
        let g = globals(json!({"_sudo": true, "_sudo_user": "app"}));
        assert!(needs_privileged_upload(&g) && !needs_privileged_upload(&globals(json!({}))));
        let (copy, cleanup) = sudo_copy_commands("/tmp/rinfra-upload-1", "/etc/a b", &g).expect("commands");
        assert_eq!(
            copy.command,
            r#"sudo -H -n sh -c 'cp /tmp/rinfra-upload-1 '"'"'/etc/a b'"'"' && chown app '"'"'/etc/a b'"'"''"#
        );
        assert_eq!(cleanup.command, "sh -c 'rm -f /tmp/rinfra-upload-1'");
        let su = globals(json!({"_su_user": "app"}));
        assert!(needs_privileged_upload(&su));
        let (copy, _) = sudo_copy_commands("/tmp/t", "/srv/f", &su).expect("commands");
        assert_eq!(copy.command, r#"su app -c 'sh -c '"'"'cat > /srv/f'"'"'' < /tmp/t"#);
    }
}
