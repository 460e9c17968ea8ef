//! The language server driven over stdio JSON-RPC, as an editor drives it: initialize, didOpen and
//! didChange with diagnostics (exact UTF-16 ranges on a non-ASCII line), completion, signature help,
//! hover, shutdown.

use std::time::Duration;

use serde_json::{Value, json};

mod common;

use common::{Client, TIMEOUT};

/// `(line, character)` pairs of a diagnostic's range, and its code.
fn summary(diagnostic: &Value) -> (String, [u64; 4]) {
    let r = &diagnostic["range"];
    let n = |v: &Value| v.as_u64().unwrap_or(u64::MAX);
    (
        diagnostic["code"].as_str().unwrap_or("").to_string(),
        [n(&r["start"]["line"]), n(&r["start"]["character"]), n(&r["end"]["line"]), n(&r["end"]["character"])],
    )
}

const URI: &str = "file:///work/deploy.py";

#[test]
fn a_session_over_stdio() {
    let mut client = Client::start();

    let init = client.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    assert_eq!(init["serverInfo"]["name"], "rinfra-lsp");
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["hoverProvider"], true);
    assert!(caps["signatureHelpProvider"]["triggerCharacters"].is_array());
    assert!(caps["completionProvider"]["triggerCharacters"].as_array().is_some_and(|t| t.contains(&json!("."))));
    client.notify("initialized", json!({}));

    // `é` is one UTF-16 unit and `😀` two: `dnf` starts at character 11 of line 1.
    let text = "from pyinfra.operations import dnf\ns = \"é😀\"; dnf.key(srcc=s)\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "python", "version": 1, "text": text}}),
    );
    let published = client.diagnostics();
    assert_eq!(published["uri"], URI);
    assert_eq!(published["version"], 1);
    let found: Vec<_> =
        published["diagnostics"].as_array().map(|d| d.iter().map(summary).collect()).unwrap_or_default();
    assert_eq!(found, [("RI003".to_string(), [1, 11, 1, 18]), ("RI002".to_string(), [1, 19, 1, 23])]);
    let first = &published["diagnostics"][0];
    assert_eq!(first["severity"], 1);
    assert_eq!(first["source"], "rinfra");
    assert_eq!(first["message"], "`dnf.key` is missing required argument `src`");

    // An incremental edit fixes the typo: no diagnostics left.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": URI, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 1, "character": 19}, "end": {"line": 1, "character": 23}}, "text": "src"}],
        }),
    );
    let published = client.diagnostics();
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]));

    // Type a new line `dnf.` and complete: the change is applied before the completion request.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": URI, "version": 3},
            "contentChanges": [{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "dnf."}],
        }),
    );
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 2, "character": 4}}),
    );
    let labels: Vec<&str> =
        completion.as_array().map(|a| a.iter().filter_map(|i| i["label"].as_str()).collect()).unwrap_or_default();
    assert_eq!(labels, ["key", "repo", "rpm", "update", "packages", "module"]);
    let published = client.diagnostics();
    assert_eq!(published["version"], 3);
    assert_eq!(summary(&published["diagnostics"][0]).0, "RI000");

    // Keyword arguments inside the call on line 1, after `src=s, `.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": URI, "version": 4},
            "contentChanges": [{"text": "from pyinfra.operations import dnf\ndnf.repo(\"epel\", )\n"}],
        }),
    );
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 17}}),
    );
    let labels: Vec<&str> =
        completion.as_array().map(|a| a.iter().filter_map(|i| i["label"].as_str()).collect()).unwrap_or_default();
    assert_eq!(labels.first(), Some(&"present="));
    assert!(labels.contains(&"_sudo=") && !labels.contains(&"src="));

    let hover = client
        .request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 5}}));
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(hover["contents"]["value"].as_str().is_some_and(|v| v.starts_with("```python\ndnf.repo(src: str")));
    assert_eq!(hover["range"], json!({"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 8}}));

    // Requests on a document that is not open answer null rather than fail.
    let none = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nope.py"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(none, Value::Null);

    client.notify("textDocument/didClose", json!({"textDocument": {"uri": URI}}));
    assert_eq!(client.diagnostics()["diagnostics"], json!([]));

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = client.child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}
