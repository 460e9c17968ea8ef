//! `_retries` / `_retry_until` end to end through the CLI on `@local`, with pyinfra 3.10's
//! semantics: a failed attempt is retried; a successful one is retried while the callable, given
//! the attempt's output dictionary, returns true; `_retries` bounds both.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_rinfra-exec");

/// `rinfra-exec @local deploy.py --json` in `dir`, after writing `deploy` there.
fn run(dir: &Path, deploy: &str) -> Output {
    std::fs::write(dir.join("deploy.py"), deploy).expect("deploy.py");
    Command::new(BIN).current_dir(dir).args(["@local", "deploy.py", "--json"]).output().expect("run rinfra-exec")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The shell command that counts its runs in `count` and prints `attempt-N`, failing while N is
/// below `succeed_from`.
fn counting(dir: &Path, succeed_from: u32) -> String {
    let count = dir.join("count");
    format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; echo attempt-$n; echo warn-$n >&2; test $n -ge {succeed_from}",
        c = count.display()
    )
}

fn count(dir: &Path) -> u32 {
    std::fs::read_to_string(dir.join("count")).expect("count").trim().parse().expect("a number")
}

/// Each dictionary the callable was given, as the deploy logged it (one JSON document per line).
fn judged(dir: &Path) -> Vec<serde_json::Value> {
    let log = std::fs::read_to_string(dir.join("judged.jsonl")).unwrap_or_default();
    log.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

/// A deploy whose one operation runs `command` with `_retries=5`, no delay, and a `_retry_until`
/// callable that logs what it is given and returns `verdict` (a Python expression over `data`).
fn deploy(dir: &Path, command: &str, verdict: &str) -> String {
    format!(
        r#"import json
from pyinfra import host
from pyinfra.facts.server import Hostname
from pyinfra.operations import server

def judge(data):
    assert isinstance(host.get_fact(Hostname), str)
    with open("{log}", "a") as f:
        f.write(json.dumps(data) + "\n")
    return {verdict}

server.shell(name="flaky", commands=[{command:?}], _retries=5, _retry_delay=0, _retry_until=judge)
"#,
        log = dir.join("judged.jsonl").display()
    )
}

#[test]
fn a_successful_attempt_is_retried_while_the_callable_returns_true() {
    let dir = tempfile::tempdir().expect("tempdir");
    let command = counting(dir.path(), 1);
    let out = run(dir.path(), &deploy(dir.path(), &command, r#""attempt-3" not in data["stdout_lines"]"#));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(count(dir.path()), 3, "it stopped when the callable said so: {all}");
    let seen = judged(dir.path());
    assert_eq!(seen.len(), 3, "{seen:?}");
    // The dictionary of the last attempt, with pyinfra's keys.
    let last = &seen[2];
    assert_eq!(last["stdout_lines"], serde_json::json!(["attempt-3"]), "{last}");
    assert_eq!(last["stderr_lines"], serde_json::json!(["warn-3"]), "{last}");
    assert_eq!(last["commands"], serde_json::json!([command]), "{last}");
    assert_eq!(last["executed_commands"], 1, "{last}");
    assert_eq!(last["host"], "@local", "{last}");
    assert_eq!(last["operation"], "flaky", "{last}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json");
    let result = &json["operations"][0]["hosts"]["@local"];
    assert_eq!(result["status"], "changed", "{json}");
    assert_eq!(result["stdout"], serde_json::json!(["attempt-3"]), "only the last attempt's output: {json}");
}

#[test]
fn a_callable_that_always_asks_again_runs_out_of_retries_and_the_operation_stands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &deploy(dir.path(), &counting(dir.path(), 1), "True"));
    let all = text(&out);
    // pyinfra: once `_retries` is spent the last (successful) attempt is the result.
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(count(dir.path()), 6, "one attempt and five retries: {all}");
    assert_eq!(judged(dir.path()).len(), 5, "not asked after the last attempt");
}

#[test]
fn a_callable_that_never_returns_true_stops_after_the_first_success() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &deploy(dir.path(), &counting(dir.path(), 1), "False"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(count(dir.path()), 1);
    assert_eq!(judged(dir.path()).len(), 1);
}

#[test]
fn failures_are_retried_without_asking_and_the_first_success_is_judged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &deploy(dir.path(), &counting(dir.path(), 3), "False"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(count(dir.path()), 3, "two failures retried, then success");
    let seen = judged(dir.path());
    assert_eq!(seen.len(), 1, "asked only after the successful attempt: {seen:?}");
    assert_eq!(seen[0]["stdout_lines"], serde_json::json!(["attempt-3"]));
}

#[test]
fn failures_past_the_retries_fail_the_operation_and_say_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &deploy(dir.path(), &counting(dir.path(), 100), "False"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert_eq!(count(dir.path()), 6, "{all}");
    assert!(judged(dir.path()).is_empty(), "never asked about a failed attempt");
    assert!(all.contains("failed after 5/5 retries"), "{all}");
}

#[test]
fn a_callable_that_raises_is_reported_and_not_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(dir.path(), &deploy(dir.path(), &counting(dir.path(), 1), "1 / 0"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(count(dir.path()), 1, "{all}");
    assert!(all.contains("Error in retry_until function") && all.contains("ZeroDivisionError"), "{all}");
    assert!(all.contains("deploy.py:10"), "the user's line: {all}");
}

#[test]
fn a_retry_until_that_is_not_callable_is_refused_at_the_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deploy = "from pyinfra.operations import server\nserver.shell(commands=['true'], _retry_until=3)\n";
    let out = run(dir.path(), deploy);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("deploy.py:2") && all.contains("_retry_until takes a callable"), "{all}");
}
