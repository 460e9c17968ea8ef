//! The on-disk fact cache (`.rinfra/facts/<host>.json`): what `rinfra-exec` learnt about each host,
//! read back by the language server to plan operations without connecting.
//!
//! Writes go to a temporary file that is renamed into place, so a reader never sees half a file.
//! Secrets never reach the cache: fact arguments that look like secrets are stored masked.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::fact_source::{FactKey, FactSource, Unknown};
use crate::value::Value;

/// What is shown instead of a secret argument.
pub const MASK: &str = "*MASKED*";

/// Whether a fact argument holds a secret (its value is never written to the cache).
pub fn is_secret_arg(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("password") || n.contains("secret") || n.contains("token")
}

/// The cache's string key for a fact request, with secret arguments masked.
pub fn cache_key(key: &FactKey) -> String {
    let args: Vec<String> =
        key.args().map(|(k, v)| if is_secret_arg(k) { format!("{k}={MASK}") } else { format!("{k}={v}") }).collect();
    if args.is_empty() { key.fact.clone() } else { format!("{}({})", key.fact, args.join(", ")) }
}

/// Everything cached about one host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    /// Inventory name of the host.
    pub host: String,
    /// When the facts were gathered, in seconds since the Unix epoch (set by the executor).
    pub gathered_at: u64,
    /// Fact values by [`cache_key`], shared (the executor keeps one value in several views).
    pub facts: BTreeMap<String, FactValue>,
}

impl HostFacts {
    /// Record one fact's value.
    pub fn insert(&mut self, key: &FactKey, value: Value) {
        self.facts.insert(cache_key(key), FactValue::new(&value));
    }
}

impl FactSource for HostFacts {
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
        self.facts.get(&cache_key(key)).map(FactValue::value).ok_or(Unknown)
    }
}

/// A fact's value kept as compact JSON text, shared by reference count.
///
/// The executor keeps every fact of every host for the whole run: a `stat` result as a JSON map
/// takes ~1 KB of map entries and key strings, as text ~180 bytes in one allocation. A planner gets
/// its own copy either way ([`FactSource::fact`] returns an owned value), so parsing the text
/// replaces a deep clone. Two values are equal when their texts are: a fact's parser builds its
/// maps in one order, so a value gathered again compares equal unless it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactValue(Arc<str>);

impl FactValue {
    /// The value, stored as its JSON text.
    pub fn new(value: &Value) -> FactValue {
        FactValue(value.to_string().into())
    }

    /// The value, parsed back (`null` if the text were ever not JSON, which [`FactValue::new`] rules out).
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl Serialize for FactValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FactValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<FactValue, D::Error> {
        Value::deserialize(deserializer).map(|v| FactValue::new(&v))
    }
}

/// Write a file readable by its owner only (mode 0600 from creation: no window where others can read it).
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// A fact-cache directory (normally `<workspace>/.rinfra/facts`).
#[derive(Debug, Clone)]
pub struct FactCache {
    dir: PathBuf,
}

impl FactCache {
    /// The cache below a workspace root: `<root>/.rinfra/facts`.
    pub fn in_workspace(root: &Path) -> FactCache {
        FactCache { dir: root.join(".rinfra").join("facts") }
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, host: &str) -> PathBuf {
        // Host names may hold `/` or `:` (`@ssh/host`, `[::1]:22`); keep the file name flat and safe.
        let safe: String =
            host.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.@".contains(c) { c } else { '_' }).collect();
        self.dir.join(format!("{safe}.json"))
    }

    /// Load a host's facts; `Ok(None)` when nothing is cached for it.
    pub fn load(&self, host: &str) -> io::Result<Option<HostFacts>> {
        match std::fs::read(self.path(host)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(io::Error::other),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Store a host's facts atomically (temporary file, then rename).
    pub fn store(&self, facts: &HostFacts) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(&facts.host);
        let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
        let bytes = serde_json::to_vec_pretty(facts).map_err(io::Error::other)?;
        write_private(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    /// Every host with cached facts, sorted.
    pub fn hosts(&self) -> io::Result<Vec<HostFacts>> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "json")
                && let Ok(bytes) = std::fs::read(&p)
                && let Ok(h) = serde_json::from_slice::<HostFacts>(&bytes)
            {
                out.push(h);
            }
        }
        out.sort_by(|a, b| a.host.cmp(&b.host));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(fact: &str, args: &[(&str, Value)]) -> FactKey {
        FactKey::new(fact, args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn round_trips_and_answers_as_a_fact_source() {
        let dir = std::env::temp_dir().join(format!("rinfra-cache-test-{}", std::process::id()));
        let cache = FactCache::in_workspace(&dir);
        let mut h = HostFacts { host: "@ssh/web1".into(), gathered_at: 7, ..HostFacts::default() };
        h.insert(&key("files.File", &[("path", json!("/etc/motd"))]), json!({"mode": 644}));
        cache.store(&h).expect("store");
        let back = cache.load("@ssh/web1").expect("load").expect("cached");
        assert_eq!(back, h);
        assert_eq!(back.fact(&key("files.File", &[("path", json!("/etc/motd"))])), Ok(json!({"mode": 644})));
        assert_eq!(back.fact(&key("server.Os", &[])), Err(Unknown));
        assert_eq!(cache.hosts().expect("hosts").len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(cache.dir().join("@ssh_web1.json")).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(cache.load("other").expect("load").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_kept_value_is_written_as_json_and_read_back_equal() {
        let stat = json!({"user": "root", "mode": 644, "size": 12, "link_target": null, "tags": ["a", 1.5]});
        let mut h = HostFacts { host: "web1".into(), gathered_at: 7, ..HostFacts::default() };
        h.insert(&key("files.File", &[("path", json!("/etc/motd"))]), stat.clone());
        // On disk the value is the JSON itself, not a string holding it: the cache format is unchanged.
        let doc = serde_json::to_value(&h).expect("serialise");
        assert_eq!(doc, json!({"host": "web1", "gathered_at": 7, "facts": {"files.File(path=/etc/motd)": stat}}));
        let back: HostFacts = serde_json::from_value(doc).expect("deserialise");
        assert_eq!(back, h);
        assert_eq!(back.fact(&key("files.File", &[("path", json!("/etc/motd"))])), Ok(stat.clone()));
    }

    #[test]
    fn secrets_are_masked_in_keys() {
        let k = key("mysql.MysqlDatabases", &[("mysql_password", json!("hunter2")), ("mysql_user", json!("u"))]);
        let s = cache_key(&k);
        assert!(!s.contains("hunter2"), "{s}");
        assert!(s.contains(MASK));
    }
}
