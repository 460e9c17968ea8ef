//! Files on the controller that a deploy names (`files.put(src="files/motd")`). pyinfra resolves them
//! against the directory it was started from, which a static check cannot know; the usual choices are
//! the deploy's own directory or one of its parents (the project root), so a path is found when it
//! exists relative to any of them.

use std::path::{Path, PathBuf};

use ruff_python_ast::{self as ast, Expr};

use crate::operation::OpCall;

/// What a local path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (or a link to one).
    File,
    /// A directory (or a link to one).
    Dir,
}

/// Where a deploy's relative local paths may start from.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    bases: Vec<PathBuf>,
}

impl LocalFiles {
    /// For the deploy file at `deploy`: its directory and every parent of it.
    pub fn for_deploy(deploy: &Path) -> LocalFiles {
        let absolute = std::path::absolute(deploy).unwrap_or_else(|_| deploy.to_path_buf());
        let bases = absolute.parent().map(|dir| dir.ancestors().map(Path::to_path_buf).collect()).unwrap_or_default();
        LocalFiles { bases }
    }

    /// What `path` is, looked up from each base in turn (an absolute path as is); the first hit wins.
    pub fn kind(&self, path: &str) -> Option<Kind> {
        self.find(path).map(|(_, kind)| kind)
    }

    /// The first existing file or directory that `path` names, and what it is.
    pub fn find(&self, path: &str) -> Option<(PathBuf, Kind)> {
        let path = Path::new(path);
        let candidates: Vec<PathBuf> = if path.is_absolute() {
            vec![path.to_path_buf()]
        } else {
            self.bases.iter().map(|b| b.join(path)).collect()
        };
        candidates.into_iter().find_map(|p| match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => Some((p, Kind::Dir)),
            Ok(_) => Some((p, Kind::File)),
            Err(_) => None,
        })
    }
}

/// The local source an operation reads (`src` of `files.put`, `files.template`, `files.sync`) when it
/// is a plain string literal, with what it must be. `None` when the call does not name one for sure
/// (a computed path, an IO object, `assume_exists` set to anything but `False`).
pub fn local_source<'a>(call: &OpCall<'a>) -> Option<(&'a ast::ExprStringLiteral, Kind)> {
    if call.module.name != "files" {
        return None;
    }
    let want = match call.row.name {
        "put" => Kind::File,
        "template" => Kind::File,
        "sync" => Kind::Dir,
        _ => return None,
    };
    let args = call.bound_args();
    let value = |name: &str| args.iter().find(|(a, _)| a.name == name).map(|(_, e)| *e);
    if let Some(assume) = value("assume_exists")
        && !matches!(assume, Expr::BooleanLiteral(b) if !b.value)
    {
        return None;
    }
    match value("src")? {
        Expr::StringLiteral(literal) => Some((literal, want)),
        _ => None,
    }
}

/// The path that pyinfra's `local.include` resolves to.
pub const INCLUDE: &str = "pyinfra.local.include";

/// The file a `local.include("tasks/x.py")` call names, when it is a plain string literal.
pub fn include_source(call: &ast::ExprCall) -> Option<&ast::ExprStringLiteral> {
    let first = call.arguments.args.first().filter(|e| !e.is_starred_expr());
    let by_name = call.arguments.keywords.iter().find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "filename"));
    match first.or(by_name.map(|k| &k.value))? {
        Expr::StringLiteral(literal) => Some(literal),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_from_the_deploy_directory_or_a_parent() -> std::io::Result<()> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("deploys/files"))?;
        std::fs::create_dir_all(root.path().join("templates"))?;
        std::fs::write(root.path().join("deploys/files/motd"), "hi")?;
        std::fs::write(root.path().join("templates/site.j2"), "{{ x }}")?;
        let local = LocalFiles::for_deploy(&root.path().join("deploys/web.py"));
        assert_eq!(local.kind("files/motd"), Some(Kind::File));
        assert_eq!(local.kind("templates/site.j2"), Some(Kind::File));
        assert_eq!(local.kind("templates"), Some(Kind::Dir));
        assert_eq!(local.kind("nope/motd"), None);
        let absolute = root.path().join("templates/site.j2");
        assert_eq!(local.kind(&absolute.to_string_lossy()), Some(Kind::File));
        Ok(())
    }
}
