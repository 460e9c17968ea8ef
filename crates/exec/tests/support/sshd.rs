//! A real OpenSSH `sshd` for tests: its own temporary directory, host key and client key, listening
//! on a free loopback port, accepting key logins for the current user; killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rinfra_exec::{SshConfig, StrictHostKeyChecking};

/// Where Debian puts sshd (often not on a normal user's PATH).
const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd.
pub struct Sshd {
    /// Temporary directory with the keys, config and logs.
    pub dir: tempfile::TempDir,
    /// Port it listens on (127.0.0.1).
    pub port: u16,
    /// A client private key the server accepts.
    pub client_key: PathBuf,
    /// The known_hosts file tests point the client at (starts empty).
    pub known_hosts: PathBuf,
    /// The user to log in as (the current user).
    pub user: String,
    child: Option<Child>,
}

/// Generate a key pair with ssh-keygen; returns the private key's path.
pub fn keygen(dir: &Path, name: &str, kind: &str, passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("pub"));
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-q", "-t", kind, "-N", passphrase, "-C", name, "-f"]).arg(&path);
    if kind == "rsa" {
        cmd.args(["-b", "2048"]);
    }
    let status = cmd.stdin(Stdio::null()).status().expect("ssh-keygen runs (install openssh-client)");
    assert!(status.success(), "ssh-keygen failed for {name}");
    path
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local addr").port()
}

impl Sshd {
    /// Start a server with a fresh ed25519 host key and one authorised ed25519 client key.
    pub fn start() -> Sshd {
        assert!(Path::new(SSHD).exists(), "{SSHD} is missing: install openssh-server (scripts/test installs it)");
        let dir = tempfile::tempdir().expect("tempdir");
        // sshd reads authorized_keys as the user logging in, who may not be the one running the tests.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod tempdir");
        let client_key = keygen(dir.path(), "client_ed25519", "ed25519", "");
        let mut sshd = Sshd {
            port: 0,
            known_hosts: dir.path().join("known_hosts"),
            client_key: client_key.clone(),
            user: current_user(),
            child: None,
            dir,
        };
        sshd.authorize(&client_key);
        sshd.new_host_key();
        sshd.spawn_on_free_port();
        sshd
    }

    /// Accept logins with this private key (its `.pub` beside it).
    pub fn authorize(&self, private_key: &Path) {
        use std::io::Write;
        let public = std::fs::read_to_string(private_key.with_extension("pub")).expect("public key");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("authorized_keys"))
            .expect("authorized_keys");
        f.write_all(public.as_bytes()).expect("write authorized_keys");
    }

    /// The server's host key (public, OpenSSH format).
    pub fn host_public_key(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("host_key.pub")).expect("host key").trim().to_string()
    }

    /// Replace the host key (the server must be restarted to use it).
    fn new_host_key(&self) {
        keygen(self.dir.path(), "host_key", "ed25519", "");
    }

    /// Simulate a reinstalled host: new host key, same address.
    pub fn change_host_key(&mut self) {
        self.stop();
        self.new_host_key();
        let port = self.port;
        assert!(self.spawn(port), "sshd did not come back on port {port}: {}", self.log());
    }

    /// A client configuration for this server: its key only, an isolated known_hosts file.
    pub fn config(&self) -> SshConfig {
        let mut c = SshConfig::new("127.0.0.1");
        c.port = self.port;
        c.user = self.user.clone();
        c.key_file = Some(self.client_key.clone());
        c.allow_agent = false;
        c.look_for_keys = false;
        c.known_hosts_file = self.known_hosts.clone();
        c.global_known_hosts_files = Vec::new();
        c.strict_host_key_checking = StrictHostKeyChecking::AcceptNew;
        c.connect_timeout = Duration::from_secs(10);
        c
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    fn write_config(&self, port: u16) -> PathBuf {
        let d = self.dir.path().display();
        // As root, PAM lets key logins into accounts without a password (locked in /etc/shadow); a
        // non-root sshd cannot use PAM.
        let root_only =
            if self.user == "root" { "PermitRootLogin prohibit-password\nUsePAM yes\n" } else { "UsePAM no\n" };
        // Several loopback addresses: simulated hosts 127.0.0.1 to 127.0.0.4, one server.
        let text = format!(
            "Port {port}\nListenAddress 127.0.0.1\nListenAddress 127.0.0.2\nListenAddress 127.0.0.3\n\
             ListenAddress 127.0.0.4\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n{root_only}Subsystem sftp internal-sftp\n\
             MaxStartups 200\nMaxSessions 10\nLogLevel VERBOSE\n"
        );
        let path = self.dir.path().join("sshd_config");
        std::fs::write(&path, text).expect("write sshd_config");
        path
    }

    fn spawn_on_free_port(&mut self) {
        // Another process may take the port between our probe and sshd's bind: try a few.
        for _ in 0..5 {
            let port = free_port();
            if self.spawn(port) {
                return;
            }
        }
        panic!("sshd would not start: {}", self.log());
    }

    /// Start sshd on `port` and wait until it accepts connections; false if it exited.
    fn spawn(&mut self, port: u16) -> bool {
        // As root, sshd insists on its privilege separation directory.
        if self.user == "root" && !Path::new("/run/sshd").exists() {
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let config = self.write_config(port);
        let log = std::fs::File::create(self.dir.path().join("sshd.log")).expect("log file");
        let mut child = Command::new(SSHD)
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn sshd");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                self.port = port;
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Drop every client connection (kill the server's per-connection processes, by pid), keeping
    /// the listener: what a network failure looks like to the client.
    pub fn kill_connections(&self) {
        self.signal_connections("KILL");
    }

    /// Freeze every connection (SIGSTOP): a host that stops answering without closing anything.
    pub fn freeze_connections(&self) {
        self.signal_connections("STOP");
    }

    /// Send `signal` to the server's per-connection processes (children of our sshd, by pid).
    fn signal_connections(&self, signal: &str) {
        let Some(parent) = self.child.as_ref().map(Child::id) else { return };
        let Ok(procs) = std::fs::read_dir("/proc") else { return };
        for entry in procs.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            // Fields after the parenthesised command name: state, ppid, ...
            let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
            if ppid == Some(parent) {
                let _ = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status();
            }
        }
    }

    fn stop(&mut self) {
        // Frozen or lingering connections would outlive the listener.
        self.kill_connections();
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}
