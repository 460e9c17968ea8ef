//! End to end through the CLI on `@local`: a deploy script converges, a second run changes nothing,
//! `--dry` changes nothing, and broken scripts fail with `deploy.py:LINE` and exit 1.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_rinfra-exec");

/// Run `rinfra-exec @local deploy.py <extra>` in `dir`.
fn run(dir: &Path, extra: &[&str]) -> Output {
    Command::new(BIN).current_dir(dir).arg("@local").arg("deploy.py").args(extra).output().expect("run rinfra-exec")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A project whose deploy writes only under `<dir>/target`.
fn project(dir: &Path) {
    let root = dir.join("target");
    std::fs::create_dir_all(dir.join("files")).expect("files dir");
    std::fs::write(dir.join("files/motd"), "welcome\n").expect("motd");
    let deploy = format!(
        r#"from pyinfra import host
from pyinfra.operations import files, server
from pyinfra.facts.server import Hostname

ROOT = "{root}"
assert host.name == "@local"
assert isinstance(host.get_fact(Hostname), str)
print("deploying to", host.name)
files.directory(name="app dir", path=ROOT + "/app", mode="750")
files.put(src="files/motd", dest=ROOT + "/app/motd", mode="640")
files.line(path=ROOT + "/app/app.conf", line="port=8080")
server.shell(commands=["test -e {root}/app/stamp || touch {root}/app/stamp"])
"#,
        root = root.display()
    );
    std::fs::write(dir.join("deploy.py"), deploy).expect("deploy.py");
}

/// (inode, mtime ns, mode) of every file under `dir`.
fn snapshot(dir: &Path) -> Vec<(String, u64, i64, u32)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let m = entry.metadata().expect("metadata");
        out.push((
            entry.file_name().to_string_lossy().into_owned(),
            m.ino(),
            m.mtime_nsec() + m.mtime() * 1_000_000_000,
            m.mode(),
        ));
    }
    out.sort();
    out
}

fn lines_with<'a>(stdout: &'a str, word: &str) -> Vec<&'a str> {
    stdout.lines().filter(|l| l.contains(word)).collect()
}

#[test]
fn dry_then_run_then_rerun_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let app = dir.path().join("target/app");

    let dry = run(dir.path(), &["--dry", "-v"]);
    let out = text(&dry.stdout);
    assert_eq!(dry.status.code(), Some(0), "{out}{}", text(&dry.stderr));
    assert_eq!(lines_with(&out, "@local: Would change").len(), 4, "{out}");
    assert!(out.contains("$ mkdir -p"), "dry -v shows commands: {out}");
    assert!(!dir.path().join("target").exists(), "--dry changed nothing");

    let first = run(dir.path(), &[]);
    let out = text(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{out}{}", text(&first.stderr));
    assert_eq!(lines_with(&out, "@local: Success").len(), 4, "{out}");
    assert_eq!(std::fs::read_to_string(app.join("motd")).expect("motd"), "welcome\n");
    assert_eq!(std::fs::read_to_string(app.join("app.conf")).expect("conf"), "port=8080\n");
    assert_eq!(std::fs::metadata(app.join("motd")).expect("motd").permissions().mode() & 0o777, 0o640);
    assert_eq!(std::fs::metadata(&app).expect("app").permissions().mode() & 0o777, 0o750);
    let before = snapshot(&app);

    let second = run(dir.path(), &[]);
    let out = text(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "{out}{}", text(&second.stderr));
    // The three file operations are idempotent; server.shell always runs (as in pyinfra).
    assert_eq!(lines_with(&out, "@local: No change").len(), 3, "{out}");
    assert_eq!(lines_with(&out, "@local: Success").len(), 1, "{out}");
    assert_eq!(snapshot(&app), before, "the second run left every file untouched");
    let table = out.lines().skip_while(|l| !l.starts_with("Operation")).collect::<Vec<_>>();
    assert_eq!(table.len(), 5, "a results table with one row per operation: {out}");
    assert!(table[1].starts_with("app dir") && table[1].ends_with("1      0"), "{out}");

    let dry = run(dir.path(), &["--dry", "-v"]);
    let out = text(&dry.stdout);
    assert_eq!(lines_with(&out, "@local: No change").len(), 3, "{out}");
    assert_eq!(snapshot(&app), before);
    // -v counts the round trips: a dry run on an unchanged host costs one, its fact batch.
    assert!(out.lines().any(|l| l == "@local: 1 round trip (1 fact batch)"), "{out}");

    // The deploy's print() goes to stderr under --json: stdout is one document.
    let json = run(dir.path(), &["--json"]);
    assert!(text(&json.stderr).contains("deploying to @local"));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    let statuses: Vec<&str> = doc["operations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["hosts"]["@local"]["status"].as_str())
        .collect();
    assert_eq!(statuses, ["no_change", "no_change", "no_change", "changed"], "{doc}");
    assert_eq!(doc["operations"][0]["name"], "app dir");

    let cache = dir.path().join(".rinfra/facts/@local.json");
    let mode = std::fs::metadata(&cache).expect("fact cache written").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(std::fs::read_to_string(&cache).expect("cache").contains("server.Hostname"));
}

/// Run a deploy script with `body` and return (exit code, stderr).
fn failing(body: &str) -> (Option<i32>, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = run(dir.path(), &[]);
    (out.status.code(), text(&out.stderr), dir)
}

fn assert_no_rust_internals(stderr: &str) {
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
    assert!(!stderr.contains("<rinfra"), "rinfra's own frames are hidden: {stderr}");
}

#[test]
fn syntax_error_names_the_line() {
    let (code, stderr, _dir) = failing("from pyinfra.operations import files\n\nfiles.directory(path='/tmp/x'\n");
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("deploy.py:3: SyntaxError:"), "{stderr}");
    assert_no_rust_internals(&stderr);
}

#[test]
fn exception_names_the_line_with_user_frames_only() {
    let body = "from pyinfra.operations import files\n\ndef helper():\n    raise ValueError('boom')\n\nhelper()\n";
    let (code, stderr, _dir) = failing(body);
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("deploy.py:4: ValueError: boom"), "{stderr}");
    assert!(stderr.contains("line 6, in <module>"), "{stderr}");
    assert_no_rust_internals(&stderr);
}

#[test]
fn unknown_argument_or_operation_fails_before_anything_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = dir.path().join("made");
    let body = format!(
        "from pyinfra.operations import files\nfiles.directory(path='{}')\nfiles.directory(path='/tmp/x', nope=1)\n",
        made.display()
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = run(dir.path(), &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    // Found before the run by the language server's analysis, at the argument.
    assert!(stderr.starts_with("deploy.py:3:32: RI002 Unknown argument `nope` for `files.directory`"), "{stderr}");
    assert!(!made.exists(), "nothing ran");

    let (code, stderr, _dir) = failing("from pyinfra.operations import files\nfiles.nothere(path='/x')\n");
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with("deploy.py:2:7: RI001 Unknown operation `nothere` in `pyinfra.operations.files`"),
        "{stderr}"
    );
    assert_no_rust_internals(&stderr);

    // A computed name or arguments are checked when the call runs, at its line.
    let (code, stderr, _dir) = failing("from pyinfra.operations import files\nop = getattr(files, 'noth' + 'ere')\n");
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with("deploy.py:2: AttributeError: pyinfra.operations.files has no operation 'nothere'"),
        "{stderr}"
    );
    let (code, stderr, _dir) =
        failing("from pyinfra.operations import files\nfiles.directory(**{'path': '/x', 'nope': 1})\n");
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("deploy.py:2: TypeError: files.directory:") && stderr.contains("nope"), "{stderr}");
    assert_no_rust_internals(&stderr);
}

#[test]
fn a_failing_command_reports_its_stderr_and_exits_1() {
    let (code, _stderr, dir) =
        failing("from pyinfra.operations import server\nserver.shell(commands=['echo oops >&2; exit 4'])\n");
    assert_eq!(code, Some(1));
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("@local: Error: command failed (exit code 4)"), "{stdout}");
    assert!(stdout.contains("oops"), "{stdout}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local", "missing.py"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no such deploy file: missing.py"));
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local", "x.py", "--bogus"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn pyinfra_api_in_deploy_scripts_if_data_include_and_deploy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let body = format!(
        r#"from pyinfra import host, local
from pyinfra.api import deploy
from pyinfra.operations import files, server

OUT = "{out}"
made = files.directory(path=OUT)
server.shell(name="first time only", commands=["touch " + OUT + "/created"], _if=made.did_change)
server.shell(name="never", commands=["touch " + OUT + "/never"], _if=[made.did_change, lambda: False])
echo = server.shell(name="echo", commands=["echo hello"])
server.shell(name="stdout seen", commands=["touch " + OUT + "/stdout-seen"], _if=lambda: echo.stdout == "hello")

@deploy("Configure", data_defaults={{"port": 80, "user": "www"}})
def configure():
    files.line(path=OUT + "/conf", line="port=%s user=%s" % (host.data.port, host.data.get("user")))

configure()
local.include("tasks/extra.py", data={{"greeting": "hi"}})
"#,
        out = out_dir.display()
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    std::fs::create_dir(dir.path().join("tasks")).expect("tasks");
    let extra = format!(
        "from pyinfra import host\nfrom pyinfra.operations import files\nfiles.line(path='{}/conf', line='greeting=' + host.data.greeting)\n",
        out_dir.display()
    );
    std::fs::write(dir.path().join("tasks/extra.py"), extra).expect("extra.py");

    let first = Command::new(BIN)
        .current_dir(dir.path())
        .args(["@local", "deploy.py", "--data", "port=8080"])
        .output()
        .expect("run");
    let stdout = text(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{stdout}{}", text(&first.stderr));
    assert_eq!(lines_with(&stdout, "@local: Skipped").len(), 1, "{stdout}");
    assert!(out_dir.join("created").exists() && out_dir.join("stdout-seen").exists());
    assert!(!out_dir.join("never").exists());
    let conf = std::fs::read_to_string(out_dir.join("conf")).expect("conf");
    assert_eq!(conf, "port=8080 user=www\ngreeting=hi\n", "--data beats @deploy defaults");

    std::fs::remove_file(out_dir.join("created")).expect("rm");
    let second = run(dir.path(), &["--data", "port=8080"]);
    let stdout = text(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("first time only (server.shell at deploy.py:7)\n    @local: Skipped"), "{stdout}");
    assert!(!out_dir.join("created").exists(), "_if=made.did_change is false on the re-run");
}

#[test]
fn the_local_example_plans_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(BIN)
        .current_dir(&root)
        .args(["@local", "examples/local/deploy.py", "--dry", "-v"])
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("Deploying to @local"), "{stdout}");
    assert!(stdout.contains("(files.line at examples/local/tasks.py:10)"), "{stdout}");
    let out = Command::new(BIN)
        .current_dir(&root)
        .args(["examples/local/inventory.py", "examples/local/deploy.py", "--dry"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn any_changed_and_all_changed_from_pyinfra_operations_util() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out");
    std::fs::create_dir(out.join("old")).expect("old");
    let body = format!(
        r#"from pyinfra.operations import files, server
from pyinfra.operations.util import all_changed, any_changed

OUT = "{out}"
new = files.directory(path=OUT + "/new")
old = files.directory(path=OUT + "/old")
server.shell(name="any", commands=["touch " + OUT + "/any"], _if=any_changed(new, old))
server.shell(name="all", commands=["touch " + OUT + "/all"], _if=all_changed(new, old))
"#,
        out = out.display()
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let first = run(dir.path(), &[]);
    let stdout = text(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{stdout}{}", text(&first.stderr));
    assert!(out.join("any").exists(), "one of the two changed: {stdout}");
    assert!(!out.join("all").exists(), "only one of the two changed: {stdout}");
    assert!(stdout.contains("all (server.shell at deploy.py:8)\n    @local: Skipped"), "{stdout}");
}

#[test]
fn an_active_virtualenv_and_modules_beside_the_deploy_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let venv = dir.path().join("venv");
    // The embedded interpreter's version decides the directory; cover the versions pyo3 supports.
    for minor in 7..=14 {
        let site = venv.join(format!("lib/python3.{minor}/site-packages"));
        std::fs::create_dir_all(&site).expect("site-packages");
        std::fs::write(site.join("venvmod.py"), "VALUE = 'from-venv'\n").expect("venvmod");
    }
    std::fs::write(dir.path().join("helpers.py"), "VALUE = 'from-beside'\n").expect("helpers");
    let body = "import venvmod, helpers\nprint(venvmod.VALUE, helpers.VALUE)\n";
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .env("VIRTUAL_ENV", &venv)
        .args(["@local", "deploy.py"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("from-venv from-beside"), "{}", text(&out.stdout));
}

#[test]
fn an_unchanged_upload_without_a_cache_hashes_the_remote_file_once() {
    // The host already has the file (converged by another controller): no `.rinfra/` yet, so the
    // facts are planned with stand-ins first. Only SHA-1 may be gathered, not the MD5 and SHA-256
    // fallbacks that a missing SHA-1 would call for.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("motd"), "welcome\n").expect("motd");
    std::fs::create_dir_all(dir.path().join("target")).expect("target");
    std::fs::write(dir.path().join("target/motd"), "welcome\n").expect("target motd");
    let deploy = format!(
        "from pyinfra.operations import files\nfiles.put(src='motd', dest='{}')\n",
        dir.path().join("target/motd").display()
    );
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(lines_with(&text(&out.stdout), "@local: No change").len(), 1, "{}", text(&out.stdout));
    let cache = std::fs::read_to_string(dir.path().join(".rinfra/facts/@local.json")).expect("fact cache");
    assert!(cache.contains("files.Sha1File"), "{cache}");
    assert!(!cache.contains("files.Md5File") && !cache.contains("files.Sha256File"), "{cache}");
}

#[test]
fn operation_and_fact_modules_load_on_first_import_in_every_spelling() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A `pyinfra` folder beside deploy.py must not shadow rinfra's modules.
    std::fs::create_dir_all(dir.path().join("pyinfra/operations")).expect("shadow dir");
    std::fs::write(dir.path().join("pyinfra/operations/apt.py"), "raise SystemExit('shadowed')\n").expect("shadow");
    let body = r#"import sys
assert "pyinfra.operations.apt" not in sys.modules, "compiled before use"
from pyinfra.operations import apt
import pyinfra.operations.server
import pyinfra.facts.server as server_facts
from pyinfra.facts.files import File
from pyinfra.api import deploy
assert callable(apt.packages) and callable(pyinfra.operations.server.shell)
assert sys.modules["pyinfra.operations.apt"] is apt
assert server_facts.Os.__name__ == "Os" and File.__module__ == "pyinfra.facts.files"
assert callable(deploy) and not isinstance(deploy, type(sys))
import importlib
assert importlib.reload(apt).packages is not None
try:
    importlib.import_module("pyinfra.operations." + "no_such_module")  # computed: past the precheck
except ImportError:
    print("no_such_module: ImportError")
print("imports ok")
"#;
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("no_such_module: ImportError") && stdout.contains("imports ok"), "{stdout}");
}

#[test]
fn one_operation_facts_and_exec_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("adhoc");
    let path = format!("path={}", target.display());
    let cli = |args: &[&str]| Command::new(BIN).current_dir(dir.path()).args(args).output().expect("run");

    let out = cli(&["@local", "files.directory", &path, "mode=700"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("@local: Success"));
    assert_eq!(std::fs::metadata(&target).expect("made").permissions().mode() & 0o777, 0o700);
    let out = cli(&["@local", "files.directory", &path, "mode=700"]);
    assert!(text(&out.stdout).contains("@local: No change"), "{}", text(&out.stdout));

    let out = cli(&["@local", "fact", "server.Arch", "files.Directory", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let facts = &doc["@local"];
    assert!(facts["server.Arch"].is_string(), "{doc}");
    assert_eq!(facts[format!("files.Directory({path})")]["mode"], serde_json::json!(700), "{doc}");

    let out = cli(&["@local", "exec", "--", "echo", "from-exec"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("        from-exec"), "{}", text(&out.stdout));

    let out = cli(&["@local", "files.directory", "bogus=1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("files.directory: got an unexpected keyword argument 'bogus'"));
    let out = cli(&["@local", "fact", "server.Nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn hosts_taking_different_branches_run_the_same_call_at_the_same_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let body = format!(
        r#"from pyinfra import host
from pyinfra.operations import files

OUT = "{out}"
if host.name == "@local":
    files.directory(name="only local", path=OUT + "/only-local")
for name in host.loop(["a", "b"]):
    files.directory(name="dir " + name, path=OUT + "/" + name)
    files.line(name="line " + name, path=OUT + "/" + name + "/f", line=host.name)
"#,
        out = out_dir.display()
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    // One host at a time within each step: both edit the same file, in inventory order.
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["@local,@localhost", "deploy.py", "--parallel", "1"])
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let headers: Vec<&str> = stdout.lines().filter(|l| l.starts_with("--> ")).collect();
    let names: Vec<&str> = headers.iter().map(|h| h.split(" (").next().unwrap_or("")).collect();
    assert_eq!(names, ["--> only local", "--> dir a", "--> line a", "--> dir b", "--> line b"], "{stdout}");
    // "dir a" runs on both hosts under one header.
    let dir_a = stdout.split("--> dir a").nth(1).unwrap_or("");
    let block: Vec<&str> = dir_a.lines().skip(1).take_while(|l| !l.starts_with("-->")).collect();
    assert_eq!(block.len(), 2, "{stdout}");
    assert_eq!(std::fs::read_to_string(out_dir.join("a/f")).expect("f"), "@local\n@localhost\n");
}

#[test]
fn inventory_file_groups_and_group_data_with_pyinfra_precedence() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("group_data")).expect("group_data");
    let write = |name: &str, body: &str| std::fs::write(dir.path().join(name), body).expect("write");
    write("inventory.py", "web = [('@local', {'port': 81})]\ndb = (['@localhost'], {'role': 'db'})\n_skip = ['x']\n");
    write("group_data/all.py", "port = 80\ngreeting = 'hi'\nrole = 'any'\n");
    write("group_data/web.py", "greeting = 'hello web'\n");
    write(
        "deploy.py",
        "from pyinfra import host\nprint('DATA', host.name, host.data.port, host.data.greeting, host.data.role, host.groups)\n",
    );
    let cli = |extra: &[&str]| {
        Command::new(BIN).current_dir(dir.path()).args(["inventory.py", "deploy.py"]).args(extra).output().expect("run")
    };
    let out = cli(&[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("DATA @local 81 hello web any ['web', 'inventory']"), "{stdout}");
    assert!(stdout.contains("DATA @localhost 80 hi db ['db', 'inventory']"), "{stdout}");
    let out = cli(&["--data", "port=9"]);
    assert!(text(&out.stdout).contains("DATA @local 9 hello web"), "--data overrides host data");

    let out = Command::new(BIN).current_dir(dir.path()).args(["missing.py", "deploy.py"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no such inventory file: missing.py"));
    write("broken.py", "hosts = ['@local']\nraise RuntimeError('bad inventory')\n");
    let out = Command::new(BIN).current_dir(dir.path()).args(["broken.py", "deploy.py"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("broken.py:2: RuntimeError: bad inventory"), "{}", text(&out.stderr));
}

#[test]
fn config_py_sets_global_argument_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, body: &str| std::fs::write(dir.path().join(name), body).expect("write");
    write("config.py", "SHELL = 'bash'\nIGNORE_ERRORS = True\nlowercase_ignored = 1\n");
    let shell_file = dir.path().join("shell");
    write(
        "deploy.py",
        &format!(
            "from pyinfra import config\nfrom pyinfra.operations import server\nassert config.SHELL == 'bash'\n\
             server.shell(commands=['exit 3'])\nserver.shell(commands=['echo $0 > {}'])\n",
            shell_file.display()
        ),
    );
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "IGNORE_ERRORS from config.py: {stdout}{}", text(&out.stderr));
    assert!(stdout.contains("@local: Error"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&shell_file).expect("ran after the error"), "bash\n");

    write("bad.py", "SUDO = (\n");
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["@local", "deploy.py", "--config", "bad.py"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("bad.py:1: SyntaxError"), "{}", text(&out.stderr));
}

#[test]
fn global_arguments_stdin_timeout_retries_run_once_continue_on_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().display();
    let body = format!(
        r#"from pyinfra.operations import server
server.shell(name="stdin", commands=["cat > {d}/stdin"], _stdin=["a", "b"])
server.shell(name="timeout", commands=["sleep 5"], _timeout=1, _ignore_errors=True)
server.shell(name="retry", commands=["test -e {d}/flag || (touch {d}/flag; exit 1)"], _retries=1, _retry_delay=0)
server.shell(name="once", commands=["echo once >> {d}/once"], _run_once=True)
server.shell(name="carry", commands=["false", "touch {d}/carried"], _continue_on_error=True, _ignore_errors=True)
"#
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let started = std::time::Instant::now();
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local,@localhost", "deploy.py"]).output().expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "errors were ignored: {stdout}{}", text(&out.stderr));
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "_timeout stopped sleep 5");
    assert_eq!(lines_with(&stdout, "timed out after 1s").len(), 2, "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.path().join("stdin")).expect("stdin"), "a\nb\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("once")).expect("once"), "once\n");
    assert!(dir.path().join("carried").exists());
    let retry = stdout.split("--> retry").nth(1).unwrap_or("");
    assert!(retry.lines().take(3).skip(1).all(|l| l.ends_with("Success")), "{stdout}");
}

#[test]
fn the_run_cache_records_calls_and_masked_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let call = "files.directory(\n    path=\"/tmp/x\",\n)";
    // Non-ASCII before and inside a call: Python's column offsets count bytes, not characters.
    let accented = "files.directory(path=\"/tmp/é\")";
    std::fs::write(
        dir.path().join("deploy.py"),
        format!("from pyinfra.operations import files\n{call}\nx = 'ünï'; {accented}\n"),
    )
    .expect("deploy.py");
    let out = run(dir.path(), &["--dry", "--data", "ssh_password=hunter2", "--data", "role=web"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = dir.path().join(".rinfra/runs/@local.json");
    assert_eq!(std::fs::metadata(&path).expect("run cache").permissions().mode() & 0o777, 0o600);
    let body = std::fs::read_to_string(&path).expect("read");
    assert!(!body.contains("hunter2"), "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["data"]["role"], "web");
    assert_eq!(doc["data"]["ssh_password"], "*MASKED*");
    let first = &doc["calls"][0];
    assert_eq!(first["operation"], "files.directory");
    assert_eq!(first["line"], 2);
    assert_eq!(first["keywords"], serde_json::json!({"path": "/tmp/x"}));
    use sha1::Digest;
    let expected: String = sha1::Sha1::digest(call.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(first["source_sha1"], expected.as_str(), "hash of the whole call expression");
    let second: String = sha1::Sha1::digest(accented.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(doc["calls"][1]["source_sha1"], second.as_str(), "non-ASCII text is cut by bytes");
}

#[test]
fn the_next_runs_fact_list_holds_only_what_was_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| dir.path().join(name).display().to_string();
    let deploy = |body: String| std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let listed = || {
        let body = std::fs::read_to_string(dir.path().join(".rinfra/runs/@local.json")).expect("run record");
        let doc: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        let facts = doc["facts"].as_array().cloned().unwrap_or_default();
        facts.iter().map(|k| format!("{} {}", k["fact"].as_str().unwrap_or(""), k["args"]["path"])).collect::<Vec<_>>()
    };
    let head = "from pyinfra import host\nfrom pyinfra.facts.files import File\nfrom pyinfra.operations import files\n";
    deploy(format!("{head}files.directory(path={:?})\n", p("old")));
    assert_eq!(run(dir.path(), &[]).status.code(), Some(0));
    assert!(listed().contains(&format!("files.Directory {:?}", p("old"))), "{:?}", listed());

    // The next runs gather `old` ahead (the list says so), but nothing asks for it any more.
    deploy(format!("{head}host.get_fact(File, path={:?})\nfiles.directory(path={:?})\n", p("asked"), p("new")));
    for _ in 0..2 {
        assert_eq!(run(dir.path(), &[]).status.code(), Some(0));
        let facts = listed();
        assert!(!facts.iter().any(|f| f.contains(&p("old"))), "{facts:?}");
        assert!(facts.contains(&format!("files.Directory {:?}", p("new"))), "{facts:?}");
        // Still listed when the batch gathered it before deploy.py asked (the second time round).
        assert!(facts.contains(&format!("files.File {:?}", p("asked"))), "{facts:?}");
    }
}

#[test]
fn diff_shows_what_an_upload_would_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("motd");
    std::fs::write(&dest, "old line\nsame\n").expect("dest");
    std::fs::write(dir.path().join("new"), "new line\nsame\n").expect("src");
    let body = format!("from pyinfra.operations import files\nfiles.put(src='new', dest='{}')\n", dest.display());
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = run(dir.path(), &["--dry", "--diff"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains(&format!("+++ {} (new)", dest.display())), "{stdout}");
    assert!(stdout.contains("        -old line\n        +new line\n         same"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&dest).expect("dest"), "old line\nsame\n", "--dry changed nothing");
}

#[test]
fn cli_flags_limit_exclude_shell_executable_fail_percent_chdir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, body: &str| std::fs::write(dir.path().join(name), body).expect("write");
    write("inventory.py", "web = ['@local']\ndb = ['@localhost']\n");
    write(
        "deploy.py",
        "from pyinfra import host\nfrom pyinfra.operations import server\n\
         server.shell(name='who', commands=['echo $0 > ' + host.name.strip('@')])\n\
         server.shell(name='fail', commands=['exit 1'])\nserver.shell(name='after', commands=['true'])\n",
    );
    let cli = |args: &[&str]| Command::new(BIN).current_dir(dir.path()).args(args).output().expect("run");

    let out = cli(&["inventory.py", "deploy.py", "--limit", "we*", "--shell-executable=bash"]);
    assert_eq!(out.status.code(), Some(1), "the failing command fails the host");
    assert_eq!(std::fs::read_to_string(dir.path().join("local")).expect("ran on web"), "bash\n");
    assert!(!dir.path().join("localhost").exists(), "--limit left db out");

    let out = cli(&["inventory.py", "deploy.py", "--exclude", "web", "--fail-percent", "0"]);
    let stdout = text(&out.stdout);
    assert!(dir.path().join("localhost").exists());
    assert!(text(&out.stderr).contains("stopping: 1 of 1 hosts failed"), "{}", text(&out.stderr));
    assert!(!stdout.contains("--> after"), "{stdout}");
    // --serial: the first host fails; the second never starts.
    std::fs::remove_file(dir.path().join("localhost")).expect("rm");
    let out = cli(&["@local,@localhost", "deploy.py", "--serial", "--fail-percent", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(dir.path().join("local").exists() && !dir.path().join("localhost").exists(), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("stopping: 1 of 2 hosts failed"), "{}", text(&out.stderr));

    let elsewhere = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .current_dir(elsewhere.path())
        .args(["--chdir", &dir.path().to_string_lossy(), "@local", "deploy.py", "--dry"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = cli(&["@local", "deploy.py", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = cli(&["@local", "deploy.py", "--limit"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn user_defined_operations_yield_commands_and_nest_builtins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let body = format!(
        r#"from pyinfra import host
from pyinfra.api import operation, StringCommand, QuoteString
from pyinfra.facts.files import File
from pyinfra.operations import files

OUT = "{out}"

@operation()
def write_once(path, content="x"):
    if host.get_fact(File, path=path) is None:
        yield StringCommand("printf", "%s", QuoteString(content), ">", QuoteString(path))
    yield from files.directory._inner(path=OUT + "/sub")

files.directory(path=OUT)
write_once(OUT + "/a b", content="hello world")
"#,
        out = out_dir.display()
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let first = run(dir.path(), &[]);
    let stdout = text(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{stdout}{}", text(&first.stderr));
    assert!(stdout.contains("--> write_once (deploy.py:15)\n    @local: Success"), "{stdout}");
    assert_eq!(std::fs::read_to_string(out_dir.join("a b")).expect("written"), "hello world");
    assert!(out_dir.join("sub").is_dir());
    let second = run(dir.path(), &[]);
    let stdout = text(&second.stdout);
    assert_eq!(lines_with(&stdout, "@local: No change").len(), 2, "{stdout}");
    // The next run gathers ahead what the user's operation asked, itself and through `_inner`.
    let record = std::fs::read_to_string(dir.path().join(".rinfra/runs/@local.json")).expect("run record");
    let doc: serde_json::Value = serde_json::from_str(&record).expect("JSON");
    let listed = |fact: &str, path: String| {
        doc["facts"].as_array().is_some_and(|l| l.iter().any(|k| k["fact"] == fact && k["args"]["path"] == path))
    };
    assert!(listed("files.File", format!("{}/a b", out_dir.display())), "{record}");
    assert!(listed("files.Directory", format!("{}/sub", out_dir.display())), "{record}");

    let bad = "from pyinfra.api import operation\n@operation()\ndef op():\n    yield 42\nop()\n";
    let (code, stderr, _dir) = failing(bad);
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("deploy.py:5: TypeError: rinfra runs operations that yield"), "{stderr}");
}

#[test]
fn user_defined_facts_run_their_command_and_process() {
    let body = r#"from pyinfra import host
from pyinfra.api import FactBase

class Lines(FactBase):
    def command(self, word):
        return f"echo {word}; echo two"
    def process(self, output):
        return [line.upper() for line in output]

class Missing(FactBase):
    requires_command = "rinfra-no-such-binary"
    command = "rinfra-no-such-binary --list"
    @staticmethod
    def default():
        return {}

print("FACTS", host.get_fact(Lines, word="one"), host.get_fact(Missing))
host.get_fact(Lines, word="; exit 3")
"#;
    let (code, stderr, dir) = failing(body);
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("deploy.py:18: RuntimeError: could not load fact Lines"), "{stderr}");
    std::fs::write(dir.path().join("deploy.py"), body.replace("host.get_fact(Lines, word=\"; exit 3\")\n", ""))
        .expect("deploy.py");
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("FACTS ['ONE', 'TWO'] {}"), "{}", text(&out.stdout));
}

/// `_if` callables run with `host` set to the host the operation runs on, and may ask for facts
/// (gathered by that host's worker while the callable waits), as in pyinfra.
#[test]
fn if_callables_see_their_host_and_can_gather_facts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let present = dir.path().join("present");
    std::fs::write(&present, "x").expect("file");
    let body = format!(
        "from pyinfra import host\nfrom pyinfra.facts.files import File\nfrom pyinfra.operations import server\n\
         server.shell(name='when file', commands=['true'], _if=lambda: host.get_fact(File, path='{p}') is not None)\n\
         server.shell(name='when missing', commands=['true'], _if=lambda: host.get_fact(File, path='{p}.no') is not None)\n\
         server.shell(name='by name', commands=['true'], _if=lambda: host.name == '@localhost')\n",
        p = present.display()
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local,@localhost", "deploy.py"]).output().expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let block = |name: &str| -> Vec<String> {
        let after = stdout.split(&format!("--> {name} (")).nth(1).unwrap_or("");
        after.lines().skip(1).take_while(|l| !l.starts_with("-->") && !l.is_empty()).map(str::to_string).collect()
    };
    assert_eq!(block("when file"), ["    @local: Success", "    @localhost: Success"], "{stdout}");
    let skipped = ["    @local: Skipped (_if condition false)", "    @localhost: Skipped (_if condition false)"];
    assert_eq!(block("when missing"), skipped, "{stdout}");
    assert_eq!(block("by name"), ["    @local: Skipped (_if condition false)", "    @localhost: Success"], "{stdout}");
}

#[test]
fn user_defined_operations_honour_if() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().display();
    let body = format!(
        "from pyinfra.api import operation\n@operation()\ndef touch(path):\n    yield 'touch ' + path\n\
         touch('{d}/yes', _if=lambda: True)\ntouch('{d}/no', _if=[lambda: False])\n"
    );
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = run(dir.path(), &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(dir.path().join("yes").exists(), "{stdout}");
    assert!(!dir.path().join("no").exists(), "{stdout}");
    assert!(stdout.contains("--> touch (deploy.py:6)\n    @local: Skipped"), "{stdout}");
}

#[test]
fn logger_is_made_on_first_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = r#"import sys
from pyinfra import host
assert "logging" not in sys.modules, "rinfra imported logging before the deploy used it"
from pyinfra import logger
logger.warning("warned by %s", host.name)
assert logger.name == "pyinfra"
try:
    from pyinfra import no_such_name
except ImportError as e:
    print("IMPORT ERROR:", e)
"#;
    std::fs::write(dir.path().join("deploy.py"), body).expect("deploy.py");
    let out = run(dir.path(), &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("warned by @local"), "{stderr}");
    assert!(stdout.contains("IMPORT ERROR: cannot import name 'no_such_name' from 'pyinfra'"), "{stdout}");
}

/// After an operation ran, only the facts it may have changed are asked again: an unrelated
/// path's facts keep the values gathered before (no new `stat`), while the facts of a path below
/// or above one it changed are asked again and the plan sees the change.
#[test]
fn after_an_operation_only_the_facts_of_its_paths_are_asked_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("target");
    for n in ["a", "b", "c", "d"] {
        std::fs::create_dir_all(root.join(n)).expect("dir");
        std::fs::set_permissions(root.join(n), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    // A `stat` that logs each call, then runs the real one.
    let shims = dir.path().join("shims");
    std::fs::create_dir_all(&shims).expect("shims");
    let log = dir.path().join("stat.log");
    std::fs::write(
        shims.join("stat"),
        format!("#!/bin/sh\necho x >> '{}'\nexec /usr/bin/stat \"$@\"\n", log.display()),
    )
    .expect("shim");
    std::fs::set_permissions(shims.join("stat"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!("{}:{}", shims.display(), std::env::var("PATH").unwrap_or_default());
    let run_with = |deploy: String| {
        std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
        let _ = std::fs::remove_file(&log);
        let out = Command::new(BIN)
            .current_dir(dir.path())
            .env("PATH", &path)
            .args(["@local", "deploy.py", "--json"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
        let stats = std::fs::read_to_string(&log).map_or(0, |s| s.lines().count());
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json document");
        (doc, stats)
    };
    // Four existing directories side by side, each given a mode: their facts come in one batch
    // before the first runs, and none is asked again (one `stat` in all).
    let side_by_side: String = ["a", "b", "c", "d"]
        .iter()
        .map(|n| format!("files.directory(path='{}/{n}', mode='700')\n", root.display()))
        .collect();
    let (doc, stats) = run_with(format!("from pyinfra.operations import files\n{side_by_side}"));
    assert_eq!(stats, 1, "one stat for the four unrelated directories: {doc}");
    for n in ["a", "b", "c", "d"] {
        assert_eq!(std::fs::metadata(root.join(n)).expect("dir").mode() & 0o777, 0o700);
    }
    // A directory made, then a mode on the same one, then a file inside it: each is asked again
    // after the one before changed its path, and is planned from what is there now.
    let nested = format!(
        "from pyinfra.operations import files\n\
         files.directory(name='make', path='{r}/e')\n\
         files.directory(name='mode', path='{r}/e', mode='700')\n\
         files.file(name='inside', path='{r}/e/f')\n",
        r = root.display()
    );
    let (doc, stats) = run_with(nested);
    assert!(stats >= 1, "the made directory is asked again: {stats}");
    let commands = doc["operations"][1]["hosts"]["@local"]["commands"].to_string();
    assert!(commands.contains("chmod 700") && !commands.contains("mkdir"), "planned from the made directory: {doc}");
    assert_eq!(std::fs::metadata(root.join("e")).expect("e").mode() & 0o777, 0o700);
    assert!(root.join("e/f").is_file());
}
