//! A read-only view of the controller's files, for planners that upload (`files.put`, `template`, `sync`).
//!
//! Planners never touch the filesystem: the executor passes a real view, the language server a real
//! view of the workspace, the conformance runner the vector's fake one.

/// What planners may ask about a file on the controller. Paths are as the user wrote them,
/// already joined to the deploy directory by the planner where pyinfra does so.
pub trait LocalFiles {
    /// Whether `path` exists and is a regular file (following links).
    fn is_file(&self, path: &str) -> bool;
    /// Whether `path` exists and is a directory.
    fn is_dir(&self, path: &str) -> bool;
    /// Whether `path` is a symbolic link.
    fn is_link(&self, _path: &str) -> bool {
        false
    }
    /// Hex SHA-1 of a file's contents.
    fn sha1(&self, path: &str) -> Option<String>;
    /// Hex MD5 of a file's contents.
    fn md5(&self, path: &str) -> Option<String>;
    /// Hex SHA-256 of a file's contents.
    fn sha256(&self, path: &str) -> Option<String>;
    /// Permission bits of a file, as octal digits (`644`).
    fn mode(&self, path: &str) -> Option<u32>;
    /// The file's text.
    fn read(&self, path: &str) -> Option<String>;
    /// The file's lines, as Python's `readlines()` gives them (each with its line ending).
    fn read_lines(&self, path: &str) -> Option<Vec<String>> {
        self.read(path).map(|s| s.split_inclusive('\n').map(str::to_string).collect())
    }
    /// Where a symbolic link points (`os.readlink`), if `path` is a link.
    fn read_link(&self, _path: &str) -> Option<String> {
        None
    }
    /// Last access time of a file, as ISO-8601 with an offset.
    fn atime(&self, _path: &str) -> Option<String> {
        None
    }
    /// Last modification time of a file, as ISO-8601 with an offset.
    fn mtime(&self, _path: &str) -> Option<String> {
        None
    }
    /// Entries of a directory tree below `path`: `(relative path, is_dir)`, recursively, each
    /// directory's entries in listing order and before its subdirectories' entries. Symbolic links
    /// are listed (as non-directories) and not followed.
    fn walk(&self, path: &str) -> Vec<(String, bool)>;
    /// The controller's working directory, for relative paths.
    fn cwd(&self) -> String {
        "/".to_string()
    }
}

/// A controller with no files at all (the language server's view when it has no workspace).
pub struct NoLocalFiles;

impl LocalFiles for NoLocalFiles {
    fn is_file(&self, _: &str) -> bool {
        false
    }
    fn is_dir(&self, _: &str) -> bool {
        false
    }
    fn sha1(&self, _: &str) -> Option<String> {
        None
    }
    fn md5(&self, _: &str) -> Option<String> {
        None
    }
    fn sha256(&self, _: &str) -> Option<String> {
        None
    }
    fn mode(&self, _: &str) -> Option<u32> {
        None
    }
    fn read(&self, _: &str) -> Option<String> {
        None
    }
    fn walk(&self, _: &str) -> Vec<(String, bool)> {
        vec![]
    }
}
