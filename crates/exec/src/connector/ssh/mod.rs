//! SSH hosts via russh: one connection per host for the whole run, each command on its own channel
//! of that connection (up to [`SshConfig::max_sessions`] at once, OpenSSH's `MaxSessions`), files
//! through one SFTP channel opened on first use.
//!
//! Connecting follows OpenSSH: the host key is checked against known_hosts
//! ([`StrictHostKeyChecking`]), then the client tries an explicit key file, else the ssh-agent's
//! keys and the default key files, then a password. TCP_NODELAY is always set (without it every
//! exec pays Nagle's delay, ~40 ms on loopback).

mod auth;
mod host_data;
mod known_hosts;
mod sftp;
mod shell;
pub mod ssh_config;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle};
use russh::keys::{Algorithm, HashAlg, PublicKey, PublicKeyOrCertificate};
use russh::{ChannelMsg, Sig, kex};
use tokio::sync::{OnceCell, Semaphore};

use super::{
    BoxFuture, CommandOutput, Connector, ConnectorError, ExitStatus, HostKeyChanged, HostKeyUnknown, Payload,
    RemoteCommand, RoundTripCounter, RoundTrips,
};
use known_hosts::Verdict;
use sftp::Sftp;

/// The client's key exchange preference, most wanted first.
///
/// curve25519-sha256 leads: it costs ~1 ms per side, where OpenSSH 9.2's own first choice
/// (sntrup761x25519, which russh does not offer) costs ~100 ms of CPU per connection, and that
/// difference dominates connecting to 100 hosts. mlkem768x25519-sha256 (post-quantum, also cheap,
/// OpenSSH 9.9+) comes next; put it first with [`SshConfig::kex_algorithms`] to prefer it. The
/// finite-field groups stay for old servers. The `ext-info-c` and strict-kex markers are always added.
pub const DEFAULT_KEX: &[&str] = &[
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "mlkem768x25519-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
];

/// What to do with a host key that known_hosts does not vouch for (OpenSSH's `StrictHostKeyChecking`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StrictHostKeyChecking {
    /// Only connect to hosts already in known_hosts.
    Yes,
    /// Learn unknown hosts; refuse changed keys (the default, as in pyinfra).
    #[default]
    AcceptNew,
    /// Learn unknown hosts and let changed keys through with a warning; password authentication is
    /// then disabled for that connection, as OpenSSH does, so a password never reaches an impostor.
    No,
}

impl FromStr for StrictHostKeyChecking {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "yes" | "true" | "ask" => Ok(StrictHostKeyChecking::Yes),
            "accept-new" => Ok(StrictHostKeyChecking::AcceptNew),
            "no" | "off" | "false" => Ok(StrictHostKeyChecking::No),
            other => Err(format!("invalid ssh_strict_host_key_checking {other:?}: use yes, no or accept-new")),
        }
    }
}

/// How to reach and log in to one SSH host.
#[derive(Clone)]
pub struct SshConfig {
    /// Host name or address to connect to.
    pub hostname: String,
    /// TCP port.
    pub port: u16,
    /// Remote user.
    pub user: String,
    /// Private key file to log in with (then neither the agent nor default keys are tried, as in pyinfra).
    pub key_file: Option<PathBuf>,
    /// Key files from the SSH config's `IdentityFile`, tried (when readable) before the agent.
    pub identity_files: Vec<PathBuf>,
    /// Passphrase of `key_file` (also tried on other key files).
    pub key_password: Option<String>,
    /// Password, tried after keys.
    pub password: Option<String>,
    /// Try the keys of the ssh-agent.
    pub allow_agent: bool,
    /// The agent's socket (OpenSSH's `IdentityAgent`); `None`: `$SSH_AUTH_SOCK`.
    pub agent_socket: Option<PathBuf>,
    /// Try `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`.
    pub look_for_keys: bool,
    /// The user known_hosts file: checked first, and where new keys are learnt.
    pub known_hosts_file: PathBuf,
    /// System-wide known_hosts files, checked too, never written.
    pub global_known_hosts_files: Vec<PathBuf>,
    /// Unknown and changed host keys.
    pub strict_host_key_checking: StrictHostKeyChecking,
    /// Limit for each of: TCP connect, SSH handshake, authentication.
    pub connect_timeout: Duration,
    /// Extra connection attempts after a network failure (not after a host key or login refusal).
    pub connect_retries: u32,
    /// A retry waits a random time in this range.
    pub retry_delay: (Duration, Duration),
    /// Send a keepalive after this long without traffic.
    pub keepalive_interval: Option<Duration>,
    /// Give up after this many unanswered keepalives.
    pub keepalive_max: usize,
    /// Key exchange algorithms, most wanted first (see [`DEFAULT_KEX`]).
    pub kex_algorithms: Vec<String>,
    /// Channels open at once on the connection (OpenSSH servers allow 10 by default); one is kept for SFTP.
    pub max_sessions: usize,
}

impl SshConfig {
    /// Defaults for `hostname` (port 22, the local user name, agent and default keys, accept-new).
    pub fn new(hostname: impl Into<String>) -> SshConfig {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/"));
        SshConfig {
            hostname: hostname.into(),
            port: 22,
            user: local_user(),
            key_file: None,
            identity_files: Vec::new(),
            key_password: None,
            password: None,
            allow_agent: true,
            agent_socket: None,
            look_for_keys: true,
            known_hosts_file: home.join(".ssh").join("known_hosts"),
            global_known_hosts_files: vec![
                PathBuf::from("/etc/ssh/ssh_known_hosts"),
                PathBuf::from("/etc/ssh/ssh_known_hosts2"),
            ],
            strict_host_key_checking: StrictHostKeyChecking::AcceptNew,
            connect_timeout: Duration::from_secs(10),
            connect_retries: 0,
            retry_delay: (Duration::from_millis(100), Duration::from_millis(500)),
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_max: 3,
            kex_algorithms: DEFAULT_KEX.iter().map(|s| s.to_string()).collect(),
            max_sessions: 10,
        }
    }

    /// `hostname:port`, for messages.
    pub fn address(&self) -> String {
        format!("{}:{}", self.hostname, self.port)
    }

    fn known_hosts_files(&self) -> Vec<PathBuf> {
        std::iter::once(self.known_hosts_file.clone()).chain(self.global_known_hosts_files.iter().cloned()).collect()
    }
}

// Secrets stay out of logs and error reports.
impl fmt::Debug for SshConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |s: &Option<String>| s.as_ref().map(|_| "*MASKED*");
        f.debug_struct("SshConfig")
            .field("hostname", &self.hostname)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("key_file", &self.key_file)
            .field("identity_files", &self.identity_files)
            .field("key_password", &mask(&self.key_password))
            .field("password", &mask(&self.password))
            .field("allow_agent", &self.allow_agent)
            .field("look_for_keys", &self.look_for_keys)
            .field("known_hosts_file", &self.known_hosts_file)
            .field("strict_host_key_checking", &self.strict_host_key_checking)
            .field("connect_timeout", &self.connect_timeout)
            .field("connect_retries", &self.connect_retries)
            .field("kex_algorithms", &self.kex_algorithms)
            .finish_non_exhaustive()
    }
}

/// The controller's user name, the default remote user (as OpenSSH and paramiko use).
pub(crate) fn local_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "root".to_string())
}

/// One SSH connection to a host.
pub struct SshConnector {
    name: String,
    address: String,
    handle: Handle<ClientHandler>,
    sessions: Semaphore,
    sftp: OnceCell<Sftp>,
    /// Long-lived shells by runner (`sh -s`, or under sudo), fed one script after another.
    shells: tokio::sync::Mutex<std::collections::HashMap<String, shell::Shell>>,
    counter: RoundTripCounter,
    warnings: Arc<Mutex<Vec<String>>>,
    negotiated: Arc<Mutex<Option<Negotiated>>>,
}

impl fmt::Debug for SshConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SshConnector").field("name", &self.name).field("address", &self.address).finish()
    }
}

impl SshConnector {
    /// Connect and log in to the host named `name` in the inventory, retrying network failures
    /// `config.connect_retries` times.
    pub async fn connect(name: &str, config: &SshConfig) -> Result<SshConnector, ConnectorError> {
        let mut attempt = 0;
        loop {
            match Self::connect_once(name, config).await {
                Err(e) if retryable(&e) && attempt < config.connect_retries => {
                    attempt += 1;
                    tokio::time::sleep(random_delay(config.retry_delay)).await;
                }
                other => return other,
            }
        }
    }

    async fn connect_once(name: &str, cfg: &SshConfig) -> Result<SshConnector, ConnectorError> {
        let address = cfg.address();
        let connect_err =
            |reason: String| ConnectorError::Connect { host: name.to_string(), address: address.clone(), reason };
        let limit = cfg.connect_timeout;
        let stream = tcp_connect(name, cfg).await?;
        let files = cfg.known_hosts_files();
        let warnings = Arc::new(Mutex::new(Vec::new()));
        let changed_key_accepted = Arc::new(AtomicBool::new(false));
        let negotiated = Arc::new(Mutex::new(None));
        let handler = ClientHandler {
            host: name.to_string(),
            hostname: cfg.hostname.clone(),
            port: cfg.port,
            user_file: cfg.known_hosts_file.clone(),
            files: files.clone(),
            mode: cfg.strict_host_key_checking,
            warnings: warnings.clone(),
            changed_key_accepted: changed_key_accepted.clone(),
            negotiated: negotiated.clone(),
        };
        let config = Arc::new(client_config(name, cfg, &files)?);
        let mut handle = match tokio::time::timeout(limit, client::connect_stream(config, stream, handler)).await {
            Ok(Ok(h)) => h,
            Ok(Err(HandlerError::Refused(e))) => return Err(*e),
            Ok(Err(HandlerError::Russh(e))) => return Err(connect_err(format!("SSH handshake failed: {e}"))),
            Err(_) => return Err(connect_err(format!("SSH handshake timed out after {limit:?}"))),
        };
        // OpenSSH disables password logins once a changed host key was let through.
        let allow_password = !changed_key_accepted.load(Ordering::Relaxed);
        match tokio::time::timeout(limit, auth::authenticate(&mut handle, cfg, name, allow_password)).await {
            Ok(r) => r?,
            Err(_) => return Err(connect_err(format!("authentication timed out after {limit:?}"))),
        }
        Ok(SshConnector {
            name: name.to_string(),
            address,
            handle,
            sessions: Semaphore::new(cfg.max_sessions.saturating_sub(1).max(1)),
            sftp: OnceCell::new(),
            shells: tokio::sync::Mutex::new(std::collections::HashMap::new()),
            counter: RoundTripCounter::default(),
            warnings,
            negotiated,
        })
    }

    /// The algorithms agreed with the server (for `-v` output and measurements).
    pub fn negotiated(&self) -> Option<Negotiated> {
        self.negotiated.lock().ok().and_then(|n| n.clone())
    }

    /// Things the user should know about this connection (a host key learnt or let through).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    fn ssh_error(&self, e: russh::Error) -> ConnectorError {
        match e {
            russh::Error::Disconnect | russh::Error::SendError | russh::Error::ChannelOpenFailure(_)
                if self.handle.is_closed() =>
            {
                ConnectorError::Closed { host: self.name.clone() }
            }
            e => ConnectorError::Ssh { host: self.name.clone(), reason: e.to_string() },
        }
    }

    /// Open a session channel. The server frees a closed session only after our close reply reaches
    /// it, so a new channel can briefly exceed its `MaxSessions`: such refusals are retried.
    async fn open_channel(&self) -> Result<russh::Channel<client::Msg>, ConnectorError> {
        let mut attempt: u64 = 0;
        loop {
            match self.handle.channel_open_session().await {
                Ok(c) => return Ok(c),
                Err(russh::Error::ChannelOpenFailure(
                    russh::ChannelOpenFailure::ConnectFailed
                    | russh::ChannelOpenFailure::ResourceShortage
                    | russh::ChannelOpenFailure::AdministrativelyProhibited,
                )) if attempt < 40 && !self.handle.is_closed() => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(5 * attempt.min(10))).await;
                }
                Err(e) => return Err(self.ssh_error(e)),
            }
        }
    }

    async fn exec(&self, cmd: &RemoteCommand) -> Result<CommandOutput, ConnectorError> {
        cmd.check_env(&self.name)?;
        let _slot = self.sessions.acquire().await.map_err(|_| ConnectorError::Closed { host: self.name.clone() })?;
        self.counter.command();
        let channel = self.open_channel().await?;
        if cmd.pty {
            // `_get_pty`: the terminal paramiko (pyinfra's SSH library) asks for by default.
            channel.request_pty(false, "vt100", 80, 24, 0, 0, &[]).await.map_err(|e| self.ssh_error(e))?;
        }
        channel.exec(true, cmd.with_env_exports()).await.map_err(|e| self.ssh_error(e))?;
        let (mut reader, writer) = channel.split();
        let feed = async {
            // A command may exit without reading its input: a failed write is not an error.
            if let Some(bytes) = &cmd.stdin {
                let _ = writer.data(&bytes[..]).await;
            }
            let _ = writer.eof().await;
        };
        let collect = async {
            let mut out = CommandOutput { status: ExitStatus::Unknown, stdout: Vec::new(), stderr: Vec::new() };
            let mut refused = false;
            while let Some(msg) = reader.wait().await {
                match msg {
                    ChannelMsg::Data { data } => out.stdout.extend_from_slice(&data),
                    ChannelMsg::ExtendedData { data, ext: 1 } => out.stderr.extend_from_slice(&data),
                    ChannelMsg::ExitStatus { exit_status } => {
                        out.status = ExitStatus::Code(i32::try_from(exit_status).unwrap_or(i32::MAX))
                    }
                    ChannelMsg::ExitSignal { signal_name, .. } => {
                        out.status = ExitStatus::Signal(sig_name(&signal_name))
                    }
                    ChannelMsg::Failure => refused = true,
                    ChannelMsg::Close => break,
                    _ => {}
                }
            }
            (out, refused)
        };
        let both = async { tokio::join!(feed, collect).1 };
        let (out, refused) = match cmd.timeout {
            None => both.await,
            Some(limit) => match tokio::time::timeout(limit, both).await {
                Ok(r) => r,
                Err(_) => {
                    let _ = writer.signal(Sig::KILL).await;
                    let _ = writer.close().await;
                    return Err(ConnectorError::Timeout {
                        host: self.name.clone(),
                        command: cmd.command.clone(),
                        after: limit,
                    });
                }
            },
        };
        if refused && out.status == ExitStatus::Unknown {
            return Err(ConnectorError::Spawn {
                host: self.name.clone(),
                command: cmd.command.clone(),
                reason: "the server refused to run it".to_string(),
            });
        }
        if out.status == ExitStatus::Unknown && self.handle.is_closed() {
            return Err(ConnectorError::Closed { host: self.name.clone() });
        }
        Ok(out)
    }

    /// Run a script in the long-lived shell for `runner`, starting one if needed. Falls back to
    /// a command of its own when the server allows too few sessions to keep a shell open.
    async fn script(
        &self,
        runner: &str,
        script: String,
        timeout: Option<Duration>,
    ) -> Result<CommandOutput, ConnectorError> {
        let mut shells = self.shells.lock().await;
        if !shells.contains_key(runner) {
            // The shell keeps a session for the whole run; keep at least one for commands.
            let kept = match self.sessions.try_acquire() {
                Ok(permit) if self.sessions.available_permits() > 0 => {
                    permit.forget();
                    true
                }
                _ => false,
            };
            if !kept {
                drop(shells);
                let command = RemoteCommand::script(runner, script, timeout);
                return self.exec(&command).await;
            }
            let started = async {
                let channel = self.open_channel().await?;
                channel.exec(true, runner).await.map_err(|e| self.ssh_error(e))?;
                Ok::<_, ConnectorError>(channel)
            };
            match started.await {
                Ok(channel) => {
                    shells.insert(runner.to_string(), shell::Shell::new(channel));
                }
                Err(e) => {
                    self.sessions.add_permits(1);
                    return Err(e);
                }
            }
        }
        self.counter.command();
        let Some(sh) = shells.get_mut(runner) else {
            return Err(ConnectorError::Closed { host: self.name.clone() });
        };
        match sh.run(script, timeout).await {
            Ok(out) => Ok(out),
            Err(failure) => {
                // The shell is gone or stuck: drop it; the next script starts a new one.
                if let Some(sh) = shells.remove(runner) {
                    sh.kill().await;
                    self.sessions.add_permits(1);
                }
                match failure {
                    shell::ShellFailure::Ended(out) if !self.handle.is_closed() => Ok(out),
                    shell::ShellFailure::Ended(_) => Err(ConnectorError::Closed { host: self.name.clone() }),
                    shell::ShellFailure::TimedOut => Err(ConnectorError::Timeout {
                        host: self.name.clone(),
                        command: runner.to_string(),
                        after: timeout.unwrap_or_default(),
                    }),
                    shell::ShellFailure::Write(reason) if self.handle.is_closed() => {
                        let _ = reason;
                        Err(ConnectorError::Closed { host: self.name.clone() })
                    }
                    shell::ShellFailure::Write(reason) => Err(ConnectorError::Ssh { host: self.name.clone(), reason }),
                }
            }
        }
    }

    async fn sftp(&self) -> Result<&Sftp, ConnectorError> {
        self.sftp
            .get_or_try_init(|| async { Sftp::open(self.open_channel().await.map_err(|e| e.to_string())?).await })
            .await
            .map_err(|reason| ConnectorError::Ssh {
                host: self.name.clone(),
                reason: format!("cannot start SFTP: {reason}"),
            })
    }

    async fn upload_payload(&self, payload: Payload<'_>, remote: &str) -> Result<(), ConnectorError> {
        self.counter.upload();
        let fail = |reason: String| ConnectorError::Transfer {
            host: self.name.clone(),
            action: "upload to",
            path: remote.to_string(),
            reason,
        };
        let sftp = self.unless_closed(self.sftp()).await??;
        self.unless_closed(sftp.upload(payload, remote)).await?.map_err(fail)
    }

    async fn download_file(&self, remote: &str, local: &Path) -> Result<(), ConnectorError> {
        self.counter.download();
        let fail = |reason: String| ConnectorError::Transfer {
            host: self.name.clone(),
            action: "download of",
            path: remote.to_string(),
            reason,
        };
        let sftp = self.unless_closed(self.sftp()).await??;
        self.unless_closed(sftp.download(remote, local)).await?.map_err(fail)
    }

    /// Run `work`, but stop with [`ConnectorError::Closed`] as soon as the connection dies: SFTP
    /// requests in flight are otherwise only failed by their (long) reply timeout.
    async fn unless_closed<T>(&self, work: impl std::future::Future<Output = T>) -> Result<T, ConnectorError> {
        let closed = async {
            while !self.handle.is_closed() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::select! {
            r = work => Ok(r),
            () = closed => Err(ConnectorError::Closed { host: self.name.clone() }),
        }
    }

    async fn disconnect(&self) -> Result<(), ConnectorError> {
        if let Some(s) = self.sftp.get() {
            s.close();
        }
        for (_, sh) in self.shells.lock().await.drain() {
            sh.end().await;
        }
        if self.handle.is_closed() {
            return Ok(());
        }
        self.handle.disconnect(russh::Disconnect::ByApplication, "", "en").await.map_err(|e| self.ssh_error(e))
    }
}

impl Connector for SshConnector {
    fn host(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a self, command: &'a RemoteCommand) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>> {
        Box::pin(self.exec(command))
    }

    fn run_script<'a>(
        &'a self,
        runner: &'a str,
        script: String,
        timeout: Option<Duration>,
    ) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>> {
        Box::pin(self.script(runner, script, timeout))
    }

    fn upload<'a>(&'a self, payload: Payload<'a>, remote: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>> {
        Box::pin(self.upload_payload(payload, remote))
    }

    fn download<'a>(&'a self, remote: &'a str, local: &'a Path) -> BoxFuture<'a, Result<(), ConnectorError>> {
        Box::pin(self.download_file(remote, local))
    }

    fn round_trips(&self) -> RoundTrips {
        self.counter.get()
    }

    fn close<'a>(&'a self) -> BoxFuture<'a, Result<(), ConnectorError>> {
        Box::pin(self.disconnect())
    }
}

/// Network trouble is worth another try; a refused key or login is not.
fn retryable(e: &ConnectorError) -> bool {
    matches!(e, ConnectorError::Resolve { .. } | ConnectorError::Connect { .. } | ConnectorError::Ssh { .. })
}

fn random_delay((min, max): (Duration, Duration)) -> Duration {
    let span = u64::try_from(max.saturating_sub(min).as_millis()).unwrap_or(u64::MAX);
    let r = getrandom::u64().unwrap_or(0);
    min.saturating_add(Duration::from_millis(r % span.saturating_add(1)))
}

/// Resolve and open the TCP connection (first address that answers), with TCP_NODELAY.
async fn tcp_connect(name: &str, cfg: &SshConfig) -> Result<tokio::net::TcpStream, ConnectorError> {
    let limit = cfg.connect_timeout;
    let address = cfg.address();
    let addrs: Vec<std::net::SocketAddr> =
        match tokio::time::timeout(limit, tokio::net::lookup_host((cfg.hostname.as_str(), cfg.port))).await {
            Ok(Ok(a)) => a.collect(),
            Ok(Err(e)) => {
                return Err(ConnectorError::Resolve {
                    host: name.to_string(),
                    address: cfg.hostname.clone(),
                    reason: io_reason(&e),
                });
            }
            Err(_) => {
                return Err(ConnectorError::Resolve {
                    host: name.to_string(),
                    address: cfg.hostname.clone(),
                    reason: format!("timed out after {limit:?}"),
                });
            }
        };
    let mut last = format!("no address for {}", cfg.hostname);
    for addr in addrs {
        match tokio::time::timeout(limit, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                // Without TCP_NODELAY each small SSH packet waits for the previous ACK.
                s.set_nodelay(true).map_err(|e| ConnectorError::Connect {
                    host: name.to_string(),
                    address: address.clone(),
                    reason: format!("cannot set TCP_NODELAY: {e}"),
                })?;
                return Ok(s);
            }
            Ok(Err(e)) => last = io_reason(&e),
            Err(_) => last = format!("timed out after {limit:?}"),
        }
    }
    Err(ConnectorError::Connect { host: name.to_string(), address, reason: last })
}

/// An I/O error as people read it: "Connection refused", without Rust's " (os error 111)".
pub(super) fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(i)) => text[..i].to_string(),
        _ => text,
    }
}

/// russh's client configuration: our kex order, host key types we already know for this host
/// first (as OpenSSH orders them), keepalives.
fn client_config(name: &str, cfg: &SshConfig, files: &[PathBuf]) -> Result<client::Config, ConnectorError> {
    let mut kexes = Vec::new();
    for k in &cfg.kex_algorithms {
        let n = kex::Name::try_from(k.as_str()).map_err(|_| ConnectorError::Config {
            host: name.to_string(),
            reason: format!("unknown key exchange algorithm {k:?}"),
        })?;
        kexes.push(n);
    }
    if kexes.is_empty() {
        return Err(ConnectorError::Config { host: name.to_string(), reason: "no key exchange algorithm".to_string() });
    }
    kexes.extend([kex::EXTENSION_SUPPORT_AS_CLIENT, kex::EXTENSION_OPENSSH_STRICT_KEX_AS_CLIENT]);
    let known = known_hosts::known_algorithms(files, &cfg.hostname, cfg.port);
    let is_known = |a: &Algorithm| {
        known.iter().any(|k| matches!((k, a), (Algorithm::Rsa { .. }, Algorithm::Rsa { .. })) || k == a)
    };
    let defaults = russh::Preferred::DEFAULT.key.to_vec();
    let (mut keys, rest): (Vec<Algorithm>, Vec<Algorithm>) = defaults.into_iter().partition(is_known);
    keys.extend(rest);
    Ok(client::Config {
        preferred: russh::Preferred {
            kex: kexes.into(),
            key: keys.into(),
            cipher: cipher_order().into(),
            ..russh::Preferred::DEFAULT
        },
        keepalive_interval: cfg.keepalive_interval,
        keepalive_max: cfg.keepalive_max,
        nodelay: true,
        ..client::Config::default()
    })
}

/// Ciphers in order of preference: AES-GCM first where the CPU has AES instructions (then it
/// costs both ends a fraction of chacha20-poly1305's CPU, sshd's included: measured on the fleet's
/// 1 MiB uploads), chacha20-poly1305 first elsewhere, as OpenSSH orders them.
fn cipher_order() -> Vec<russh::cipher::Name> {
    use russh::cipher::{AES_128_CTR, AES_128_GCM, AES_192_CTR, AES_256_CTR, AES_256_GCM, CHACHA20_POLY1305};
    if hardware_aes() {
        vec![AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305, AES_128_CTR, AES_192_CTR, AES_256_CTR]
    } else {
        vec![CHACHA20_POLY1305, AES_128_GCM, AES_256_GCM, AES_128_CTR, AES_192_CTR, AES_256_CTR]
    }
}

/// Whether this CPU has AES and carry-less multiply instructions (what fast AES-GCM needs).
fn hardware_aes() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("aes") && std::arch::is_x86_feature_detected!("pclmulqdq");
    #[cfg(target_arch = "aarch64")]
    return std::arch::is_aarch64_feature_detected!("aes") && std::arch::is_aarch64_feature_detected!("pmull");
    #[allow(unreachable_code)]
    false
}

fn sig_name(sig: &Sig) -> String {
    match sig {
        Sig::ABRT => "ABRT",
        Sig::ALRM => "ALRM",
        Sig::FPE => "FPE",
        Sig::HUP => "HUP",
        Sig::ILL => "ILL",
        Sig::INT => "INT",
        Sig::KILL => "KILL",
        Sig::PIPE => "PIPE",
        Sig::QUIT => "QUIT",
        Sig::SEGV => "SEGV",
        Sig::TERM => "TERM",
        Sig::USR1 => "USR1",
        Sig::Custom(s) => return s.clone(),
    }
    .to_string()
}

/// The russh event handler: checks the host key.
struct ClientHandler {
    host: String,
    hostname: String,
    port: u16,
    user_file: PathBuf,
    files: Vec<PathBuf>,
    mode: StrictHostKeyChecking,
    warnings: Arc<Mutex<Vec<String>>>,
    changed_key_accepted: Arc<AtomicBool>,
    negotiated: Arc<Mutex<Option<Negotiated>>>,
}

/// Algorithms agreed with the server in the last key exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Key exchange (`curve25519-sha256`).
    pub kex: String,
    /// Host key algorithm (`ssh-ed25519`).
    pub host_key: String,
    /// Cipher (`chacha20-poly1305@openssh.com`).
    pub cipher: String,
}

/// Why the handshake stopped: a russh error, or our refusal of the host key.
#[derive(Debug)]
enum HandlerError {
    Russh(russh::Error),
    Refused(Box<ConnectorError>),
}

impl From<russh::Error> for HandlerError {
    fn from(e: russh::Error) -> Self {
        HandlerError::Russh(e)
    }
}

impl ClientHandler {
    fn refuse(&self, e: ConnectorError) -> HandlerError {
        HandlerError::Refused(Box::new(e))
    }

    fn warn(&self, msg: String) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(msg);
        }
    }

    fn address(&self) -> String {
        format!("{}:{}", self.hostname, self.port)
    }

    fn learn(&self, key: &PublicKey) -> Result<(), HandlerError> {
        known_hosts::learn(&self.user_file, &self.hostname, self.port, key).map_err(|e| {
            self.refuse(ConnectorError::KnownHosts {
                host: self.host.clone(),
                file: self.user_file.clone(),
                reason: format!("cannot record the host key: {e}"),
            })
        })?;
        self.warn(format!(
            "{}: added the {} host key of {} to {}",
            self.host,
            key.algorithm(),
            self.address(),
            self.user_file.display()
        ));
        Ok(())
    }

    fn check(&self, key: &PublicKey) -> Result<bool, HandlerError> {
        let verdict = known_hosts::check(&self.files, &self.hostname, self.port, key).map_err(|e| {
            self.refuse(ConnectorError::KnownHosts {
                host: self.host.clone(),
                file: self.user_file.clone(),
                reason: e.to_string(),
            })
        })?;
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        match (verdict, self.mode) {
            (Verdict::Known, _) => Ok(true),
            (Verdict::Revoked { file, line }, _) => Err(self.refuse(ConnectorError::HostKeyRevoked {
                host: self.host.clone(),
                address: self.address(),
                fingerprint,
                file,
                line,
            })),
            (Verdict::Unknown, StrictHostKeyChecking::Yes) => {
                Err(self.refuse(ConnectorError::HostKeyUnknown(Box::new(HostKeyUnknown {
                    host: self.host.clone(),
                    address: self.address(),
                    hostname: self.hostname.clone(),
                    port: self.port,
                    key_type: key.algorithm().to_string(),
                    fingerprint,
                    file: self.user_file.clone(),
                }))))
            }
            (Verdict::Unknown, _) => self.learn(key).map(|_| true),
            (Verdict::Changed { file, line }, StrictHostKeyChecking::No) => {
                self.warn(format!(
                    "{}: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for {} (now {fingerprint}, {}:{line} differs); \
                     continuing because ssh_strict_host_key_checking=no, with password authentication disabled",
                    self.host,
                    self.address(),
                    file.display()
                ));
                self.changed_key_accepted.store(true, Ordering::Relaxed);
                Ok(true)
            }
            (Verdict::Changed { file, line }, _) => {
                Err(self.refuse(ConnectorError::HostKeyChanged(Box::new(HostKeyChanged {
                    host: self.host.clone(),
                    address: self.address(),
                    key_type: key.algorithm().to_string(),
                    fingerprint,
                    file,
                    line,
                    entry: known_hosts::host_entry(&self.hostname, self.port),
                }))))
            }
        }
    }
}

impl client::Handler for ClientHandler {
    type Error = HandlerError;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        // A host certificate is checked as its plain key: rinfra does not verify @cert-authority.
        self.check(&key.public_key())
    }

    async fn kex_done(
        &mut self,
        _shared_secret: Option<&[u8]>,
        names: &russh::Names,
        _session: &mut client::Session,
    ) -> Result<(), Self::Error> {
        if let Ok(mut n) = self.negotiated.lock() {
            *n = Some(Negotiated {
                kex: names.kex.as_ref().to_string(),
                host_key: names.key.to_string(),
                cipher: names.cipher.as_ref().to_string(),
            });
        }
        Ok(())
    }
}
