//! The check `rinfra-exec` runs before connecting never blocks a valid deploy: the valid corpus, the
//! repository's examples and the fleet benchmark's workload (`$RINFRA_FLEET`, default `../shared/fleet`)
//! give no blocking finding, while the problem corpus does, at its certain errors only.

use std::path::{Path, PathBuf};

use rinfra_lsp::precheck::check_deploys;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*.py` file below `dir`, sorted.
fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(python_files(&path));
        } else if path.extension().is_some_and(|x| x == "py") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn valid_deploys_are_never_blocked() {
    let fleet = std::env::var_os("RINFRA_FLEET").map_or_else(|| root().join("../shared/fleet"), PathBuf::from);
    let fleet_deploy = fleet.join("workload/deploy.py");
    assert!(fleet_deploy.is_file(), "no {} (set RINFRA_FLEET)", fleet_deploy.display());
    let mut deploys = python_files(&root().join("crates/lsp/tests/fixtures/valid"));
    deploys.extend(python_files(&root().join("examples")));
    deploys.push(fleet_deploy);
    assert!(deploys.len() >= 40, "the corpus is there: {deploys:?}");
    let blocked = check_deploys(&deploys);
    assert!(blocked.is_empty(), "{blocked:#?}");
}

#[test]
fn the_problem_corpus_is_blocked_at_its_certain_errors() {
    let problems = python_files(&root().join("crates/lsp/tests/fixtures/problems"));
    let blocked = check_deploys(&problems);
    let mut codes: Vec<&str> = blocked.iter().map(|b| b.rule.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes, ["RI001", "RI002", "RI003", "RI004", "RI005", "RI008", "RI009", "RI010"], "{blocked:#?}");
    // A wrong literal blocks on a global argument (`_sudo="yes"`, `_timeout="30"`), not on the
    // operation's own (`cache_time="3600"` on line 43: pyinfra does not check those).
    let wrong_types: Vec<u32> = blocked.iter().filter(|b| b.rule.code() == "RI005").map(|b| b.line).collect();
    assert_eq!(wrong_types, [14, 46], "{blocked:#?}");
}
