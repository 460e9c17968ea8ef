//! Privilege escalation end to end, with real accounts, real sudo and su, over a real sshd.
//!
//! Runs as root (as the test machine does): it creates, idempotently, `rinfra-sudoer` (a known
//! password, and a sudoers.d drop-in that demands it, checked with `visudo -cf`) and
//! `rinfra-su-target` (an account with a known password and a private home, to `su` and `doas` to;
//! one rule appended to /etc/doas.conf, checked with `doas -C`), then logs in over SSH with a key.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::sshd::Sshd;

/// The account that needs a password for sudo.
const SUDOER: &str = "rinfra-sudoer";
/// Its password, and the SHA-512 crypt hash of it (`openssl passwd -6 -salt rinfraTestSalt`).
const PASSWORD: &str = "rinfra-Test-Pw-4417";
const PASSWORD_HASH: &str =
    "$6$rinfraTestSalt$Vx7vTxXQNQvEH3CFSuQa1pM6gwXlAVXOTdPSnYK1uRucS.OwlvexXt3tgUmF8Txqh3pn2o8xc62Q6w8uZPjaY/";
/// An account root switches to with `su`, and the sudoer with `su` and its password.
const SU_TARGET: &str = "rinfra-su-target";
/// Its password, and the hash of it (`openssl passwd -6 -salt rinfraSuSalt`).
const SU_PASSWORD: &str = "rinfra-Su-Pw-2291";
const SU_PASSWORD_HASH: &str =
    "$6$rinfraSuSalt$r.lEWpiV51RjcUwBab7X8IOlSAhLhFd06fA/LeQsGYmJxHgafwZfyvfVimBzRngTEJGwy1G.Vh4kFenxM5yb31";

/// The doas rule the tests add to /etc/doas.conf (doas has no drop-in directory): root may become
/// the su target without a password.
const DOAS_RULE: &str = "permit nopass root as rinfra-su-target";

const SUDOERS_FILE: &str = "/etc/sudoers.d/rinfra-sudoer";
const SUDOERS: &str = "# rinfra tests (crates/exec/tests/privilege.rs): sudo with a password.\n\
                       Defaults:rinfra-sudoer !lecture\n\
                       rinfra-sudoer ALL=(ALL:ALL) ALL\n";

/// Creates the accounts and the sudoers drop-in when missing; safe to run from parallel tests
/// (serialised with flock) and again on every run.
fn setup_accounts() {
    assert_eq!(current_uid(), 0, "these tests create accounts and must run as root (as scripts/test does here)");
    for tool in ["/usr/bin/sudo", "/usr/sbin/visudo", "/usr/sbin/useradd", "/usr/bin/doas"] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: install sudo / doas / passwd (scripts/test installs them)"
        );
    }
    let staged = format!("{SUDOERS_FILE}.rinfra-test-{}", std::process::id());
    let script = format!(
        r#"set -e
id -u {SUDOER} >/dev/null 2>&1 || useradd --create-home --shell /bin/sh {SUDOER}
usermod -p '{PASSWORD_HASH}' {SUDOER}
id -u {SU_TARGET} >/dev/null 2>&1 || useradd --create-home --shell /bin/sh {SU_TARGET}
usermod -p '{SU_PASSWORD_HASH}' {SU_TARGET}
chmod 0700 /home/{SU_TARGET}
if ! cmp -s {SUDOERS_FILE} /dev/stdin <<'EOF'
{SUDOERS}EOF
then
  cat > {staged} <<'EOF'
{SUDOERS}EOF
  chmod 0440 {staged}
  visudo -cf {staged} >/dev/null
  mv -f {staged} {SUDOERS_FILE}
fi
visudo -cf {SUDOERS_FILE} >/dev/null
if ! grep -qxF '{DOAS_RULE}' /etc/doas.conf 2>/dev/null; then
  {{ cat /etc/doas.conf 2>/dev/null || true; echo '{DOAS_RULE}'; }} > /etc/doas.conf.rinfra-test-$$
  chmod 0644 /etc/doas.conf.rinfra-test-$$
  doas -C /etc/doas.conf.rinfra-test-$$
  mv -f /etc/doas.conf.rinfra-test-$$ /etc/doas.conf
fi
"#
    );
    let out = Command::new("flock")
        .args(["/tmp/rinfra-privilege-test.lock", "sh", "-c", &script])
        .stdin(Stdio::null())
        .output()
        .expect("run flock sh");
    assert!(out.status.success(), "account setup failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn current_uid() -> u32 {
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

/// `rinfra-exec @ssh/127.0.0.1 ARGS...` logged in as `user` with the server's key, in `dir`.
fn rinfra(dir: &Path, sshd: &Sshd, user: &str, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rinfra-exec"));
    cmd.current_dir(dir)
        .arg("@ssh/127.0.0.1")
        .args(["--data", &format!("ssh_port={}", sshd.port)])
        .args(["--data", &format!("ssh_key={}", sshd.client_key.display())])
        .args(["--data", &format!("ssh_known_hosts_file={}", sshd.known_hosts.display())])
        .args(["--data", "ssh_allow_agent=false", "--data", &format!("ssh_user={user}")])
        // Last: `exec --` takes everything after it as the command.
        .args(args)
        .env_remove("RINFRA_SUDO_PASSWORD")
        .stdin(Stdio::null());
    if let Some(pw) = password {
        cmd.env("RINFRA_SUDO_PASSWORD", pw);
    }
    cmd.output().expect("run rinfra-exec")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Every file under `dir`, read as text.
fn all_files(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            found.extend(all_files(&p));
        } else {
            found.push((
                p.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into(),
            ));
        }
    }
    found
}

/// Held by the tests that give a sudo password, so that each one's check for askpass directories
/// left behind does not see another's (nextest runs tests as parallel processes).
struct PasswordTestLock {
    /// The lock lives as long as this file is open.
    _file: std::fs::File,
}

impl PasswordTestLock {
    fn take() -> PasswordTestLock {
        use std::os::fd::AsRawFd;
        let f = std::fs::File::create("/tmp/rinfra-privilege-password-test.lock").expect("lock file");
        // SAFETY: flock on a descriptor we own; released when the file closes.
        assert_eq!(unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) }, 0, "flock");
        PasswordTestLock { _file: f }
    }
}

/// Askpass directories of the sudoer left in /tmp.
fn askpass_dirs() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/tmp") else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("rinfra-askpass-"))
        .filter(|e| e.metadata().is_ok_and(|m| m.uid() != 0))
        .map(|e| e.path().display().to_string())
        .collect()
}

#[test]
fn sudo_needing_a_password_without_one_fails_with_the_fix() {
    setup_accounts();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = rinfra(dir.path(), &sshd, SUDOER, &["exec", "--sudo", "--", "id", "-u"], None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("@ssh/127.0.0.1") && all.contains("--use-sudo-password"), "{all}");
    assert!(all.contains("sudo needs a password"), "{all}");
}

#[test]
fn sudo_password_goes_through_askpass_and_is_never_shown() {
    setup_accounts();
    let _lock = PasswordTestLock::take();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    // Only root may write here: the operation succeeds only if sudo really ran.
    let private = tempfile::tempdir().expect("private dir");
    std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let made = private.path().join("made-by-sudo");
    let deploy = format!(
        "from pyinfra.operations import files, server\n\
         files.file(name='root file', path='{}', _sudo=True)\n\
         server.shell(name='whoami', commands=['id -un'], _sudo=True)\n\
         files.put(name='upload', src='local.txt', dest='{}', _sudo=True)\n\
         server.shell(name='login', commands=['pwd'], _sudo=True, _use_sudo_login=True)\n",
        made.display(),
        private.path().join("uploaded").display()
    );
    std::fs::write(dir.path().join("local.txt"), "uploaded through sudo\n").expect("local.txt");
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");

    let out = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py", "--use-sudo-password", "--json", "-vv"], Some(PASSWORD));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let meta = std::fs::metadata(&made).expect("the file was created through sudo");
    assert_eq!(meta.uid(), 0, "created as root");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json output");
    assert_eq!(json["operations"][1]["hosts"]["@ssh/127.0.0.1"]["stdout"], serde_json::json!(["root"]), "{json}");
    assert_eq!(json["operations"][3]["hosts"]["@ssh/127.0.0.1"]["stdout"], serde_json::json!(["/root"]), "{json}");
    let uploaded = private.path().join("uploaded");
    assert_eq!(std::fs::read_to_string(&uploaded).expect("uploaded"), "uploaded through sudo\n");
    assert_eq!(std::fs::metadata(&uploaded).expect("stat").uid(), 0);

    assert!(!all.contains(PASSWORD), "the password appeared in the output: {all}");
    let cache = all_files(&dir.path().join(".rinfra"));
    assert!(!cache.is_empty(), "the run wrote its cache");
    for (path, body) in cache {
        assert!(!body.contains(PASSWORD), "the password is in {path}");
    }
    assert!(askpass_dirs().is_empty(), "askpass directories left behind: {:?}", askpass_dirs());

    // Second run: nothing to change, and still no password anywhere.
    let again = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py", "--use-sudo-password"], Some(PASSWORD));
    let all = text(&again);
    assert_eq!(again.status.code(), Some(0), "{all}");
    assert!(all.contains("root file") && all.contains("No change") && !all.contains(PASSWORD), "{all}");
}

#[test]
fn a_wrong_sudo_password_is_reported() {
    setup_accounts();
    let _lock = PasswordTestLock::take();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = "not-the-password";
    let out = rinfra(dir.path(), &sshd, SUDOER, &["exec", "--sudo", "--use-sudo-password", "--", "id"], Some(wrong));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("sudo rejected the password"), "{all}");
    assert!(!all.contains(wrong), "{all}");
    assert!(askpass_dirs().is_empty(), "askpass directories left behind: {:?}", askpass_dirs());
}

#[test]
fn su_user_switches_from_root_without_a_password() {
    setup_accounts();
    let sshd = Sshd::start();
    assert_eq!(sshd.user, "root");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = rinfra(dir.path(), &sshd, "root", &["exec", "--su-user", SU_TARGET, "--", "id", "-un"], None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.lines().any(|l| l.trim_end().ends_with(SU_TARGET)), "{all}");

    // An upload as the su user: written by that user, who cannot read root's temporary file.
    let home = format!("/home/{SU_TARGET}");
    let dest = format!("{home}/from-rinfra-{}", std::process::id());
    std::fs::write(dir.path().join("local.txt"), "for the su user\n").expect("local.txt");
    let deploy = format!(
        "from pyinfra.operations import files\nfiles.put(src='local.txt', dest='{dest}', _su_user='{SU_TARGET}')\n"
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, "root", &["deploy.py"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&dest).expect("uploaded"), "for the su user\n");
    let owner = std::fs::metadata(&dest).expect("stat").uid();
    let _ = std::fs::remove_file(&dest);
    assert_eq!(Some(owner), std::fs::metadata(&home).ok().map(|m| m.uid()), "owned by {SU_TARGET}");

    // The global argument in a deploy, with a login shell: HOME is the target's.
    let deploy = format!(
        "from pyinfra.operations import server\nserver.shell(commands=['echo $HOME'], _su_user='{SU_TARGET}', _use_su_login=True)\n"
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, "root", &["deploy.py", "--json"], None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains(&format!("/home/{SU_TARGET}")), "{all}");
}

#[test]
fn get_pty_gives_the_command_a_terminal_over_ssh() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let deploy = "from pyinfra.operations import server\n\
                  server.shell(name='with', commands=['tty'], _get_pty=True)\n\
                  server.shell(name='without', commands=['tty || true'])\n";
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let user = sshd.user.clone();
    let out = rinfra(dir.path(), &sshd, &user, &["deploy.py", "--json"], None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("/dev/pts/"), "{all}");
    assert!(all.contains("not a tty"), "{all}");
}

#[test]
fn the_sudo_password_is_asked_on_the_terminal_without_echo() {
    use std::io::{Read, Write};
    setup_accounts();
    let _lock = PasswordTestLock::take();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let line = format!(
        "{} @ssh/127.0.0.1 --data ssh_port={} --data ssh_key={} --data ssh_known_hosts_file={} \
         --data ssh_allow_agent=false --data ssh_user={SUDOER} exec --sudo --use-sudo-password -- id -u",
        env!("CARGO_BIN_EXE_rinfra-exec"),
        sshd.port,
        sshd.client_key.display(),
        sshd.known_hosts.display()
    );
    // `script` gives rinfra-exec a terminal; what we write to its input is typed on that terminal.
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("RINFRA_SUDO_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script (util-linux)");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    // Type the password only once the prompt is up (echo is off by then).
    while !String::from_utf8_lossy(&seen).contains("sudo password: ") {
        let n = stdout.read(&mut buf).expect("read the terminal");
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(format!("{PASSWORD}\n").as_bytes()).expect("type the password");
    stdout.read_to_end(&mut seen).expect("read the rest");
    drop(stdin);
    let status = child.wait().expect("wait");
    let all = String::from_utf8_lossy(&seen);
    assert!(status.success(), "{all}");
    assert!(all.lines().any(|l| l.trim() == "0"), "id -u ran as root: {all}");
    assert!(!all.contains(PASSWORD), "the password was echoed: {all}");
}

#[test]
fn doas_user_runs_commands_and_gathers_facts_as_that_user() {
    setup_accounts();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let made = format!("/home/{SU_TARGET}/doas-made-{}", std::process::id());
    let deploy = format!(
        "from pyinfra.operations import files, server\n\
         server.shell(commands=['id -un'], _doas=True, _doas_user='{SU_TARGET}')\n\
         files.file(path='{made}', _doas=True, _doas_user='{SU_TARGET}')\n"
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, "root", &["deploy.py", "--json"], None);
    let all = text(&out);
    let owner = std::fs::metadata(&made).map(|m| m.uid());
    let _ = std::fs::remove_file(&made);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json");
    assert_eq!(json["operations"][0]["hosts"]["@ssh/127.0.0.1"]["stdout"], serde_json::json!([SU_TARGET]), "{json}");
    let home_owner = std::fs::metadata(format!("/home/{SU_TARGET}")).expect("home").uid();
    assert_eq!(owner.ok(), Some(home_owner), "the file was created by {SU_TARGET}");
}

/// Every file of the run's cache, checked for `secret`.
fn assert_not_cached(dir: &Path, secret: &str) {
    let cache = all_files(&dir.join(".rinfra"));
    assert!(!cache.is_empty(), "the run wrote its cache");
    for (path, body) in cache {
        assert!(!body.contains(secret), "the password is in {path}");
    }
}

#[test]
fn an_operations_sudo_password_is_used_for_its_commands_and_facts() {
    setup_accounts();
    let _lock = PasswordTestLock::take();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    // Only root may look in here: the file's fact is gathered under sudo, with the operation's password.
    let private = tempfile::tempdir().expect("private dir");
    std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let made = private.path().join("made-with-op-password");
    let deploy = format!(
        "from pyinfra.operations import files, server\n\
         files.file(name='root file', path='{}', _sudo=True, _sudo_password='{PASSWORD}')\n\
         server.shell(name='whoami', commands=['id -un'], _sudo=True, _sudo_password='{PASSWORD}')\n",
        made.display()
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");

    // No --use-sudo-password: the operations bring their own.
    let out = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py", "--json", "-vv"], None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(std::fs::metadata(&made).expect("created through sudo").uid(), 0);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json output");
    assert_eq!(json["operations"][1]["hosts"]["@ssh/127.0.0.1"]["stdout"], serde_json::json!(["root"]), "{json}");
    assert!(!all.contains(PASSWORD), "the password appeared in the output: {all}");
    assert_not_cached(dir.path(), PASSWORD);
    // The run record keeps the argument, masked.
    let record = std::fs::read_to_string(dir.path().join(".rinfra/runs/@ssh_127.0.0.1.json")).expect("run record");
    let record: serde_json::Value = serde_json::from_str(&record).expect("JSON");
    assert_eq!(record["calls"][0]["keywords"]["_sudo_password"], "*MASKED*", "{record}");
    assert!(askpass_dirs().is_empty(), "askpass directories left behind: {:?}", askpass_dirs());

    // The operation's password wins over a wrong one given for the run; the file's fact is
    // gathered under sudo again, so the second run sees it and changes nothing.
    let again = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py", "--use-sudo-password"], Some("wrong-run-pw"));
    let all = text(&again);
    assert_eq!(again.status.code(), Some(0), "{all}");
    assert!(all.contains("root file") && all.contains("No change"), "{all}");

    // A wrong password in the operation is named as such.
    let wrong = "wrong-op-pw";
    let deploy = format!(
        "from pyinfra.operations import server\nserver.shell(commands=['id'], _sudo=True, _sudo_password='{wrong}')\n"
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py"], None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("sudo rejected the password given with _sudo_password"), "{all}");
    assert!(!all.contains(wrong), "{all}");
    assert!(askpass_dirs().is_empty(), "askpass directories left behind: {:?}", askpass_dirs());
}

#[test]
fn su_password_switches_user_for_commands_facts_and_uploads() {
    setup_accounts();
    let _lock = PasswordTestLock::take();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let home = format!("/home/{SU_TARGET}");
    let made = format!("{home}/su-made-{}", std::process::id());
    let put = format!("{home}/su-put-{}", std::process::id());
    std::fs::write(dir.path().join("local.txt"), "through su with a password\n").expect("local.txt");
    // The sudoer cannot see into the target's home (0700): its facts need su too.
    let su = format!("_su_user='{SU_TARGET}', _su_password='{SU_PASSWORD}'");
    let deploy = format!(
        "from pyinfra.operations import files, server\n\
         server.shell(name='whoami', commands=['id -un', 'echo to-stderr >&2'], {su})\n\
         files.file(name='su file', path='{made}', {su})\n\
         files.put(name='su put', src='local.txt', dest='{put}', {su})\n\
         server.shell(name='stdin', commands=['cat'], _stdin='passed on', {su})\n"
    );
    std::fs::write(dir.path().join("deploy.py"), &deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py", "--json", "-vv"], None);
    let all = text(&out);
    let owner = |p: &str| std::fs::metadata(p).map(|m| m.uid()).ok();
    let home_owner = owner(&home);
    let (made_owner, put_owner) = (owner(&made), owner(&put));
    let put_text = std::fs::read_to_string(&put).unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{all}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json output");
    let host = |i: usize| json["operations"][i]["hosts"]["@ssh/127.0.0.1"].clone();
    assert_eq!(host(0)["stdout"], serde_json::json!([SU_TARGET]), "{json}");
    assert_eq!(host(0)["stderr"], serde_json::json!(["to-stderr"]), "su's prompt is not output: {json}");
    assert_eq!(host(3)["stdout"], serde_json::json!(["passed on"]), "the command's input follows: {json}");
    assert_eq!(made_owner, home_owner, "created by {SU_TARGET}");
    assert_eq!(put_owner, home_owner, "uploaded as {SU_TARGET}");
    assert_eq!(put_text, "through su with a password\n");
    assert!(!all.contains(SU_PASSWORD), "the password appeared in the output: {all}");
    assert_not_cached(dir.path(), SU_PASSWORD);
    assert!(askpass_dirs().is_empty(), "askpass directories left behind: {:?}", askpass_dirs());

    // Facts gathered through su: the second run finds the file and the upload in place.
    let again = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py"], None);
    let all = text(&again);
    let _ = (std::fs::remove_file(&made), std::fs::remove_file(&put));
    assert_eq!(again.status.code(), Some(0), "{all}");
    let no_change = all.lines().filter(|l| l.trim() == "@ssh/127.0.0.1: No change").count();
    assert_eq!(no_change, 2, "the file and the upload are in place: {all}");

    // A wrong password is named as such, and shown nowhere.
    let wrong = "wrong-su-pw";
    let deploy = format!(
        "from pyinfra.operations import server\nserver.shell(commands=['id'], _su_user='{SU_TARGET}', _su_password='{wrong}')\n"
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py"], None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("su rejected the password given with _su_password"), "{all}");
    assert!(!all.contains(wrong), "{all}");
}

/// `_temp_dir` is where an upload with privileges stages its file before the privileged copy:
/// a directory that does not exist fails the upload naming it; a given one is used and left empty.
#[test]
fn temp_dir_is_where_a_privileged_upload_stages_its_file() {
    setup_accounts();
    let _lock = PasswordTestLock::take();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let private = tempfile::tempdir().expect("private dir");
    std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let stage = tempfile::tempdir().expect("stage dir");
    std::fs::set_permissions(stage.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let missing = stage.path().join("missing");
    std::fs::write(dir.path().join("local.txt"), "staged\n").expect("local.txt");
    let deploy = |temp: &Path| {
        format!(
            "from pyinfra.operations import files\n\
             files.put(name='upload', src='local.txt', dest='{}', _sudo=True, _temp_dir='{}')\n",
            private.path().join("uploaded").display(),
            temp.display()
        )
    };
    std::fs::write(dir.path().join("deploy.py"), deploy(&missing)).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py", "--use-sudo-password"], Some(PASSWORD));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(&missing.display().to_string()), "the staging path is named: {}", text(&out));

    std::fs::write(dir.path().join("deploy.py"), deploy(stage.path())).expect("deploy.py");
    let out = rinfra(dir.path(), &sshd, SUDOER, &["deploy.py", "--use-sudo-password"], Some(PASSWORD));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let uploaded = private.path().join("uploaded");
    assert_eq!(std::fs::read_to_string(&uploaded).expect("uploaded"), "staged\n");
    assert_eq!(std::fs::metadata(&uploaded).expect("stat").uid(), 0);
    let left: Vec<_> = std::fs::read_dir(stage.path()).expect("stage").map(|e| e.expect("entry").file_name()).collect();
    assert!(left.is_empty(), "the staged file is removed: {left:?}");
}
