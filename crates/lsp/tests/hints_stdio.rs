//! "Would change" hints over stdio JSON-RPC, from a real fact-cache directory written with
//! `FactCache::store`: exact inlay hint labels and positions for a call with no change, one that would
//! change, one whose facts are not cached; the hover's per-host commands; a new run picked up without a
//! restart; code lenses and Hint diagnostics for clients without inlay hints.

mod common;

use common::Client;
use rinfra_facts::cache::{FactCache, HostFacts};
use rinfra_facts::fact_source::FactKey;
use serde_json::{Value, json};

/// Facts as `rinfra-exec` caches them for one host.
fn host(name: &str, gathered_at: u64, packages: Value) -> HostFacts {
    let mut h = HostFacts { host: name.into(), gathered_at, ..HostFacts::default() };
    let key = |fact: &str, args: &[(&str, &str)]| {
        FactKey::new(fact, args.iter().map(|(k, v)| (k.to_string(), json!(v))).collect())
    };
    h.insert(&key("server.Os", &[]), json!("Linux"));
    h.insert(&key("deb.DebPackages", &[]), packages);
    h.insert(
        &key("files.Directory", &[("path", "/srv/app")]),
        json!({"user": "root", "group": "root", "mode": 755, "size": 4096}),
    );
    h.insert(&key("files.File", &[("path", "/etc/motd")]), json!({"user": "root", "group": "root", "mode": 644}));
    h
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Line 3 holds non-ASCII text before the call: `é` is one UTF-16 unit, `😀` two.
const DEPLOY: &str = "from pyinfra.operations import apt, files\n\
ROOT = \"/srv\"\n\
apt.packages(packages=[\"nginx\"])\n\
s = \"é😀\"; files.directory(path=f\"{ROOT}/app\")\n\
files.file(path=\"/etc/app.conf\")\n";

fn open(client: &mut Client, uri: &str, options: Value) {
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}, "initializationOptions": options}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": DEPLOY}}),
    );
}

/// `(line, character, label)` of every inlay hint of the whole file.
fn inlay_hints(client: &mut Client, uri: &str) -> Vec<(u64, u64, String)> {
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}}),
    );
    hints
        .as_array()
        .map(|a| {
            a.iter()
                .map(|h| {
                    let p = &h["position"];
                    (
                        p["line"].as_u64().unwrap_or(u64::MAX),
                        p["character"].as_u64().unwrap_or(u64::MAX),
                        h["label"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

const UNKNOWN: &str = "facts unknown — run rinfra-exec INVENTORY deploy.py --dry";

fn workspace() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = FactCache::in_workspace(dir.path());
    let gathered = now();
    cache.store(&host("web1", gathered, json!({"nginx": ["1.24.0-2"]}))).expect("store web1");
    cache.store(&host("web2", gathered, json!({"curl": ["8.5.0-2"]}))).expect("store web2");
    let deploy = dir.path().join("deploy.py");
    std::fs::write(&deploy, DEPLOY).expect("write deploy");
    let uri = format!("file://{}", deploy.display());
    (dir, uri)
}

#[test]
fn inlay_hints_from_the_fact_cache() {
    let (dir, uri) = workspace();
    let mut client = Client::start();
    open(&mut client, &uri, Value::Null);
    assert_eq!(client.diagnostics()["diagnostics"], json!([]));

    assert_eq!(
        inlay_hints(&mut client, &uri),
        [
            (2, 32, "would change on web2".to_string()),
            (3, 46, "no change (2 hosts)".to_string()),
            (4, 32, UNKNOWN.to_string()),
        ]
    );

    // Hovering the call lists, per host, what it would run.
    let hover = client
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 6}}));
    let md = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(md.starts_with("```python\napt.packages("), "{md}");
    assert!(md.contains("**would change on web2**\n\n`web1`: no change"), "{md}");
    assert!(md.contains("`web2`: would run\n```sh\nDEBIAN_FRONTEND=noninteractive apt-get -y"), "{md}");
    assert!(md.contains(" install nginx\n```"), "{md}");

    // An edit to a cached path: the hint follows the text.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 4, "character": 17}, "end": {"line": 4, "character": 30}}, "text": "/etc/motd"}],
        }),
    );
    assert_eq!(client.diagnostics()["version"], 2);
    assert_eq!(inlay_hints(&mut client, &uri)[2], (4, 28, "no change (2 hosts)".to_string()));

    // A new run caches nginx on web2 and the app.conf file on both: no restart needed.
    let cache = FactCache::in_workspace(dir.path());
    for name in ["web1", "web2"] {
        let mut h = host(name, now(), json!({"nginx": ["1.24.0-2"], "curl": ["8.5.0-2"]}));
        let key = FactKey::new("files.File", vec![("path".into(), json!("/etc/app.conf"))]);
        h.insert(&key, json!({"user": "root", "group": "root", "mode": 644, "size": 12}));
        cache.store(&h).expect("store");
    }
    let labels: Vec<String> = inlay_hints(&mut client, &uri).into_iter().map(|h| h.2).collect();
    assert_eq!(labels, ["no change (2 hosts)", "no change (2 hosts)", "no change (2 hosts)"]);
    client.finish();
}

#[test]
fn stale_caches_say_how_old_they_are() {
    let (dir, uri) = workspace();
    let cache = FactCache::in_workspace(dir.path());
    cache.store(&host("web1", now() - 3 * 24 * 3600 - 60, json!({}))).expect("store");
    std::fs::remove_file(dir.path().join(".rinfra/facts/web2.json")).expect("remove web2");
    let mut client = Client::start();
    open(&mut client, &uri, Value::Null);
    let labels: Vec<String> = inlay_hints(&mut client, &uri).into_iter().map(|h| h.2).collect();
    assert_eq!(
        labels,
        [
            "would change on web1 (facts 3 days old)".to_string(),
            "no change (1 host) (facts 3 days old)".to_string(),
            format!("{UNKNOWN} (facts 3 days old)"),
        ]
    );
    client.finish();
}

#[test]
fn code_lenses_and_hint_diagnostics_for_clients_without_inlay_hints() {
    let (dir, uri) = workspace();
    let mut client = Client::start();
    open(&mut client, &uri, json!({"hints": "codelens"}));
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}}));
    let titles: Vec<(u64, &str)> = lenses
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    (l["range"]["start"]["line"].as_u64().unwrap_or(0), l["command"]["title"].as_str().unwrap_or(""))
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(titles, [(2, "would change on web2"), (3, "no change (2 hosts)"), (4, UNKNOWN)]);
    client.finish();

    let mut client = Client::start();
    open(&mut client, &uri, json!({"hints": "diagnostic"}));
    assert_eq!(
        hint_diagnostics(&client.diagnostics()),
        [(4, 2, 0, "would change on web2".into()), (4, 3, 11, "no change (2 hosts)".into()), (4, 4, 0, UNKNOWN.into())]
    );

    // A new run, reported by the client's file watcher, republishes the hints.
    let cache = FactCache::in_workspace(dir.path());
    cache.store(&host("web2", now(), json!({"nginx": ["1.24.0-2"]}))).expect("store");
    let changed = format!("file://{}", dir.path().join(".rinfra/facts/web2.json").display());
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": changed, "type": 2}]}));
    assert_eq!(hint_diagnostics(&client.diagnostics())[0], (4, 2, 0, "no change (2 hosts)".into()));
    client.finish();
}

/// `(severity, line, character, message)` of each published diagnostic.
fn hint_diagnostics(published: &Value) -> Vec<(u64, u64, u64, String)> {
    published["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["severity"].as_u64().unwrap_or(0),
                        d["range"]["start"]["line"].as_u64().unwrap_or(0),
                        d["range"]["start"]["character"].as_u64().unwrap_or(0),
                        d["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn host_data_recorded_by_the_executor() {
    let (dir, _) = workspace();
    let hosts = dir.path().join(".rinfra/hosts");
    std::fs::create_dir_all(&hosts).expect("hosts dir");
    std::fs::write(hosts.join("web1.json"), r#"{"host": "web1", "data": {"app_root": "/srv"}}"#).expect("web1");
    std::fs::write(hosts.join("web2.json"), r#"{"host": "web2", "data": {"app_root": "/opt"}}"#).expect("web2");
    let deploy = dir.path().join("data.py");
    let text = "from pyinfra import host\nfrom pyinfra.operations import files\n\
                files.directory(path=host.data.app_root + '/app')\n\
                files.directory(path=host.data.get('missing', '/srv/app'))\n\
                if host.name == 'web1':\n    files.directory(path=f'{host.data.app_root}/app')\n";
    std::fs::write(&deploy, text).expect("write");
    let uri = format!("file://{}", deploy.display());
    let mut client = Client::start();
    client.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
    // web2's /opt/app was never gathered; the last call runs on web1 only.
    assert_eq!(
        inlay_hints(&mut client, &uri),
        [
            (2, 49, UNKNOWN.replace("deploy.py", "data.py")),
            (3, 58, "no change (2 hosts)".to_string()),
            (5, 53, "no change (1 host)".to_string()),
        ]
    );
    client.finish();
}
