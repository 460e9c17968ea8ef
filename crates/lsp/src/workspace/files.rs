//! The workspace's Python files as the server sees them: which file a module name imports, and each
//! file's parsed definitions, cached per path and re-read when its modification time or size changes.
//!
//! The cache is one process-wide map: the server and `check` read the same files many times (every
//! deploy importing `tasks/ops.py`), and a stale entry is impossible since every use compares the
//! file's metadata first. In front of it, the server's session keeps the definitions of the files open
//! in the editor, from their unsaved text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use ruff_python_ast::PySourceType;
use ruff_python_parser::parse_unchecked_source;

use super::defs::{FileDefs, UserDef};
use crate::resolve::Target;

/// Files larger than this are not read: no hand-written module of operations is this big.
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// How many directories above the importing file are tried as import roots (pyinfra puts the
/// deploy's directory and the current directory, usually the project root, on `sys.path`).
const ROOT_DEPTH: usize = 3;

/// How many re-exports (`from .base import my_op` in `__init__.py`) are followed.
const MAX_REEXPORTS: usize = 4;

struct Entry {
    modified: Option<SystemTime>,
    len: u64,
    value: Arc<dyn std::any::Any + Send + Sync>,
}

type Cache = Mutex<HashMap<(PathBuf, &'static str), Entry>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// `build(text)` of the file at `path`, cached under `kind` until the file's metadata changes;
/// `None` when the file cannot be read or is too big.
pub fn cached<T: Send + Sync + 'static>(
    path: &Path,
    kind: &'static str,
    build: fn(&str, &Path) -> T,
) -> Option<Arc<T>> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file() && m.len() <= MAX_FILE_BYTES)?;
    let (modified, len) = (meta.modified().ok(), meta.len());
    let key = (path.to_path_buf(), kind);
    if let Ok(cache) = cache().lock()
        && let Some(entry) = cache.get(&key)
        && entry.modified == modified
        && entry.len == len
        && let Ok(value) = Arc::clone(&entry.value).downcast::<T>()
    {
        return Some(value);
    }
    let bytes = std::fs::read(path).ok()?;
    let value = Arc::new(build(&String::from_utf8_lossy(&bytes), path));
    if let Ok(mut cache) = cache().lock() {
        cache.insert(key, Entry { modified, len, value: value.clone() });
    }
    Some(value)
}

type Open = Mutex<HashMap<PathBuf, Arc<FileDefs>>>;

/// Files open in the editor, whose text may not be saved yet.
fn open_files() -> &'static Open {
    static OPEN: OnceLock<Open> = OnceLock::new();
    OPEN.get_or_init(Open::default)
}

/// Use `defs`, from the editor's text, for the file at `path` instead of the file on disk (`None`:
/// back to the disk, when the editor closes it). Returns the definitions it replaces.
pub fn set_open(path: &Path, defs: Option<Arc<FileDefs>>) -> Option<Arc<FileDefs>> {
    let mut open = open_files().lock().ok()?;
    match defs {
        Some(defs) => open.insert(path.to_path_buf(), defs),
        None => open.remove(path),
    }
}

/// The definitions of the Python file at `path`: from the editor when it is open there, else from disk.
pub fn file_defs(path: &Path) -> Option<Arc<FileDefs>> {
    if let Some(open) = open_files().lock().ok().and_then(|open| open.get(path).cloned()) {
        return Some(open);
    }
    cached(path, "defs", |text, path| {
        let parsed = parse_unchecked_source(text, PySourceType::Python);
        FileDefs::new(&parsed.syntax().body, text, Some(path.to_path_buf()))
    })
}

/// The file of module `parts` imported from the file `from` with `level` leading dots.
pub fn module_file(from: &Path, level: u32, parts: &[String]) -> Option<PathBuf> {
    let dir = from.parent()?;
    let roots: Vec<&Path> = if level > 0 {
        let mut base = dir;
        for _ in 1..level {
            base = base.parent()?;
        }
        vec![base]
    } else {
        dir.ancestors().take(ROOT_DEPTH + 1).collect()
    };
    roots.into_iter().find_map(|root| {
        let mut path = root.to_path_buf();
        path.extend(parts);
        // A package directory wins over a module of the same name, as in Python.
        let package = path.join("__init__.py");
        if package.is_file() {
            return Some(package);
        }
        let module = path.with_extension("py");
        (!parts.is_empty() && module.is_file()).then_some(module)
    })
}

/// The user definition a dotted chain names from the file `from`: the last part is the name, the
/// parts before it the module (`(0, [tasks, ops, my_op])` -> `my_op` of `tasks/ops.py`).
pub fn resolve_chain(from: &Path, level: u32, parts: &[String]) -> Option<Arc<UserDef>> {
    resolve_chain_at(from, level, parts, 0)
}

fn resolve_chain_at(from: &Path, level: u32, parts: &[String], depth: usize) -> Option<Arc<UserDef>> {
    let (name, module) = parts.split_last()?;
    let file = module_file(from, level, module)?;
    let defs = file_defs(&file)?;
    if let Some(def) = defs.find(name) {
        return Some(def.clone());
    }
    // A name the module imports from elsewhere (a re-export).
    if depth >= MAX_REEXPORTS {
        return None;
    }
    let (level, chain) = defs.bindings.target(name)?.chain(&[])?;
    resolve_chain_at(&file, level, &chain, depth + 1)
}

/// The user definition `target` (bound in the file `from`) and the attributes after it name.
pub fn resolve_target(from: &Path, target: &Target, attrs: &[&str]) -> Option<Arc<UserDef>> {
    let (level, parts) = target.chain(attrs)?;
    resolve_chain(from, level, &parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_packages_relative_imports_and_reexports() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let root = root.path();
        std::fs::create_dir_all(root.join("tasks/sub"))?;
        let op = "from pyinfra.api import operation\n@operation()\ndef OP(path):\n    yield path\n";
        std::fs::write(root.join("mylib.py"), op.replace("OP", "lib_op"))?;
        std::fs::write(root.join("tasks/ops.py"), op.replace("OP", "ops_op"))?;
        std::fs::write(root.join("tasks/__init__.py"), "from .ops import ops_op as again\n")?;
        std::fs::write(root.join("tasks/sub/deploy.py"), "")?;
        let deploy = root.join("tasks/sub/deploy.py");
        let chain = |s: &str| s.split('.').map(str::to_string).collect::<Vec<_>>();
        let name = |d: Option<Arc<UserDef>>| d.map(|d| d.name.clone());
        assert_eq!(name(resolve_chain(&deploy, 0, &chain("mylib.lib_op"))).as_deref(), Some("lib_op"));
        assert_eq!(name(resolve_chain(&deploy, 0, &chain("tasks.ops.ops_op"))).as_deref(), Some("ops_op"));
        assert_eq!(name(resolve_chain(&deploy, 2, &chain("ops.ops_op"))).as_deref(), Some("ops_op"));
        assert_eq!(name(resolve_chain(&deploy, 0, &chain("tasks.again"))).as_deref(), Some("ops_op"));
        assert_eq!(resolve_chain(&deploy, 0, &chain("tasks.nope")), None);
        assert_eq!(resolve_chain(&deploy, 0, &chain("nomodule.x")), None);
        // An edit on disk is seen at once.
        std::fs::write(root.join("mylib.py"), op.replace("OP", "renamed_op"))?;
        assert_eq!(resolve_chain(&deploy, 0, &chain("mylib.lib_op")), None);
        Ok(())
    }
}
