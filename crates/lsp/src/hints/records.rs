//! Call-site records: `.rinfra/runs/<host>.json`, written by every `rinfra-exec` run (`--dry` included).
//! Each names an operation call by its file, line and the SHA-1 of its source text, with the arguments
//! it resolved to on that host; while the call's text is unchanged, the hint plans from those.
//! The format is documented in `crates/exec/src/run_cache.rs` (version 1).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use super::plan::host_file_name;

/// The only format version understood; other versions are ignored (static evaluation still works).
const VERSION: u64 = 1;

/// One host's last run, as recorded by the executor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunRecord {
    /// The host's data (`host.data`), secrets already masked.
    pub data: Map<String, Value>,
    /// The host's inventory groups (`host.groups`).
    pub groups: Vec<String>,
    /// Every operation call the run made on this host, in deploy order.
    pub calls: Vec<RecordedCall>,
}

/// One operation call the executor made on a host.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// `module.operation`.
    pub operation: String,
    /// The file the call is in, canonical when it still exists.
    pub file: PathBuf,
    /// 1-based line of the call.
    pub line: usize,
    /// SHA-1 (hex) of the call expression's source text.
    pub source_sha1: String,
    /// Resolved positional arguments.
    pub positional: Vec<Value>,
    /// Resolved keyword arguments (global ones included).
    pub keywords: Map<String, Value>,
}

impl RunRecord {
    /// `<root>/.rinfra/runs/<host>.json`, or `None` when absent, unreadable or of another version.
    pub fn load(root: &Path, host: &str) -> Option<RunRecord> {
        let bytes = std::fs::read(root.join(".rinfra").join("runs").join(host_file_name(host))).ok()?;
        let doc: Value = serde_json::from_slice(&bytes).ok()?;
        Self::from_json(&doc, &mut HashMap::new())
    }

    /// Parse a record; `canonical` remembers each file name's canonical path (one lookup per file).
    fn from_json(doc: &Value, canonical: &mut HashMap<String, PathBuf>) -> Option<RunRecord> {
        if doc.get("version").and_then(Value::as_u64) != Some(VERSION) {
            return None;
        }
        let data = doc.get("data").and_then(Value::as_object).cloned().unwrap_or_default();
        let groups = doc
            .get("groups")
            .and_then(Value::as_array)
            .map(|g| g.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let calls = doc
            .get("calls")
            .and_then(Value::as_array)
            .map(|calls| calls.iter().filter_map(|c| RecordedCall::from_json(c, canonical)).collect())
            .unwrap_or_default();
        Some(RunRecord { data, groups, calls })
    }
}

impl RecordedCall {
    fn from_json(call: &Value, canonical: &mut HashMap<String, PathBuf>) -> Option<RecordedCall> {
        let file = call.get("file")?.as_str()?;
        let file = canonical.entry(file.to_string()).or_insert_with(|| canonical_path(Path::new(file))).clone();
        Some(RecordedCall {
            operation: call.get("operation")?.as_str()?.to_string(),
            file,
            line: usize::try_from(call.get("line")?.as_u64()?).ok()?,
            source_sha1: call.get("source_sha1")?.as_str()?.to_ascii_lowercase(),
            positional: call.get("positional").and_then(Value::as_array).cloned().unwrap_or_default(),
            keywords: call.get("keywords").and_then(Value::as_object).cloned().unwrap_or_default(),
        })
    }
}

/// `path` with symbolic links resolved when it exists, so records and documents compare equal.
pub fn canonical_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The SHA-1 the executor records for a call whose source text is `source`. Python reads source files
/// with universal newlines, so `\r\n` and `\r` count as `\n`.
pub fn source_sha1(source: &str) -> String {
    let mut hasher = Sha1::new();
    if source.contains('\r') {
        hasher.update(source.replace("\r\n", "\n").replace('\r', "\n").as_bytes());
    } else {
        hasher.update(source.as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The calls of one file recorded for one host, by source hash.
#[derive(Debug, Default)]
pub struct FileRecords<'r> {
    by_sha: HashMap<&'r str, Vec<&'r RecordedCall>>,
}

impl<'r> FileRecords<'r> {
    /// The calls of `record` made from `file` (canonical).
    pub fn of(record: &'r RunRecord, file: &Path) -> FileRecords<'r> {
        let mut by_sha: HashMap<&str, Vec<&RecordedCall>> = HashMap::new();
        for call in record.calls.iter().filter(|c| c.file == file) {
            by_sha.entry(call.source_sha1.as_str()).or_default().push(call);
        }
        FileRecords { by_sha }
    }

    /// The records of the call at 1-based `line` whose text hashes to `sha1`, when they can be told
    /// apart. `twins` lists the lines of every call in the document with the same hash, in order:
    /// with one, all records of the hash are its iterations; with several, the k-th distinct recorded
    /// line is the k-th call when the counts agree, else only records on the call's own line count.
    /// Empty when nothing matches (the call is new or edited, or did not run on this host).
    pub fn matching(&self, sha1: &str, line: usize, twins: &[usize]) -> Vec<&'r RecordedCall> {
        let Some(records) = self.by_sha.get(sha1) else { return Vec::new() };
        if twins.len() <= 1 {
            return records.clone();
        }
        let mut lines: Vec<usize> = records.iter().map(|r| r.line).collect();
        lines.sort_unstable();
        lines.dedup();
        let wanted = match twins.iter().position(|l| *l == line) {
            Some(k) if lines.len() == twins.len() => lines[k],
            _ => line,
        };
        records.iter().copied().filter(|r| r.line == wanted).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(line: usize, sha: &str) -> Value {
        json!({"operation": "files.directory", "file": "/nonexistent/deploy.py", "line": line,
               "source_sha1": sha, "positional": [], "keywords": {"path": format!("/l{line}")}})
    }

    fn record(calls: Vec<Value>) -> RunRecord {
        let doc = json!({"version": 1, "host": "web1", "groups": ["web"], "data": {"port": 80}, "calls": calls});
        RunRecord::from_json(&doc, &mut HashMap::new()).unwrap_or_default()
    }

    #[test]
    fn hashes_match_pythons_source_text() {
        // sha1("files.directory(path='/srv')"), as `hashlib.sha1(...).hexdigest()` gives it.
        assert_eq!(source_sha1("files.directory(path='/srv')"), "062795b7510874a4457c31b1b3134ffbba4ed695");
        assert_eq!(source_sha1("f(\r\n  1)"), source_sha1("f(\n  1)"));
    }

    #[test]
    fn parses_version_1_only() {
        let r = record(vec![call(3, "AB"), json!({"operation": 1})]);
        assert_eq!(r.groups, ["web"]);
        assert_eq!(r.data.get("port"), Some(&json!(80)));
        assert_eq!(r.calls.len(), 1, "a malformed call is skipped");
        assert_eq!(r.calls[0].source_sha1, "ab");
        assert_eq!(RunRecord::from_json(&json!({"version": 2, "calls": []}), &mut HashMap::new()), None);
    }

    #[test]
    fn twins_are_told_apart_by_order_or_line() {
        let r = record(vec![call(3, "a"), call(3, "a"), call(7, "a"), call(9, "b")]);
        let file = FileRecords::of(&r, Path::new("/nonexistent/deploy.py"));
        let lines = |found: Vec<&RecordedCall>| found.iter().map(|c| c.line).collect::<Vec<_>>();
        // One call with the hash: every record is one of its iterations.
        assert_eq!(lines(file.matching("a", 20, &[20])), [3, 3, 7]);
        // Two calls, two recorded lines: matched in order even after lines shifted.
        assert_eq!(lines(file.matching("a", 5, &[5, 9])), [3, 3]);
        assert_eq!(lines(file.matching("a", 9, &[5, 9])), [7]);
        // Three calls, two recorded lines: only a call still on its recorded line matches.
        assert_eq!(lines(file.matching("a", 7, &[1, 7, 8])), [7]);
        assert!(file.matching("a", 8, &[1, 7, 8]).is_empty());
        assert!(file.matching("c", 1, &[1]).is_empty());
        assert!(FileRecords::of(&r, Path::new("/other.py")).matching("b", 9, &[9]).is_empty());
    }
}
