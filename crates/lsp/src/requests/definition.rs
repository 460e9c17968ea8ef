//! `textDocument/definition`: from the file named in `local.include("tasks/web.py")` or in the source
//! of `files.put` / `files.template`, to that file on the controller.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextSize};
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Position, Range, Uri};

use crate::analysis::Module;
use crate::local::{INCLUDE, Kind, LocalFiles, include_source, local_source};
use crate::session::{OpenDocument, position};

/// The definition at `at`.
pub fn definition(doc: &OpenDocument, at: Position) -> Option<GotoDefinitionResponse> {
    let local = doc.local()?;
    let offset = doc.document.offset(position(at));
    let mut finder = Finder { module: &doc.module, local, offset, found: None };
    finder.visit_body(&doc.module.parsed.syntax().body);
    let uri = Uri::from_file_path(finder.found?)?;
    Some(GotoDefinitionResponse::Scalar(Location { uri, range: Range::default() }))
}

struct Finder<'m> {
    module: &'m Module,
    local: &'m LocalFiles,
    offset: TextSize,
    found: Option<std::path::PathBuf>,
}

impl Finder<'_> {
    /// The local file a call names, when the cursor is on that string.
    fn call(&mut self, call: &ast::ExprCall) {
        let literal = if self.module.bindings.qualified(&call.func).as_deref() == Some(INCLUDE) {
            include_source(call)
        } else {
            self.module.op_call(call).and_then(|op| local_source(&op)).map(|(literal, _)| literal)
        };
        let Some(literal) = literal.filter(|l| l.range().contains_inclusive(self.offset)) else { return };
        if let Some((path, Kind::File)) = self.local.find(literal.value.to_str()) {
            self.found = Some(path);
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.call(call);
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
}
