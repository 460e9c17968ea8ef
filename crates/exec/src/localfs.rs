//! The controller's real files, as planners see them (`files.put` hashes and reads its source).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

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
    use sha1::Digest;
    hex(&sha1::Sha1::digest(bytes))
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
        std::fs::read(path).ok().map(|b| sha1_hex(&b))
    }
    fn md5(&self, path: &str) -> Option<String> {
        use md5::Digest;
        std::fs::read(path).ok().map(|b| hex(&md5::Md5::digest(&b)))
    }
    fn sha256(&self, path: &str) -> Option<String> {
        use sha2::Digest;
        std::fs::read(path).ok().map(|b| hex(&sha2::Sha256::digest(&b)))
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
        assert_eq!(fs.mode(&p), Some(640));
        let mut walked = fs.walk(&dir.path().to_string_lossy());
        walked.sort();
        assert_eq!(walked, vec![("a".into(), false), ("sub".into(), true), ("sub/b".into(), false)]);
        Ok(())
    }
}
