//! The workspace's files as planners see them (`files.put` / `files.template` sources): read-only,
//! relative paths taken from the workspace root, as `rinfra-exec` run from there resolves them.

use std::path::{Path, PathBuf};

use md5::Md5;
use rinfra_facts::local_files::LocalFiles;
use sha1::{Digest, Sha1};
use sha2::Sha256;

/// How many entries a directory walk lists at most (a hint never stalls on a huge tree).
const MAX_WALK: usize = 10_000;

/// A read-only view of the files below a directory.
#[derive(Debug, Clone)]
pub struct WorkspaceFiles {
    root: PathBuf,
}

impl WorkspaceFiles {
    /// Files relative to `root`.
    pub fn new(root: &Path) -> WorkspaceFiles {
        WorkspaceFiles { root: root.to_path_buf() }
    }

    fn path(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    fn bytes(&self, path: &str) -> Option<Vec<u8>> {
        let p = self.path(path);
        if !p.is_file() {
            return None;
        }
        std::fs::read(p).ok()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl LocalFiles for WorkspaceFiles {
    fn is_file(&self, path: &str) -> bool {
        self.path(path).is_file()
    }
    fn is_dir(&self, path: &str) -> bool {
        self.path(path).is_dir()
    }
    fn is_link(&self, path: &str) -> bool {
        self.path(path).is_symlink()
    }
    fn sha1(&self, path: &str) -> Option<String> {
        self.bytes(path).map(|b| hex(&Sha1::digest(&b)))
    }
    fn md5(&self, path: &str) -> Option<String> {
        self.bytes(path).map(|b| hex(&Md5::digest(&b)))
    }
    fn sha256(&self, path: &str) -> Option<String> {
        self.bytes(path).map(|b| hex(&Sha256::digest(&b)))
    }
    fn mode(&self, path: &str) -> Option<u32> {
        let meta = std::fs::metadata(self.path(path)).ok()?;
        mode_digits(&meta)
    }
    fn read(&self, path: &str) -> Option<String> {
        self.bytes(path).and_then(|b| String::from_utf8(b).ok())
    }
    fn read_link(&self, path: &str) -> Option<String> {
        std::fs::read_link(self.path(path)).ok().map(|p| p.to_string_lossy().into_owned())
    }
    fn walk(&self, path: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        walk_into(&self.path(path), "", &mut out);
        out
    }
    fn cwd(&self) -> String {
        self.root.to_string_lossy().into_owned()
    }
}

/// Each directory's entries (sorted, for stable hints), then its subdirectories' entries.
fn walk_into(dir: &Path, prefix: &str, out: &mut Vec<(String, bool)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    let mut subdirs = Vec::new();
    for entry in entries {
        if out.len() >= MAX_WALK {
            return;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        out.push((rel.clone(), is_dir));
        if is_dir {
            subdirs.push((entry.path(), rel));
        }
    }
    for (path, rel) in subdirs {
        walk_into(&path, &rel, out);
    }
}

#[cfg(unix)]
fn mode_digits(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    // `644` as the decimal number whose digits are the octal mode, as pyinfra compares them.
    format!("{:o}", meta.permissions().mode() & 0o7777).parse().ok()
}

#[cfg(not(unix))]
fn mode_digits(_: &std::fs::Metadata) -> Option<u32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_reads_and_walks() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("files/sub"))?;
        std::fs::write(dir.path().join("files/motd"), "hello\n")?;
        std::fs::write(dir.path().join("files/sub/x"), "")?;
        let files = WorkspaceFiles::new(dir.path());
        assert!(files.is_file("files/motd") && files.is_dir("files") && !files.is_file("files"));
        assert_eq!(files.sha1("files/motd").as_deref(), Some("f572d396fae9206628714fb2ce00f72e94f2258f"));
        assert_eq!(files.md5("files/motd").as_deref(), Some("b1946ac92492d2347c6235b4d2611184"));
        assert_eq!(files.read("files/motd").as_deref(), Some("hello\n"));
        assert_eq!(files.sha1("files"), None);
        assert_eq!(
            files.walk("files"),
            [("motd".to_string(), false), ("sub".to_string(), true), ("sub/x".to_string(), false)]
        );
        Ok(())
    }
}
