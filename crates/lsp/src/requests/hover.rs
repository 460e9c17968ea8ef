//! `textDocument/hover`: an operation's signature, documentation and arguments (on its name at a call
//! or in an import), a fact's arguments, value type and documentation, a module's summary, or one argument's type, default and meaning (on a keyword,
//! the operation's own or a global one).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{TextRange, TextSize};
use tower_lsp_server::ls_types::{self as lsp, Hover, HoverContents, MarkupContent, MarkupKind, Position};

use rinfra_facts::schema::catalogue;

use super::{argument_markdown, fact_markdown, operation_markdown};
use crate::analysis::Module;
use crate::fact::{self, FACTS, FactPath};
use crate::host_members::{HOST, HOST_DATA, HOST_DATA_MEMBERS, HOST_MEMBERS};
use crate::notifications::lsp_position;
use crate::operation::{OPERATIONS, OpPath, classify};
use crate::session::{OpenDocument, position};
use crate::workspace::DefKind;
use crate::workspace::inventory::data_keys;

/// The hover at `at`.
pub fn hover(doc: &OpenDocument, at: Position) -> Option<Hover> {
    let offset = doc.document.offset(position(at));
    let mut finder = Finder { module: &doc.module, offset, found: None };
    finder.visit_body(&doc.module.parsed.syntax().body);
    let (range, value) = finder.found?;
    let (start, end) = doc.document.range(range);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
        range: Some(lsp::Range { start: lsp_position(start), end: lsp_position(end) }),
    })
}

/// A hover with the call's per-host plan appended (or the plan alone where nothing else is shown).
pub fn with_hint(hover: Option<Hover>, hint: Option<String>) -> Option<Hover> {
    let Some(hint) = hint else { return hover };
    match hover {
        Some(Hover { contents: HoverContents::Markup(mut m), range }) => {
            m.value.push_str("\n---\n\n");
            m.value.push_str(&hint);
            Some(Hover { contents: HoverContents::Markup(m), range })
        }
        Some(other) => Some(other),
        None => Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: hint }),
            range: None,
        }),
    }
}

/// Markdown for a pyinfra path: an operation, a fact, or their module.
fn describe_path(path: &str) -> Option<String> {
    if let Some(below) = path.strip_prefix(OPERATIONS).and_then(|p| p.strip_prefix('.')) {
        return describe(below);
    }
    let below = path.strip_prefix(FACTS).and_then(|p| p.strip_prefix('.'))?;
    match fact::classify(below) {
        FactPath::Fact { module, fact } => Some(fact_markdown(&format!("{}.{}", module.name, fact.name), fact)),
        _ => {
            let module = catalogue().facts.iter().find(|m| m.name == below)?;
            Some(format!("```python\nmodule {FACTS}.{}\n```\n", module.name))
        }
    }
}

/// Markdown for a member of `host` or `host.data` (`pyinfra.host.get_fact`).
fn describe_host_member(path: &str) -> Option<String> {
    let (owner, name) = path.rsplit_once('.')?;
    let members = match owner {
        HOST => HOST_MEMBERS,
        HOST_DATA => HOST_DATA_MEMBERS,
        _ => return None,
    };
    let member = members.iter().find(|m| m.name == name)?;
    Some(format!("```python\n{}\n```\n\n{}\n", member.signature, member.doc))
}

/// Markdown for a path below `pyinfra.operations` (an operation or a module).
fn describe(path: &str) -> Option<String> {
    match classify(path) {
        OpPath::Operation { module, row, target } => {
            Some(operation_markdown(&format!("{}.{}", module.name, row.name), row, target))
        }
        _ => {
            let module = catalogue().operations.iter().find(|m| m.name == path)?;
            Some(format!("```python\nmodule {OPERATIONS}.{}\n```\n\n{}\n", module.name, module.doc))
        }
    }
}

/// Finds the innermost hoverable name at the offset.
struct Finder<'m> {
    module: &'m Module,
    offset: TextSize,
    found: Option<(TextRange, String)>,
}

impl Finder<'_> {
    fn hit(&self, range: TextRange) -> bool {
        range.contains_inclusive(self.offset)
    }

    fn qualified(&mut self, expr: &Expr, range: TextRange) {
        let Some(path) = self.module.bindings.qualified(expr) else {
            if let Some(def) = self.module.user_def(expr) {
                self.found = Some((range, def.markdown()));
            }
            return;
        };
        if let Some(md) = describe_path(&path).or_else(|| describe_host_member(&path)).or_else(|| self.data_key(&path))
        {
            self.found = Some((range, md));
        }
    }

    /// `host.data.port`: where the workspace's inventory and group data set the key, and to what.
    fn data_key(&self, path: &str) -> Option<String> {
        let key = path.strip_prefix(HOST_DATA)?.strip_prefix('.')?;
        let found = data_keys(self.module.path()?).into_iter().find(|k| k.key == key)?;
        let mut md = format!("```python\nhost.data.{key}\n```\n\nSet in the workspace:\n\n");
        for v in &found.values {
            md.push_str(&format!("- `{}`: `{}`\n", v.place, v.value));
        }
        Some(md)
    }

    /// A keyword of a call of the user's own operation or deploy: its parameter, or a global argument.
    fn user_keyword(&mut self, call: &ast::ExprCall) {
        let Some(def) = self.module.user_def(&call.func) else { return };
        if !matches!(def.kind, DefKind::Operation | DefKind::Deploy) {
            return;
        }
        for keyword in &call.arguments.keywords {
            let Some(name) = keyword.arg.as_ref().filter(|n| self.hit(n.range)) else { continue };
            if let Some(arg) = catalogue().global(name.as_str()) {
                // pyinfra takes a global argument's keyword first, even over a parameter of that name.
                self.found = Some((name.range, argument_markdown(arg, true)));
            } else if let Some(param) = def.keyword_param(name.as_str()) {
                self.found = Some((name.range, crate::requests::completion::user::param_markdown(&def, param)));
            }
        }
    }

    fn keyword(&mut self, call: &ast::ExprCall) {
        let Some(op) = self.module.op_call(call) else { return self.user_keyword(call) };
        for keyword in &call.arguments.keywords {
            let Some(name) = &keyword.arg else { continue };
            if !self.hit(name.range) {
                continue;
            }
            let own = op.param(name.as_str()).map(|a| (a, false));
            if let Some((arg, global)) = own.or_else(|| catalogue().global(name.as_str()).map(|a| (a, true))) {
                self.found = Some((name.range, argument_markdown(arg, global)));
            }
        }
    }

    fn import_from(&mut self, import: &ast::StmtImportFrom) {
        let Some(module) = import.module.as_ref().filter(|_| import.level == 0) else { return };
        for alias in &import.names {
            if self.hit(alias.name.range)
                && let Some(md) = describe_path(&format!("{module}.{}", alias.name))
            {
                self.found = Some((alias.name.range, md));
            }
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::ImportFrom(import) = stmt {
            self.import_from(import);
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Attribute(attr) if self.hit(attr.attr.range) => self.qualified(expr, attr.attr.range),
            Expr::Name(name) if self.hit(name.range) => self.qualified(expr, name.range),
            Expr::Call(call) => self.keyword(call),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::at_cursor;

    fn hover_text(src: &str) -> Option<String> {
        let (doc, at) = at_cursor(src);
        match hover(&doc, at)?.contents {
            HoverContents::Markup(m) => Some(m.value),
            _ => None,
        }
    }

    #[test]
    fn operation_at_a_call_and_in_an_import() {
        let md = hover_text("from pyinfra.operations import dnf\ndnf.ke$0y(src='x')").unwrap_or_default();
        assert!(md.starts_with("```python\ndnf.key(src: str)\n```"), "{md}");
        assert!(md.contains("**Arguments**\n\n- `src`: "), "{md}");
        let md = hover_text("from pyinfra.operations.dnf import $0key").unwrap_or_default();
        assert!(md.starts_with("```python\ndnf.key(src: str)"), "{md}");
    }

    #[test]
    fn deprecated_operation_names_its_replacement() {
        let md = hover_text("from pyinfra.operations import postgresql\npostgresql.s$0ql('x')").unwrap_or_default();
        assert!(md.contains("**Deprecated**: use `postgres.sql` instead."), "{md}");
    }

    #[test]
    fn module_and_arguments() {
        let md = hover_text("from pyinfra.operations import dnf\nd$0nf.key(src='x')").unwrap_or_default();
        assert!(md.starts_with("```python\nmodule pyinfra.operations.dnf\n```"), "{md}");
        let md = hover_text("from pyinfra.operations import dnf\ndnf.key(s$0rc='x')").unwrap_or_default();
        assert!(md.starts_with("```python\nsrc: str\n```"), "{md}");
        let md = hover_text("from pyinfra.operations import dnf\ndnf.key(src='x', _su$0do=True)").unwrap_or_default();
        assert!(md.contains("Global argument, accepted by every operation."), "{md}");
    }

    #[test]
    fn hover_range_is_the_name() {
        let (doc, at) = at_cursor("from pyinfra.operations import dnf\ndnf.ke$0y()");
        let range = hover(&doc, at).and_then(|h| h.range);
        assert_eq!(range.map(|r| (r.start.character, r.end.character)), Some((4, 7)));
    }

    #[test]
    fn facts() {
        let md = hover_text("from pyinfra.facts.files import Fi$0le\n").unwrap_or_default();
        assert!(md.starts_with("```python\nfiles.File(path: str) -> "), "{md}");
        let md =
            hover_text("from pyinfra import host\nfrom pyinfra.facts import files\nhost.get_fact(files.Fi$0le, '/')")
                .unwrap_or_default();
        assert!(md.starts_with("```python\nfiles.File(path: str) -> "), "{md}");
    }

    #[test]
    fn the_hint_is_appended_or_shown_alone() {
        let (doc, at) = at_cursor("from pyinfra.operations import dnf\ndnf.ke$0y(src='x')");
        let hint = Some("**no change (1 host)**\n".to_string());
        let text = |h: Option<Hover>| match h.map(|h| h.contents) {
            Some(HoverContents::Markup(m)) => m.value,
            _ => String::new(),
        };
        let md = text(with_hint(hover(&doc, at), hint.clone()));
        assert!(md.starts_with("```python\ndnf.key(") && md.ends_with("\n---\n\n**no change (1 host)**\n"), "{md}");
        assert_eq!(text(with_hint(None, hint)), "**no change (1 host)**\n");
        assert!(with_hint(None, None).is_none());
    }

    #[test]
    fn user_operations_facts_and_their_arguments() {
        let head = "from pyinfra import host\nfrom pyinfra.api import operation, FactBase\n\
                    @operation()\ndef my_op(path: str, mode='644'):\n    \"Set a mode.\"\n    yield 'x'\n\
                    class Mounts(FactBase):\n    def command(self, path):\n        return 'x'\n";
        let md = hover_text(&format!("{head}my_o$0p('/a')")).unwrap_or_default();
        assert_eq!(md, "```python\nmy_op(path: str, mode='644')\n```\n\nYour own operation.\n\nSet a mode.\n");
        let md = hover_text(&format!("{head}my_op('/a', mo$0de='1')")).unwrap_or_default();
        assert!(md.starts_with("```python\nmode='644'\n```\n\nArgument of your operation `my_op`."), "{md}");
        let md = hover_text(&format!("{head}my_op('/a', _su$0do=True)")).unwrap_or_default();
        assert!(md.contains("Global argument"), "{md}");
        let md = hover_text(&format!("{head}host.get_fact(Mou$0nts, '/')")).unwrap_or_default();
        assert!(md.starts_with("```python\nMounts(path)\n```\n\nYour own fact."), "{md}");
    }

    #[test]
    fn host_members() {
        let md = hover_text("from pyinfra import host\nhost.get_f$0act").unwrap_or_default();
        assert!(md.starts_with("```python\nget_fact(name_or_cls"), "{md}");
        let md = hover_text("from pyinfra import host\nhost.data.g$0et('x')").unwrap_or_default();
        assert!(md.starts_with("```python\nget(key: str, default=None)"), "{md}");
    }

    #[test]
    fn host_data_keys_show_where_they_are_set() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::write(root.path().join("inventory.py"), "web = [('web1', {'port': 8080})]\n")?;
        let src = "from pyinfra import host\nx = host.data.port\n";
        let doc = OpenDocument::new(1, src.to_string(), Some(&root.path().join("deploy.py")));
        let md = match hover(&doc, Position { line: 1, character: 16 }).map(|h| h.contents) {
            Some(HoverContents::Markup(m)) => m.value,
            _ => String::new(),
        };
        assert_eq!(md, "```python\nhost.data.port\n```\n\nSet in the workspace:\n\n- `web1`: `8080`\n");
        Ok(())
    }

    #[test]
    fn nothing_elsewhere() {
        assert_eq!(hover_text("import os\nos.pa$0th"), None);
        assert_eq!(hover_text("x = 1$0"), None);
    }
}
