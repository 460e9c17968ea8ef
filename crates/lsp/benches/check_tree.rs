//! `rinfra-lsp check` over a generated repository: 500 deploy files (`deploys/svcN/deploy.py`, 60 lines
//! each) that import the workspace's own `@operation`s, `@deploy` and fact (`tasks/`), include a
//! shared task file, render a template and read facts. Wall time of the whole command, median of 5 runs,
//! and files per second. Results go to docs/PERFORMANCE.md (`## rinfra-lsp`); not a timed test.
//!
//! ```sh
//! cargo bench -p rinfra-lsp --bench check_tree          # RINFRA_BENCH_FILES=500, RINFRA_BENCH_RUNS=5
//! ```
//!
//! Every generated file is valid, so the check must exit 0 with no output: the run doubles as a
//! false-positive test of the user-operation resolution at scale. Without `--bench` on the command line
//! (`cargo test --benches`) it checks a 20-file tree once.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const OPS: &str = r#""""The team's own operations, imported by every deploy."""

from pyinfra import host
from pyinfra.api import deploy, operation
from pyinfra.operations import files, server


@operation()
def ensure_line(path: str, line: str, present: bool = True):
    """Keep one line in a file."""
    yield from files.line._inner(path=path, line=line, present=present)


@operation()
def app_user(name: str, home: str | None = None, shell: str = "/bin/bash"):
    """The service account of an application."""
    yield from server.user._inner(user=name, home=home, shell=shell, system=True)


@deploy("Log rotation")
def logrotate(service, keep=7):
    files.template(
        name=f"Rotate the logs of {service}",
        src="templates/logrotate.j2",
        dest=f"/etc/logrotate.d/{service}",
        service=service,
        keep=keep,
    )
"#;

const FACTS: &str = r#""""The team's own facts."""

from pyinfra.api import FactBase


class AppVersion(FactBase):
    """The deployed version of a service."""

    def command(self, service):
        return f"cat /srv/{service}/VERSION"

    def process(self, output):
        return output[0] if output else None
"#;

const COMMON: &str = r#"from pyinfra.operations import apt

apt.update(name="Refresh the package lists", cache_time=3600, _sudo=True)
"#;

/// One deploy of service `i`, in the style of pyinfra's documentation.
fn deploy(i: usize) -> String {
    format!(
        r#""""Deploy of service {i}."""

from pyinfra import host, local
from pyinfra.facts.server import LinuxName
from pyinfra.operations import apt, files, server, systemd

from tasks.facts import AppVersion
from tasks.ops import app_user, ensure_line, logrotate

SERVICE = "svc{i}"
ROOT = f"/srv/{{SERVICE}}"
PORT = {port}

local.include("tasks/common.py")

apt.packages(
    name=f"Packages of {{SERVICE}}",
    packages=["nginx", "curl", "python3-venv"],
    update=False,
    _sudo=True,
)

app_user(SERVICE, home=ROOT)

for sub in ("releases", "shared", "logs"):
    files.directory(path=f"{{ROOT}}/{{sub}}", user=SERVICE, group=SERVICE, mode="0755", recursive=True)

files.template(
    name="Service configuration",
    src="templates/app.conf.j2",
    dest=f"/etc/{{SERVICE}}.conf",
    mode=644,
    port=PORT,
    workers=4,
)

if host.get_fact(LinuxName) == "Ubuntu":
    ensure_line(path="/etc/environment", line=f"SERVICE_PORT={{PORT}}")

version = host.get_fact(AppVersion, service=SERVICE)
if version != "{i}.0":
    server.shell(name="Unpack the release", commands=[f"tar -C {{ROOT}}/releases -xzf /tmp/{{SERVICE}}.tgz"])

systemd.service(
    name=f"Run {{SERVICE}}",
    service=SERVICE,
    running=True,
    enabled=True,
    daemon_reload=True,
    _sudo=True,
)

logrotate(SERVICE, keep=14)
server.wait(port=PORT, _timeout=30)
"#,
        port = 8000 + i
    )
}

/// Write the repository of `n` deploys under `root`.
fn generate(root: &Path, n: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("tasks"))?;
    std::fs::create_dir_all(root.join("templates"))?;
    std::fs::create_dir_all(root.join("group_data"))?;
    std::fs::write(root.join("tasks/__init__.py"), "")?;
    std::fs::write(root.join("tasks/ops.py"), OPS)?;
    std::fs::write(root.join("tasks/facts.py"), FACTS)?;
    std::fs::write(root.join("tasks/common.py"), COMMON)?;
    std::fs::write(root.join("templates/app.conf.j2"), "port={{ port }}\nworkers={{ workers }}\n")?;
    std::fs::write(root.join("templates/logrotate.j2"), "/srv/{{ service }}/logs/*.log {\n  rotate {{ keep }}\n}\n")?;
    std::fs::write(root.join("inventory.py"), "web = [\"web1\", \"web2\"]\n")?;
    std::fs::write(root.join("group_data/all.py"), "app_port = 8080\n")?;
    for i in 0..n {
        let dir = root.join(format!("deploys/svc{i}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("deploy.py"), deploy(i))?;
    }
    Ok(())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn run() -> Result<(), String> {
    let full = std::env::args().any(|a| a == "--bench");
    let env = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (files, runs) = if full { (env("RINFRA_BENCH_FILES", 500), env("RINFRA_BENCH_RUNS", 5)) } else { (20, 1) };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    generate(dir.path(), files).map_err(|e| e.to_string())?;
    let lines = deploy(0).lines().count();
    let bytes: usize = (0..files).map(|i| deploy(i).len()).sum();
    println!("{files} deploy files of {lines} lines, {} kB (+ tasks/: 2 operations, a @deploy, a fact)", bytes / 1024);
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_rinfra-lsp"))
            .arg("check")
            .arg(".")
            .current_dir(dir.path())
            .output()
            .map_err(|e| e.to_string())?;
        samples.push(start.elapsed());
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Every deploy plus the three task modules that import pyinfra.
        let expected = format!("All checks passed ({} deploy files).", files + 3);
        if out.status.code() != Some(0) || !out.stdout.is_empty() || stderr.trim() != expected {
            return Err(format!(
                "check did not pass cleanly (status {:?}):\n{}{stderr}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout)
            ));
        }
    }
    let wall = median(samples.clone());
    let (min, max) = (samples.iter().min().copied().unwrap_or(wall), samples.iter().max().copied().unwrap_or(wall));
    println!(
        "rinfra-lsp check: median {:.1} ms over {runs} runs (min {:.1}, max {:.1}), {:.0} files/s",
        wall.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        (files + 3) as f64 / wall.as_secs_f64()
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("check_tree: {e}");
        std::process::exit(1);
    }
}
