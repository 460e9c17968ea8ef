//! `rinfra-lsp check` as a user runs it: the built binary on the fixture files.
//!
//! `fixtures/valid/` is a corpus of deploy files in the style of pyinfra's documentation, across the
//! catalogue's modules, with the local files they upload, that must yield no diagnostic at all; `fixtures/problems/` holds known problems
//! with their exact positions.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rinfra-lsp"))
        .arg("check")
        .args(args)
        .current_dir(fixtures())
        .output()
        .expect("run rinfra-lsp")
}

/// Number of `*.py` files below `dir`.
fn python_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .map(|p| if p.is_dir() { python_files(&p) } else { usize::from(p.extension().is_some_and(|x| x == "py")) })
        .sum()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_valid_corpus_has_no_diagnostics() {
    let out = check(&["valid"]);
    assert_eq!(stdout(&out), "", "false positives on valid deploy files");
    assert_eq!(out.status.code(), Some(0));
    let files = python_files(&fixtures().join("valid"));
    assert!(files >= 20, "the corpus should have 20+ files, has {files}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim(), format!("All checks passed ({files} deploy files)."));
}

#[test]
fn known_problems_are_reported_exactly() {
    let out = check(&["problems"]);
    let expected = "\
problems/broken.py:4:1: RI000 Syntax error: unexpected EOF while parsing
problems/deploy.py:3:53: RI008 Unknown module `pyinfra.operations.aptt`; did you mean `apt`?
problems/deploy.py:5:36: RI001 Unknown operation `packagez` in `pyinfra.operations.dnf`; did you mean `packages`?
problems/deploy.py:6:27: RI008 Unknown module `pyinfra.operations.fils`; did you mean `files`?
problems/deploy.py:8:5: RI001 Unknown operation `pakages` in `pyinfra.operations.dnf`; did you mean `packages`?
problems/deploy.py:9:14: RI002 Unknown argument `pakages` for `dnf.packages`; did you mean `packages`?
problems/deploy.py:10:1: RI003 `dnf.key` is missing required argument `src`
problems/deploy.py:11:40: RI004 `dnf.key` takes 1 positional argument but 3 were given
problems/deploy.py:12:40: RI005 `present` of `dnf.packages` expects `bool`, not a string
problems/deploy.py:13:42: RI006 `srvstate` of `freebsd.service.service` must be one of `started`, `stopped`, \
`restarted`, `reloaded`, `custom`, not `restart`; did you mean `restarted`?
problems/deploy.py:14:24: RI005 `_sudo` of `dnf.repo` expects `bool`, not a string
problems/deploy.py:15:1: RI003 `python.call` is missing required argument `function`
problems/deploy.py:16:36: RI002 Unknown argument `commmand` for `freebsd.sysrc.sysrc`; did you mean `command`?
problems/deploy.py:22:24: RI002 Unknown argument `_sduo` for `dnf.update`; did you mean `_sudo`?
problems/deploy.py:25:22: RI003 `dnf.key` is missing required argument `src`
problems/deploy.py:25:30: RI002 Unknown argument `srcc` for `dnf.key`; did you mean `src`?
problems/deploy.py:29:1: RI007 `postgresql.sql` is deprecated; use `postgres.sql` instead
problems/deploy.py:32:33: RI009 Unknown fact `Fiel` in `pyinfra.facts.files`; did you mean `File`?
problems/deploy.py:34:1: RI010 Fact `files.File` is missing required argument `path`
problems/deploy.py:34:21: RI010 Unknown argument `pth` for fact `files.File`; did you mean `path`?
problems/deploy.py:38:15: RI011 Local file `files/missing.conf` not found next to the deploy or in a parent directory
problems/deploy.py:39:15: RI012 `templates` is a directory; `files.put` uploads one file, use `files.sync` for a directory
problems/deploy.py:43:23: RI005 `cache_time` of `apt.update` expects `int | None`, not a string
problems/deploy.py:44:35: RI005 `groups` of `server.user` expects `list[str] | None`, not a string
problems/deploy.py:44:49: RI005 `shell` of `server.user` expects `str | None`, not a list
problems/deploy.py:45:66: RI005 `recursive` of `files.directory` expects `bool`, not a string
problems/deploy.py:46:23: RI005 `packages` of `apt.packages` expects `str | list[str] | None`, not a dict
problems/deploy.py:46:51: RI005 `_timeout` of `apt.packages` expects `int`, not a string
problems/user_ops.py:11:44: RI002 Unknown argument `presnt` for `ensure_line`; did you mean `present`?
problems/user_ops.py:12:1: RI003 `ensure_line` is missing required argument `line`
problems/user_ops.py:13:11: RI004 `motd` takes 1 positional argument but 2 were given
problems/user_ops.py:14:1: RI010 Fact `LineCount` is missing required argument `path`
";
    assert_eq!(stdout(&out), expected);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "Found 32 problems.");
}

#[test]
fn files_that_do_not_import_pyinfra_are_skipped() {
    let out = check(&["problems/not_a_deploy.py"]);
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn json_output() {
    let out = check(&["--output-format", "json", "problems/deploy.py"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 27);
    assert_eq!(items[15]["severity"], "warning");
    assert_eq!(items[15]["code"], "RI007");
    assert_eq!(items[0]["code"], "RI008");
    assert_eq!(items[0]["filename"], "problems/deploy.py");
    assert_eq!(items[0]["location"], serde_json::json!({"row": 3, "column": 53}));
    assert_eq!(items[0]["end_location"], serde_json::json!({"row": 3, "column": 57}));
    assert!(out.stderr.is_empty());
}

#[test]
fn github_and_sarif_output() {
    let out = check(&["--output-format=github", "problems/broken.py"]);
    assert_eq!(
        stdout(&out),
        "::error title=rinfra (RI000),file=problems/broken.py,line=4,col=1,endLine=4,endColumn=1::\
         problems/broken.py:4:1: RI000 Syntax error: unexpected EOF while parsing\n"
    );
    let out = check(&["--output-format", "sarif", "problems/broken.py"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF on stdout");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "RI000");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let out = check(&["--output-format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown output format 'yaml'"));
    let out = check(&["does/not/exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does/not/exist"));
}

/// `*.py` files below `dir` that import pyinfra (the ones `check` counts as deploy files).
fn deploy_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .map(|p| {
            if p.is_dir() {
                deploy_files(&p)
            } else {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                usize::from(p.extension().is_some_and(|x| x == "py") && text.contains("from pyinfra"))
            }
        })
        .sum()
}

#[test]
fn the_examples_have_no_diagnostics() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = check(&[examples.to_str().expect("utf-8 path")]);
    assert_eq!(stdout(&out), "", "findings in examples/");
    assert_eq!(out.status.code(), Some(0));
    let files = deploy_files(&examples);
    assert!(files >= 3, "examples/local and examples/flask hold 3+ deploy files, found {files}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim(), format!("All checks passed ({files} deploy files)."));
}
