//! The vector harness's fake world: facts from the vector, controller files from `local_files`,
//! and pyinfra's fixed test values (`_tempfile_`, `a-timestamp`, working directory `/`).

use std::collections::{BTreeMap, BTreeSet};

use md5::Md5;
use sha1::{Digest, Sha1};
use sha2::Sha256;

use crate::fact_source::{FactKey, FactSource, PlanEnv, Unknown};
use crate::local_files::LocalFiles;
use crate::value::{Map, Value};

/// Facts as an operation vector gives them.
pub struct FakeFacts {
    facts: Map<String, Value>,
}

impl FakeFacts {
    /// From the vector's `facts` mapping.
    pub fn new(facts: &Value) -> FakeFacts {
        FakeFacts { facts: facts.as_object().cloned().unwrap_or_default() }
    }
}

/// Sort the `k=v, k2=v2` pieces of a vector's fact key, as the upstream harness does.
fn sort_key(s: &str) -> String {
    let mut parts: Vec<&str> = s.split(", ").collect();
    parts.sort_unstable();
    parts.join(", ")
}

/// The key with the arguments that equal the fact's defaults left out.
fn without_defaults(key: &FactKey) -> FactKey {
    let defaults = crate::schema::catalogue().fact(&key.fact).map(|(_, f)| f.args).unwrap_or_default();
    let is_default =
        |name: &str, v: &Value| defaults.iter().any(|a| a.name == name && a.default.value().as_ref() == Some(v));
    FactKey::new(&key.fact, key.values.iter().filter(|(k, v)| !is_default(k, v)).cloned().collect())
}

impl FactSource for FakeFacts {
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
        let value = self.facts.get(&key.fact).ok_or(Unknown)?;
        if key.values.is_empty() {
            return Ok(value.clone());
        }
        // A value not keyed by arguments (`"server.Home": "/home/x"`) answers every argument set.
        let Some(map) = value.as_object().filter(|m| m.is_empty() || m.keys().any(|k| k.contains('='))) else {
            return Ok(value.clone());
        };
        // Both sides sorted the same way, as upstream: a value holding ", " (a list) splits too.
        let find = |key: &FactKey| {
            let want = sort_key(&key.args_string());
            map.iter().find(|(k, _)| sort_key(k) == want).map(|(_, v)| v.clone())
        };
        // Some vectors write keys with the fact's defaults, others without them.
        Ok(find(key).or_else(|| find(&without_defaults(key))).unwrap_or(Value::Null))
    }

    /// Time-dependent parsers run as if it were 2025-01-01T00:00:00Z (the vectors' convention).
    fn now(&self) -> i64 {
        1_735_689_600
    }
}

/// A local file of the vector: its contents, permission bits and times.
struct FakeFile {
    data: String,
    mode: u32,
    atime: Option<String>,
    mtime: Option<String>,
}

/// Controller files as an operation vector gives them (`local_files`), rooted at `/`.
#[derive(Default)]
pub struct FakeLocalFiles {
    files: BTreeMap<String, FakeFile>,
    dirs: BTreeSet<String>,
    /// Link path -> target.
    links: BTreeMap<String, String>,
    /// Every entry in the vector's order (as the upstream fake `os.walk` lists them): path, is_dir.
    order: Vec<(String, bool)>,
}

/// `os.path.normpath` for absolute paths.
pub fn normpath(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

impl FakeLocalFiles {
    /// From the vector's `local_files` mapping.
    pub fn new(spec: &Value) -> FakeLocalFiles {
        let mut out = FakeLocalFiles::default();
        out.add(spec, "/");
        out
    }

    fn add(&mut self, spec: &Value, prefix: &str) {
        let join = |name: &str| normpath(&format!("{prefix}/{name}"));
        if let Some(files) = spec.get("files").and_then(Value::as_object) {
            for (name, data) in files {
                let time = |k: &str| {
                    data.get(k).and_then(Value::as_str).map(|t| t.strip_prefix("datetime:").unwrap_or(t).to_string())
                };
                let file = FakeFile {
                    data: match data {
                        Value::String(s) => s.clone(),
                        _ => data.get("data").and_then(Value::as_str).unwrap_or("_test_data_").to_string(),
                    },
                    mode: data.get("mode").and_then(Value::as_u64).map(|m| m as u32).unwrap_or(644),
                    atime: time("atime"),
                    mtime: time("mtime"),
                };
                let path = join(name);
                if self.files.insert(path.clone(), file).is_none() {
                    self.order.push((path, false));
                }
            }
        }
        if let Some(dirs) = spec.get("dirs").and_then(Value::as_object) {
            for (name, sub) in dirs {
                let path = join(name);
                if self.dirs.insert(path.clone()) {
                    self.order.push((path.clone(), true));
                }
                self.add(sub, &path);
            }
        }
        if let Some(links) = spec.get("links").and_then(Value::as_object) {
            for (name, target) in links {
                let path = join(name);
                let target = target.as_str().unwrap_or_default().to_string();
                if self.links.insert(path.clone(), target).is_none() {
                    self.order.push((path, false));
                }
            }
        }
    }

    fn file(&self, path: &str) -> Option<&FakeFile> {
        self.files.get(&normpath(&self.absolute(path)))
    }

    fn absolute(&self, path: &str) -> String {
        if path.starts_with('/') { path.to_string() } else { format!("/{path}") }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl LocalFiles for FakeLocalFiles {
    fn is_file(&self, path: &str) -> bool {
        self.file(path).is_some()
    }
    fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(&normpath(&self.absolute(path)))
    }
    fn is_link(&self, path: &str) -> bool {
        self.links.contains_key(&normpath(&self.absolute(path)))
    }
    fn read_link(&self, path: &str) -> Option<String> {
        self.links.get(&normpath(&self.absolute(path))).cloned()
    }
    fn atime(&self, path: &str) -> Option<String> {
        self.file(path).and_then(|f| f.atime.clone())
    }
    fn mtime(&self, path: &str) -> Option<String> {
        self.file(path).and_then(|f| f.mtime.clone())
    }
    fn sha1(&self, path: &str) -> Option<String> {
        self.file(path).map(|f| hex(&Sha1::digest(f.data.as_bytes())))
    }
    fn md5(&self, path: &str) -> Option<String> {
        self.file(path).map(|f| hex(&Md5::digest(f.data.as_bytes())))
    }
    fn sha256(&self, path: &str) -> Option<String> {
        self.file(path).map(|f| hex(&Sha256::digest(f.data.as_bytes())))
    }
    fn mode(&self, path: &str) -> Option<u32> {
        if let Some(f) = self.file(path) {
            return Some(f.mode);
        }
        self.is_dir(path).then_some(755)
    }
    fn read(&self, path: &str) -> Option<String> {
        self.file(path).map(|f| f.data.clone())
    }
    /// The upstream harness's fake file answers `readlines()` with its data split on whitespace.
    fn read_lines(&self, path: &str) -> Option<Vec<String>> {
        self.file(path).map(|f| f.data.split_whitespace().map(str::to_string).collect())
    }
    fn walk(&self, path: &str) -> Vec<(String, bool)> {
        let root = normpath(&self.absolute(path));
        let prefix = if root == "/" { root } else { format!("{root}/") };
        self.order
            .iter()
            .filter_map(|(p, is_dir)| p.strip_prefix(&prefix).map(|rel| (rel.to_string(), *is_dir)))
            .collect()
    }
}

/// pyinfra's fixed test values.
pub struct FakeEnv;

impl PlanEnv for FakeEnv {
    fn temp_filename(&self, _key: &str) -> String {
        "_tempfile_".to_string()
    }
    fn timestamp(&self) -> String {
        "a-timestamp".to_string()
    }
    /// The upstream fake host names every temporary file `_tempfile_`, whatever the directory.
    fn temp_filename_in(&self, _key: &str, _dir: Option<&str>) -> String {
        "_tempfile_".to_string()
    }
    fn temp_dir(&self) -> String {
        "_tempdir_".to_string()
    }
}
