//! "Would change" hints from call-site records, end to end: the real `rinfra-exec` runs a deploy with
//! `@local --dry` in a temporary workspace, writing `.rinfra/facts` and `.rinfra/runs`; the language
//! server, over stdio, then plans calls whose arguments only a run can know (a user function, a method
//! call in a loop) exactly from those records, falls back to static evaluation for an edited call,
//! and picks up a new run without a restart.
//!
//! `rinfra-exec` is another crate's binary, so `CARGO_BIN_EXE_rinfra-exec` does not exist here: the
//! test builds it with the cargo that runs the test, into the same target directory (a no-op when it
//! is up to date, as under `scripts/test`, which builds the workspace).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Client;
use serde_json::json;

/// The `rinfra-exec` binary beside this test's `rinfra-lsp`, built (or confirmed up to date) first.
fn rinfra_exec() -> PathBuf {
    let lsp = Path::new(env!("CARGO_BIN_EXE_rinfra-lsp"));
    let profile_dir = lsp.parent().expect("the binary has a directory");
    let target_dir = profile_dir.parent().expect("the profile directory has a parent");
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "-p", "rinfra-exec", "--bin", "rinfra-exec"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", target_dir);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build -p rinfra-exec");
    assert!(status.success(), "cargo build -p rinfra-exec failed: {status}");
    profile_dir.join("rinfra-exec")
}

/// Run `rinfra-exec @local deploy.py --dry` in `dir`.
fn dry_run(exec: &Path, dir: &Path) {
    let out = Command::new(exec).args(["@local", "deploy.py", "--dry"]).current_dir(dir).output().expect("run");
    assert!(out.status.success(), "rinfra-exec failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// `(line, label)` of every inlay hint of the file.
fn inlay_hints(client: &mut Client, uri: &str) -> Vec<(u64, String)> {
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}}),
    );
    let hints = hints.as_array().cloned().unwrap_or_default();
    hints
        .iter()
        .map(|h| (h["position"]["line"].as_u64().unwrap_or(u64::MAX), h["label"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn hover(client: &mut Client, uri: &str, line: u64) -> String {
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 6}}),
    );
    hover["contents"]["value"].as_str().unwrap_or("").to_string()
}

#[test]
fn hints_from_the_records_of_a_real_dry_run() {
    let exec = rinfra_exec();
    let dir = tempfile::tempdir().expect("tempdir");
    // Canonical, as the executor records absolute file names.
    let root = std::fs::canonicalize(dir.path()).expect("canonical tempdir");
    let deploy = format!(
        "from pyinfra.operations import files\n\
         \n\
         ROOT = {root:?}\n\
         \n\
         \n\
         def compute_path():\n\
         \x20   return ROOT + \"/made\"\n\
         \n\
         \n\
         files.directory(path=compute_path())\n\
         for name in [\"a\", \"b\"]:\n\
         \x20   files.directory(path=f\"{{ROOT}}/loop-\" + name.upper())\n\
         files.directory(path=ROOT)\n",
        root = root.display().to_string()
    );
    let path = root.join("deploy.py");
    std::fs::write(&path, &deploy).expect("write deploy.py");
    std::fs::create_dir(root.join("loop-A")).expect("mkdir loop-A");
    dry_run(&exec, &root);
    assert!(root.join(".rinfra/runs/@local.json").is_file(), "the run wrote its call-site records");

    let uri = format!("file://{}", path.display());
    let mut client = Client::start();
    client.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": deploy}}),
    );
    assert_eq!(client.diagnostics()["diagnostics"], json!([]));
    // Lines 9 and 11 (0-based) have values static evaluation cannot compute; the records have them.
    assert_eq!(
        inlay_hints(&mut client, &uri),
        [
            (9, "would change on @local".to_string()),
            (11, "would change on @local".to_string()),
            (12, "no change (1 host)".to_string()),
        ]
    );
    let made = hover(&mut client, &uri, 9);
    assert!(made.contains(&format!("```sh\nmkdir -p {}/made\n```", root.display())), "{made}");
    assert!(made.contains("_arguments recorded by the last run_"), "{made}");
    // Both iterations were recorded: loop-A exists, only loop-B would be made.
    let looped = hover(&mut client, &uri, 11);
    assert!(looped.contains(&format!("```sh\nmkdir -p {}/loop-B\n```", root.display())), "{looped}");

    // An edit to the first call changes its hash: static evaluation, which cannot call the function.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 9, "character": 35}, "end": {"line": 9, "character": 35}}, "text": " "}],
        }),
    );
    client.diagnostics();
    let labels: Vec<String> = inlay_hints(&mut client, &uri).into_iter().map(|h| h.1).collect();
    assert_eq!(labels[0], "not evaluated: `path`: a call of `compute_path` is computed at run time");
    assert_eq!(labels[1], "would change on @local");

    // The directories now exist; a new run's records and facts are picked up without a restart.
    std::fs::create_dir(root.join("made")).expect("mkdir made");
    std::fs::create_dir(root.join("loop-B")).expect("mkdir loop-B");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"range": {"start": {"line": 9, "character": 35}, "end": {"line": 9, "character": 36}}, "text": ""}],
        }),
    );
    client.diagnostics();
    dry_run(&exec, &root);
    let labels: Vec<String> = inlay_hints(&mut client, &uri).into_iter().map(|h| h.1).collect();
    assert_eq!(labels, ["no change (1 host)", "no change (1 host)", "no change (1 host)"]);
    client.finish();
}

/// Records name files by their real path; a deploy the editor opens through a symbolic link still
/// matches them.
#[test]
fn records_match_a_file_opened_through_a_symlink() {
    let exec = rinfra_exec();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical tempdir");
    let real = root.join("real");
    std::fs::create_dir(&real).expect("mkdir real");
    let deploy = format!(
        "from pyinfra.operations import files\ndef new():\n    return {:?}\nfiles.directory(path=new())\n",
        real.join("new").display().to_string()
    );
    std::fs::write(real.join("deploy.py"), &deploy).expect("write deploy.py");
    dry_run(&exec, &real);
    std::os::unix::fs::symlink(&real, root.join("link")).expect("symlink");
    let uri = format!("file://{}", root.join("link/deploy.py").display());
    let mut client = Client::start();
    client.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": deploy}}),
    );
    client.diagnostics();
    assert_eq!(inlay_hints(&mut client, &uri), [(3, "would change on @local".to_string())]);
    client.finish();
}
