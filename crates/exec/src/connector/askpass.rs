//! sudo and su with a password, without the password ever reaching a command line.
//!
//! [`SudoPassword`] wraps a host's connector. Without a password it runs commands unchanged and
//! turns sudo's "a password is required" into [`ConnectorError::SudoPasswordRequired`], which tells
//! the user about `--use-sudo-password`. With one (the run's `--use-sudo-password`, or an
//! operation's `_sudo_password` / `_su_password`, carried by [`RemoteCommand::passwords`]), the
//! first command that needs it creates a private directory on the host (mode 0700, through
//! `mktemp -d` under `umask 077`); each distinct password gets a file there (written from the
//! command's standard input, so it is never an argument) and an askpass script that prints it.
//! A sudo command then runs as `sudo -H -A -k ...` (see [`crate::wrap::with_sudo_password`]) with
//! `SUDO_ASKPASS` pointing at the script; a su command finds the script in
//! [`crate::wrap::SU_ASKPASS_VAR`] and pipes its output into su's standard input (see
//! [`crate::wrap::command_line`]). The directory is removed when the connection closes (a run
//! killed before that leaves it, still readable by its owner only).
//!
//! pyinfra passes the password as `env PYINFRA_SUDO_PASSWORD=...` (or `PYINFRA_SU_PASSWORD`) on the
//! command line instead, which other users of the host can read in the process list.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rinfra_facts::quote::quote;
use tokio::sync::Mutex;

use super::{BoxFuture, CommandOutput, Connector, ConnectorError, Payload, RemoteCommand, RoundTrips};
use crate::wrap::{SU_ASKPASS_VAR, with_sudo_password};

/// What sudo prints when it would have to ask for a password but may not (`-n`): sudo, sudo-rs.
const PASSWORD_REQUIRED: &[&str] = &["sudo: a password is required", "sudo-rs: interactive authentication is required"];

/// What util-linux su prints on standard error before reading the password (no newline follows it).
const SU_PROMPT: &str = "Password: ";

/// The shell script that stores password `n` (read from standard input) and its askpass script in
/// the private directory `dir`, and prints the directory; with `None` it creates the directory.
fn store_script(dir: Option<&str>, n: usize) -> String {
    let dir = match dir {
        Some(d) => format!("dir={}", quote(d)),
        None => r#"dir=$(mktemp -d "${TMPDIR:-/tmp}/rinfra-askpass-XXXXXXXXXX")"#.to_string(),
    };
    format!(
        r#"umask 077 && {dir} && cat > "$dir/password-{n}" && printf '#!/bin/sh\nexec cat "$(dirname "$0")/password-{n}"\n' > "$dir/askpass-{n}" && chmod 700 "$dir/askpass-{n}" && echo "$dir""#
    )
}

/// A password, shown as `*MASKED*` by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password; `None` when it is empty or holds a newline (the askpass protocol is one line).
    pub fn new(password: String) -> Option<Secret> {
        (!password.is_empty() && !password.contains(['\n', '\r'])).then_some(Secret(password))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("*MASKED*")
    }
}

/// The passwords an operation gives for its commands: `_sudo_password` (over the run's
/// `--use-sudo-password`) and `_su_password`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Passwords {
    /// For sudo (`_sudo_password`).
    pub sudo: Option<Secret>,
    /// For su (`_su_password`).
    pub su: Option<Secret>,
}

impl Passwords {
    /// Neither password is set.
    pub fn is_empty(&self) -> bool {
        self.sudo.is_none() && self.su.is_none()
    }
}

/// The private directory on the host and an askpass script for each password stored there.
struct Helpers {
    dir: String,
    scripts: Vec<(Secret, String)>,
}

/// A connector that supplies sudo and su passwords through askpass scripts, or explains that sudo
/// needs one.
pub struct SudoPassword {
    inner: Arc<dyn Connector>,
    password: Option<Secret>,
    /// The private directory on the host, once created.
    helpers: Mutex<Option<Helpers>>,
}

impl SudoPassword {
    /// Wraps `inner`; `password` is the sudo password for this host, if one was given.
    pub fn new(inner: Arc<dyn Connector>, password: Option<Secret>) -> SudoPassword {
        SudoPassword { inner, password, helpers: Mutex::new(None) }
    }

    /// The askpass script that prints `password` on the host, created on first use (the directory
    /// with the first password: one round trip either way).
    async fn askpass(&self, password: &Secret) -> Result<String, ConnectorError> {
        let mut helpers = self.helpers.lock().await;
        if let Some(h) = helpers.as_ref()
            && let Some((_, script)) = h.scripts.iter().find(|(s, _)| s == password)
        {
            return Ok(script.clone());
        }
        let n = helpers.as_ref().map_or(0, |h| h.scripts.len());
        let dir = helpers.as_ref().map(|h| h.dir.as_str());
        let setup = RemoteCommand::new(store_script(dir, n)).stdin(format!("{}\n", password.0).into_bytes());
        let out = self.inner.run(&setup).await?;
        let path = out.stdout_lines().into_iter().next().filter(|p| out.success() && p.starts_with('/'));
        let Some(path) = path else {
            return Err(ConnectorError::Askpass {
                host: self.inner.host().to_string(),
                reason: format!("{} {}", out.status, String::from_utf8_lossy(&out.stderr).trim()),
            });
        };
        let script = format!("{path}/askpass-{n}");
        let h = helpers.get_or_insert_with(|| Helpers { dir: path, scripts: Vec::new() });
        h.scripts.push((password.clone(), script.clone()));
        Ok(script)
    }

    async fn run_command(&self, cmd: &RemoteCommand) -> Result<CommandOutput, ConnectorError> {
        let host = || self.inner.host().to_string();
        // The operation's own password wins over the run's, as pyinfra's `_sudo_password` does.
        let sudo = match (&cmd.passwords.sudo, &self.password) {
            (Some(p), _) => Some((p, "_sudo_password")),
            (None, Some(p)) => Some((p, "--use-sudo-password")),
            (None, None) => None,
        };
        let mut run = cmd.clone();
        run.passwords = Passwords::default();
        let mut sudo_given = None;
        if let (Some((password, given)), Some(line)) = (sudo, with_sudo_password(&cmd.command)) {
            let script = self.askpass(password).await?;
            run = run.env("SUDO_ASKPASS", script);
            run.command = line;
            sudo_given = Some(given);
        }
        if let Some(password) = &cmd.passwords.su {
            let script = self.askpass(password).await?;
            run = run.env(SU_ASKPASS_VAR, script);
        }
        let mut out = self.inner.run(&run).await?;
        if cmd.passwords.su.is_some() {
            // su's prompt is not the command's output (pyinfra leaves it in).
            if let Some(rest) = out.stderr.strip_prefix(SU_PROMPT.as_bytes()) {
                out.stderr = rest.to_vec();
            }
            if !out.success() && any_line(&out, |l| l.trim() == "su: Authentication failure") {
                return Err(ConnectorError::SuPasswordRejected { host: host() });
            }
        }
        if let Some(given) = sudo_given {
            if !out.success() && any_line(&out, |l| l.contains("incorrect password attempt")) {
                return Err(ConnectorError::SudoPasswordRejected { host: host(), given });
            }
            return Ok(out);
        }
        if !out.success() && any_line(&out, |l| PASSWORD_REQUIRED.contains(&l.trim())) {
            return Err(ConnectorError::SudoPasswordRequired { host: host() });
        }
        Ok(out)
    }

    async fn close_all(&self) -> Result<(), ConnectorError> {
        if let Some(h) = self.helpers.lock().await.take() {
            let rm = RemoteCommand::new(format!("rm -rf -- {}", quote(&h.dir)));
            // Best effort: the connection may already be gone (a reboot); the directory is private.
            let _ = self.inner.run(&rm).await;
        }
        self.inner.close().await
    }
}

/// Whether a line of the command's output (either stream) satisfies `test`.
fn any_line(out: &CommandOutput, test: impl Fn(&str) -> bool) -> bool {
    out.stderr_lines().iter().chain(out.stdout_lines().iter()).any(|l| test(l))
}

impl Connector for SudoPassword {
    fn host(&self) -> &str {
        self.inner.host()
    }

    fn run<'a>(&'a self, command: &'a RemoteCommand) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>> {
        Box::pin(self.run_command(command))
    }

    fn run_script<'a>(
        &'a self,
        runner: &'a str,
        script: String,
        timeout: Option<std::time::Duration>,
    ) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>> {
        if with_sudo_password(runner).is_some() {
            // A sudo runner goes through `run`, which supplies the password or explains the need.
            return Box::pin(async move {
                let command = RemoteCommand::script(runner, script, timeout);
                self.run_command(&command).await
            });
        }
        self.inner.run_script(runner, script, timeout)
    }

    fn upload<'a>(&'a self, payload: Payload<'a>, remote: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>> {
        self.inner.upload(payload, remote)
    }

    fn download<'a>(&'a self, remote: &'a str, local: &'a Path) -> BoxFuture<'a, Result<(), ConnectorError>> {
        self.inner.download(remote, local)
    }

    fn round_trips(&self) -> RoundTrips {
        self.inner.round_trips()
    }

    fn close<'a>(&'a self) -> BoxFuture<'a, Result<(), ConnectorError>> {
        Box::pin(self.close_all())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LocalConnector;

    #[test]
    fn secrets_are_masked_and_single_line() {
        assert_eq!(format!("{:?}", Secret::new("hunter2".into())), "Some(*MASKED*)");
        assert!(Secret::new(String::new()).is_none());
        assert!(Secret::new("a\nb".into()).is_none());
    }

    /// The setup script on a real shell: a private directory, a 0600 file per password, an askpass
    /// script for each that prints it; closing removes it all.
    #[tokio::test]
    async fn the_askpass_directory_is_private_and_removed_on_close() {
        use std::os::unix::fs::PermissionsExt;
        let conn = SudoPassword::new(Arc::new(LocalConnector::new()), None);
        let first = Secret::new("s3cret pw".into()).expect("secret");
        let second = Secret::new("other 'pw'".into()).expect("secret");
        let script = conn.askpass(&first).await.expect("setup");
        assert_eq!(conn.askpass(&first).await.expect("again"), script, "one script per password");
        let other = conn.askpass(&second).await.expect("second password");
        let dir = Path::new(&script).parent().expect("dir").to_path_buf();
        assert_eq!(Path::new(&other).parent(), Some(dir.as_path()), "one directory");
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("password-0")), 0o600);
        assert_eq!(mode(&dir.join("password-1")), 0o600);
        assert_eq!(mode(Path::new(&script)), 0o700);
        let run = |s: &str| {
            let cmd = RemoteCommand::new(format!("{s} 'prompt: '"));
            async move { LocalConnector::new().run(&cmd).await.expect("run").stdout }
        };
        assert_eq!(run(&script).await, b"s3cret pw\n");
        assert_eq!(run(&other).await, b"other 'pw'\n");
        conn.close().await.expect("close");
        assert!(!dir.exists());
    }

    /// A real local connector that notes every command line and environment it is given.
    struct Recording {
        inner: LocalConnector,
        seen: std::sync::Mutex<Vec<String>>,
    }

    impl Connector for Recording {
        fn host(&self) -> &str {
            self.inner.host()
        }
        fn run<'a>(&'a self, command: &'a RemoteCommand) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>> {
            self.seen.lock().expect("lock").push(format!("{} {:?}", command.command, command.env));
            self.inner.run(command)
        }
        fn upload<'a>(&'a self, p: Payload<'a>, r: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>> {
            self.inner.upload(p, r)
        }
        fn download<'a>(&'a self, r: &'a str, l: &'a Path) -> BoxFuture<'a, Result<(), ConnectorError>> {
            self.inner.download(r, l)
        }
        fn round_trips(&self) -> RoundTrips {
            self.inner.round_trips()
        }
        fn close<'a>(&'a self) -> BoxFuture<'a, Result<(), ConnectorError>> {
            self.inner.close()
        }
    }

    /// The password travels on standard input only: no command line or environment holds it.
    #[tokio::test]
    async fn the_password_is_never_on_a_command_line() {
        let recording = Arc::new(Recording { inner: LocalConnector::new(), seen: Default::default() });
        let conn = SudoPassword::new(recording.clone(), Secret::new("pw-on-stdin-only".into()));
        // The askpass form only needs to be built here; whether sudo exists does not matter.
        let _ = conn.run(&RemoteCommand::new("sudo -H -n sh -c id")).await.expect("run");
        conn.close().await.expect("close");
        let seen = recording.seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 3, "setup, the command, cleanup: {seen:?}");
        assert!(seen[1].starts_with("sudo -H -A -k sh -c id [(\"SUDO_ASKPASS\", \"/"), "{seen:?}");
        assert!(seen.iter().all(|line| !line.contains("pw-on-stdin-only")), "{seen:?}");
    }

    /// An operation's sudo password wins over the run's; its su password reaches the command as
    /// the path of a script that prints it; su's prompt is taken out of the output.
    #[tokio::test]
    async fn operation_passwords_reach_sudo_and_su_through_askpass_scripts() {
        let recording = Arc::new(Recording { inner: LocalConnector::new(), seen: Default::default() });
        let conn = SudoPassword::new(recording.clone(), Secret::new("run-pw".into()));
        let op = Passwords { sudo: Secret::new("op-sudo-pw".into()), su: Secret::new("op-su-pw".into()) };
        // What su would read: the output of the script the variable names.
        let cmd = RemoteCommand::new(format!("printf 'Password: ' >&2 && \"${SU_ASKPASS_VAR}\""));
        let out = conn.run(&cmd.passwords(op.clone())).await.expect("run");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "op-su-pw\n");
        assert!(out.stderr.is_empty(), "{:?}", String::from_utf8_lossy(&out.stderr));
        let askpass_of = |line: &str, var: &str| -> String {
            let at = line.find(&format!("(\"{var}\", \"")).expect("variable set") + var.len() + 6;
            line[at..].split('"').next().unwrap_or_default().to_string()
        };
        let sudo_cmd = RemoteCommand::new("sudo -H -n sh -c id").passwords(op);
        let _ = conn.run(&sudo_cmd).await.expect("run");
        let seen = recording.seen.lock().expect("lock").clone();
        let line = seen.iter().find(|l| l.starts_with("sudo -H -A -k sh -c id")).expect("askpass form");
        let printed = LocalConnector::new().run(&RemoteCommand::new(askpass_of(line, "SUDO_ASKPASS"))).await;
        assert_eq!(printed.expect("askpass").stdout, b"op-sudo-pw\n");
        let failed = RemoteCommand::new("echo 'su: Authentication failure' >&2; exit 1")
            .passwords(Passwords { sudo: None, su: Secret::new("x".into()) });
        let err = conn.run(&failed).await.expect_err("rejected");
        assert!(err.to_string().contains("_su_password"), "{err}");
        conn.close().await.expect("close");
        let seen = recording.seen.lock().expect("lock").clone();
        assert!(seen.iter().all(|l| !l.contains("pw-") && !l.contains("-pw")), "{seen:?}");
    }

    #[tokio::test]
    async fn sudo_asking_for_a_password_is_explained() {
        let conn = SudoPassword::new(Arc::new(LocalConnector::new()), None);
        let cmd = RemoteCommand::new("echo 'sudo: a password is required' >&2; exit 1");
        let err = conn.run(&cmd).await.expect_err("needs a password");
        assert!(err.to_string().contains("--use-sudo-password"), "{err}");
        let ok = conn.run(&RemoteCommand::new("echo fine")).await.expect("run");
        assert!(ok.success());
    }
}
