//! The language server in a real Neovim (Debian's 0.7.2 here): `tests/neovim/client.lua` runs in a
//! headless `nvim --clean -u NONE`, attaches the built `rinfra-lsp` to a deploy file with known problems
//! and writes the diagnostics, a completion list and a hover it received to a JSON file read here.
//!
//! Needs `nvim` on PATH (`apt-get install -y neovim`; scripts/test installs it); without it the test
//! fails saying so.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Neovim gets this long in all; past it the test kills it and fails instead of hanging.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Line 3: an unknown argument; line 4: a missing local file; line 5: where completion is asked.
const DEPLOY: &str = "\
from pyinfra.operations import apt, files

apt.packages(pakages=[\"nginx\"], update=True)
files.put(src=\"files/missing.conf\", dest=\"/etc/app.conf\")
apt.packages(packages=[\"curl\"], )
";

/// Runs the Lua client against `deploy` and returns the JSON it wrote.
fn run_neovim(dir: &Path, deploy: &Path, complete_at: &str, hover_at: &str) -> Value {
    let results = dir.join("results.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/client.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir)
        .env("RINFRA_LSP", env!("CARGO_BIN_EXE_rinfra-lsp"))
        .env("RINFRA_DEPLOY", deploy)
        .env("RINFRA_OUT", &results)
        .env("RINFRA_COMPLETE", complete_at)
        .env("RINFRA_HOVER", hover_at)
        // Keep Neovim's state (shada, logs) out of the user's home.
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run nvim ({e}); install Neovim: apt-get install -y neovim"));
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait for nvim").is_some() {
            break;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&results).expect("nvim wrote no results file");
    let value: Value = serde_json::from_str(&text).expect("results are JSON");
    assert!(value.get("error").is_none(), "the Lua client failed: {}", value["error"]);
    value
}

fn labels(results: &Value) -> Vec<&str> {
    results["completion"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[test]
fn neovim_gets_diagnostics_completion_and_hover() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let deploy = tmp.path().join("deploy.py");
    std::fs::write(&deploy, DEPLOY).expect("write deploy.py");
    // Completion just before the `)` of line 5; hover on `packages` of line 3 (0-based LSP positions).
    let col = DEPLOY.lines().nth(4).and_then(|l| l.find(')')).expect("a `)` on line 5");
    let results = run_neovim(tmp.path(), &deploy, &format!("4:{col}"), "2:6");

    let mut diagnostics: Vec<(u64, u64, String)> = results["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["lnum"].as_u64().unwrap_or(999),
                d["col"].as_u64().unwrap_or(999),
                d["code"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    diagnostics.sort();
    assert_eq!(
        diagnostics,
        [(2, 13, "RI002".to_string()), (3, 14, "RI011".to_string())],
        "diagnostics as Neovim stores them: {}",
        results["diagnostics"]
    );
    let message = results["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "RI002"))
        .and_then(|d| d["message"].as_str())
        .unwrap_or_default();
    assert!(message.contains("did you mean `packages`"), "RI002 message: {message}");

    let labels = labels(&results);
    // Keyword completions are labelled `name=`.
    for expected in ["present=", "update=", "_sudo="] {
        assert!(labels.contains(&expected), "completion lacks `{expected}`: {labels:?}");
    }
    assert!(!labels.contains(&"packages="), "an argument already given is not offered again: {labels:?}");

    let hover = results["hover"].as_str().unwrap_or_default();
    assert!(hover.contains("apt.packages"), "hover names the operation: {hover}");
}
