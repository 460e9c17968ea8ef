//! sudo with a password, without the password ever reaching a command line.
//!
//! [`SudoPassword`] wraps a host's connector. Without a password it runs commands unchanged and
//! turns sudo's "a password is required" into [`ConnectorError::SudoPasswordRequired`], which tells
//! the user about `--use-sudo-password`. With one, the first sudo command creates a private
//! directory on the host (mode 0700, through `mktemp -d` under `umask 077`) holding the password
//! (written from the command's standard input, so it is never an argument) and an askpass script
//! that prints it; every sudo command then runs as `sudo -H -A -k ...` (see
//! [`crate::wrap::with_sudo_password`]) with `SUDO_ASKPASS` pointing at the script. The directory
//! is removed when the connection closes (a run killed before that leaves it, still readable by
//! its owner only).
//!
//! pyinfra passes the password as `env PYINFRA_SUDO_PASSWORD=...` on the command line instead,
//! which other users of the host can read in the process list.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::Mutex;

use super::{BoxFuture, CommandOutput, Connector, ConnectorError, Payload, RemoteCommand, RoundTrips};
use crate::wrap::with_sudo_password;

/// What sudo prints when it would have to ask for a password but may not (`-n`): sudo, sudo-rs.
const PASSWORD_REQUIRED: &[&str] = &["sudo: a password is required", "sudo-rs: interactive authentication is required"];

/// Creates the private directory with the password (from standard input) and the askpass script;
/// prints the directory.
const SETUP: &str = r#"umask 077 && dir=$(mktemp -d "${TMPDIR:-/tmp}/rinfra-askpass-XXXXXXXXXX") && cat > "$dir/password" && printf '#!/bin/sh\nexec cat "$(dirname "$0")/password"\n' > "$dir/askpass" && chmod 700 "$dir/askpass" && echo "$dir""#;

/// A sudo password, shown as `*MASKED*` by `Debug`.
#[derive(Clone)]
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

/// A connector that supplies a sudo password through askpass, or explains that one is needed.
pub struct SudoPassword {
    inner: Arc<dyn Connector>,
    password: Option<Secret>,
    /// The private directory on the host, once created.
    dir: Mutex<Option<String>>,
}

impl SudoPassword {
    /// Wraps `inner`; `password` is the sudo password for this host, if one was given.
    pub fn new(inner: Arc<dyn Connector>, password: Option<Secret>) -> SudoPassword {
        SudoPassword { inner, password, dir: Mutex::new(None) }
    }

    /// The private directory on the host, created on first use.
    async fn dir(&self, password: &Secret) -> Result<String, ConnectorError> {
        let mut dir = self.dir.lock().await;
        if let Some(d) = dir.as_ref() {
            return Ok(d.clone());
        }
        let setup = RemoteCommand::new(SETUP).stdin(format!("{}\n", password.0).into_bytes());
        let out = self.inner.run(&setup).await?;
        let path = out.stdout_lines().into_iter().next().filter(|p| out.success() && p.starts_with('/'));
        let Some(path) = path else {
            return Err(ConnectorError::Askpass {
                host: self.inner.host().to_string(),
                reason: format!("{} {}", out.status, String::from_utf8_lossy(&out.stderr).trim()),
            });
        };
        *dir = Some(path.clone());
        Ok(path)
    }

    async fn run_command(&self, cmd: &RemoteCommand) -> Result<CommandOutput, ConnectorError> {
        let host = || self.inner.host().to_string();
        if let (Some(password), Some(line)) = (&self.password, with_sudo_password(&cmd.command)) {
            let dir = self.dir(password).await?;
            let mut with_password = cmd.clone().env("SUDO_ASKPASS", format!("{dir}/askpass"));
            with_password.command = line;
            let out = self.inner.run(&with_password).await?;
            if !out.success() && any_line(&out, |l| l.contains("incorrect password attempt")) {
                return Err(ConnectorError::SudoPasswordRejected { host: host() });
            }
            return Ok(out);
        }
        let out = self.inner.run(cmd).await?;
        if !out.success() && any_line(&out, |l| PASSWORD_REQUIRED.contains(&l.trim())) {
            return Err(ConnectorError::SudoPasswordRequired { host: host() });
        }
        Ok(out)
    }

    async fn close_all(&self) -> Result<(), ConnectorError> {
        if let Some(dir) = self.dir.lock().await.take() {
            let rm = RemoteCommand::new(format!("rm -rf -- {}", rinfra_facts::quote::quote(&dir)));
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

    /// The setup script on a real shell: a private directory, a 0600 password file, an askpass
    /// script that prints the password; closing removes it all.
    #[tokio::test]
    async fn the_askpass_directory_is_private_and_removed_on_close() {
        use std::os::unix::fs::PermissionsExt;
        let conn = SudoPassword::new(Arc::new(LocalConnector::new()), Secret::new("s3cret pw".into()));
        let password = Secret::new("s3cret pw".into()).expect("secret");
        let dir = conn.dir(&password).await.expect("setup");
        let mode = |p: &str| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&format!("{dir}/password")), 0o600);
        assert_eq!(mode(&format!("{dir}/askpass")), 0o700);
        let out =
            LocalConnector::new().run(&RemoteCommand::new(format!("{dir}/askpass 'prompt: '"))).await.expect("run");
        assert_eq!(out.stdout, b"s3cret pw\n");
        conn.close().await.expect("close");
        assert!(!Path::new(&dir).exists());
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
