//! Requests from the client, one file each. Each is a pure function of an open document and a
//! position, so it is tested without a server.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextSize};

use rinfra_facts::schema::{Arg, ArgKind, Dflt, Fact, Operation};

pub mod completion;
pub mod definition;
pub mod hover;
pub mod inlay_hints;
pub mod signature_help;

/// Python's `repr` of a default value.
pub fn default_repr(default: Dflt) -> Option<String> {
    Some(match default {
        Dflt::Required => return None,
        Dflt::None => "None".into(),
        Dflt::Bool(b) => (if b { "True" } else { "False" }).into(),
        Dflt::Int(i) => i.to_string(),
        Dflt::Float(f) => format!("{f:?}"),
        Dflt::Str(s) => format!("{s:?}"),
        Dflt::Json(j) => match serde_json::from_str(j) {
            Ok(value) => py_repr(&value),
            Err(_) => j.to_string(),
        },
    })
}

/// A JSON value written as the Python literal it stands for.
fn py_repr(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "None".into(),
        Value::Bool(b) => (if *b { "True" } else { "False" }).into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => format!("[{}]", items.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let items: Vec<String> = map.iter().map(|(k, v)| format!("{k:?}: {}", py_repr(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// One parameter as in a Python signature: `present: bool = True`, `*args`, `**kwargs`.
pub fn param_signature(arg: &Arg) -> String {
    match arg.kind {
        ArgKind::VarArgs => format!("*{}", arg.name),
        ArgKind::VarKwargs => format!("**{}", arg.name),
        ArgKind::Normal => match default_repr(arg.default) {
            Some(d) => format!("{}: {} = {d}", arg.name, arg.ty),
            None => format!("{}: {}", arg.name, arg.ty),
        },
    }
}

/// `apt.packages(packages: ... = None, present: bool = True, ...)`.
pub fn signature(full_name: &str, op: &Operation) -> String {
    let params: Vec<String> = op.args.iter().map(param_signature).collect();
    format!("{full_name}({})", params.join(", "))
}

/// Markdown documentation of an operation: signature, deprecation, doc, arguments.
pub fn operation_markdown(full_name: &str, row: &Operation, target: &Operation) -> String {
    let mut md = format!("```python\n{}\n```\n", signature(full_name, target));
    if row.deprecated {
        let instead = row.replaced_by.map(|r| format!(": use `{r}` instead")).unwrap_or_default();
        md.push_str(&format!("\n**Deprecated**{instead}.\n"));
    }
    if !target.doc.is_empty() {
        md.push_str(&format!("\n{}\n", target.doc));
    }
    let documented: Vec<&Arg> = target.args.iter().filter(|a| !a.doc.is_empty()).collect();
    if !documented.is_empty() {
        md.push_str("\n**Arguments**\n\n");
        for a in documented {
            md.push_str(&format!("- `{}`: {}\n", a.name, a.doc));
        }
    }
    md
}

/// `files.File(path: str) -> <returns>`.
pub fn fact_signature(full_name: &str, fact: &Fact) -> String {
    let params: Vec<String> = fact.args.iter().map(param_signature).collect();
    format!("{full_name}({}) -> {}", params.join(", "), fact.returns)
}

/// Markdown documentation of a fact: signature (arguments and value), doc, arguments.
pub fn fact_markdown(full_name: &str, fact: &Fact) -> String {
    let mut md = format!("```python\n{}\n```\n", fact_signature(full_name, fact));
    if fact.deprecated {
        md.push_str("\n**Deprecated**.\n");
    }
    if let Some((parent, _)) = fact.short {
        md.push_str(&format!("\nDerived from `{parent}`.\n"));
    }
    if !fact.doc.is_empty() {
        md.push_str(&format!("\n{}\n", fact.doc));
    }
    let documented: Vec<&Arg> = fact.args.iter().filter(|a| !a.doc.is_empty()).collect();
    if !documented.is_empty() {
        md.push_str("\n**Arguments**\n\n");
        for a in documented {
            md.push_str(&format!("- `{}`: {}\n", a.name, a.doc));
        }
    }
    md
}

/// Markdown documentation of one argument; `global` for the `_sudo`-style arguments.
pub fn argument_markdown(arg: &Arg, global: bool) -> String {
    let mut md = format!("```python\n{}\n```\n", param_signature(arg));
    if !arg.values.is_empty() {
        let values: Vec<String> = arg.values.iter().map(|v| format!("`{v:?}`")).collect();
        md.push_str(&format!("\nOne of {}.\n", values.join(", ")));
    }
    if !arg.doc.is_empty() {
        md.push_str(&format!("\n{}\n", arg.doc));
    }
    if global {
        md.push_str("\nGlobal argument, accepted by every operation.\n");
    }
    md
}

/// The innermost call whose parentheses enclose `offset`.
pub fn enclosing_call<'a>(body: &'a [ast::Stmt], text: &str, offset: TextSize) -> Option<&'a ast::ExprCall> {
    let mut finder = CallFinder { text, offset, found: None };
    finder.visit_body(body);
    finder.found
}

struct CallFinder<'a, 't> {
    text: &'t str,
    offset: TextSize,
    found: Option<&'a ast::ExprCall>,
}

impl<'a> Visitor<'a> for CallFinder<'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            let args = call.arguments.range();
            // A call still being typed has no `)`: then its end counts as inside.
            let closed = self.text.get(..args.end().to_usize()).is_some_and(|t| t.ends_with(')'));
            let inside =
                args.start() < self.offset && (self.offset < args.end() || (!closed && self.offset == args.end()));
            if inside {
                // Visiting goes outside-in, so the last match is the innermost.
                self.found = Some(call);
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// Test helper: an open document of `src` with the cursor at the `$0` marker.
#[cfg(test)]
pub(crate) fn at_cursor(src: &str) -> (crate::session::OpenDocument, tower_lsp_server::ls_types::Position) {
    let offset = src.find("$0").unwrap_or(src.len());
    let text = src.replacen("$0", "", 1);
    let doc = crate::session::OpenDocument::new(1, text, None);
    let p = doc.document.position(TextSize::new(offset as u32));
    (doc, tower_lsp_server::ls_types::Position { line: p.line, character: p.character })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rinfra_facts::schema::arg;

    #[test]
    fn python_reprs() {
        assert_eq!(default_repr(Dflt::Str("a'b")).as_deref(), Some("\"a'b\""));
        assert_eq!(default_repr(Dflt::Json("[0, null, true]")).as_deref(), Some("[0, None, True]"));
        assert_eq!(default_repr(Dflt::Json("{\"a\": \"null\"}")).as_deref(), Some("{\"a\": \"null\"}"));
        assert_eq!(default_repr(Dflt::Required), None);
        assert_eq!(param_signature(&arg("present", "bool", Dflt::Bool(true), "")), "present: bool = True");
        assert_eq!(param_signature(&arg("src", "str", Dflt::Required, "")), "src: str");
    }
}
