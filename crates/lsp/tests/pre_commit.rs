//! The `rinfra-check` hook of `.pre-commit-hooks.yaml` run by the real pre-commit: the test installs
//! pre-commit from PyPI into a temporary venv, publishes this checkout's hook manifest as a hook
//! repository, and commits a deploy file in a throwaway git repository that uses it. A deploy with an
//! unknown argument must be refused with `path:line:col: CODE message`; once fixed, the commit passes.
//!
//! Needs `python3` (with venv), `git` and network access to PyPI; without them the test fails with a
//! message saying so rather than skipping silently.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BROKEN: &str = "from pyinfra.operations import apt\n\napt.packages(pakages=[\"nginx\"], update=True)\n";
const FIXED: &str = "from pyinfra.operations import apt\n\napt.packages(packages=[\"nginx\"], update=True)\n";

/// What `rinfra-lsp check` prints for `BROKEN`, as pre-commit passes it (relative to the repo root).
const FINDING: &str = "deploy.py:3:14: RI002 Unknown argument `pakages` for `apt.packages`; did you mean `packages`?";

fn checkout() -> PathBuf {
    // crates/lsp -> the workspace root, where `.pre-commit-hooks.yaml` lives.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// PATH with the built `rinfra-lsp` and the venv's tools first, as a user's shell would have them.
fn search_path(venv: &Path) -> OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_rinfra-lsp")).parent().expect("the binary has a directory");
    let mut dirs = vec![bin.to_path_buf(), venv.join("bin")];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).expect("a valid PATH")
}

/// A command isolated from the environment of whatever git runs this test (hooks set GIT_DIR etc.).
fn command(program: &str, dir: &Path, path: &OsString, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    cmd
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Runs `cmd`, failing the test with `what` and the command's output unless it succeeds.
fn ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    assert!(out.status.success(), "{what}: {cmd:?} failed ({}):\n{}", out.status, text(&out));
    text(&out)
}

fn git(dir: &Path, path: &OsString, home: &Path, args: &[&str]) -> Command {
    let mut cmd = command("git", dir, path, home);
    cmd.args(args);
    cmd
}

/// A git repository holding only this checkout's hook manifest; returns its commit.
fn hook_repo(dir: &Path, path: &OsString, home: &Path) -> String {
    std::fs::create_dir_all(dir).expect("hook repo dir");
    std::fs::copy(checkout().join(".pre-commit-hooks.yaml"), dir.join(".pre-commit-hooks.yaml"))
        .expect("copy .pre-commit-hooks.yaml");
    ok(&mut git(dir, path, home, &["init", "-q"]), "git init (hooks)");
    ok(&mut git(dir, path, home, &["add", "."]), "git add (hooks)");
    ok(&mut git(dir, path, home, &["commit", "-q", "-m", "hooks"]), "git commit (hooks)");
    ok(&mut git(dir, path, home, &["rev-parse", "HEAD"]), "git rev-parse").trim().to_string()
}

#[test]
fn pre_commit_refuses_a_bad_deploy_and_accepts_the_fix() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = tmp.path();
    std::fs::write(home.join("gitconfig"), "[user]\n\tname = rinfra test\n\temail = test@example.com\n")
        .expect("gitconfig");
    let venv = home.join("venv");
    let path = search_path(&venv);

    ok(command("python3", home, &path, home).args(["-m", "venv"]).arg(&venv), "python3 -m venv (install python3-venv)");
    ok(
        command("pip", home, &path, home).args(["install", "-q", "--timeout", "30", "pre-commit"]),
        "installing pre-commit from PyPI (is PyPI reachable?)",
    );

    let rev = hook_repo(&home.join("hooks"), &path, home);
    let repo = home.join("project");
    std::fs::create_dir_all(&repo).expect("project dir");
    ok(&mut git(&repo, &path, home, &["init", "-q"]), "git init (project)");
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: rinfra-check\n",
        home.join("hooks").display()
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).expect("write config");
    ok(command("pre-commit", &repo, &path, home).arg("install"), "pre-commit install");

    std::fs::write(repo.join("deploy.py"), BROKEN).expect("write deploy.py");
    ok(&mut git(&repo, &path, home, &["add", "."]), "git add");
    let refused = git(&repo, &path, home, &["commit", "-m", "broken deploy"]).output().expect("run git commit");
    let output = text(&refused);
    assert!(!refused.status.success(), "the commit should be refused:\n{output}");
    assert!(output.contains("rinfra check"), "pre-commit names the hook:\n{output}");
    assert!(output.lines().any(|l| l.trim() == FINDING), "expected `{FINDING}` in:\n{output}");

    std::fs::write(repo.join("deploy.py"), FIXED).expect("fix deploy.py");
    ok(&mut git(&repo, &path, home, &["add", "."]), "git add (fixed)");
    let passed = ok(&mut git(&repo, &path, home, &["commit", "-m", "fixed deploy"]), "commit of the fixed deploy");
    assert!(passed.contains("rinfra check") && passed.contains("Passed"), "the hook ran and passed:\n{passed}");
}
