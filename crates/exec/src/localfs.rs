//! The controller's real files, as planners see them (`files.put` hashes and reads its source).

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use rinfra_facts::local_files::LocalFiles;

/// The controller's filesystem, relative paths taken from the working directory (pyinfra's `state.cwd`).
#[derive(Debug, Clone)]
pub struct LocalFs {
    cwd: String,
}

impl LocalFs {
    /// A view rooted at the process's working directory.
    pub fn new() -> LocalFs {
        let cwd = std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "/".into());
        LocalFs { cwd }
    }
}

impl Default for LocalFs {
    fn default() -> Self {
        LocalFs::new()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-1 of `bytes` (also used for pyinfra-style temporary names).
pub fn sha1_hex(bytes: &[u8]) -> String {
    hex(&<sha1::Sha1 as sha1::Digest>::digest(bytes))
}

impl LocalFiles for LocalFs {
    fn is_file(&self, path: &str) -> bool {
        Path::new(path).is_file()
    }
    fn is_dir(&self, path: &str) -> bool {
        Path::new(path).is_dir()
    }
    fn is_link(&self, path: &str) -> bool {
        Path::new(path).is_symlink()
    }
    fn sha1(&self, path: &str) -> Option<String> {
        cached_digest(path, Hasher::Sha1(Default::default()))
    }
    fn md5(&self, path: &str) -> Option<String> {
        cached_digest(path, Hasher::Md5(Default::default()))
    }
    fn sha256(&self, path: &str) -> Option<String> {
        cached_digest(path, Hasher::Sha256(Default::default()))
    }
    fn mode(&self, path: &str) -> Option<u32> {
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
        format!("{mode:o}").parse().ok()
    }
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
    fn read_link(&self, path: &str) -> Option<String> {
        std::fs::read_link(path).ok().map(|p| p.to_string_lossy().into_owned())
    }
    fn walk(&self, path: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        walk_into(Path::new(path), "", &mut out);
        out
    }
    fn cwd(&self) -> String {
        self.cwd.clone()
    }
}

/// The digests planners ask for (the crates depend on different `digest` versions).
enum Hasher {
    Sha1(sha1::Sha1),
    Md5(md5::Md5),
    Sha256(sha2::Sha256),
}

impl Hasher {
    fn name(&self) -> &'static str {
        match self {
            Hasher::Sha1(_) => "sha1",
            Hasher::Md5(_) => "md5",
            Hasher::Sha256(_) => "sha256",
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha1(h) => sha1::Digest::update(h, bytes),
            Hasher::Md5(h) => md5::Digest::update(h, bytes),
            Hasher::Sha256(h) => sha2::Digest::update(h, bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha1(h) => hex(&sha1::Digest::finalize(h)),
            Hasher::Md5(h) => hex(&md5::Digest::finalize(h)),
            Hasher::Sha256(h) => hex(&sha2::Digest::finalize(h)),
        }
    }
}

/// Digests already computed, by (algorithm, path), with the size and mtime they were taken at.
type DigestCache = HashMap<(&'static str, String), (u64, Option<SystemTime>, String)>;
static DIGESTS: OnceLock<Mutex<DigestCache>> = OnceLock::new();

/// The hex digest of a local file, read in blocks (never whole: a big upload planned for 100
/// hosts at once must not sit in memory 100 times) and computed once per file version for the
/// whole run, however many hosts and planning passes ask.
fn cached_digest(path: &str, mut digest: Hasher) -> Option<String> {
    let algorithm = digest.name();
    let meta = std::fs::metadata(path).ok()?;
    let stamp = (meta.len(), meta.modified().ok());
    let key = (algorithm, path.to_string());
    let cache = DIGESTS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some((len, mtime, hex)) = cache.lock().ok()?.get(&key)
        && (*len, *mtime) == stamp
    {
        return Some(hex.clone());
    }
    let mut file = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        digest.update(&buf[..n]);
    }
    let out = digest.finish();
    cache.lock().ok()?.insert(key, (stamp.0, stamp.1, out.clone()));
    Some(out)
}

/// Entries of `dir` (relative to the walk's root, prefixed by `prefix`), then each subdirectory's.
fn walk_into(dir: &Path, prefix: &str, out: &mut Vec<(String, bool)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        out.push((rel.clone(), is_dir));
        if is_dir {
            subdirs.push((entry.path(), rel));
        }
    }
    for (path, rel) in subdirs {
        walk_into(&path, &rel, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_modes_and_walks() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("a");
        std::fs::write(&file, "hello\n")?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640))?;
        std::fs::create_dir(dir.path().join("sub"))?;
        std::fs::write(dir.path().join("sub/b"), "")?;
        let fs = LocalFs::new();
        let p = file.to_string_lossy();
        assert_eq!(fs.sha1(&p).as_deref(), Some("f572d396fae9206628714fb2ce00f72e94f2258f"));
        assert_eq!(fs.md5(&p).as_deref(), Some("b1946ac92492d2347c6235b4d2611184"));
        assert_eq!(fs.sha256(&p).as_deref(), Some("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"));
        // Cached per file version: a changed file is hashed again.
        std::fs::write(&file, "hello again\n")?;
        assert_eq!(fs.sha1(&p), Some(sha1_hex(b"hello again\n")));
        std::fs::write(&file, "hello\n")?;
        assert_eq!(fs.mode(&p), Some(640));
        let mut walked = fs.walk(&dir.path().to_string_lossy());
        walked.sort();
        assert_eq!(walked, vec![("a".into(), false), ("sub".into(), true), ("sub/b".into(), false)]);
        Ok(())
    }
}
