//! `examples/flask` through the real CLI on `@local`, dry: its inventory, group data, templates and
//! every planner and fact it uses work on this machine, and nothing changes on disk. Also
//! `files.put` given a directory: a clear error that names `files.sync`.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_rinfra-exec");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flask")
}

/// Copy a directory tree (files and directories only), leaving out a `.rinfra/` cache.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read example").flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_name() == ".rinfra" {
            continue;
        }
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy file");
        }
    }
}

/// Whether each path exists, with (inode, mtime ns, mode, size) when it does.
fn state(paths: &[PathBuf]) -> Vec<Option<(u64, i64, u32, u64)>> {
    paths
        .iter()
        .map(|p| {
            std::fs::symlink_metadata(p)
                .ok()
                .map(|m| (m.ino(), m.mtime() * 1_000_000_000 + m.mtime_nsec(), m.mode(), m.size()))
        })
        .collect()
}

/// Every file under `dir` with its contents, sorted, for "the project did not change".
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if entry.file_type().expect("file type").is_dir() {
            out.extend(tree(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).expect("read")));
        }
    }
    out.sort();
    out
}

/// The operation headers of a run's output: `name (module.op at deploy.py:LINE)` without the line.
fn operations(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("--> "))
        .map(|l| l.split(" at ").next().unwrap_or(l).to_string())
        .collect()
}

#[test]
fn the_flask_example_plans_on_local_and_changes_nothing() {
    let work = tempfile::tempdir().expect("tempdir");
    let project = work.path().join("flask");
    copy_tree(&example_dir(), &project);
    // The example's inventory names real-looking servers; here the `web` group is this machine.
    std::fs::write(project.join("inventory.py"), "web = [\"@local\"]\n").expect("inventory");
    // The app directory goes under the temporary directory, so its plan does not depend on /opt.
    let app_dir = work.path().join("srv/hello");
    let app_dir = app_dir.to_str().expect("utf-8 temp path");

    let watched: Vec<PathBuf> = [
        "/etc/systemd/system/hello.service",
        "/etc/nginx/sites-available/hello",
        "/etc/nginx/sites-enabled/hello",
        "/etc/nginx/sites-enabled/default",
        "/var/lib/apt/periodic/update-success-stamp",
        "/opt/hello",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    let (before, project_before) = (state(&watched), tree(&project));

    let out: Output = Command::new(BIN)
        .current_dir(&project)
        .args(["inventory.py", "deploy.py", "--dry", "-v", "--diff", "--data", &format!("app_dir={app_dir}")])
        .output()
        .expect("run rinfra-exec");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(!stdout.contains("@local: Error"), "{stdout}");

    // systemd manages services only where it booted the machine (not in most containers).
    let has_systemd = Path::new("/run/systemd/system").is_dir();
    let mut expected = vec![
        "Install Python, venv and nginx (apt.packages",
        "Upload the app (files.sync",
        "Create the virtualenv (pip.venv",
        "Install the app's requirements (pip.packages",
        "Install the app's systemd unit (files.template",
    ];
    if has_systemd {
        expected
            .extend(["Enable and start the app (systemd.service", "Restart the app after an update (systemd.service"]);
    } else {
        assert!(stdout.contains("@local: systemd is not running, so the app is not started"), "{stdout}");
    }
    expected.extend([
        "Write the nginx site (files.template",
        "Enable the nginx site (files.link",
        "Disable nginx's default site (files.link",
    ]);
    if has_systemd {
        expected.push("Reload nginx when its site changed (systemd.service");
    }
    assert_eq!(operations(&stdout), expected, "{stdout}");
    // One status line per operation for the one host.
    let statuses = stdout
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("@local: Would change") || l.starts_with("@local: No change"))
        .count();
    assert_eq!(statuses, expected.len(), "{stdout}");

    // The app's files, the virtualenv and the requirements, under the fresh app directory.
    let example = project.display();
    for line in [
        format!("@local: Would change: create directory {app_dir}/app; create directory {app_dir}/app/templates"),
        format!("upload {example}/app/app.py -> {app_dir}/app/app.py"),
        format!("upload {example}/app/templates/index.html -> {app_dir}/app/templates/index.html"),
        format!("$ chown www-data:www-data {app_dir}/app/requirements.txt"),
        format!("$ python3 -m venv {app_dir}/venv"),
        format!("$ {app_dir}/venv/bin/pip install -r {app_dir}/app/requirements.txt"),
        // The unit rendered from group data (web.py) and the --data override.
        format!("ExecStart={app_dir}/venv/bin/gunicorn --workers 2 --bind 127.0.0.1:8000 app:app"),
        "server_name hello.example.net _;".to_string(),
        "proxy_pass http://127.0.0.1:8000;".to_string(),
    ] {
        assert!(stdout.contains(&line), "missing {line:?} in:\n{stdout}");
    }
    if !Path::new("/etc/nginx/sites-enabled/hello").exists() {
        assert!(stdout.contains("link /etc/nginx/sites-enabled/hello -> /etc/nginx/sites-available/hello"), "{stdout}");
    }

    // --dry changed nothing: not the system's files, not the app directory, not the project
    // (but for the editor's cache, .rinfra/, which every run writes).
    assert_eq!(state(&watched), before, "--dry changed a system path");
    assert!(!work.path().join("srv").exists(), "--dry created the app directory");
    std::fs::remove_dir_all(project.join(".rinfra")).expect("the run wrote its cache");
    assert_eq!(tree(&project), project_before, "--dry changed the project");
}

#[test]
fn the_flask_examples_own_inventory_loads_without_connecting() {
    // The real inventory is for real servers; loading it must work without connecting anywhere:
    // --limit to a group with no hosts is a usage error that comes after inventory and group data.
    let out = Command::new(BIN)
        .current_dir(example_dir())
        .args(["inventory.py", "deploy.py", "--dry", "--limit", "no-such-group"])
        .output()
        .expect("run rinfra-exec");
    assert_eq!(out.status.code(), Some(2), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stderr).contains("no hosts given (or none left after --limit / --exclude)"));
}

#[test]
fn files_put_of_a_directory_names_files_sync() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("app");
    std::fs::create_dir(&src).expect("app dir");
    std::fs::write(src.join("app.py"), "print('hi')\n").expect("app.py");
    let dest = dir.path().join("copy");
    let expected =
        format!("{} is a directory: files.put uploads one file; use files.sync to upload a directory", src.display());

    // One operation from the command line, dry and for real.
    for dry in [true, false] {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(dir.path())
            .args(["@local", "files.put"])
            .arg(format!("src={}", src.display()))
            .arg(format!("dest={}", dest.display()));
        if dry {
            cmd.arg("--dry");
        }
        let out = cmd.output().expect("run rinfra-exec");
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
        assert!(stdout.contains(&format!("@local: Error: {expected}")), "{stdout}");
    }

    // In a deploy, the error names the operation and the line.
    let deploy =
        "from pyinfra.operations import files\n\nfiles.put(name=\"Upload the app\", src=\"app\", dest=\"copy\")\n";
    std::fs::write(dir.path().join("deploy.py"), deploy).expect("deploy.py");
    let out = Command::new(BIN).current_dir(dir.path()).args(["@local", "deploy.py"]).output().expect("run");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("--> Upload the app (files.put at deploy.py:3)"), "{stdout}");
    assert!(stdout.contains("is a directory: files.put uploads one file; use files.sync"), "{stdout}");
    assert!(!dest.exists(), "nothing was uploaded");
}
