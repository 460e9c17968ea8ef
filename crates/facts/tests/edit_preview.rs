//! The `--diff` preview of `files.line` / `block` / `replace` against the real thing: each case
//! plans the operation with facts gathered by running their commands through `sh` on a real file,
//! runs the planned commands through `sh` (GNU sed, the system awk), and compares the file they
//! leave with what the Rust preview computed from the file's content before.

use std::path::Path;
use std::process::Command;

use rinfra_facts::fact_source::{FactKey, FactSource, NoFacts, PlanEnv, Unknown};
use rinfra_facts::local_files::NoLocalFiles;
use rinfra_facts::operations::files::preview::{edited_content, edited_path};
use rinfra_facts::plan::Command as PlanCommand;
use rinfra_facts::value::{Map, Value};
use rinfra_facts::{fact_command, parse_fact, plan_operation};
use serde_json::json;

/// Facts gathered by running their commands for real.
struct Shell;

impl FactSource for Shell {
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
        let command = fact_command(key).map_err(|_| Unknown)?;
        let out = Command::new("sh").arg("-c").arg(&command.command).output().map_err(|_| Unknown)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<String> = stdout.lines().map(str::to_string).collect();
        parse_fact(key, &lines, &NoFacts).map_err(|_| Unknown)
    }
}

struct Env;

impl PlanEnv for Env {
    fn temp_filename(&self, key: &str) -> String {
        format!("/tmp/rinfra-preview-{}", key.len())
    }
    fn timestamp(&self) -> String {
        "preview-test".to_string()
    }
}

fn read(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|b| String::from_utf8(b).expect("utf-8"))
}

/// Plan `op` with `kwargs` on a file holding `initial` (`None`: missing), run the plan for real,
/// and check the preview predicted the file it left.
fn check(op: &str, kwargs: Value, initial: Option<&str>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f.conf");
    if let Some(text) = initial {
        std::fs::write(&path, text).expect("write");
    }
    let mut keywords: Map<String, Value> = kwargs.as_object().cloned().expect("kwargs object");
    keywords.insert("path".into(), json!(path.to_string_lossy()));
    assert_eq!(edited_path(op, &[], &keywords).as_deref(), Some(path.to_string_lossy().as_ref()));
    let preview = edited_content(op, &[], &keywords, initial);

    let plan = plan_operation(op, &[], &keywords, &Shell, &NoLocalFiles, &Env).expect("plans");
    for command in &plan.commands {
        let PlanCommand::Shell(shell) = command else { panic!("{op}: unexpected command {command:?}") };
        let out = Command::new("sh").arg("-c").arg(&shell.raw).output().expect("sh");
        assert!(out.status.success(), "{op} {kwargs}: {} failed: {}", shell.raw, String::from_utf8_lossy(&out.stderr));
    }
    let after = read(&path);
    let preview = preview.unwrap_or_else(|e| panic!("{op} {kwargs}: no preview: {e}"));
    assert_eq!(preview, after, "{op} {kwargs} on {initial:?}; commands: {:?}", plan.commands);
}

#[test]
fn line_appends_as_echo_does() {
    check("files.line", json!({"line": "port=8080"}), Some("a\nb\n"));
    check("files.line", json!({"line": "port=8080"}), Some("a\nb"));
    check("files.line", json!({"line": "port=8080"}), None);
    check("files.line", json!({"line": "port=8080", "ensure_newline": true}), Some("a\nb"));
    check("files.line", json!({"line": "port=8080", "ensure_newline": true}), Some("a\n"));
    check("files.line", json!({"line": "port=8080", "ensure_newline": true}), Some(""));
    check("files.line", json!({"line": "port=8080", "ensure_newline": true}), None);
    check("files.line", json!({"line": "^PATH=/usr/bin$"}), Some("x\n"));
    check("files.line", json!({"line": "a.b[1]*$x", "escape_regex_characters": true}), Some("a.b[1]*$y\n"));
}

#[test]
fn line_replaces_and_removes_as_sed_does() {
    let conf = "x\nport=80\ny\n  port = 81 # old\nport=82";
    check("files.line", json!({"line": "^port=.*$", "replace": "port=9090"}), Some(conf));
    check("files.line", json!({"line": "port", "replace": "port=9090"}), Some(conf));
    check("files.line", json!({"line": "port", "replace": "a/b&c\\n"}), Some(conf));
    check("files.line", json!({"line": "port=9090", "replace": "port=9090"}), Some("port=9090\n"));
    check("files.line", json!({"line": "port", "present": false}), Some(conf));
    check("files.line", json!({"line": "PORT", "present": false, "flags": ["i"]}), Some("Port=1\nkeep\n"));
    check("files.line", json!({"line": "absent", "present": false}), Some("a\n"));
    check("files.line", json!({"line": "absent", "present": false}), None);
    check("files.line", json!({"line": "^\\(key\\)=.*$", "replace": "\\1=new"}), Some("key=old\nkeyx=1\n"));
    check(
        "files.line",
        json!({"line": "^(foo|bar)=", "replace": "x=1", "extended_regex": true}),
        Some("foo=1\nbar=2\nbaz=3\n"),
    );
    check("files.line", json!({"line": "a+b", "replace": "z"}), Some("a+b\naab\n"));
    check("files.line", json!({"line": "[[:digit:]]\\{3\\}", "replace": "num"}), Some("12\n123\nx\n"));
    check("files.line", json!({"line": "/usr/local/bin", "replace": "PATH=/opt"}), Some("PATH=/usr/local/bin:/bin\n"));
}

#[test]
fn replace_substitutes_as_sed_does() {
    let text = "foo foo\nbarfoo\nnone\nFOO";
    check("files.replace", json!({"text": "foo", "replace": "bar"}), Some(text));
    check("files.replace", json!({"text": "foo", "replace": "bar", "flags": ["g"]}), Some(text));
    check("files.replace", json!({"text": "foo", "replace": "bar", "flags": ["2"]}), Some(text));
    check("files.replace", json!({"text": "foo", "replace": "[&]", "flags": ["g", "i"]}), Some(text));
    check(
        "files.replace",
        json!({"text": "(o+)", "replace": "<\\1>", "extended_regex": true, "flags": "g"}),
        Some(text),
    );
    check("files.replace", json!({"text": "1.2", "replace": "one.two"}), Some("1x2 1.2\n"));
    check("files.replace", json!({"text": "x*", "replace": "-", "flags": ["g"]}), Some("abc\n"));
    check("files.replace", json!({"text": "^", "replace": "# "}), Some("a\nb\n"));
    check("files.replace", json!({"text": "missing", "replace": "x"}), Some("a\n"));
}

#[test]
fn block_writes_moves_and_removes_as_awk_does() {
    let content = json!("x=1\ny=2");
    check("files.block", json!({"content": content}), None);
    check("files.block", json!({"content": content}), Some("a\nb"));
    check("files.block", json!({"content": content}), Some(""));
    check("files.block", json!({"content": content, "before": true, "after": true}), Some("a\nb\n"));
    check("files.block", json!({"content": ["p", "q"], "line": "^b", "after": true}), Some("a\nb\nc\nb\n"));
    check("files.block", json!({"content": content, "line": "b", "before": true}), Some("a\nb\nc\n"));
    check("files.block", json!({"content": content, "line": "zzz", "before": true}), Some("a\nb\n"));
    let existing = "a\n# BEGIN PYINFRA BLOCK\nold\n# END PYINFRA BLOCK\nz\n";
    check("files.block", json!({"content": content}), Some(existing));
    check("files.block", json!({"content": "old"}), Some(existing));
    check("files.block", json!({"present": false}), Some(existing));
    check("files.block", json!({"present": false}), Some("a\n"));
    check("files.block", json!({"present": false}), None);
    let custom = "keep\n## start managed\n1\n2\n## stop managed\nkeep too";
    let marks = json!({"marker": "## {mark} managed", "begin": "start", "end": "stop"});
    let mut replace = marks.clone();
    replace["content"] = json!("3\n");
    check("files.block", replace, Some(custom));
    let mut remove = marks.clone();
    remove["present"] = json!(false);
    check("files.block", remove, Some(custom));
}

#[test]
fn no_preview_where_the_host_decides() {
    let keywords = |v: Value| {
        let mut m: Map<String, Value> = v.as_object().cloned().expect("object");
        m.insert("path".into(), json!("/etc/x"));
        m
    };
    let interpolated = keywords(json!({"line": "HOME=$HOME", "interpolate_variables": true}));
    assert!(edited_content("files.line", &[], &interpolated, Some("")).is_err());
    let backslash = keywords(json!({"line": "a\\tb"}));
    assert!(edited_content("files.line", &[], &backslash, Some("")).is_err());
    let backref = keywords(json!({"text": "\\(a\\)\\1", "replace": "b"}));
    assert!(edited_content("files.replace", &[], &backref, Some("aa\n")).is_err());
    assert_eq!(edited_path("files.put", &[], &keywords(json!({}))), None);
}
