//! Batched fact gathering on `@local` and over SSH (a real sshd): one round trip for many facts,
//! outputs split exactly, missing commands give defaults, facts not implemented fail alone.

mod support;

use rinfra_exec::gather::{GatherOptions, Job, JobStatus, gather, run_jobs};
use rinfra_exec::{Connector, LocalConnector, SshConnector};
use rinfra_facts::fact_source::{FactKey, NoFacts};
use rinfra_facts::schema::catalogue;
use support::sshd::Sshd;

fn job(command: &str, requires: Option<&str>) -> Job {
    Job::new(command.to_string(), requires.map(str::to_string), None)
}

/// The batch mechanics, identical on every connector.
async fn batch_splits_outputs_in_one_round_trip(conn: &dyn Connector) {
    let before = conn.round_trips().commands;
    let big = "x".repeat(100);
    let jobs = vec![
        job("echo one; echo two", None),
        job("printf 'no newline'", None),
        job("echo oops >&2; exit 3", None),
        job("this-command-does-not-exist-rinfra --version", Some("this-command-does-not-exist-rinfra")),
        job("echo present", Some("sh")),
        // Reads stdin: must see /dev/null, not swallow the rest of the script.
        job("cat; echo after-cat", None),
        // A syntax error or `exit` in one fact cannot break the next.
        job("if then fi (", None),
        job("cd / && exit 0", None),
        job("pwd", None),
        job(&format!("i=0; while [ $i -lt 20000 ]; do echo {big}; i=$((i+1)); done"), None),
        job("printf ''", None),
    ];
    let (outs, whole) = run_jobs(conn, jobs.clone(), &GatherOptions::default()).await.expect("batch runs");
    assert_eq!(conn.round_trips().commands - before, 1, "one round trip for {} commands", jobs.len());
    assert!(whole.success(), "{whole:?}");
    let o: Vec<_> = outs.into_iter().map(|o| o.expect("every job reported")).collect();

    assert_eq!((o[0].stdout.as_slice(), &o[0].status), (&b"one\ntwo\n"[..], &JobStatus::Exited(0)));
    assert_eq!(o[1].stdout, b"no newline");
    assert_eq!((o[2].stderr.as_slice(), &o[2].status), (&b"oops\n"[..], &JobStatus::Exited(3)));
    assert_eq!(o[3].status, JobStatus::Missing);
    assert!(o[3].stdout.is_empty());
    assert_eq!(o[4].stdout, b"present\n");
    assert_eq!(o[5].stdout, b"after-cat\n");
    assert_ne!(o[6].status, JobStatus::Exited(0));
    assert!(!o[6].stderr.is_empty(), "the syntax error is reported on that job's stderr");
    assert_eq!(o[7].status, JobStatus::Exited(0));
    assert_ne!(o[8].stdout, b"/\n", "cd in one fact does not leak into the next");
    assert_eq!(o[9].stdout.len(), 20000 * 101);
    assert!(o[10].stdout.is_empty() && o[10].stderr.is_empty());
}

/// Fact keys: facts that are not implemented fail alone, with a clear message, and cost no round trip
/// when nothing can run; implemented ones run in one batch.
async fn facts_by_key(conn: &dyn Connector) {
    let cat = catalogue();
    let not_implemented = cat
        .facts
        .iter()
        .flat_map(|m| m.facts.iter().map(move |f| (m.name, f)))
        .find(|(_, f)| !f.implemented() && f.args.is_empty())
        .map(|(m, f)| format!("{m}.{}", f.name));
    let mut keys = vec![FactKey::new("nosuch.Fact", vec![])];
    keys.extend(not_implemented.iter().map(|n| FactKey::new(n, vec![])));

    let before = conn.round_trips().commands;
    let got = gather(conn, &keys, &NoFacts, &GatherOptions::default()).await.expect("gather");
    assert_eq!(got.round_trips, 0);
    assert_eq!(conn.round_trips().commands, before, "nothing runnable: no round trip");
    let msg = got.results[0].1.as_ref().expect_err("unknown fact").to_string();
    assert_eq!(msg, "unknown fact nosuch.Fact");
    if let (Some(name), Some((_, r))) = (&not_implemented, got.results.get(1)) {
        let msg = r.as_ref().expect_err("not implemented").to_string();
        assert_eq!(msg, format!("fact {name} is not implemented yet"));
    }

    // Whatever argument-free facts of `server` exist in this tree run together in one round trip.
    let implemented: Vec<FactKey> = ["server.Hostname", "server.Os", "server.Arch", "server.Kernel", "server.User"]
        .iter()
        .filter(|n| cat.fact(n).is_some_and(|(_, f)| f.implemented()))
        .map(|n| FactKey::new(n, vec![]))
        .collect();
    if implemented.is_empty() {
        return;
    }
    let before = conn.round_trips().commands;
    let got = gather(conn, &implemented, &NoFacts, &GatherOptions::default()).await.expect("gather");
    assert_eq!(conn.round_trips().commands - before, 1);
    for (key, r) in &got.results {
        assert!(r.is_ok(), "{key}: {r:?}");
    }
    let hostname = FactKey::new("server.Hostname", vec![]);
    if let Some(Ok(v)) = got.get(&hostname) {
        let real = conn.run(&rinfra_exec::RemoteCommand::new("uname -n")).await.expect("uname");
        assert_eq!(v.as_str(), real.stdout_lines().first().map(String::as_str));
    }
}

/// `files` facts (implemented in this tree) on a real file, in one batch: stat-based facts sharing a
/// command, a hash, contents, a missing path, and a fact whose required command (`chflags`) is absent.
async fn files_facts(conn: &dyn Connector) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("f.txt");
    std::fs::write(&file, "hello\nworld\n").expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let f = file.to_str().expect("utf-8").to_string();
    let d = dir.path().to_str().expect("utf-8").to_string();
    let missing = format!("{d}/missing");
    let key = |fact: &str, path: &str| FactKey::new(fact, vec![("path".to_string(), serde_json::json!(path))]);
    let keys = vec![
        key("files.File", &f),
        key("files.Link", &f),
        key("files.File", &missing),
        key("files.Directory", &d),
        key("files.Sha1File", &f),
        key("files.FileContents", &f),
        key("files.Flags", &f),
    ];
    let before = conn.round_trips().commands;
    let got = gather(conn, &keys, &NoFacts, &GatherOptions::default()).await.expect("gather");
    assert_eq!(conn.round_trips().commands - before, 1, "{} facts, one round trip", keys.len());
    let value = |i: usize| match &got.results[i].1 {
        Ok(v) => v.clone(),
        Err(e) => panic!("{}: {e}", got.results[i].0),
    };
    let file_fact = value(0);
    assert_eq!(file_fact["mode"], 640, "{file_fact}");
    assert_eq!(file_fact["size"], 12, "{file_fact}");
    assert_eq!(value(1), serde_json::json!(false), "a regular file is not a link");
    assert_eq!(value(2), serde_json::Value::Null, "nothing at the path");
    assert!(value(3).is_object(), "{}", value(3));
    use sha1::Digest;
    let sha: String = sha1::Sha1::digest(b"hello\nworld\n").iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(value(4), serde_json::json!(sha));
    assert_eq!(value(5), serde_json::json!(["hello", "world"]));
    assert_eq!(value(6), rinfra_exec::gather::fact_default(&keys[6]).expect("default"), "chflags is missing here");
}

/// `server` facts (implemented in this tree): plain ones, a short fact sharing its parent's command
/// with the parent, and one with an argument.
async fn server_facts(conn: &dyn Connector) {
    let sh = |cmd: &str| {
        let cmd = rinfra_exec::RemoteCommand::new(cmd);
        async move { conn.run(&cmd).await.expect("run").stdout_lines().join("\n") }
    };
    let keys = vec![
        FactKey::new("server.Hostname", vec![]),
        FactKey::new("server.Kernel", vec![]),
        FactKey::new("server.Os", vec![]),
        FactKey::new("server.Arch", vec![]),
        FactKey::new("server.LinuxDistribution", vec![]),
        FactKey::new("server.LinuxName", vec![]),
        FactKey::new("server.Which", vec![("command".to_string(), serde_json::json!("sh"))]),
        FactKey::new("server.Which", vec![("command".to_string(), serde_json::json!("no-such-command-rinfra"))]),
    ];
    let before = conn.round_trips().commands;
    let got = gather(conn, &keys, &NoFacts, &GatherOptions::default()).await.expect("gather");
    assert_eq!(conn.round_trips().commands - before, 1);
    let v = |i: usize| match &got.results[i].1 {
        Ok(v) => v.clone(),
        Err(e) => panic!("{}: {e}", got.results[i].0),
    };
    assert_eq!(v(0), serde_json::json!(sh("uname -n").await));
    assert_eq!(v(1), serde_json::json!(sh("uname -s").await));
    assert_eq!(v(2), v(1));
    assert_eq!(v(3), serde_json::json!(sh("uname -m").await));
    let distro = v(4);
    assert!(distro["name"].is_string(), "{distro}");
    assert_eq!(v(5), distro["name"], "the short fact derives from its parent");
    assert_eq!(v(6), serde_json::json!(sh("command -v sh").await));
    assert_eq!(v(7), rinfra_exec::gather::fact_default(&keys[7]).expect("default"));
}

#[tokio::test]
async fn local_batches() {
    let local = LocalConnector::new();
    batch_splits_outputs_in_one_round_trip(&local).await;
    facts_by_key(&local).await;
    files_facts(&local).await;
    server_facts(&local).await;
}

#[tokio::test]
async fn ssh_batches() {
    let sshd = Sshd::start();
    let conn = match SshConnector::connect("testhost", &sshd.config()).await {
        Ok(c) => c,
        Err(e) => panic!("connect: {e}\n{}", sshd.log()),
    };
    batch_splits_outputs_in_one_round_trip(&conn).await;
    facts_by_key(&conn).await;
    files_facts(&conn).await;
    server_facts(&conn).await;
}

/// An operation's commands and the next facts in one script: commands stop at the first failure
/// (later commands and the facts never run), and facts follow only when every command succeeded.
#[tokio::test]
async fn commands_then_facts_in_one_round_trip() {
    use rinfra_exec::gather::gather_after;
    let dir = tempfile::tempdir().expect("tempdir");
    let made = dir.path().join("made");
    let conn = LocalConnector::new();
    let op = |cmd: &str| Job::new(cmd.to_string(), None, Some(vec![0]));
    let key = FactKey::new("files.File", vec![("path".into(), serde_json::json!(made.to_string_lossy()))]);
    let before = conn.round_trips().commands;
    let ok = vec![op(&format!("touch {}", made.display())), op("echo done")];
    let (outs, facts) =
        gather_after(&conn, ok, std::slice::from_ref(&key), &NoFacts, &GatherOptions::default()).await.expect("run");
    assert_eq!(conn.round_trips().commands - before, 1);
    assert!(outs.iter().all(|o| o.as_ref().is_some_and(|o| o.status == JobStatus::Exited(0))));
    assert_eq!(outs[1].as_ref().map(|o| o.stdout.clone()), Some(b"done\n".to_vec()));
    // Gathered after the touch: the file exists.
    assert!(facts.get(&key).is_some_and(|r| r.as_ref().is_ok_and(|v| v.is_object())), "{facts:?}");

    let failing = vec![op("echo no >&2; exit 4"), op(&format!("rm {}", made.display()))];
    let (outs, facts) = gather_after(&conn, failing, std::slice::from_ref(&key), &NoFacts, &GatherOptions::default())
        .await
        .expect("run");
    assert_eq!(
        outs[0].as_ref().map(|o| (o.status.clone(), o.stderr.clone())),
        Some((JobStatus::Exited(4), b"no\n".to_vec()))
    );
    assert!(outs[1].is_none(), "the second command must not run after the first failed");
    assert!(made.exists());
    assert!(facts.get(&key).is_some_and(Result::is_err), "facts after a failure are not reported as values");
}

/// Each fact by its own command, as pyinfra runs it (no shared processes): the reference.
fn own_commands() -> GatherOptions {
    GatherOptions { share_processes: false, ..Default::default() }
}

/// Gather `keys` one at a time (each fact's own command) and all at once (batched); the results
/// must be equal, in one round trip. Also returns how many lines `log` gained during the batch.
async fn batched_equals_one_by_one(
    conn: &dyn Connector,
    keys: &[FactKey],
    log: &std::path::Path,
) -> (rinfra_exec::gather::Gathered, usize) {
    let mut one_by_one = Vec::new();
    for key in keys {
        let got = gather(conn, std::slice::from_ref(key), &NoFacts, &own_commands()).await.expect("one");
        one_by_one.extend(got.results);
    }
    let lines = || std::fs::read_to_string(log).map_or(0, |s| s.lines().count());
    let (before, calls) = (conn.round_trips().commands, lines());
    let batched = gather(conn, keys, &NoFacts, &GatherOptions::default()).await.expect("batch");
    assert_eq!(conn.round_trips().commands - before, 1);
    let calls = lines() - calls;
    for ((key, got), (_, want)) in batched.results.iter().zip(&one_by_one) {
        assert_eq!(got, want, "{key}");
    }
    assert_eq!(batched.results.len(), one_by_one.len());
    (batched, calls)
}

/// Shims in a directory put first on PATH: each named tool logs a line to `calls.log` there and
/// then runs the real one (or whatever `body` says).
struct Shims(tempfile::TempDir);

impl Shims {
    fn new(tools: &[(&str, &str)]) -> Shims {
        let dir = tempfile::tempdir().expect("shim dir");
        let log = dir.path().join("calls.log");
        for (name, body) in tools {
            let real =
                ["/usr/bin", "/bin"].iter().map(|d| format!("{d}/{name}")).find(|p| std::path::Path::new(p).exists());
            let body = body.replace("REAL", &real.expect("the real tool"));
            let tool = dir.path().join(name);
            std::fs::write(&tool, format!("#!/bin/sh\necho {name} >> '{}'\n{body}\n", log.display())).expect("shim");
            std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        }
        let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
        // SAFETY: nextest runs each test in its own process; nothing else reads the environment now.
        unsafe { std::env::set_var("PATH", path) };
        Shims(dir)
    }

    fn log(&self) -> std::path::PathBuf {
        self.0.path().join("calls.log")
    }
}

/// Stat facts of several paths share one `stat` process; every value is the one each fact's own
/// command gives, whatever is at the path. With a `stat` that refuses several files (not GNU),
/// the batch falls back to pyinfra's command per path, with the same values.
#[tokio::test]
async fn stat_facts_batched_equal_one_by_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("file"), "x").expect("file");
    std::fs::write(d.join("it's a \"file\" é"), "y").expect("odd name");
    std::fs::create_dir(d.join("dir")).expect("dir");
    std::os::unix::fs::symlink(d.join("file"), d.join("link")).expect("link");
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("broken")).expect("broken link");
    let names = ["file", "it's a \"file\" é", "dir", "link", "broken", "missing"];
    let mut keys = Vec::new();
    for name in names {
        let path = serde_json::json!(d.join(name).to_string_lossy());
        for fact in ["files.File", "files.Directory", "files.Link"] {
            keys.push(FactKey::new(fact, vec![("path".into(), path.clone())]));
        }
    }
    let conn = LocalConnector::new();
    let counted = Shims::new(&[("stat", "exec REAL \"$@\"")]);
    let (batched, calls) = batched_equals_one_by_one(&conn, &keys, &counted.log()).await;
    assert_eq!(calls, 1, "one stat for every existing path");
    assert!(batched.results.iter().all(|(_, r)| r.is_ok()), "{:?}", batched.results);
    // The regular file is a file, the broken link a link, the missing path nothing.
    let value = |name: &str, fact: &str| {
        let path = serde_json::json!(d.join(name).to_string_lossy());
        batched.get(&FactKey::new(fact, vec![("path".into(), path)])).cloned().expect("asked").expect("value")
    };
    assert!(value("file", "files.File").is_object());
    assert!(value("broken", "files.Link").is_object());
    assert!(value("missing", "files.File").is_null());

    // A `stat` that takes one file at a time: the batch runs pyinfra's command per path.
    let one_at_a_time = Shims::new(&[("stat", "[ $# -gt 3 ] && exit 1\nexec REAL \"$@\"")]);
    batched_equals_one_by_one(&conn, &keys, &one_at_a_time.log()).await;
}

/// Hash facts of several paths share one `sha1sum` (etc.); each value is the one its own command
/// gives, for files, odd names, directories, links and missing paths, and with a tool that takes
/// one file at a time (the batch then runs each fact's command).
#[tokio::test]
async fn hash_facts_batched_equal_one_by_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("file"), "x").expect("file");
    std::fs::write(d.join("it's a \"file\" é"), "y").expect("odd name");
    std::fs::write(d.join("back\\slash"), "z").expect("backslash");
    std::fs::write(d.join("empty"), "").expect("empty");
    std::fs::create_dir(d.join("dir")).expect("dir");
    std::os::unix::fs::symlink(d.join("file"), d.join("link")).expect("link");
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("broken")).expect("broken link");
    let names = ["file", "it's a \"file\" é", "back\\slash", "empty", "link", "broken", "missing"];
    let keys_for = |names: &[&str]| -> Vec<FactKey> {
        let mut keys = Vec::new();
        for name in names {
            let path = serde_json::json!(d.join(name).to_string_lossy());
            for fact in ["files.Sha1File", "files.Sha256File", "files.Md5File", "files.Sha384File"] {
                keys.push(FactKey::new(fact, vec![("path".into(), path.clone())]));
            }
        }
        keys
    };
    let conn = LocalConnector::new();
    let keys = keys_for(&names);
    let counted = Shims::new(&[("sha1sum", "exec REAL \"$@\"")]);
    let (batched, calls) = batched_equals_one_by_one(&conn, &keys, &counted.log()).await;
    assert_eq!(calls, 1, "one sha1sum for every path");
    let value = |i: usize| batched.results[i].1.clone().expect("value");
    assert_eq!(value(0), serde_json::json!("11f6ad8ec52a2984abaafd7c3b516503785c2072"), "sha1 of x");
    assert!(value(4).is_string(), "the odd name has its hash");
    // GNU tools escape a name with a backslash (`\\HASH  NAME`), which pyinfra's regex does not
    // match: no hash, batched or not.
    assert!(value(8).is_null());
    assert!(value(keys.len() - 1).is_null(), "a missing path has none");
    // A directory makes the shared tool fail: every fact then runs its own command.
    let (_, calls) = batched_equals_one_by_one(&conn, &keys_for(&["file", "dir", "empty"]), &counted.log()).await;
    assert_eq!(calls, 1 + 3, "the shared sha1sum, then one per path");

    let one_at_a_time = "[ $# -gt 1 ] && exit 1\nexec REAL \"$@\"";
    let shims = Shims::new(&[
        ("sha1sum", one_at_a_time),
        ("sha256sum", one_at_a_time),
        ("sha384sum", one_at_a_time),
        ("md5sum", one_at_a_time),
    ]);
    batched_equals_one_by_one(&conn, &keys, &shims.log()).await;
}

/// `FindInFile` of many patterns in one file share one `sed`; every value is what its own `grep`
/// gives: matches, no match, a missing file, a directory, a binary file, a file grep reads as
/// binary only in a UTF-8 locale, no final newline, CRLF, and patterns sed must not batch.
#[tokio::test]
async fn find_in_file_batched_equals_grep() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let files: [(&str, &[u8]); 7] = [
        ("app.conf", b"max_connections = 100\nlog_level = info\n# mode = x\nmode = production\n[main]\na.b = 'q'%\n"),
        ("no-newline", b"key = 1\nkey = 2"),
        ("crlf", b"key = 1\r\nother\r\n"),
        ("empty", b""),
        ("nul", b"key = 1\nbinary\0here\nkey = 2\n"),
        ("latin1", b"key = caf\xe9\nkey = 2\n"),
        ("utf8", "key = café\n".as_bytes()),
    ];
    for (name, content) in files {
        std::fs::write(d.join(name), content).expect("write");
    }
    std::fs::create_dir(d.join("dir")).expect("dir");
    let patterns = [
        "^max_connections.*$",
        "^max_connections = 100$",
        "^log_level = debug$",
        "^mode",
        "^\\[main\\]",
        "a\\.b = 'q'%",
        "^\\(key\\|mode\\) = [0-9]\\+",
        "key.*",
        "caf.",
        "\\tx",
        "\\(k\\)ey = \\1",
        "^#",
    ];
    let conn = LocalConnector::new();
    let shims = Shims::new(&[("grep", "exec REAL \"$@\"")]);
    for locale in ["C", "C.UTF-8"] {
        // SAFETY: nextest runs each test in its own process; nothing else reads the environment now.
        unsafe { std::env::set_var("LC_ALL", locale) };
        for name in ["app.conf", "no-newline", "crlf", "empty", "nul", "latin1", "utf8", "dir", "missing"] {
            let path = serde_json::json!(d.join(name).to_string_lossy());
            let keys: Vec<FactKey> = patterns
                .iter()
                .map(|p| {
                    FactKey::new(
                        "files.FindInFile",
                        vec![("path".into(), path.clone()), ("pattern".into(), serde_json::json!(p))],
                    )
                })
                .collect();
            let (got, greps) = batched_equals_one_by_one(&conn, &keys, &shims.log()).await;
            // The two patterns sed reads differently run their own grep; so does every pattern
            // when the file is binary to grep or sed cannot read it.
            let binary = name == "nul" || (name == "latin1" && locale != "C");
            let expected = if binary || name == "dir" { patterns.len() } else { 2 };
            assert_eq!(greps, expected, "grep runs for {name} in {locale}");
            if name == "app.conf" {
                let lines = |i: usize| got.results[i].1.clone().expect("value");
                assert_eq!(lines(0), serde_json::json!(["max_connections = 100"]));
                assert_eq!(lines(2), serde_json::json!([]), "no match in an existing file");
                assert_eq!(lines(3), serde_json::json!(["mode = production"]));
            }
            if name == "missing" {
                assert!(got.results.iter().all(|(_, r)| r.as_ref().is_ok_and(|v| v.is_null())));
            }
        }
    }
}
