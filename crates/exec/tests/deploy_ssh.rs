//! End to end through the CLI over SSH: a real sshd on loopback, two inventory hosts (`@ssh/127.0.0.1`
//! and `localhost`, one connection each), a deploy that converges and then reports no change.

mod support;

use std::process::{Command, Output};

use support::sshd::Sshd;

fn run(dir: &std::path::Path, sshd: &Sshd, hosts: &str) -> Output {
    let port = sshd.port.to_string();
    let key = sshd.client_key.to_string_lossy().into_owned();
    let known = sshd.known_hosts.to_string_lossy().into_owned();
    Command::new(env!("CARGO_BIN_EXE_rinfra-exec"))
        .current_dir(dir)
        .args([hosts, "deploy.py", "--data", &format!("ssh_port={port}"), "--data", &format!("ssh_key={key}")])
        .args(["--data", &format!("ssh_known_hosts_file={known}"), "--data", "ssh_allow_agent=false"])
        .args(["--data", &format!("ssh_user={}", sshd.user)])
        .output()
        .expect("run rinfra-exec")
}

#[test]
fn two_ssh_hosts_converge_then_report_no_change() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("remote");
    let deploy = format!(
        "from pyinfra import host\nfrom pyinfra.operations import files\n\
         base = '{}/' + host.name.replace('@ssh/', '')\n\
         files.directory(path=base)\n\
         files.line(path=base + '/conf', line='name=' + host.name)\n",
        root.display()
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let hosts = "@ssh/127.0.0.1,localhost";

    let first = run(dir.path(), &sshd, hosts);
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert_eq!(first.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(out.matches(": Success").count(), 4, "{out}");
    for (dir, name) in [("127.0.0.1", "@ssh/127.0.0.1"), ("localhost", "localhost")] {
        let conf = std::fs::read_to_string(root.join(dir).join("conf")).expect("conf written over SSH");
        assert_eq!(conf, format!("name={name}\n"));
    }

    let second = run(dir.path(), &sshd, hosts);
    let out = String::from_utf8_lossy(&second.stdout).into_owned();
    assert_eq!(second.status.code(), Some(0), "{out}");
    assert_eq!(out.matches(": No change").count(), 4, "{out}");
    assert!(dir.path().join(".rinfra/facts/localhost.json").is_file());
}

#[test]
fn an_unreachable_host_fails_while_the_others_finish() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("made");
    let deploy = format!("from pyinfra.operations import files\nfiles.directory(path='{}')\n", target.display());
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = run(dir.path(), &sshd, "@ssh/127.0.0.1,@ssh/no-such-host.invalid");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-host.invalid"));
    assert!(target.is_dir(), "the reachable host still ran its deploy");
}
