//! The `@local` connector: subprocess commands and atomic file writes.

use std::time::{Duration, Instant};

use rinfra_exec::{Connector, ConnectorError, ExitStatus, LocalConnector, Payload, RemoteCommand};

#[tokio::test]
async fn commands_report_output_status_stdin_and_env() {
    let c = LocalConnector::new();
    let out = c.run(&RemoteCommand::new("echo out; echo err >&2; exit 3")).await.expect("run");
    assert_eq!((out.stdout.as_slice(), out.stderr.as_slice()), (&b"out\n"[..], &b"err\n"[..]));
    assert_eq!(out.status, ExitStatus::Code(3));

    let out = c.run(&RemoteCommand::new("tr a-z A-Z").stdin(b"hi".to_vec())).await.expect("stdin");
    assert_eq!(out.stdout, b"HI");
    let out = c.run(&RemoteCommand::new("printf %s \"$X\"").env("X", "a b")).await.expect("env");
    assert_eq!(out.stdout, b"a b");
    let out = c.run(&RemoteCommand::new("cat; echo done")).await.expect("no stdin");
    assert_eq!(out.stdout, b"done\n");
    let out = c.run(&RemoteCommand::new("kill -KILL $$")).await.expect("signal");
    assert_eq!(out.status, ExitStatus::Signal("KILL".to_string()));

    // A timeout kills the command and its children (the pipe would otherwise stay open).
    let start = Instant::now();
    let err =
        c.run(&RemoteCommand::new("sleep 30 | cat").timeout(Duration::from_millis(200))).await.expect_err("timeout");
    assert!(matches!(err, ConnectorError::Timeout { .. }), "{err}");
    assert!(err.to_string().starts_with("@local: command timed out"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(5));

    let err = c.run(&RemoteCommand::new("true").env("BAD-NAME", "x")).await.expect_err("bad env");
    assert!(err.to_string().contains("BAD-NAME"), "{err}");
    assert_eq!(c.round_trips().commands, 6);
}

#[tokio::test]
async fn uploads_and_downloads_are_atomic() {
    let c = LocalConnector::named("@localhost");
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.txt");
    let dest_s = dest.to_str().expect("utf-8");
    c.upload(Payload::Bytes(b"one"), dest_s).await.expect("upload bytes");
    assert_eq!(std::fs::read(&dest).expect("read"), b"one");

    let src = dir.path().join("src.bin");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&src, &data).expect("write");
    c.upload(Payload::File(&src), dest_s).await.expect("upload file");
    assert_eq!(std::fs::read(&dest).expect("read"), data);

    let back = dir.path().join("back.bin");
    c.download(dest_s, &back).await.expect("download");
    assert_eq!(std::fs::read(&back).expect("read"), data);

    let err = c.upload(Payload::Bytes(b"x"), "/nonexistent-dir/f").await.expect_err("no dir");
    assert!(err.to_string().starts_with("@localhost: upload to /nonexistent-dir/f"), "{err}");
    let names: Vec<_> =
        std::fs::read_dir(dir.path()).expect("ls").filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 3, "no temporary files left: {names:?}");
    assert_eq!(c.round_trips(), rinfra_exec::RoundTrips { commands: 0, uploads: 3, downloads: 1 });
}
