//! Scheduling end to end over SSH: several simulated hosts (127.0.0.2-4 on one real sshd), and
//! deploys whose commands can only succeed if the hosts really run at the same time (a barrier),
//! or really run ahead of each other (`--no-wait`), or really one after another (`--serial`).
//! Nothing here measures time: a command that waits for another host gives up after a few
//! seconds, and the outcome (success or failure) tells which schedule ran.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::sshd::Sshd;

const HOSTS: &str = "@ssh/127.0.0.2,@ssh/127.0.0.3,@ssh/127.0.0.4";

fn run(dir: &Path, sshd: &Sshd, extra: &[&str]) -> Output {
    let key = sshd.client_key.to_string_lossy().into_owned();
    let known = sshd.known_hosts.to_string_lossy().into_owned();
    Command::new(env!("CARGO_BIN_EXE_rinfra-exec"))
        .current_dir(dir)
        .args([HOSTS, "deploy.py", "--data", &format!("ssh_port={}", sshd.port), "--data", &format!("ssh_key={key}")])
        .args(["--data", &format!("ssh_known_hosts_file={known}"), "--data", "ssh_allow_agent=false"])
        .args(["--data", &format!("ssh_user={}", sshd.user)])
        .args(extra)
        .output()
        .expect("run rinfra-exec")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A deploy whose one command succeeds only when all 3 hosts have reached it (each host touches
/// its own file, then waits up to `wait` seconds for the other two).
fn barrier_deploy(dir: &Path, wait: u32) {
    let meet = dir.join("meet");
    std::fs::create_dir_all(&meet).expect("meet dir");
    let deploy = format!(
        "from pyinfra import host\nfrom pyinfra.operations import server\n\
         me = host.name.split('/')[-1]\n\
         server.shell(name='barrier', commands=[\n\
         f\"touch {m}/{{me}}; i=0; while [ $(ls {m} | wc -l) -lt 3 ]; do i=$((i+1)); \
         [ $i -gt {tries} ] && exit 1; sleep 0.1; done\"])\n",
        m = meet.display(),
        tries = wait * 10,
    );
    std::fs::write(dir.join("deploy.py"), deploy).expect("deploy.py");
}

#[test]
fn the_hosts_of_a_step_run_at_the_same_time() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    barrier_deploy(dir.path(), 20);
    let out = run(dir.path(), &sshd, &[]);
    assert_eq!(out.status.code(), Some(0), "all three hosts met at the barrier: {}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches(": Success").count(), 3, "{}", text(&out));
}

#[test]
fn parallel_limits_how_many_hosts_run_at_once() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    barrier_deploy(dir.path(), 2);
    // Two at a time: the first two wait for a third that cannot start until one of them ends.
    let out = run(dir.path(), &sshd, &["--parallel", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("barrier"), "{}", text(&out));
    let bad = run(dir.path(), &sshd, &["--parallel", "none"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));

    // config.py's PARALLEL, as in pyinfra; the command line wins over it.
    std::fs::write(dir.path().join("config.py"), "PARALLEL = 2\n").expect("config.py");
    let fresh = || {
        let _ = std::fs::remove_dir_all(dir.path().join("meet"));
        barrier_deploy(dir.path(), 2);
    };
    fresh();
    let out = run(dir.path(), &sshd, &[]);
    assert_eq!(out.status.code(), Some(1), "config.py's PARALLEL = 2 holds the third host back: {}", text(&out));
    fresh();
    let out = run(dir.path(), &sshd, &["--parallel", "3"]);
    assert_eq!(out.status.code(), Some(0), "--parallel 3 over config.py's 2: {}", text(&out));
}

/// Host .2 runs two operations; host .3's only operation (an earlier step) waits for the second.
fn run_ahead_deploy(dir: &Path) -> std::path::PathBuf {
    let flag = dir.join("second-done");
    let deploy = format!(
        "from pyinfra import host\nfrom pyinfra.operations import server\n\
         if host.name.endswith('.3'):\n\
         \x20   server.shell(name='wait for .2', commands=[\"i=0; while [ ! -e {f} ]; do i=$((i+1)); \
         [ $i -gt 30 ] && exit 1; sleep 0.1; done\"])\n\
         if host.name.endswith('.2'):\n\
         \x20   server.shell(name='first', commands=['true'])\n\
         \x20   server.shell(name='second', commands=['touch {f}'])\n",
        f = flag.display()
    );
    std::fs::write(dir.join("deploy.py"), deploy).expect("deploy.py");
    flag
}

#[test]
fn no_wait_lets_a_host_run_ahead_and_the_default_waits() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let flag = run_ahead_deploy(dir.path());
    // Default: step by step, so .2's second operation waits for .3's wait, which gives up.
    let waited = run(dir.path(), &sshd, &[]);
    assert_eq!(waited.status.code(), Some(1), "{}", text(&waited));
    std::fs::remove_file(&flag).expect("the second operation ran after the failed wait");
    let ahead = run(dir.path(), &sshd, &["--no-wait"]);
    assert_eq!(ahead.status.code(), Some(0), "{}", text(&ahead));
    let out = String::from_utf8_lossy(&ahead.stdout).into_owned();
    assert!(out.contains("@ssh/127.0.0.3: wait for .2: Success"), "{out}");
    assert!(out.contains("@ssh/127.0.0.2: second: Success"), "{out}");
}

#[test]
fn serial_runs_each_host_through_all_its_operations_in_turn() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("log");
    let deploy = format!(
        "from pyinfra import host\nfrom pyinfra.operations import server\n\
         me = host.name.split('/')[-1]\n\
         server.shell(name='one', commands=[f'echo {{me}}:1 >> {l}'])\n\
         server.shell(name='two', commands=[f'echo {{me}}:2 >> {l}'])\n",
        l = log.display()
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = run(dir.path(), &sshd, &["--serial"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let lines = std::fs::read_to_string(&log).expect("log");
    let expected = ["127.0.0.2:1", "127.0.0.2:2", "127.0.0.3:1", "127.0.0.3:2", "127.0.0.4:1", "127.0.0.4:2"];
    assert_eq!(lines.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn a_rerun_costs_at_most_two_round_trips_per_host() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("hosts");
    std::fs::write(dir.path().join("motd"), "hello\n").expect("motd");
    let deploy = format!(
        "from pyinfra import host\nfrom pyinfra.facts.files import File\nfrom pyinfra.operations import files, server\n\
         base = '{root}/' + host.name.split('/')[-1]\n\
         files.directory(path=base + '/etc', mode='755')\n\
         files.put(src='motd', dest=base + '/etc/motd', mode='644')\n\
         files.line(path=base + '/etc/app.conf', line='^port', replace='port = 80')\n\
         files.link(path=base + '/current', target=base + '/etc')\n\
         if not host.get_fact(File, path=base + '/marker'):\n\
         \x20   server.shell(commands=['touch ' + base + '/marker'])\n\
         server.shell(name='hello', commands=['echo hello'])\n",
        root = root.display()
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let execs = |log: &str| log.lines().filter(|l| l.contains("Starting session: command")).count();
    let before = execs(&sshd.log());
    let first = run(dir.path(), &sshd, &["--json"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    // Every script of the first run, changes included, went to one long-lived shell per host.
    let log = sshd.log();
    assert_eq!(execs(&log) - before, 3, "one exec request per host:\n{log}");
    let second = run(dir.path(), &sshd, &["--json"]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    let doc: serde_json::Value = serde_json::from_slice(&second.stdout).expect("--json document");
    let hosts = doc["hosts"].as_array().expect("hosts");
    assert_eq!(hosts.len(), 3);
    for h in hosts {
        // One batch for every fact (gathered before deploy.py runs), one for the `echo`.
        assert!(h["round_trips"].as_u64().is_some_and(|n| n <= 2), "{h}");
    }
    for op in doc["operations"].as_array().expect("operations") {
        let want = if op["name"] == "hello" { "changed" } else { "no_change" };
        for (host, result) in op["hosts"].as_object().expect("hosts") {
            assert_eq!(result["status"], want, "{host}: {op}");
        }
    }
}

/// deploy.py asks its facts one at a time, host after host. Once the first host has run it, the
/// others gather the same facts (their own host name put in the paths) in one batch each, before
/// their deploy.py asks: a first run costs them one fact round trip, not one per `get_fact`.
#[test]
fn the_other_hosts_gather_what_the_first_deploy_asked_in_one_batch() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("hosts");
    for ip in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
        std::fs::create_dir_all(root.join(ip)).expect("host dir");
    }
    std::fs::write(root.join("127.0.0.3").join("marker"), "").expect("marker on .3 only");
    let deploy = format!(
        "from pyinfra import host\nfrom pyinfra.facts.files import Directory, File\n\
         from pyinfra.facts.server import Hostname\nfrom pyinfra.operations import server\n\
         me = host.name.split('/')[-1]\n\
         base = '{root}/' + me\n\
         found = [bool(host.get_fact(File, path=base + '/marker')), bool(host.get_fact(Directory, path=base))]\n\
         assert host.get_fact(Hostname)\n\
         server.shell(name='report', commands=[f'echo {{me}} {{found}}'])\n",
        root = root.display()
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = run(dir.path(), &sshd, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json document");
    let batches: Vec<u64> =
        doc["hosts"].as_array().expect("hosts").iter().map(|h| h["fact_batches"].as_u64().expect("count")).collect();
    assert_eq!(batches, [3, 1, 1], "{doc}");
    // Each host saw its own files.
    let report = &doc["operations"][0]["hosts"];
    let stdout = |host: &str| report[format!("@ssh/{host}")]["stdout"].to_string();
    assert!(stdout("127.0.0.2").contains("[False, True]"), "{report}");
    assert!(stdout("127.0.0.3").contains("[True, True]"), "{report}");
}
