//! Bad input end to end through the `rinfra-exec` binary, over a real sshd on loopback (simulated
//! hosts 127.0.0.1-4): each failure names the host and operation (or `file:LINE`), exits with the
//! right code (1: a host failed or the deploy raised, 2: usage) and shows no Rust panic.
//!
//! Covered elsewhere, through the same binary: syntax error, exception, unknown operation and
//! argument, missing inventory file (`deploy_local.rs`); sudo needing a password
//! (`privilege.rs::sudo_needing_a_password_without_one_fails_with_the_fix`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::sshd::{Sshd, keygen};

const BIN: &str = env!("CARGO_BIN_EXE_rinfra-exec");

/// A deploy project in a temporary directory, its hosts served by one sshd.
struct Project {
    sshd: Sshd,
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        Project { sshd: Sshd::start(), dir: tempfile::tempdir().expect("tempdir") }
    }

    fn write(&self, name: &str, body: &str) {
        std::fs::write(self.dir.path().join(name), body).expect("write project file");
    }

    /// Where the deploy writes for each host (`<dir>/remote/<address>`), as the deploys below use it.
    fn remote(&self) -> PathBuf {
        self.dir.path().join("remote")
    }

    /// `rinfra-exec HOSTS deploy.py ARGS` with the server's port, user and known_hosts; the key
    /// too unless `key` is false (an inventory then gives each host its own).
    fn run(&self, hosts: &str, args: &[&str], key: bool) -> Output {
        let s = &self.sshd;
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.dir.path()).args([hosts, "deploy.py"]).args(args);
        for (k, v) in [
            ("ssh_port", s.port.to_string()),
            ("ssh_user", s.user.clone()),
            ("ssh_known_hosts_file", s.known_hosts.display().to_string()),
            ("ssh_allow_agent", "false".to_string()),
            ("ssh_look_for_keys", "false".to_string()),
            ("ssh_connect_retries", "0".to_string()),
        ] {
            cmd.arg("--data").arg(format!("{k}={v}"));
        }
        if key {
            cmd.arg("--data").arg(format!("ssh_key={}", s.client_key.display()));
        }
        cmd.output().expect("run rinfra-exec")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// stdout and stderr together, for messages.
fn both(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn assert_no_panic(out: &Output) {
    let all = both(out);
    // Shown with --no-capture: the messages as users see them.
    println!("exit {:?}\n{all}", out.status.code());
    assert!(!all.contains("panicked") && !all.contains("RUST_BACKTRACE"), "{all}");
}

/// A deploy that makes `<remote>/<address>/` (line 4), runs `extra` (from line 5), then writes
/// `done` there: whether a host got past `extra`.
fn marker_deploy(remote: &Path, extra: &str) -> String {
    format!(
        "from pyinfra import host\nfrom pyinfra.operations import files, server\n\
         base = '{}/' + host.name.replace('@ssh/', '')\n\
         files.directory(name='base', path=base)\n{extra}\
         files.file(name='done', path=base + '/done')\n",
        remote.display()
    )
}

/// The per-host status of operation `name` in a `--json` document.
fn json_status<'a>(doc: &'a serde_json::Value, name: &str, host: &str) -> &'a serde_json::Value {
    let ops = doc["operations"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let op = ops.iter().find(|o| o["name"] == name).unwrap_or_else(|| panic!("no operation {name}: {doc}"));
    &op["hosts"][host]
}

#[test]
fn a_failing_command_names_host_operation_and_stderr_and_the_others_go_on() {
    let p = Project::new();
    let fail = "server.shell(name='check disk', \
                commands=['printf \"disk %s\\\\n\" full >&2; exit 3'] \
                if host.name.endswith('.2') else ['true'])\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), fail));
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.2", &[], true);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    let block = stdout.split("--> check disk (server.shell at deploy.py:5)").nth(1).unwrap_or("");
    assert!(block.contains("@ssh/127.0.0.2: Error: command failed (exit code 3)"), "{stdout}");
    assert!(block.contains("\n        disk full\n"), "the command's stderr is shown: {stdout}");
    assert!(p.remote().join("127.0.0.1/done").exists(), "the other host carried on");
    assert!(!p.remote().join("127.0.0.2/done").exists(), "the failed host stopped: {stdout}");

    // --json: the error is in the document, the exit code is still 1.
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.2", &["--json"], true);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let failed = json_status(&doc, "check disk", "@ssh/127.0.0.2");
    assert_eq!(failed["status"], "error", "{doc}");
    let message = failed["error"].as_str().unwrap_or("");
    assert!(message.contains("exit code 3") && message.contains("disk full"), "{doc}");
    assert_eq!(json_status(&doc, "check disk", "@ssh/127.0.0.1")["status"], "changed", "{doc}");
}

#[test]
fn ignore_errors_lets_the_host_carry_on_and_exit_0() {
    let p = Project::new();
    let fail = "server.shell(name='may fail', commands=['printf \"no%s\\\\n\" pe >&2; exit 5'], _ignore_errors=True)\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), fail));
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.2", &[], true);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_no_panic(&out);
    // The error is still shown, for each host, marked as ignored (as pyinfra does).
    assert!(stdout.contains("@ssh/127.0.0.1: Error (ignored): command failed (exit code 5)"), "{stdout}");
    assert!(stdout.contains("@ssh/127.0.0.2: Error (ignored): command failed (exit code 5)"), "{stdout}");
    assert_eq!(stdout.matches("\n        nope\n").count(), 2, "each host's stderr: {stdout}");
    for host in ["127.0.0.1", "127.0.0.2"] {
        assert!(p.remote().join(host).join("done").exists(), "later operations ran on {host}: {stdout}");
    }
}

#[test]
fn an_unreachable_host_is_named_and_the_others_finish() {
    let p = Project::new();
    p.write("deploy.py", &marker_deploy(&p.remote(), ""));
    // The server listens on 127.0.0.1-4 only: 127.0.0.5 refuses the connection.
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.5,@ssh/127.0.0.3", &[], true);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    let line = stderr.lines().find(|l| l.contains("@ssh/127.0.0.5")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("Error") && line.contains(&format!("127.0.0.5:{}", p.sshd.port)), "{line}");
    assert!(line.contains("Connection refused") && !line.contains("os error"), "says why, in words: {line}");
    assert_eq!(line.matches("127.0.0.5").count(), 2, "the host named once, then its address: {line}");
    assert!(p.remote().join("127.0.0.1/done").exists() && p.remote().join("127.0.0.3/done").exists());
    assert!(!p.remote().join("127.0.0.5").exists());

    // Some hosts unreachable, the others run: the --json document lists all of them.
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.5", &["--json"], true);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let names: Vec<&str> = doc["hosts"].as_array().into_iter().flatten().filter_map(|h| h["name"].as_str()).collect();
    assert_eq!(names, ["@ssh/127.0.0.1", "@ssh/127.0.0.5"], "{doc}");
    assert_eq!(doc["hosts"][1]["status"], "error", "{doc}");

    // Every host unreachable: still exit 1, each named, in the --json document too.
    let out = p.run("@ssh/127.0.0.5,@ssh/127.0.0.6", &["--json"], true);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("@ssh/127.0.0.5: Error") && stderr.contains("@ssh/127.0.0.6: Error"), "{stderr}");
    assert_no_panic(&out);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["hosts"][1]["name"], "@ssh/127.0.0.6", "{doc}");
    assert_eq!(doc["hosts"][1]["status"], "error", "{doc}");
    assert!(doc["hosts"][1]["error"].as_str().unwrap_or("").starts_with("cannot connect to 127.0.0.6:"), "{doc}");
}

#[test]
fn authentication_failure_names_the_host_and_the_others_finish() {
    let p = Project::new();
    p.write("deploy.py", &marker_deploy(&p.remote(), ""));
    let stranger = keygen(p.sshd.dir.path(), "stranger", "ed25519", "");
    let missing = p.dir.path().join("no-such-key");
    p.write(
        "inventory.py",
        &format!(
            "hosts = [\n    ('@ssh/127.0.0.1', {{'ssh_key': '{}'}}),\n    ('@ssh/127.0.0.2', {{'ssh_key': '{}'}}),\n    \
             ('@ssh/127.0.0.3', {{'ssh_key': '{}'}}),\n]\n",
            p.sshd.client_key.display(),
            stranger.display(),
            missing.display()
        ),
    );
    let out = p.run("inventory.py", &[], false);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    let line = stderr.lines().find(|l| l.contains("@ssh/127.0.0.2")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("Error") && line.contains("authentication failed"), "{line}");
    assert!(line.contains("stranger"), "names the key that was tried: {line}");
    assert!(line.starts_with("    @ssh/127.0.0.2: Error: authentication failed for "), "{line}");
    let line = stderr.lines().find(|l| l.contains("@ssh/127.0.0.3")).unwrap_or_else(|| panic!("{stderr}"));
    let expected =
        format!("    @ssh/127.0.0.3: Error: cannot use SSH key {}: No such file or directory", missing.display());
    assert_eq!(line, expected, "a missing key file is named, in words");
    assert!(p.remote().join("127.0.0.1/done").exists(), "the host with the right key finished");
    assert!(!p.remote().join("127.0.0.2").exists() && !p.remote().join("127.0.0.3").exists());
}

#[test]
fn a_changed_host_key_is_refused_with_the_fix_and_nothing_is_touched() {
    let p = Project::new();
    p.write("deploy.py", &marker_deploy(&p.remote(), ""));
    let hosts = "@ssh/127.0.0.1,@ssh/127.0.0.2";
    let first = p.run(hosts, &[], true);
    assert_eq!(first.status.code(), Some(0), "{}", both(&first));

    // 127.0.0.2 is "reinstalled": its known key no longer matches what the server presents.
    let other = keygen(p.dir.path(), "other_host_key", "ed25519", "");
    let other_pub = std::fs::read_to_string(other.with_extension("pub")).expect("pub");
    let other_key = other_pub.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let entry = format!("[127.0.0.2]:{}", p.sshd.port);
    let known = std::fs::read_to_string(&p.sshd.known_hosts).expect("known_hosts learnt");
    let forged: String = known
        .lines()
        .map(|l| if l.starts_with(&entry) { format!("{entry} {other_key}\n") } else { format!("{l}\n") })
        .collect();
    assert_ne!(forged, known, "the first run learnt {entry}: {known}");
    std::fs::write(&p.sshd.known_hosts, &forged).expect("write known_hosts");
    let done = p.remote().join("127.0.0.2/done");
    std::fs::remove_file(&done).expect("rm done");
    std::fs::remove_file(p.remote().join("127.0.0.1/done")).expect("rm done");

    let out = p.run(hosts, &[], true);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    assert!(stderr.contains("@ssh/127.0.0.2: Error") && stderr.contains("HAS CHANGED"), "{stderr}");
    let fix = format!("ssh-keygen -f \"{}\" -R \"{entry}\"", p.sshd.known_hosts.display());
    assert!(stderr.contains(&fix), "says how to fix it: {stderr}");
    assert!(!done.exists(), "nothing ran on the host with the changed key");
    assert!(p.remote().join("127.0.0.1/done").exists(), "the other host finished");
    assert_eq!(std::fs::read_to_string(&p.sshd.known_hosts).expect("read"), forged, "known_hosts left as it was");
}

#[test]
fn a_wrong_global_argument_type_names_operation_argument_and_line_before_anything_runs() {
    let p = Project::new();
    // Right types pass: a range for the exit codes, dict keys as the commands.
    let good = "server.shell(name='fine', commands={'true': 1}.keys(), _success_exit_codes=range(0, 2), _timeout=9)\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), good));
    let out = p.run("@ssh/127.0.0.1", &[], true);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    std::fs::remove_dir_all(p.remote()).expect("rm remote");

    // A literal: refused before the run, by the language server's check.
    let bad = "server.shell(name='timed', commands=['true'], _timeout='soon')\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), bad));
    let out = p.run("@ssh/127.0.0.1", &[], true);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    assert!(
        stderr.starts_with("deploy.py:5:56: RI005 `_timeout` of `server.shell` expects `int`, not a string\n"),
        "{stderr}"
    );
    assert!(!p.remote().exists(), "nothing ran");

    // A computed value: refused at the call, as pyinfra does.
    let bad = "server.shell(name='timed', commands=['true'], _timeout='so' + 'on')\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), bad));
    let out = p.run("@ssh/127.0.0.1", &[], true);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    assert!(
        stderr.starts_with("deploy.py:5: TypeError: server.shell: invalid argument `_timeout`: expected int, got str"),
        "{stderr}"
    );
    assert!(!p.remote().exists(), "nothing ran");
}

#[test]
fn a_wrong_operation_argument_type_names_operation_argument_and_line() {
    let p = Project::new();
    // pyinfra checks `path` with os.fspath when the operation runs on the host (OperationTypeError).
    let bad = "files.directory(path={'not': 'a path'})\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), bad));
    let out = p.run("@ssh/127.0.0.1", &[], true);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    let block = stdout.split("--> files.directory (deploy.py:5)").nth(1).unwrap_or("");
    assert!(block.contains("@ssh/127.0.0.1: Error: `path` must be a string or `os.PathLike` object"), "{stdout}");
    assert!(!p.remote().join("127.0.0.1/done").exists(), "the host stopped at the error");

    // A string for a bool runs as in pyinfra (a non-empty string is true), with a warning at the
    // call site, once however many hosts run it.
    let odd = "files.directory(name='odd', path=base + '/odd', present='false')\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), odd));
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.2", &[], true);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let warning = "deploy.py:5: warning: files.directory: `present` expects True or False, not the string \"false\", \
                   which counts as true: write present=False";
    assert_eq!(stderr.matches(warning).count(), 1, "{stderr}");
    assert!(p.remote().join("127.0.0.2/odd").is_dir(), "pyinfra's behaviour: the directory is created");

    // A value Python cannot hand over at all: the call's line and the argument, no library frames.
    p.write("deploy.py", "from pyinfra.operations import files\n\nfiles.file(path=object())\n");
    let out = p.run("@ssh/127.0.0.1", &[], true);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(stderr.starts_with("deploy.py:3: TypeError: files.file: the argument `path`"), "{stderr}");
    assert!(!stderr.contains("json"), "no library internals: {stderr}");
    assert_no_panic(&out);
}

#[test]
fn a_wrong_global_argument_type_on_the_command_line_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["@local", "server.shell", "commands=true", "_sudo=yes"])
        .output()
        .expect("run rinfra-exec");
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        text(&out.stderr).starts_with("rinfra-exec: server.shell: invalid argument `_sudo`: expected bool, got str"),
        "{}",
        both(&out)
    );
    assert_no_panic(&out);
}

#[test]
fn json_mode_reports_an_inventory_error_in_the_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.py"), "hosts = ['@local']\nraise RuntimeError('bad inventory')\n")
        .expect("inventory.py");
    std::fs::write(dir.path().join("deploy.py"), "").expect("deploy.py");
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["inventory.py", "deploy.py", "--json"])
        .output()
        .expect("run rinfra-exec");
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["status"], "error", "{doc}");
    let error = doc["error"].as_str().unwrap_or("");
    assert!(error.starts_with("inventory.py:2: RuntimeError: bad inventory"), "{doc}");
    assert!(text(&out.stderr).starts_with("inventory.py:2: RuntimeError: bad inventory"), "{}", both(&out));
}

#[test]
fn an_ssh_host_without_a_name_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("deploy.py"), "").expect("deploy.py");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@ssh/", "deploy.py"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(text(&out.stderr).starts_with("rinfra-exec: '@ssh/' names no host"), "{}", both(&out));
    assert_no_panic(&out);
}

#[test]
fn import_errors_and_helper_modules_show_user_paths_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An unknown operations module is refused before the run (the language server's check).
    std::fs::write(dir.path().join("deploy.py"), "from pyinfra.operations import nosuch\n").expect("deploy.py");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local", "deploy.py"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("deploy.py:1:32: RI008 Unknown module `pyinfra.operations.nosuch`\n"), "{stderr}");

    // A name the check does not judge (facts modules export helpers too) fails when Python imports it.
    std::fs::write(dir.path().join("deploy.py"), "from pyinfra.facts.server import nosuch\n").expect("deploy.py");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local", "deploy.py"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("deploy.py:1: ImportError: cannot import name 'nosuch' from 'pyinfra.facts.server'\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("<rinfra"), "{stderr}");

    // An exception in the user's own module beside deploy.py: its path as the user knows it.
    std::fs::write(dir.path().join("helper.py"), "def broken():\n    return {}['key']\n").expect("helper.py");
    std::fs::write(dir.path().join("deploy.py"), "import helper\n\nhelper.broken()\n").expect("deploy.py");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local", "deploy.py"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("helper.py:2: KeyError: 'key'\n"), "{stderr}");
    assert!(stderr.contains("line 3, in <module>"), "the deploy's own frame is kept: {stderr}");
    assert_no_panic(&out);
}

#[test]
fn a_host_whose_connection_drops_mid_run_fails_alone() {
    let p = Project::new();
    // On 127.0.0.2 the command kills its own SSH session process (the nearest sshd above it).
    let drop = r#"server.shell(name='drop', commands=['p=$$; while [ "$p" -gt 1 ]; do case "$(cat /proc/$p/comm)" in sshd*) kill -9 $p; break;; esac; p=$(cut -d" " -f4 /proc/$p/stat); done; sleep 5'] if host.name.endswith('.2') else ['true'])
"#;
    p.write("deploy.py", &marker_deploy(&p.remote(), drop));
    let started = std::time::Instant::now();
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.2", &[], true);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "noticed at once");
    let block = stdout.split("--> drop (server.shell at deploy.py:5)").nth(1).unwrap_or("");
    let line = block.lines().find(|l| l.contains("@ssh/127.0.0.2")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.starts_with("    @ssh/127.0.0.2: Error: "), "{line}");
    assert_eq!(line.matches("127.0.0.2").count(), 1, "the host named once: {line}");
    assert!(line.contains("the SSH connection was lost"), "{line}");
    assert!(p.remote().join("127.0.0.1/done").exists(), "the other host finished: {stdout}");
    assert!(!p.remote().join("127.0.0.2/done").exists());
}

#[test]
fn an_exception_for_one_host_names_that_host_and_nothing_runs() {
    let p = Project::new();
    let raises = "if host.name.endswith('.2'):\n    raise KeyError('role')\n";
    p.write("deploy.py", &marker_deploy(&p.remote(), raises));
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.2", &[], true);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    assert!(
        stderr.starts_with("deploy.py:6: KeyError: 'role'\n(raised while running for host @ssh/127.0.0.2)\n"),
        "{stderr}"
    );
    assert!(!p.remote().exists(), "as in pyinfra, a raising deploy script stops the run before any change");
    // In --json mode the document carries the error.
    let out = p.run("@ssh/127.0.0.1,@ssh/127.0.0.2", &["--json"], true);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert!(doc["error"].as_str().is_some_and(|e| e.starts_with("deploy.py:6: KeyError")), "{doc}");
}

/// Connections the server has accepted so far (its log at LogLevel VERBOSE has a line for each).
fn connections(sshd: &Sshd) -> usize {
    sshd.log().matches("Connection from ").count()
}

#[test]
fn certain_errors_in_the_deploy_stop_the_run_before_any_host_is_contacted() {
    let p = Project::new();
    let hosts = "@ssh/127.0.0.1,@ssh/127.0.0.2";
    // A valid deploy connects (so the server's log does count connections).
    p.write("deploy.py", &marker_deploy(&p.remote(), ""));
    let before = connections(&p.sshd);
    let out = p.run(hosts, &["--dry"], true);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(connections(&p.sshd) >= before + 2, "{}", p.sshd.log());

    // An unknown argument and a missing one here, an unknown operation in a file it includes; a
    // string for a bool (which pyinfra runs) and a computed argument are not judged before the run.
    let extra = "files.directory(name='typo', path=base, mode='755', presnt=False)\n\
                 files.file(name='no path')\n\
                 files.directory(name='odd', path=base, present='false', **{'mode': '700'})\n\
                 local.include('tasks.py')\n";
    let deploy =
        marker_deploy(&p.remote(), extra).replace("from pyinfra import host", "from pyinfra import host, local");
    p.write("deploy.py", &deploy);
    p.write("tasks.py", "from pyinfra.operations import server\n\nserver.shel(commands=['true'])\n");
    let before = connections(&p.sshd);
    for args in [&[][..], &["--dry"], &["--json"]] {
        let out = p.run(hosts, args, true);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", both(&out));
        assert_no_panic(&out);
        let stderr = text(&out.stderr);
        assert_eq!(
            stderr,
            "deploy.py:5:53: RI002 Unknown argument `presnt` for `files.directory`; did you mean `present`?\n\
             deploy.py:6:1: RI003 `files.file` is missing required argument `path`\n\
             tasks.py:3:8: RI001 Unknown operation `shel` in `pyinfra.operations.server`; did you mean `shell`?\n\
             rinfra-exec: 3 errors in the deploy: nothing was run and no host contacted\n",
            "{args:?}"
        );
        if args == ["--json"] {
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
            assert!(doc["error"].as_str().is_some_and(|e| e.starts_with("deploy.py:5:53: RI002")), "{doc}");
        }
    }
    assert_eq!(connections(&p.sshd), before, "no host contacted: {}", p.sshd.log());
    assert!(!p.remote().exists(), "nothing ran");

    // A syntax error: Python's own message and line, before any host is contacted.
    p.write("deploy.py", "from pyinfra.operations import server\n\nserver.shell(commands=['true']\n");
    let out = p.run(hosts, &[], true);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert_no_panic(&out);
    assert!(text(&out.stderr).starts_with("deploy.py:3: SyntaxError: '(' was never closed"), "{}", both(&out));
    assert_eq!(connections(&p.sshd), before, "no host contacted: {}", p.sshd.log());
}

#[test]
fn a_bad_operation_or_fact_on_the_command_line_contacts_no_host() {
    let p = Project::new();
    let s = &p.sshd;
    let run = |args: &[&str]| {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(p.dir.path()).arg("@ssh/127.0.0.1").args(args);
        cmd.arg("--data").arg(format!("ssh_port={}", s.port)).arg("--data").arg(format!("ssh_user={}", s.user));
        cmd.arg("--data").arg(format!("ssh_known_hosts_file={}", s.known_hosts.display()));
        cmd.arg("--data").arg(format!("ssh_key={}", s.client_key.display()));
        cmd.output().expect("run rinfra-exec")
    };
    let before = connections(s);
    let out = run(&["server.shell", "commands=echo", "--dry"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(connections(s) > before, "a valid call connects: {}", s.log());

    let before = connections(s);
    for (args, message) in [
        (&["files.directory", "path=/x", "bogus=1"][..], "rinfra-exec: files.directory: "),
        (&["files.file"], "rinfra-exec: files.file: "),
        (&["server.shell", "commands=true", "_sudo=yes"], "rinfra-exec: server.shell: invalid argument `_sudo`"),
        (&["fact", "server.Nothing"], "rinfra-exec: unknown fact server.Nothing"),
        (&["fact", "files.File", "pth=/etc"], "rinfra-exec: files.File: "),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", both(&out));
        assert!(text(&out.stderr).starts_with(message), "{args:?}: {}", both(&out));
        assert_no_panic(&out);
    }
    assert_eq!(connections(s), before, "no host contacted: {}", s.log());
}
