//! The SSH connector against a real OpenSSH server on loopback: commands, file transfer, host key
//! checking, authentication and connection failures.

mod support;

use std::time::{Duration, Instant};

use rinfra_exec::{
    Connector, ConnectorError, ExitStatus, Payload, RemoteCommand, SshConfig, SshConnector, StrictHostKeyChecking,
};
use support::sshd::{Sshd, keygen};

async fn connect(cfg: &SshConfig) -> SshConnector {
    match SshConnector::connect("testhost", cfg).await {
        Ok(c) => c,
        Err(e) => panic!("connect failed: {e}\nsshd log:\n{}", sshd_log(cfg)),
    }
}

/// The log of the test server a configuration points at (its known_hosts file sits in the server's directory).
fn sshd_log(cfg: &SshConfig) -> String {
    cfg.known_hosts_file.parent().and_then(|d| std::fs::read_to_string(d.join("sshd.log")).ok()).unwrap_or_default()
}

async fn connect_err(cfg: &SshConfig) -> ConnectorError {
    match SshConnector::connect("testhost", cfg).await {
        Ok(_) => panic!("connected, but it should have failed"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn commands_report_output_status_stdin_and_env() {
    let sshd = Sshd::start();
    let c = connect(&sshd.config()).await;

    let out = c.run(&RemoteCommand::new("echo out; echo err >&2; exit 3")).await.expect("run");
    assert_eq!(out.stdout, b"out\n");
    assert_eq!(out.stderr, b"err\n");
    assert_eq!(out.status, ExitStatus::Code(3));

    let out = c.run(&RemoteCommand::new("tr a-z A-Z").stdin(b"hello\nworld".to_vec())).await.expect("stdin");
    assert_eq!(out.stdout_lines(), vec!["HELLO", "WORLD"]);
    assert!(out.success());

    let out =
        c.run(&RemoteCommand::new("printf %s \"$GREETING\"").env("GREETING", "it's a 'test'")).await.expect("env");
    assert_eq!(out.stdout, b"it's a 'test'");

    // A command that reads stdin when none is given sees end-of-file instead of hanging.
    let out = c.run(&RemoteCommand::new("cat; echo done")).await.expect("cat");
    assert_eq!(out.stdout, b"done\n");

    // Large stdin and large output at once must not deadlock on the channel window.
    let big = vec![b'x'; 3 * 1024 * 1024];
    let out = c.run(&RemoteCommand::new("cat").stdin(big.clone())).await.expect("big cat");
    assert_eq!(out.stdout.len(), big.len());

    let out = c.run(&RemoteCommand::new("kill -TERM $$")).await.expect("signal");
    assert_eq!(out.status, ExitStatus::Signal("TERM".to_string()));

    let err = c.run(&RemoteCommand::new("sleep 5").timeout(Duration::from_millis(300))).await.expect_err("timeout");
    assert!(matches!(err, ConnectorError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("testhost"), "{err}");

    // The connection is still usable after a timeout.
    assert!(c.run(&RemoteCommand::new("true")).await.expect("after timeout").success());
    assert_eq!(c.round_trips().commands, 8);
    c.close().await.expect("close");
    assert!(c.run(&RemoteCommand::new("true")).await.is_err(), "closed connection refuses commands");
}

#[tokio::test]
async fn many_commands_share_one_connection() {
    let sshd = Sshd::start();
    let mut cfg = sshd.config();
    // Measuring as a user with a light shell start-up isolates the connector's own cost.
    if let Ok(user) = std::env::var("RINFRA_BENCH_USER") {
        cfg.user = user;
    }
    let start = Instant::now();
    let c = connect(&cfg).await;
    let connected = start.elapsed();

    // Each exec costs the server a login shell, whose start-up can dominate on a developer machine,
    // so the suite keeps the counts modest; RINFRA_BENCH_COMMANDS=100 measures more.
    let n: usize = std::env::var("RINFRA_BENCH_COMMANDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let start = Instant::now();
    for i in 0..n {
        let out = c.run(&RemoteCommand::new(format!("echo {i}"))).await.expect("run");
        assert_eq!(out.stdout_lines(), vec![i.to_string()]);
    }
    let sequential = start.elapsed();

    // More commands at once than the server's MaxSessions (10): the connector queues them.
    let start = Instant::now();
    let cmds: Vec<RemoteCommand> = (0..2 * n).map(|i| RemoteCommand::new(format!("echo {i}"))).collect();
    let outs = futures::future::join_all(cmds.iter().map(|cmd| c.run(cmd))).await;
    let parallel = start.elapsed();
    for (i, out) in outs.into_iter().enumerate() {
        assert_eq!(out.expect("parallel run").stdout_lines(), vec![i.to_string()]);
    }
    assert_eq!(c.round_trips().commands, 3 * n as u64);
    // Timings for the report (run with --nocapture to see them).
    println!(
        "connect+auth {connected:?}; {n} sequential commands {sequential:?} ({:?}/command); {} concurrent {parallel:?}",
        sequential / n as u32,
        2 * n
    );
    assert!(sshd.log().matches("Accepted publickey").count() == 1, "one login for all commands");
}

#[tokio::test]
async fn uploads_are_atomic_and_round_trip() {
    let sshd = Sshd::start();
    let c = connect(&sshd.config()).await;
    let remote_dir = tempfile::tempdir().expect("remote dir");
    let dest = remote_dir.path().join("data.bin");
    let dest_s = dest.to_str().expect("utf-8 path");

    // 5 MiB + a bit of pseudo-random bytes, so no chunk looks like another (RINFRA_BENCH_TRANSFER_MB
    // measures bigger transfers).
    let mb: usize = std::env::var("RINFRA_BENCH_TRANSFER_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let size = mb * 1024 * 1024 + 12345;
    let mut big = Vec::with_capacity(size + 4);
    let mut x: u32 = 2463534242;
    while big.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big.extend_from_slice(&x.to_le_bytes());
    }
    big.truncate(size);
    let local = tempfile::tempdir().expect("local dir");
    let src = local.path().join("src.bin");
    std::fs::write(&src, &big).expect("write source");

    let start = Instant::now();
    c.upload(Payload::File(&src), dest_s).await.expect("upload big file");
    let up = start.elapsed();
    assert!(std::fs::read(&dest).expect("read uploaded") == big, "uploaded bytes differ");

    let back = local.path().join("back.bin");
    let start = Instant::now();
    c.download(dest_s, &back).await.expect("download");
    let down = start.elapsed();
    assert!(std::fs::read(&back).expect("read downloaded") == big, "downloaded bytes differ");
    println!("{} bytes: upload {up:?}, download {down:?}", big.len());

    // Replacing an existing file keeps its mode; no temporary file is left behind.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    c.upload(Payload::Bytes(b"small\n"), dest_s).await.expect("upload bytes");
    assert_eq!(std::fs::read(&dest).expect("read"), b"small\n");
    assert_eq!(std::fs::metadata(&dest).expect("stat").permissions().mode() & 0o777, 0o640);
    let names: Vec<String> = std::fs::read_dir(remote_dir.path())
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names, vec!["data.bin"], "only the destination remains");

    // A symlink destination is written through, as an in-place write would.
    let real = remote_dir.path().join("real.conf");
    std::fs::write(&real, b"old").expect("write");
    let link = remote_dir.path().join("link.conf");
    std::os::unix::fs::symlink("real.conf", &link).expect("symlink");
    c.upload(Payload::Bytes(b"via link"), link.to_str().expect("path")).await.expect("upload via link");
    assert_eq!(std::fs::read(&real).expect("read"), b"via link");
    assert!(std::fs::symlink_metadata(&link).expect("lstat").file_type().is_symlink());
    std::fs::remove_file(&link).expect("rm");
    std::fs::remove_file(&real).expect("rm");

    // Empty payloads work too.
    let empty = remote_dir.path().join("empty");
    c.upload(Payload::Bytes(b""), empty.to_str().expect("path")).await.expect("empty upload");
    assert_eq!(std::fs::read(&empty).expect("read empty"), b"");

    // Errors name the host and the path.
    let err = c.upload(Payload::Bytes(b"x"), "/nonexistent-dir/f").await.expect_err("no such dir");
    let msg = err.to_string();
    assert!(msg.contains("testhost") && msg.contains("/nonexistent-dir/f"), "{msg}");
    let err = c.download("/nonexistent-file", &local.path().join("x")).await.expect_err("no such file");
    assert!(err.to_string().contains("/nonexistent-file"), "{err}");
    assert!(!local.path().join("x").exists());
    assert_eq!(c.round_trips().uploads, 5);
    assert_eq!(c.round_trips().downloads, 2);
}

#[tokio::test]
async fn a_dropped_connection_leaves_the_destination_intact() {
    let sshd = Sshd::start();
    let c = connect(&sshd.config()).await;
    let remote_dir = tempfile::tempdir().expect("remote dir");
    let dest = remote_dir.path().join("data.bin");
    std::fs::write(&dest, b"old content").expect("write");
    let dest_s = dest.to_str().expect("utf-8").to_string();
    let payload = vec![7u8; 256 * 1024 * 1024];

    let start = Instant::now();
    let upload = c.upload(Payload::Bytes(&payload), &dest_s);
    let cut = async {
        // Wait until the temporary file is being written, then cut the connection.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let writing = std::fs::read_dir(remote_dir.path())
                .map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".tmp")))
                .unwrap_or(false);
            if writing {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        sshd.kill_connections();
    };
    let (result, ()) = tokio::join!(upload, cut);
    let err = result.expect_err("the upload cannot finish");
    assert!(err.to_string().contains("testhost"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(20), "the failure is noticed at once, not after a reply timeout");
    assert_eq!(std::fs::read(&dest).expect("read"), b"old content", "destination untouched");
    assert!(c.run(&RemoteCommand::new("true")).await.is_err(), "the connection is gone");

    // A command running when the connection drops fails at once too.
    let c = connect(&sshd.config()).await;
    let start = Instant::now();
    let cmd = RemoteCommand::new("sleep 30");
    let cut = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sshd.kill_connections();
    };
    let (result, ()) = tokio::join!(c.run(&cmd), cut);
    let err = result.expect_err("the command cannot finish");
    assert!(matches!(err, ConnectorError::Closed { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn keepalive_detects_a_host_that_stops_answering() {
    let sshd = Sshd::start();
    let mut cfg = sshd.config();
    cfg.keepalive_interval = Some(Duration::from_millis(500));
    cfg.keepalive_max = 2;
    let c = connect(&cfg).await;
    assert!(c.run(&RemoteCommand::new("true")).await.expect("run").success());
    sshd.freeze_connections();
    let start = Instant::now();
    // No timeout on the command: only the keepalives can notice.
    let err = c.run(&RemoteCommand::new("true")).await.expect_err("frozen host");
    assert!(start.elapsed() < Duration::from_secs(15), "noticed after {:?}", start.elapsed());
    assert!(err.to_string().contains("testhost"), "{err}");
}

#[tokio::test]
async fn accept_new_learns_then_refuses_a_changed_key() {
    let mut sshd = Sshd::start();
    let cfg = sshd.config();
    assert!(!cfg.known_hosts_file.exists());

    let c = connect(&cfg).await;
    assert!(c.warnings().iter().any(|w| w.contains("added")), "{:?}", c.warnings());
    drop(c);
    let learnt = std::fs::read_to_string(&cfg.known_hosts_file).expect("known_hosts written");
    let entry = format!("[127.0.0.1]:{}", sshd.port);
    assert!(learnt.starts_with(&entry), "{learnt}");
    assert!(learnt.contains(sshd.host_public_key().split_whitespace().nth(1).expect("key")), "{learnt}");

    // Known now: strict mode connects without learning again.
    let mut strict = cfg.clone();
    strict.strict_host_key_checking = StrictHostKeyChecking::Yes;
    let c = connect(&strict).await;
    assert!(c.warnings().is_empty());
    drop(c);

    // OpenSSH's hashed form is understood too.
    let status = std::process::Command::new("ssh-keygen").arg("-H").arg("-f").arg(&cfg.known_hosts_file).output();
    assert!(status.expect("ssh-keygen -H").status.success());
    assert!(std::fs::read_to_string(&cfg.known_hosts_file).expect("read").starts_with("|1|"));
    drop(connect(&strict).await);

    sshd.change_host_key();
    for mode in [StrictHostKeyChecking::AcceptNew, StrictHostKeyChecking::Yes] {
        let mut c = cfg.clone();
        c.strict_host_key_checking = mode;
        let err = connect_err(&c).await;
        let msg = err.to_string();
        assert!(matches!(err, ConnectorError::HostKeyChanged(_)), "{msg}");
        assert!(msg.contains("testhost") && msg.contains("HAS CHANGED"), "{msg}");
        let fix = format!("ssh-keygen -f \"{}\" -R \"{entry}\"", cfg.known_hosts_file.display());
        assert!(msg.contains(&fix), "the message says how to fix it: {msg}");
    }

    // `no` lets the changed key through, with a warning.
    let mut lax = cfg.clone();
    lax.strict_host_key_checking = StrictHostKeyChecking::No;
    let c = connect(&lax).await;
    assert!(c.warnings().iter().any(|w| w.contains("HAS CHANGED")), "{:?}", c.warnings());
    drop(c);

    // Following the advice fixes it.
    let out = std::process::Command::new("ssh-keygen")
        .arg("-f")
        .arg(&cfg.known_hosts_file)
        .arg("-R")
        .arg(&entry)
        .output()
        .expect("ssh-keygen -R");
    assert!(out.status.success());
    drop(connect(&cfg).await);
}

#[tokio::test]
async fn strict_mode_refuses_unknown_hosts() {
    let sshd = Sshd::start();
    let mut cfg = sshd.config();
    cfg.strict_host_key_checking = StrictHostKeyChecking::Yes;
    let err = connect_err(&cfg).await;
    let msg = err.to_string();
    assert!(matches!(err, ConnectorError::HostKeyUnknown(_)), "{msg}");
    assert!(msg.contains("testhost") && msg.contains("ssh-keyscan"), "{msg}");
    assert!(!cfg.known_hosts_file.exists(), "nothing learnt in strict mode");
}

#[tokio::test]
async fn key_types_passphrases_and_agent() {
    let sshd = Sshd::start();
    let dir = sshd.dir.path();
    for (name, kind) in [("ecdsa_key", "ecdsa"), ("rsa_key", "rsa")] {
        let key = keygen(dir, name, kind, "");
        sshd.authorize(&key);
        let mut cfg = sshd.config();
        cfg.key_file = Some(key);
        let c = connect(&cfg).await;
        assert!(c.run(&RemoteCommand::new("true")).await.expect("run").success(), "{kind}");
    }

    let locked = keygen(dir, "locked_key", "ed25519", "s3cret pass");
    sshd.authorize(&locked);
    let mut cfg = sshd.config();
    cfg.key_file = Some(locked.clone());
    let err = connect_err(&cfg).await;
    assert!(matches!(err, ConnectorError::Key { .. }), "{err}");
    assert!(err.to_string().contains("passphrase"), "{err}");
    cfg.key_password = Some("wrong".to_string());
    let err = connect_err(&cfg).await;
    assert!(err.to_string().contains("passphrase"), "{err}");
    cfg.key_password = Some("s3cret pass".to_string());
    drop(connect(&cfg).await);
    assert!(!format!("{cfg:?}").contains("s3cret"), "Debug masks the passphrase");

    // ssh-agent holding an authorised key.
    let agent_key = keygen(dir, "agent_key", "ed25519", "");
    sshd.authorize(&agent_key);
    let sock = dir.join("agent.sock");
    let mut agent = std::process::Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&sock)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ssh-agent");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !sock.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let added = std::process::Command::new("ssh-add").arg(&agent_key).env("SSH_AUTH_SOCK", &sock).output();
    let mut cfg = sshd.config();
    cfg.key_file = None;
    cfg.allow_agent = true;
    cfg.agent_socket = Some(sock.clone());
    let result = SshConnector::connect("testhost", &cfg).await;
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(added.expect("ssh-add").status.success());
    assert!(result.is_ok(), "agent login: {:?}", result.err().map(|e| e.to_string()));
}

#[tokio::test]
async fn wrong_key_is_an_auth_error_naming_the_host() {
    let sshd = Sshd::start();
    let stranger = keygen(sshd.dir.path(), "stranger", "ed25519", "");
    let mut cfg = sshd.config();
    cfg.key_file = Some(stranger);
    cfg.password = Some("not-used".to_string());
    let err = connect_err(&cfg).await;
    let msg = err.to_string();
    assert!(matches!(err, ConnectorError::Auth { .. }), "{msg}");
    assert!(msg.contains("testhost") && msg.contains("authentication failed"), "{msg}");
    assert!(msg.contains("stranger") && msg.contains("publickey"), "says what was tried and accepted: {msg}");
    assert!(msg.contains("password (not offered by the server)"), "{msg}");
    assert!(!msg.contains("not-used"), "the password never appears: {msg}");
}

#[tokio::test]
async fn unreachable_port_is_a_clear_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut cfg = SshConfig::new("127.0.0.1");
    cfg.port = port;
    cfg.connect_retries = 2;
    cfg.retry_delay = (Duration::from_millis(50), Duration::from_millis(60));
    let start = Instant::now();
    let err = connect_err(&cfg).await;
    let msg = err.to_string();
    assert!(matches!(err, ConnectorError::Connect { .. }), "{msg}");
    assert!(msg.contains("testhost") && msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(msg.to_lowercase().contains("refused"), "{msg}");
    assert!(start.elapsed() >= Duration::from_millis(100), "two retries waited");

    let mut cfg = SshConfig::new("no-such-host.invalid");
    cfg.connect_timeout = Duration::from_secs(5);
    let err = connect_err(&cfg).await;
    assert!(matches!(err, ConnectorError::Resolve { .. }), "{err}");
}

#[tokio::test]
async fn kex_order_is_deliberate_and_configurable() {
    let sshd = Sshd::start();
    let cfg = sshd.config();
    let mut timings = Vec::new();
    // Finite-field DH is slow in a debug build (~1 s): one connection is enough to show it.
    for (kexes, expected, n) in [
        (None, "curve25519-sha256", 3),
        (Some(vec!["ecdh-sha2-nistp256"]), "ecdh-sha2-nistp256", 3),
        (Some(vec!["diffie-hellman-group16-sha512"]), "diffie-hellman-group16-sha512", 1),
    ] {
        let mut c = cfg.clone();
        if let Some(k) = kexes {
            c.kex_algorithms = k.into_iter().map(String::from).collect();
        }
        let start = Instant::now();
        for _ in 0..n {
            let conn = connect(&c).await;
            assert_eq!(conn.negotiated().map(|n| n.kex), Some(expected.to_string()));
            conn.close().await.expect("close");
        }
        timings.push(format!("{expected}: {:?}/connection", start.elapsed() / n));
    }
    println!("{}", timings.join("; "));

    let mut bad = cfg.clone();
    bad.kex_algorithms = vec!["sntrup761x25519-sha512@openssh.com".to_string()];
    let err = connect_err(&bad).await;
    assert!(matches!(err, ConnectorError::Config { .. }), "{err}");
    assert!(err.to_string().contains("unknown key exchange algorithm"), "{err}");

    // An algorithm the server does not offer: the handshake fails with a clear connect error.
    bad.kex_algorithms = vec!["diffie-hellman-group1-sha1".to_string()];
    let err = connect_err(&bad).await;
    assert!(matches!(err, ConnectorError::Connect { .. }), "{err}");
    assert!(err.to_string().contains("handshake"), "{err}");
}

#[tokio::test]
async fn host_data_and_ssh_config_file_reach_the_server() {
    let sshd = Sshd::start();
    let dir = sshd.dir.path();
    let config = dir.join("ssh_config");
    std::fs::write(
        &config,
        format!(
            "Host myalias\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityFile {}\n  UserKnownHostsFile {}\n",
            sshd.port,
            sshd.user,
            sshd.client_key.display(),
            sshd.known_hosts.display()
        ),
    )
    .expect("write ssh config");
    let data = serde_json::json!({
        "ssh_config_file": config.to_str().expect("utf-8"),
        "ssh_allow_agent": false,
        "ssh_look_for_keys": false,
    });
    let data = data.as_object().cloned().unwrap_or_default();
    let cfg = SshConfig::from_host_data("@ssh/myalias", &data).expect("settings");
    let c = match SshConnector::connect("@ssh/myalias", &cfg).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}\n{}", sshd.log()),
    };
    assert!(c.run(&RemoteCommand::new("true")).await.expect("run").success());
    assert!(std::fs::read_to_string(&sshd.known_hosts).expect("learnt").starts_with("[127.0.0.1]:"));
}
