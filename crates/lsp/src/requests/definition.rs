//! `textDocument/definition`: from the file named in `local.include("tasks/web.py")` or in the source
//! of `files.put` / `files.template`, to that file on the controller; from a name of the user's own
//! `@deploy` or `@operation` function or `FactBase` subclass, to its definition (in the same file or a
//! workspace module the file imports).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use std::path::PathBuf;

use ruff_text_size::{Ranged, TextRange, TextSize};
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Position, Position as LspPosition, Range, Uri};

use crate::analysis::Module;
use crate::host_members::HOST_DATA;
use crate::local::{INCLUDE, Kind, LocalFiles, include_source, local_source};
use crate::workspace::inventory::data_keys;

/// The path `host.data.get` resolves to.
const HOST_DATA_GET: &str = "pyinfra.host.data.get";
use crate::session::{OpenDocument, position};

/// The definition at `at`.
pub fn definition(doc: &OpenDocument, at: Position) -> Option<GotoDefinitionResponse> {
    let local = doc.local()?;
    let offset = doc.document.offset(position(at));
    let mut finder = Finder { module: &doc.module, local, offset, found: None, data: Vec::new() };
    finder.visit_body(&doc.module.parsed.syntax().body);
    let location = |(path, at): (PathBuf, (u32, u32))| {
        let at = LspPosition { line: at.0, character: at.1 };
        Some(Location { uri: Uri::from_file_path(path)?, range: Range { start: at, end: at } })
    };
    if !finder.data.is_empty() {
        let mut all: Vec<Location> = finder.data.into_iter().filter_map(location).collect();
        return match all.len() {
            0 => None,
            1 => all.pop().map(GotoDefinitionResponse::Scalar),
            _ => Some(GotoDefinitionResponse::Array(all)),
        };
    }
    location(finder.found?).map(GotoDefinitionResponse::Scalar)
}

struct Finder<'m> {
    module: &'m Module,
    local: &'m LocalFiles,
    offset: TextSize,
    /// The file and the (line, UTF-16 character) in it.
    found: Option<(PathBuf, (u32, u32))>,
    /// Every place that sets the `host.data` key under the cursor.
    data: Vec<(PathBuf, (u32, u32))>,
}

impl Finder<'_> {
    /// The places that set the `host.data` key `key`.
    fn data_key(&mut self, key: &str) {
        let Some(path) = self.module.path() else { return };
        if let Some(found) = data_keys(path).into_iter().find(|k| k.key == key) {
            self.data = found.values.into_iter().map(|v| (v.file, v.position)).collect();
        }
    }

    /// `host.data.port`, `host.data.get("port")`, `host.data["port"]` with the cursor on the key.
    fn host_data(&mut self, expr: &Expr) {
        let is_data = |e: &Expr| self.module.bindings.qualified(e).as_deref() == Some(HOST_DATA);
        let key = match expr {
            Expr::Attribute(attr) if attr.attr.range.contains_inclusive(self.offset) && is_data(&attr.value) => {
                Some(attr.attr.to_string())
            }
            Expr::Call(call) if self.module.bindings.qualified(&call.func).as_deref() == Some(HOST_DATA_GET) => {
                match call.arguments.args.first() {
                    Some(Expr::StringLiteral(s)) if s.range.contains_inclusive(self.offset) => {
                        Some(s.value.to_string())
                    }
                    _ => None,
                }
            }
            Expr::Subscript(sub) if is_data(&sub.value) => match &*sub.slice {
                Expr::StringLiteral(s) if s.range.contains_inclusive(self.offset) => Some(s.value.to_string()),
                _ => None,
            },
            _ => None,
        };
        if let Some(key) = key {
            self.data_key(&key);
        }
    }

    /// The user definition a name or attribute names, when the cursor is on that name.
    fn user_def(&mut self, expr: &Expr, name_range: TextRange) {
        if !name_range.contains_inclusive(self.offset) {
            return;
        }
        if let Some(def) = self.module.user_def_fresh(expr)
            && let Some(file) = &def.file
        {
            self.found = Some((file.clone(), def.position));
        }
    }

    /// The local file a call names, when the cursor is on that string.
    fn call(&mut self, call: &ast::ExprCall) {
        let literal = if self.module.bindings.qualified(&call.func).as_deref() == Some(INCLUDE) {
            include_source(call)
        } else {
            self.module.op_call(call).and_then(|op| local_source(&op)).map(|(literal, _)| literal)
        };
        let Some(literal) = literal.filter(|l| l.range().contains_inclusive(self.offset)) else { return };
        if let Some((path, Kind::File)) = self.local.find(literal.value.to_str()) {
            self.found = Some((path, (0, 0)));
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_> {
    fn visit_stmt(&mut self, stmt: &'a ast::Stmt) {
        // The names of `from tasks.web import install_web` lead to their definitions too.
        if let ast::Stmt::ImportFrom(import) = stmt {
            for alias in import.names.iter().filter(|a| a.name.range.contains_inclusive(self.offset)) {
                let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                if let Some(def) = self.module.user_def_named(bound.as_str())
                    && let Some(file) = &def.file
                {
                    self.found = Some((file.clone(), def.position));
                }
            }
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.host_data(expr);
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::Name(name) => self.user_def(expr, name.range),
            Expr::Attribute(attr) => self.user_def(expr, attr.attr.range),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_and_put_sources_open_the_file() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("tasks"))?;
        std::fs::write(root.path().join("tasks/web.py"), "")?;
        std::fs::write(root.path().join("motd"), "")?;
        let src = "from pyinfra import local\nfrom pyinfra.operations import files\n\
                   local.include('tasks/web.py')\nfiles.put(src='motd', dest='/etc/motd')\nfiles.put(src='nope', dest='/x')\n";
        let doc = OpenDocument::new(1, src.to_string(), Some(&root.path().join("deploy.py")));
        let target = |line, character| match definition(&doc, Position { line, character }) {
            Some(GotoDefinitionResponse::Scalar(location)) => location.uri.to_file_path().map(|p| p.into_owned()),
            _ => None,
        };
        let expect = |p: &str| std::path::absolute(root.path().join(p)).ok();
        assert_eq!(target(2, 18), expect("tasks/web.py"));
        assert_eq!(target(3, 16), expect("motd"));
        assert_eq!(target(4, 16), None);
        assert_eq!(target(3, 2), None);
        Ok(())
    }

    #[test]
    fn host_data_keys_open_where_they_are_set() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("group_data"))?;
        std::fs::write(root.path().join("inventory.py"), "web = [\n    ('web1', {'port': 8080}),\n]\n")?;
        std::fs::write(root.path().join("group_data/all.py"), "user = 'deploy'\nport = 22\n")?;
        let src =
            "from pyinfra import host\nhost.data.user\nhost.data.get('user')\nhost.data['user']\nhost.data.port\n";
        let doc = OpenDocument::new(1, src.to_string(), Some(&root.path().join("deploy.py")));
        let all = std::path::absolute(root.path().join("group_data/all.py"))?;
        let inventory = std::path::absolute(root.path().join("inventory.py"))?;
        let places = |line, character| -> Vec<(std::path::PathBuf, u32, u32)> {
            let locations = match definition(&doc, Position { line, character }) {
                Some(GotoDefinitionResponse::Scalar(l)) => vec![l],
                Some(GotoDefinitionResponse::Array(all)) => all,
                _ => Vec::new(),
            };
            locations
                .into_iter()
                .filter_map(|l| Some((l.uri.to_file_path()?.into_owned(), l.range.start.line, l.range.start.character)))
                .collect()
        };
        for (line, character) in [(1, 11), (2, 16), (3, 12)] {
            assert_eq!(places(line, character), [(all.clone(), 0, 0)], "line {line}");
        }
        assert_eq!(places(4, 11), [(inventory, 1, 14), (all, 1, 0)]);
        assert!(places(1, 2).is_empty());
        Ok(())
    }

    #[test]
    fn user_deploys_operations_and_facts_open_their_definition() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("tasks"))?;
        std::fs::write(
            root.path().join("tasks/web.py"),
            "from pyinfra.api import deploy, FactBase\n\n@deploy('Web')\ndef install_web(port=80):\n    pass\n\n\
             class Mounts(FactBase):\n    def command(self):\n        return 'mount'\n",
        )?;
        let src = "from pyinfra import host\nfrom pyinfra.api import operation\nfrom tasks.web import install_web\n\
                   import tasks.web\n@operation()\ndef local_op():\n    yield 'x'\n\
                   install_web(port=8080)\ntasks.web.Mounts\nlocal_op()\nprint(1)\n";
        let doc = OpenDocument::new(1, src.to_string(), Some(&root.path().join("deploy.py")));
        let target = |line, character| match definition(&doc, Position { line, character }) {
            Some(GotoDefinitionResponse::Scalar(location)) => location
                .uri
                .to_file_path()
                .map(|p| (p.into_owned(), location.range.start.line, location.range.start.character)),
            _ => None,
        };
        let web = std::path::absolute(root.path().join("tasks/web.py"))?;
        let deploy = std::path::absolute(root.path().join("deploy.py"))?;
        assert_eq!(target(7, 3), Some((web.clone(), 3, 4)));
        assert_eq!(target(2, 25), Some((web.clone(), 3, 4)));
        assert_eq!(target(8, 12), Some((web, 6, 6)));
        assert_eq!(target(9, 2), Some((deploy, 5, 4)));
        assert_eq!(target(10, 2), None);
        Ok(())
    }
}
