//! The run cache for the editor: `.rinfra/runs/<host>.json` beside the deploy, one per host, written
//! on every run (`--dry` included). Format version 1:
//!
//! ```json
//! { "version": 1, "host": "web1", "written_at": 1764000000, "groups": ["web"],
//!   "data": { "app_port": 8080, "ssh_password": "*MASKED*" },
//!   "calls": [ { "operation": "files.put", "file": "/abs/path/deploy.py", "line": 12,
//!                "source_sha1": "<sha1 of the call expression's source text>",
//!                "positional": [], "keywords": { "src": "motd", "dest": "/etc/motd" } } ],
//!   "facts": [ { "fact": "files.File", "args": { "path": "/etc/motd" } } ] }
//! ```
//!
//! `facts` lists the fact requests of the run as the connecting user (none with a secret argument):
//! those deploy.py asked with `host.get_fact` and those the operations' planners asked given the
//! values after the run, not others gathered on the way. The next run gathers them all in one round
//! trip before deploy.py starts.
//!
//! Values under a key naming a secret (`password`, `secret`, `token`) are replaced by `*MASKED*`.
//! Files are created mode 0600 and renamed into place.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rinfra_facts::cache::{MASK, is_secret_arg};
use rinfra_facts::fact_source::FactKey;
use rinfra_facts::value::{Map, Value};

use crate::localfs::sha1_hex;
use crate::python::OpCall;

/// The format version written in each file.
pub const VERSION: u64 = 1;

/// `value` with every secret-named key's value masked, at any depth.
pub fn mask(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), if is_secret_arg(k) { Value::String(MASK.into()) } else { mask(v) }))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask).collect()),
        other => other.clone(),
    }
}

/// One host's run record.
pub fn document(
    host: &str,
    groups: &[String],
    data: &Map<String, Value>,
    calls: &[OpCall],
    facts: &[FactKey],
    now: u64,
) -> Value {
    let facts: Vec<Value> = facts
        .iter()
        .map(|k| serde_json::json!({ "fact": k.fact, "args": Value::Object(k.values.iter().cloned().collect()) }))
        .collect();
    let calls: Vec<Value> = calls
        .iter()
        .map(|c| {
            serde_json::json!({
                "operation": c.name,
                "file": std::path::absolute(&c.file).unwrap_or_else(|_| PathBuf::from(&c.file)),
                "line": c.line,
                "source_sha1": sha1_hex(c.source.as_bytes()),
                "positional": mask(&Value::Array(c.positional.clone())),
                "keywords": mask(&Value::Object(c.keywords.clone())),
            })
        })
        .collect();
    serde_json::json!({
        "version": VERSION,
        "host": host,
        "written_at": now,
        "groups": groups,
        "data": mask(&Value::Object(data.clone())),
        "calls": calls,
        "facts": facts,
    })
}

/// The fact requests recorded in the run record at `path` (none when it is missing or unreadable).
pub fn fact_requests(path: &Path) -> Vec<FactKey> {
    // Only the fact list is read: the rest of the document is skipped, not built.
    #[derive(serde::Deserialize)]
    struct Requests {
        #[serde(default)]
        facts: Vec<Request>,
    }
    #[derive(serde::Deserialize)]
    struct Request {
        fact: String,
        args: Map<String, Value>,
    }
    let Some(doc) = std::fs::read(path).ok().and_then(|b| serde_json::from_slice::<Requests>(&b).ok()) else {
        return Vec::new();
    };
    doc.facts
        .into_iter()
        .filter(|r| rinfra_facts::schema::catalogue().fact(&r.fact).is_some())
        .map(|r| FactKey::new(&r.fact, r.args.into_iter().collect()))
        .collect()
}

/// `<root>/.rinfra/runs/<host>.json`, the host name made file-safe as the fact cache does.
pub fn path(root: &Path, host: &str) -> PathBuf {
    let safe: String =
        host.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.@".contains(c) { c } else { '_' }).collect();
    root.join(".rinfra").join("runs").join(format!("{safe}.json"))
}

/// Write `doc` to `path`: a 0600 temporary file in the same directory, then rename.
pub fn store(path: &Path, doc: &Value) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let bytes = serde_json::to_vec_pretty(doc).map_err(std::io::Error::other)?;
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| f.write_all(&bytes));
    written.and_then(|()| std::fs::rename(&tmp, path)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fact_requests_come_back_as_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.json");
        let keys = vec![FactKey::new("files.File", vec![("path".into(), json!("/a b"))])];
        store(&path, &document("h", &[], &Map::new(), &[], &keys, 1)).expect("store");
        assert_eq!(fact_requests(&path), keys);
        assert!(fact_requests(&dir.path().join("missing.json")).is_empty());
    }

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let v = json!({"ssh_password": "x", "nested": [{"api_token": "y", "port": 1}], "user": "u"});
        assert_eq!(mask(&v), json!({"ssh_password": MASK, "nested": [{"api_token": MASK, "port": 1}], "user": "u"}));
    }
}
