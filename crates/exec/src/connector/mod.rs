//! Connectors: how rinfra reaches a host. A connector runs shell commands and moves files; it knows
//! nothing of operations or facts. `@local` runs subprocesses ([`local::LocalConnector`]); SSH hosts
//! keep one multiplexed connection for the whole run ([`ssh::SshConnector`]).
//!
//! Uploads are atomic on every connector: the bytes go to a temporary name in the destination's
//! directory and are renamed over the destination, so an interrupted transfer never leaves a
//! half-written file behind.

pub mod askpass;
pub mod local;
pub mod ssh;

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A boxed future, so that [`Connector`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A shell command to run on a host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteCommand {
    /// The command line, run by the host's shell.
    pub command: String,
    /// Bytes fed to the command's standard input (`None`: empty input).
    pub stdin: Option<Vec<u8>>,
    /// Environment variables set for the command.
    pub env: Vec<(String, String)>,
    /// Kill the command when it runs longer than this.
    pub timeout: Option<Duration>,
    /// Run it on a pseudo-terminal (`_get_pty`): its standard error then arrives with its output.
    pub pty: bool,
    /// Passwords the operation gives for its sudo / su (supplied by [`askpass::SudoPassword`],
    /// never on the command line; `Debug` masks them).
    pub passwords: askpass::Passwords,
}

impl RemoteCommand {
    /// A command with no input, environment or timeout.
    pub fn new(command: impl Into<String>) -> RemoteCommand {
        RemoteCommand { command: command.into(), ..RemoteCommand::default() }
    }

    /// `runner` reading `script` on its standard input, killed after `timeout` (a fact batch run as
    /// a command of its own, see [`Connector::run_script`]).
    pub fn script(runner: &str, script: String, timeout: Option<Duration>) -> RemoteCommand {
        RemoteCommand { timeout, ..RemoteCommand::new(runner).stdin(script.into_bytes()) }
    }

    /// Feed `bytes` to the command's standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> RemoteCommand {
        self.stdin = Some(bytes.into());
        self
    }

    /// Set an environment variable for the command.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> RemoteCommand {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Kill the command after `limit`.
    pub fn timeout(mut self, limit: Duration) -> RemoteCommand {
        self.timeout = Some(limit);
        self
    }

    /// Run it with these sudo / su passwords.
    pub fn passwords(mut self, passwords: askpass::Passwords) -> RemoteCommand {
        self.passwords = passwords;
        self
    }

    /// Checks that every environment variable name is a valid shell identifier.
    fn check_env(&self, host: &str) -> Result<(), ConnectorError> {
        match self.env.iter().find(|(k, _)| !is_shell_name(k)) {
            Some((k, _)) => Err(ConnectorError::InvalidEnv { host: host.to_string(), name: k.clone() }),
            None => Ok(()),
        }
    }

    /// The command prefixed with `export K=V;` for each variable, for hosts that only take a command line.
    pub fn with_env_exports(&self) -> String {
        if self.env.is_empty() {
            return self.command.clone();
        }
        let exports: Vec<String> =
            self.env.iter().map(|(k, v)| format!("{k}={}", rinfra_facts::quote::quote(v))).collect();
        format!("export {}; {}", exports.join(" "), self.command)
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a name the shell accepts for a variable.
fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitStatus {
    /// It exited with this code.
    Code(i32),
    /// A signal killed it (name without `SIG`, e.g. `KILL`).
    Signal(String),
    /// The channel closed without reporting a status.
    Unknown,
}

impl ExitStatus {
    /// Exit code 0.
    pub fn success(&self) -> bool {
        *self == ExitStatus::Code(0)
    }

    /// The exit code, if the command exited normally.
    pub fn code(&self) -> Option<i32> {
        match self {
            ExitStatus::Code(c) => Some(*c),
            _ => None,
        }
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Code(c) => write!(f, "exit code {c}"),
            ExitStatus::Signal(s) => write!(f, "killed by signal {s}"),
            ExitStatus::Unknown => write!(f, "no exit status"),
        }
    }
}

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// How it ended.
    pub status: ExitStatus,
    /// Everything written to standard output.
    pub stdout: Vec<u8>,
    /// Everything written to standard error.
    pub stderr: Vec<u8>,
}

impl CommandOutput {
    /// Exit code 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Standard output as lines, split the way pyinfra splits them.
    pub fn stdout_lines(&self) -> Vec<String> {
        output_lines(&self.stdout)
    }

    /// Standard error as lines.
    pub fn stderr_lines(&self) -> Vec<String> {
        output_lines(&self.stderr)
    }
}

/// Splits output into lines as pyinfra does (iterating a byte stream, stripping each `\n`): no
/// output gives no lines, and a final newline does not add an empty line. Invalid UTF-8 is replaced.
pub fn output_lines(bytes: &[u8]) -> Vec<String> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|b| *b == b'\n').map(|l| String::from_utf8_lossy(l).into_owned()).collect()
}

/// What to upload.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// These bytes.
    Bytes(&'a [u8]),
    /// The contents of this local file (streamed, not read into memory at once).
    File(&'a Path),
}

/// Round trips to one host so far, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundTrips {
    /// Commands run (each is one exec, waited for).
    pub commands: u64,
    /// Files uploaded.
    pub uploads: u64,
    /// Files downloaded.
    pub downloads: u64,
}

impl RoundTrips {
    /// All round trips.
    pub fn total(&self) -> u64 {
        self.commands + self.uploads + self.downloads
    }
}

/// Thread-safe round-trip counters, kept by each connector.
#[derive(Debug, Default)]
pub struct RoundTripCounter {
    commands: AtomicU64,
    uploads: AtomicU64,
    downloads: AtomicU64,
}

impl RoundTripCounter {
    /// Count one command.
    pub fn command(&self) {
        self.commands.fetch_add(1, Ordering::Relaxed);
    }
    /// Count one upload.
    pub fn upload(&self) {
        self.uploads.fetch_add(1, Ordering::Relaxed);
    }
    /// Count one download.
    pub fn download(&self) {
        self.downloads.fetch_add(1, Ordering::Relaxed);
    }
    /// The counts so far.
    pub fn get(&self) -> RoundTrips {
        RoundTrips {
            commands: self.commands.load(Ordering::Relaxed),
            uploads: self.uploads.load(Ordering::Relaxed),
            downloads: self.downloads.load(Ordering::Relaxed),
        }
    }
}

/// A way to reach one host: run commands, move files.
pub trait Connector: Send + Sync {
    /// The host's inventory name, used in messages.
    fn host(&self) -> &str;

    /// Run a shell command and wait for it. A command that fails is not an error: its status says so.
    fn run<'a>(&'a self, command: &'a RemoteCommand) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>>;

    /// Write `payload` to `remote` atomically (temporary name in the same directory, then rename).
    /// An existing destination keeps its permissions; a symlink destination is written through.
    fn upload<'a>(&'a self, payload: Payload<'a>, remote: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>>;

    /// Copy the host's file `remote` to the local path `local` (written atomically too).
    fn download<'a>(&'a self, remote: &'a str, local: &'a Path) -> BoxFuture<'a, Result<(), ConnectorError>>;

    /// Run `script` through `runner` (a shell reading its commands on standard input, such as
    /// `sh -s`); the script must print its own markers (see `gather::build_script`), since a
    /// connector may feed several scripts to one long-lived shell. The status is the script's.
    fn run_script<'a>(
        &'a self,
        runner: &'a str,
        script: String,
        timeout: Option<Duration>,
    ) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>> {
        Box::pin(async move {
            let command = RemoteCommand::script(runner, script, timeout);
            self.run(&command).await
        })
    }

    /// Round trips made so far.
    fn round_trips(&self) -> RoundTrips;

    /// Close the connection; later calls fail.
    fn close<'a>(&'a self) -> BoxFuture<'a, Result<(), ConnectorError>>;
}

/// Errors from reaching a host or moving files. Each message names the host.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The host name did not resolve.
    #[error("{host}: cannot resolve {address}: {reason}")]
    Resolve {
        /// Inventory name.
        host: String,
        /// What was looked up.
        address: String,
        /// Why it failed.
        reason: String,
    },
    /// The TCP connection or the SSH handshake failed.
    #[error("{host}: cannot connect to {address}: {reason}")]
    Connect {
        /// Inventory name.
        host: String,
        /// `hostname:port`.
        address: String,
        /// Why it failed.
        reason: String,
    },
    /// The host presented a key that differs from the one recorded for it.
    #[error("{0}")]
    HostKeyChanged(Box<HostKeyChanged>),
    /// Strict checking is on and the host is not in known_hosts.
    #[error("{0}")]
    HostKeyUnknown(Box<HostKeyUnknown>),
    /// The host's key is marked `@revoked`.
    #[error(
        "{host}: the host key of {address} ({fingerprint}) is marked @revoked in {}:{line}; refusing to connect",
        file.display()
    )]
    HostKeyRevoked {
        /// Inventory name.
        host: String,
        /// `hostname:port`.
        address: String,
        /// SHA256 fingerprint.
        fingerprint: String,
        /// The known_hosts file.
        file: PathBuf,
        /// Its line.
        line: usize,
    },
    /// known_hosts could not be read or written.
    #[error("{host}: known_hosts file {}: {reason}", file.display())]
    KnownHosts {
        /// Inventory name.
        host: String,
        /// The file.
        file: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A private key file could not be used.
    #[error("{host}: cannot use SSH key {}: {reason}", file.display())]
    Key {
        /// Inventory name.
        host: String,
        /// The key file.
        file: PathBuf,
        /// Why.
        reason: String,
    },
    /// Every authentication method failed.
    #[error("{host}: authentication failed for {user}@{address} (tried: {tried}; the server accepts: {accepted})")]
    Auth {
        /// Inventory name.
        host: String,
        /// Remote user.
        user: String,
        /// `hostname:port`.
        address: String,
        /// What was tried.
        tried: String,
        /// Methods the server offered.
        accepted: String,
    },
    /// The SSH session failed after connecting.
    #[error("{host}: SSH error: {reason}")]
    Ssh {
        /// Inventory name.
        host: String,
        /// What went wrong.
        reason: String,
    },
    /// A command could not be started.
    #[error("{host}: cannot run `{command}`: {reason}")]
    Spawn {
        /// Inventory name.
        host: String,
        /// The command.
        command: String,
        /// Why.
        reason: String,
    },
    /// A command ran longer than its timeout and was killed.
    #[error("{host}: command timed out after {after:?}: {command}")]
    Timeout {
        /// Inventory name.
        host: String,
        /// The command.
        command: String,
        /// The limit.
        after: Duration,
    },
    /// An environment variable name is not a shell identifier.
    #[error("{host}: invalid environment variable name {name:?}")]
    InvalidEnv {
        /// Inventory name.
        host: String,
        /// The name.
        name: String,
    },
    /// A file transfer failed.
    #[error("{host}: {action} {path}: {reason}")]
    Transfer {
        /// Inventory name.
        host: String,
        /// What was being done (`upload to`, `download of`).
        action: &'static str,
        /// The remote (or local) path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The connection settings are unusable.
    #[error("{host}: bad SSH settings: {reason}")]
    Config {
        /// Inventory name.
        host: String,
        /// What is wrong.
        reason: String,
    },
    /// sudo needs a password and none was given.
    #[error(
        "{host}: sudo needs a password here (\"sudo: a password is required\"): run rinfra-exec with \
         --use-sudo-password (the password is read from RINFRA_SUDO_PASSWORD, or asked on the terminal), \
         or allow the user passwordless sudo"
    )]
    SudoPasswordRequired {
        /// Inventory name.
        host: String,
    },
    /// sudo refused the password given.
    #[error("{host}: sudo rejected the password given with {given} (incorrect password)")]
    SudoPasswordRejected {
        /// Inventory name.
        host: String,
        /// Where the password came from (`--use-sudo-password`, `_sudo_password`).
        given: &'static str,
    },
    /// su refused the password given with `_su_password`.
    #[error("{host}: su rejected the password given with _su_password (\"su: Authentication failure\")")]
    SuPasswordRejected {
        /// Inventory name.
        host: String,
    },
    /// The askpass helper for a sudo or su password could not be set up on the host.
    #[error("{host}: cannot set up the askpass helper for a sudo / su password: {reason}")]
    Askpass {
        /// Inventory name.
        host: String,
        /// Why.
        reason: String,
    },
    /// The connection was closed.
    #[error("{host}: the SSH connection was lost (the host went down, the network dropped or sshd ended the session)")]
    Closed {
        /// Inventory name.
        host: String,
    },
}

/// Details of a changed host key (boxed in [`ConnectorError::HostKeyChanged`]).
#[derive(Debug, thiserror::Error)]
#[error(
    "{host}: REMOTE HOST IDENTIFICATION HAS CHANGED: the {key_type} key of {address} is now {fingerprint}, \
     but {}:{line} records another one. Someone may be intercepting the connection, or the host was \
     reinstalled. If the change is expected, remove the old key with:\n    ssh-keygen -f \"{}\" -R \"{entry}\"\n\
     then connect again (with ssh_strict_host_key_checking=accept-new the new key is learnt)",
    file.display(),
    file.display()
)]
pub struct HostKeyChanged {
    /// Inventory name.
    pub host: String,
    /// `hostname:port`.
    pub address: String,
    /// Key type (`ssh-ed25519`).
    pub key_type: String,
    /// SHA256 fingerprint of the key the host presented.
    pub fingerprint: String,
    /// The known_hosts file with the old key.
    pub file: PathBuf,
    /// Its line.
    pub line: usize,
    /// The name to remove (`host` or `[host]:port`).
    pub entry: String,
}

/// Details of an unknown host key refused by strict checking (boxed in [`ConnectorError::HostKeyUnknown`]).
#[derive(Debug, thiserror::Error)]
#[error(
    "{host}: the {key_type} host key of {address} ({fingerprint}) is not in {} and \
     ssh_strict_host_key_checking is \"yes\". After checking the fingerprint, add it with \
     `ssh-keyscan -p {port} {hostname} >> {}`, or use ssh_strict_host_key_checking=accept-new",
    file.display(),
    file.display()
)]
pub struct HostKeyUnknown {
    /// Inventory name.
    pub host: String,
    /// `hostname:port`.
    pub address: String,
    /// Host name or address connected to.
    pub hostname: String,
    /// Port.
    pub port: u16,
    /// Key type.
    pub key_type: String,
    /// SHA256 fingerprint.
    pub fingerprint: String,
    /// The user known_hosts file.
    pub file: PathBuf,
}

/// A random hex token (`bytes` random bytes), for temporary names and output delimiters.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // No OS generator: time, process id and a counter still make names unique on this controller.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let seed = nanos ^ (u128::from(std::process::id()) << 64) ^ u128::from(COUNTER.fetch_add(1, Ordering::Relaxed));
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The temporary name an upload to `dest` is written under: a hidden file in the same directory.
pub fn temp_path_for(dest: &str) -> String {
    let (dir, base) = match dest.rfind('/') {
        Some(i) => (&dest[..=i], &dest[i + 1..]),
        None => ("", dest),
    };
    format!("{dir}.{base}.rinfra-{}.tmp", random_hex(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_like_pyinfra() {
        assert!(output_lines(b"").is_empty());
        assert_eq!(output_lines(b"a\n"), vec!["a"]);
        assert_eq!(output_lines(b"a\n\n"), vec!["a", ""]);
        assert_eq!(output_lines(b"a\nb"), vec!["a", "b"]);
        assert_eq!(output_lines(b"\n"), vec![""]);
    }

    #[test]
    fn temp_names_stay_in_the_destination_directory() {
        let t = temp_path_for("/etc/nginx/nginx.conf");
        assert!(t.starts_with("/etc/nginx/.nginx.conf.rinfra-") && t.ends_with(".tmp"), "{t}");
        assert!(temp_path_for("file").starts_with(".file.rinfra-"));
        assert_ne!(temp_path_for("/a"), temp_path_for("/a"));
    }

    #[test]
    fn env_names_are_checked_and_values_quoted() {
        let c = RemoteCommand::new("echo $A").env("A", "x y").env("B_2", "'");
        assert!(c.check_env("h").is_ok());
        assert_eq!(c.with_env_exports(), "export A='x y' B_2=''\"'\"''; echo $A");
        let bad = RemoteCommand::new("true").env("1A", "x");
        assert!(matches!(bad.check_env("h"), Err(ConnectorError::InvalidEnv { .. })));
    }
}
