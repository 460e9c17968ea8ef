//! The language server over stdio on a real project on disk: the user's own operations, deploys and
//! facts in `tasks/`, host data in `inventory.py` and `group_data/`, a `deploy.py` that uses them.

use serde_json::{Value, json};

mod common;

use common::Client;

const OPS: &str = r#"from pyinfra.api import FactBase, deploy, operation
from pyinfra.operations import files


@operation()
def ensure_mode(path: str, mode: str = "644", *, recursive: bool = False):
    """Set a path's mode.

    + mode: octal mode, as chmod takes it
    """
    yield f"chmod {mode} {path}"


class DiskFree(FactBase):
    """Free space of a mount, in bytes."""

    def command(self, mount, human=False):
        return f"df {mount}"


@deploy("Install the web tier")
def install_web(port=80):
    files.directory(path="/srv/web")
"#;

const INVENTORY: &str = r#"web = [("web1", {"http_port": 8080}), ("web2", {"http_port": 9090})]
db = (["db1"], {"pg_version": 16})
"#;

const DEPLOY: &str = r#"from pyinfra import host
from tasks.ops import DiskFree, ensure_mode, install_web

install_web(port=8080)
ensure_mode("/srv", mode="755", _sudo=True)
host.get_fact(DiskFree, "/")
ensure_mode(pth="/srv")
"#;

fn labels(completion: &Value) -> Vec<String> {
    completion
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["label"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn ranges(published: &Value) -> Vec<(String, [u64; 4])> {
    let n = |v: &Value| v.as_u64().unwrap_or(u64::MAX);
    published["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|d| {
                    let r = &d["range"];
                    (
                        d["code"].as_str().unwrap_or("").to_string(),
                        [
                            n(&r["start"]["line"]),
                            n(&r["start"]["character"]),
                            n(&r["end"]["line"]),
                            n(&r["end"]["character"]),
                        ],
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn user_code_and_host_data_of_a_project_on_disk() -> Result<(), Box<dyn std::error::Error>> {
    let root = tempfile::tempdir()?;
    let root = std::path::absolute(root.path())?;
    std::fs::create_dir_all(root.join("tasks"))?;
    std::fs::create_dir_all(root.join("group_data"))?;
    std::fs::write(root.join("tasks/__init__.py"), "")?;
    std::fs::write(root.join("tasks/ops.py"), OPS)?;
    std::fs::write(root.join("inventory.py"), INVENTORY)?;
    std::fs::write(root.join("group_data/all.py"), "app_user = \"deploy\"\n")?;
    std::fs::write(root.join("deploy.py"), DEPLOY)?;
    let uri = format!("file://{}", root.join("deploy.py").display());
    let ops_uri = format!("file://{}", root.join("tasks/ops.py").display());

    let mut client = Client::start();
    client.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": DEPLOY}}),
    );

    // Only the misspelt keyword of the user's operation is a problem: RI003 on the callee, RI002 on `pth`.
    let published = client.diagnostics();
    assert_eq!(
        ranges(&published),
        [("RI003".to_string(), [6, 0, 6, 11]), ("RI002".to_string(), [6, 12, 6, 15])],
        "{published}"
    );
    assert_eq!(
        published["diagnostics"][1]["message"],
        "Unknown argument `pth` for `ensure_mode`; did you mean `path`?"
    );

    // Keyword arguments of the user's operation, its own first, then the global ones.
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 0}}, "text": "ensure_mode(\"/a\", )\nhost.data.\n"}],
        }),
    );
    client.diagnostics();
    let completion = client.request("textDocument/completion", at(7, 18));
    let got = labels(&completion);
    assert_eq!(&got[..3], ["mode=", "recursive=", "_sudo="], "{got:?}");
    let mode_doc = completion[0]["documentation"]["value"].as_str().unwrap_or("");
    assert!(
        mode_doc.contains("Argument of your operation `ensure_mode`.\n\noctal mode, as chmod takes it"),
        "{mode_doc}"
    );

    // `host.data.` keys from inventory.py and group_data/all.py, with their values.
    let completion = client.request("textDocument/completion", at(8, 10));
    let items: Vec<(String, String)> = completion
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| (i["label"].as_str().unwrap_or("").into(), i["detail"].as_str().unwrap_or("").into()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        &items[..3],
        [
            ("app_user".to_string(), "\"deploy\"".to_string()),
            ("http_port".to_string(), "web1: 8080, web2: 9090".to_string()),
            ("pg_version".to_string(), "16".to_string()),
        ]
    );

    // Go to definition of the @deploy function in tasks/ops.py.
    let definition = client.request("textDocument/definition", at(3, 4));
    assert_eq!(definition["uri"], ops_uri);
    assert_eq!(definition["range"]["start"], json!({"line": 21, "character": 4}));

    // Hover shows the user's signature and docstring.
    let hover = client.request("textDocument/hover", at(4, 3));
    let value = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        value.starts_with("```python\nensure_mode(path: str, mode: str = \"644\", *, recursive: bool = False)\n```"),
        "{value}"
    );
    assert!(value.contains("Set a path's mode."), "{value}");

    // The module is edited and saved: the client's file watcher reports it, and the deploy's
    // diagnostics are published again from the new signature (now `**kwargs`: `pth=` is fine).
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": DEPLOY}]}),
    );
    let before: Vec<String> = ranges(&client.diagnostics()).into_iter().map(|(code, _)| code).collect();
    assert_eq!(before, ["RI003", "RI002"]);
    let edited = OPS
        .replace("recursive: bool = False)", "recursive: bool = False, **kw)")
        .replace("path: str,", "path: str = \"/\",");
    std::fs::write(root.join("tasks/ops.py"), edited)?;
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": ops_uri, "type": 2}]}));
    assert_eq!(client.diagnostics()["diagnostics"], json!([]));

    // The module opened in the editor with an unsaved edit (back to the old signature): the deploy is
    // judged against the editor's text at once, and against the disk again once the module is closed.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ops_uri, "languageId": "python", "version": 1, "text": OPS}}),
    );
    assert_eq!(client.diagnostics()["uri"], ops_uri);
    let republished = client.diagnostics();
    assert_eq!(republished["uri"], uri);
    let codes: Vec<String> = ranges(&republished).into_iter().map(|(code, _)| code).collect();
    assert_eq!(codes, ["RI003", "RI002"]);
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": ops_uri}}));
    assert_eq!(client.diagnostics()["uri"], ops_uri);
    let republished = client.diagnostics();
    assert_eq!((&republished["uri"], &republished["diagnostics"]), (&json!(uri), &json!([])));

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    Ok(())
}
