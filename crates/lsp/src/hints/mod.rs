//! "Would change" hints: each operation call's arguments, per host, planned against the facts
//! `rinfra-exec` cached in `.rinfra/`, and summed up in one line per call. The arguments come from the
//! call-site records of the host's last run (`.rinfra/runs/`) while the call's text is unchanged, and
//! from static evaluation of the text otherwise.
//!
//! The cache is re-read whenever a file below `.rinfra/facts`, `.rinfra/runs` or `.rinfra/hosts` changes
//! (name, size or modification time), so a new `rinfra-exec` run updates the hints without a restart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::session::OpenDocument;

pub mod eval;
pub mod local_files;
pub mod plan;
pub mod records;

use plan::{CachedHosts, CallHint};

/// How hints reach the client (the `hints` initialization option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HintMode {
    /// `textDocument/inlayHint` at the end of each call.
    #[default]
    Inlay,
    /// `textDocument/codeLens` above each call (for clients without inlay hints).
    CodeLens,
    /// Hint-severity diagnostics on each call.
    Diagnostic,
    /// No hints (the editor's setting `off`); hover still lists the commands.
    Off,
}

impl HintMode {
    /// The mode named by the initialization options (`{"hints": "codelens"}`); inlay hints otherwise.
    pub fn from_options(options: Option<&serde_json::Value>) -> HintMode {
        match options.and_then(|o| o.get("hints")).and_then(|h| h.as_str()) {
            Some("codelens" | "codeLens" | "code_lens") => HintMode::CodeLens,
            Some("diagnostic" | "diagnostics") => HintMode::Diagnostic,
            Some("off" | "none") => HintMode::Off,
            _ => HintMode::Inlay,
        }
    }
}

/// Names, sizes and modification times of the cache's files: when it differs, the cache is re-read.
type Stamp = Vec<(PathBuf, u64, Option<SystemTime>)>;

fn stamp(root: &Path) -> Stamp {
    let mut out = Stamp::new();
    for sub in ["facts", "runs", "hosts"] {
        let Ok(entries) = std::fs::read_dir(root.join(".rinfra").join(sub)) else { continue };
        for entry in entries.flatten() {
            let meta = entry.metadata().ok();
            out.push((entry.path(), meta.as_ref().map_or(0, |m| m.len()), meta.and_then(|m| m.modified().ok())));
        }
    }
    out.sort();
    out
}

/// What a document's hints were computed from: a hash of its text, the cache's generation, the hour.
type MemoKey = (u64, u64, u64);

/// The cached hosts of every workspace seen, each re-read when its files change, and the last hints
/// of each document (requests repeat while nothing changes: hover, scrolling, lenses).
#[derive(Debug, Default)]
pub struct HintCache {
    roots: HashMap<PathBuf, (Stamp, CachedHosts)>,
    /// Bumped at every re-read, so memoised hints from older facts are recomputed.
    generation: u64,
    memo: HashMap<PathBuf, (MemoKey, Vec<CallHint>)>,
    /// Each document's per-call outcomes for the current facts (see [`plan::CallMemo`]).
    calls: HashMap<PathBuf, plan::CallMemo>,
}

impl HintCache {
    /// The hosts cached below `root`, re-read if the files changed since the last call.
    pub fn hosts(&mut self, root: &Path) -> &CachedHosts {
        let now = stamp(root);
        let entry = self.roots.entry(root.to_path_buf()).or_insert_with(|| (Stamp::new(), CachedHosts::default()));
        if entry.0 != now || entry.1.root.as_os_str().is_empty() {
            entry.1 = CachedHosts::load(root);
            entry.0 = now;
            self.generation += 1;
            self.calls.clear();
        }
        &entry.1
    }

    /// Forget every workspace and every memoised hint (after the client reports changed files).
    pub fn clear(&mut self) {
        self.roots.clear();
        self.memo.clear();
        self.calls.clear();
    }
}

/// The workspace of a deploy file: the nearest directory above it holding `.rinfra/` (or, when there
/// is none, the file's own directory, where a first run would create it).
pub fn workspace_root(deploy: &Path) -> Option<PathBuf> {
    let dir = deploy.parent()?;
    let found = dir.ancestors().find(|d| d.join(".rinfra").is_dir());
    Some(found.unwrap_or(dir).to_path_buf())
}

/// The hints of an open document on disk (none for an unsaved one).
pub fn document_hints(cache: &mut HintCache, doc: &OpenDocument) -> Vec<CallHint> {
    let Some(path) = doc.path() else { return Vec::new() };
    let Some(root) = workspace_root(path) else { return Vec::new() };
    let deploy = path.strip_prefix(&root).unwrap_or(path).to_string_lossy().into_owned();
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    cache.hosts(&root);
    // The text's hash, not the client's version: a document reopened as version 1 may hold other text.
    let text_hash = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        doc.document.text().hash(&mut hasher);
        hasher.finish()
    };
    let key = (text_hash, cache.generation, now / 3600);
    if let Some((memo_key, hints)) = cache.memo.get(path)
        && *memo_key == key
    {
        return hints.clone();
    }
    let mut calls = cache.calls.remove(path).unwrap_or_default();
    let hints = plan::call_hints_with(&doc.module, cache.hosts(&root), &deploy, now, &mut calls);
    cache.calls.insert(path.to_path_buf(), calls);
    cache.memo.insert(path.to_path_buf(), (key, hints.clone()));
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modes_from_options() {
        assert_eq!(HintMode::from_options(None), HintMode::Inlay);
        assert_eq!(HintMode::from_options(Some(&json!({"hints": "codelens"}))), HintMode::CodeLens);
        assert_eq!(HintMode::from_options(Some(&json!({"hints": "diagnostic"}))), HintMode::Diagnostic);
        assert_eq!(HintMode::from_options(Some(&json!({"hints": "off"}))), HintMode::Off);
        assert_eq!(HintMode::from_options(Some(&json!({"hints": 3}))), HintMode::Inlay);
    }

    #[test]
    fn the_cache_is_reread_when_its_files_change() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = rinfra_facts::cache::FactCache::in_workspace(dir.path());
        let mut hints = HintCache::default();
        assert!(hints.hosts(dir.path()).hosts.is_empty());
        let facts = rinfra_facts::cache::HostFacts { host: "web1".into(), ..Default::default() };
        cache.store(&facts)?;
        assert_eq!(hints.hosts(dir.path()).hosts.len(), 1);
        assert_eq!(workspace_root(&dir.path().join("sub/deploy.py")), Some(dir.path().to_path_buf()));
        // Without `.rinfra/` above it, a deploy's own folder (a cache a run left in /tmp itself
        // would legitimately be found first).
        let bare = tempfile::tempdir()?;
        let above = bare.path().ancestors().find(|d| d.join(".rinfra").is_dir()).map(Path::to_path_buf);
        let expected = above.unwrap_or_else(|| bare.path().join("sub"));
        assert_eq!(workspace_root(&bare.path().join("sub/deploy.py")), Some(expected));
        Ok(())
    }
}
