//! Command-line defaults for every operation (`--retry`, `--retry-delay`, `--shell-executable`,
//! `--su-user`), through the real binary on `@local`, for `exec` and for deploy scripts.

use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_rinfra-exec");

fn rinfra(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .arg("@local")
        .args(args)
        .env_remove("RINFRA_SUDO_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("run rinfra-exec")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A command that fails until it has run `n` times (counting in `dir/count`).
fn flaky(dir: &Path, n: usize) -> String {
    let count = dir.join("count");
    format!("echo x >> {0}; test $(wc -l < {0}) -ge {n}", count.display())
}

#[test]
fn retry_flags_retry_failed_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cmd = flaky(dir.path(), 3);
    let out = rinfra(dir.path(), &["exec", "--", &cmd]);
    assert_eq!(out.status.code(), Some(1), "no retries by default: {}", text(&out));

    std::fs::remove_file(dir.path().join("count")).expect("reset");
    let out = rinfra(dir.path(), &["--retry", "2", "--retry-delay", "0", "exec", "--", &cmd]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("count")).expect("count").lines().count(), 3);

    // In a deploy script the flags are `config.RETRY` / `config.RETRY_DELAY`, the defaults of
    // `_retries` / `_retry_delay`.
    std::fs::remove_file(dir.path().join("count")).expect("reset");
    let deploy = format!("from pyinfra.operations import server\nserver.shell(commands=[{cmd:?}])\n");
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &["deploy.py", "--retry=2", "--retry-delay=0"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let bad = rinfra(dir.path(), &["deploy.py", "--retry", "many"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("--retry takes a whole number"), "{}", text(&bad));
}

#[test]
fn shell_executable_and_su_user_flags_wrap_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    // `$0` is the shell that `-c` ran the command with.
    let out = rinfra(dir.path(), &["--shell-executable", "bash", "exec", "--", "echo shell=$0"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("shell=bash"), "{}", text(&out));

    // Running as root here, so su needs no password. `nobody` has no login shell: config.py's
    // SU_SHELL (the default of `_su_shell`) gives su one.
    std::fs::write(dir.path().join("config.py"), "SU_SHELL = 'sh'\n").expect("config.py");
    let deploy = "from pyinfra.operations import server\nserver.shell(commands=['id -un'])\n";
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &["deploy.py", "--su-user", "nobody", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json");
    assert_eq!(json["operations"][0]["hosts"]["@local"]["stdout"], serde_json::json!(["nobody"]), "{json}");
}

#[test]
fn get_pty_on_local_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = rinfra(dir.path(), &["server.shell", "commands=[\"tty\"]", "_get_pty=true"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("_get_pty is not supported on @local"), "{all}");
}

#[test]
fn the_sudo_password_variable_is_not_inherited_by_local_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["@local", "--use-sudo-password", "exec", "--", "env"])
        .env("RINFRA_SUDO_PASSWORD", "pw-from-the-environment")
        .stdin(Stdio::null())
        .output()
        .expect("run rinfra-exec");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("PATH="), "env ran: {all}");
    assert!(!all.contains("pw-from-the-environment"), "{all}");

    // Without a terminal (`setsid`: a new session, none even when the tests run in one) and
    // without the variable there is no password to use: a usage error.
    let out = Command::new("setsid")
        .arg(BIN)
        .current_dir(dir.path())
        .args(["@local", "--use-sudo-password", "exec", "--", "true"])
        .env_remove("RINFRA_SUDO_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("run setsid rinfra-exec");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("RINFRA_SUDO_PASSWORD"), "{}", text(&out));
}
