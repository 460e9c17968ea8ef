//! Completion of the user's own code and of `host.get_fact(`: the operations, deploys and facts of a
//! workspace module (after `mylib.` or `from tasks.ops import `), the keyword arguments of a call of
//! the user's `@operation` / `@deploy` function (its own, then the global ones), and in
//! `host.get_fact(` the fact classes, then the fact's arguments.

use ruff_python_ast as ast;
use ruff_text_size::{Ranged, TextSize};
use tower_lsp_server::ls_types::{CompletionItem, CompletionItemKind};

use rinfra_facts::schema::{ArgKind, catalogue};

use super::{item, markdown};
use crate::fact::{self, FACTS, FactPath, GET_FACT, fact_argument};
use crate::requests::{fact_markdown, fact_signature};
use crate::session::OpenDocument;
use crate::workspace::{DefKind, ParamKind, UserDef, files};

/// Completions in `call`, a call of no catalogue operation; `before` is its text from `(` to the
/// word being typed, which starts at `word_start`.
pub fn call_items(doc: &OpenDocument, call: &ast::ExprCall, before: &str, word_start: TextSize) -> Vec<CompletionItem> {
    let at_argument = before.ends_with('(') || before.ends_with(',');
    if !at_argument {
        return Vec::new();
    }
    if doc.module.bindings.qualified(&call.func).as_deref() == Some(GET_FACT) {
        return if before.ends_with('(') { fact_classes(doc) } else { fact_keywords(doc, call, word_start) };
    }
    match doc.module.user_def(&call.func) {
        Some(def) if matches!(def.kind, DefKind::Operation | DefKind::Deploy) => {
            keywords(&def, call, 0, word_start, true)
        }
        _ => Vec::new(),
    }
}

/// After `mylib.` or `tasks.ops.`: the user's operations, deploys and facts of that workspace module.
pub fn module_members(doc: &OpenDocument, base: &str) -> Vec<CompletionItem> {
    let Some((target, attrs)) = doc.module.bindings.workspace_text(base) else { return Vec::new() };
    let Some((level, parts)) = target.chain(&attrs) else { return Vec::new() };
    defs_of_module(doc, level, &parts)
}

/// After `from tasks.ops import ` (or `from .ops import `): the definitions of that workspace module.
pub fn import_items(doc: &OpenDocument, prefix: &str) -> Option<Vec<CompletionItem>> {
    let rest = prefix.trim_start().strip_prefix("from ")?;
    let (module, _names) = rest.split_once(" import ")?;
    let module = module.trim();
    if crate::resolve::is_pyinfra(module) {
        return None;
    }
    let dotted = module.trim_start_matches('.');
    let level = (module.len() - dotted.len()) as u32;
    let parts: Vec<String> = dotted.split('.').filter(|p| !p.is_empty()).map(str::to_string).collect();
    Some(defs_of_module(doc, level, &parts))
}

/// The user definitions of the module `parts` imported with `level` leading dots from the document.
fn defs_of_module(doc: &OpenDocument, level: u32, parts: &[String]) -> Vec<CompletionItem> {
    let Some(from) = doc.module.path() else { return Vec::new() };
    let Some(defs) = files::module_file(from, level, parts).and_then(|f| files::file_defs(&f)) else {
        return Vec::new();
    };
    defs.defs
        .iter()
        .filter(|d| defs.find(&d.name).is_some())
        .map(|d| CompletionItem {
            label: d.name.clone(),
            kind: Some(if d.kind == DefKind::Fact { CompletionItemKind::CLASS } else { CompletionItemKind::FUNCTION }),
            detail: Some(d.signature()),
            documentation: Some(markdown(d.markdown())),
            ..CompletionItem::default()
        })
        .collect()
}

/// The fact classes the file can name: imported catalogue facts, facts modules, the user's own facts.
fn fact_classes(doc: &OpenDocument) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    for (name, path) in doc.module.bindings.pyinfra_names() {
        let Some(below) = path.strip_prefix(FACTS).and_then(|p| p.strip_prefix('.')) else { continue };
        match fact::classify(below) {
            FactPath::Fact { module, fact } => {
                let full = format!("{}.{}", module.name, fact.name);
                out.push(CompletionItem {
                    label: name.to_string(),
                    kind: Some(CompletionItemKind::CLASS),
                    detail: Some(fact_signature(&full, fact)),
                    documentation: Some(markdown(fact_markdown(&full, fact))),
                    ..CompletionItem::default()
                });
            }
            _ if catalogue().facts.iter().any(|m| m.name == below) => out.push(CompletionItem {
                label: name.to_string(),
                kind: Some(CompletionItemKind::MODULE),
                detail: Some(format!("module {path}")),
                ..CompletionItem::default()
            }),
            _ => {}
        }
    }
    for (name, _) in doc.module.bindings.workspace_names() {
        if let Some(def) = doc.module.user_def_named(name).filter(|d| d.kind == DefKind::Fact) {
            out.push(CompletionItem {
                label: name.to_string(),
                kind: Some(CompletionItemKind::CLASS),
                detail: Some(def.signature()),
                documentation: Some(markdown(def.markdown())),
                ..CompletionItem::default()
            });
        }
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// The arguments of the fact a `host.get_fact(Fact, ` call names.
fn fact_keywords(doc: &OpenDocument, call: &ast::ExprCall, word_start: TextSize) -> Vec<CompletionItem> {
    let Some(fact_expr) = fact_argument(call) else { return Vec::new() };
    if let Some(path) = doc.module.bindings.qualified(fact_expr) {
        let Some(below) = path.strip_prefix(FACTS).and_then(|p| p.strip_prefix('.')) else { return Vec::new() };
        let FactPath::Fact { fact, .. } = fact::classify(below) else { return Vec::new() };
        let given = given_keywords(call);
        let by_position = positional_before(call, 1, word_start);
        return fact
            .args
            .iter()
            .take_while(|a| a.kind == ArgKind::Normal)
            .enumerate()
            .filter(|(i, a)| *i >= by_position && !given.contains(&a.name))
            .map(|(i, a)| item(a, false, i))
            .collect();
    }
    match doc.module.user_def(fact_expr) {
        Some(def) if def.kind == DefKind::Fact => keywords(&def, call, 1, word_start, false),
        _ => Vec::new(),
    }
}

/// The keywords the call has given.
fn given_keywords(call: &ast::ExprCall) -> Vec<&str> {
    call.arguments.keywords.iter().filter_map(|k| k.arg.as_ref().map(|a| a.as_str())).collect()
}

/// How many positional arguments (after the first `skip`) end before the word being typed, which the
/// recovered tree may hold as one more positional argument.
fn positional_before(call: &ast::ExprCall, skip: usize, word_start: TextSize) -> usize {
    call.arguments.args.iter().skip(skip).take_while(|a| !a.is_starred_expr() && a.range().end() <= word_start).count()
}

/// A user definition's keyword arguments not given yet, then the global ones when `globals`.
fn keywords(
    def: &UserDef,
    call: &ast::ExprCall,
    skip: usize,
    word_start: TextSize,
    globals: bool,
) -> Vec<CompletionItem> {
    let Some(params) = &def.params else { return Vec::new() };
    let given = given_keywords(call);
    let by_position = positional_before(call, skip, word_start);
    let mut out: Vec<CompletionItem> = params
        .iter()
        .enumerate()
        .filter(|(i, p)| match p.kind {
            ParamKind::Normal => *i >= by_position,
            ParamKind::KeywordOnly => true,
            _ => false,
        })
        // A parameter named like a global argument cannot be given by keyword: pyinfra takes it first.
        .filter(|(_, p)| {
            let taken_as_global = globals && catalogue().global(&p.name).is_some();
            !given.contains(&p.name.as_str()) && !taken_as_global
        })
        .map(|(i, p)| {
            let detail = match (&p.annotation, &p.default) {
                (Some(a), Some(d)) => format!("{a} = {d}"),
                (None, Some(d)) => format!("= {d}"),
                (Some(a), None) => format!("{a} (required)"),
                (None, None) => "(required)".to_string(),
            };
            CompletionItem {
                label: format!("{}=", p.name),
                kind: Some(CompletionItemKind::VARIABLE),
                detail: Some(detail),
                documentation: Some(markdown(param_markdown(def, p))),
                sort_text: Some(format!("0{i:03}")),
                filter_text: Some(p.name.clone()),
                insert_text: Some(format!("{}=", p.name)),
                ..CompletionItem::default()
            }
        })
        .collect();
    if globals {
        let globals = catalogue().globals.iter().enumerate().filter(|(_, a)| !given.contains(&a.name));
        out.extend(globals.map(|(i, a)| item(a, true, i)));
    }
    out
}

/// One parameter of a user definition: its signature, whose it is, its docstring line.
pub fn param_markdown(def: &UserDef, param: &crate::workspace::Param) -> String {
    let mut md =
        format!("```python\n{}\n```\n\nArgument of your {} `{}`.\n", param.signature(), def.kind.noun(), def.name);
    if !param.doc.is_empty() {
        md.push_str(&format!("\n{}\n", param.doc));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::super::items;
    use crate::requests::at_cursor;

    fn labels(src: &str) -> Vec<String> {
        let (doc, at) = at_cursor(src);
        items(&doc, at).into_iter().map(|i| i.label).collect()
    }

    const OPS: &str = "from pyinfra import host\nfrom pyinfra.api import operation, FactBase\n\
                       from pyinfra.facts.server import LinuxName\nfrom pyinfra.facts import files\n\
                       @operation()\ndef my_op(path, mode='644', *, user=None, **extra):\n    yield 'x'\n\
                       class Mounts(FactBase):\n    def command(self, path, depth=1):\n        return 'x'\n";

    #[test]
    fn user_operation_keywords_then_globals() {
        let got = labels(&format!("{OPS}my_op($0)"));
        assert_eq!(&got[..4], ["path=", "mode=", "user=", "_sudo="]);
        let got = labels(&format!("{OPS}my_op('/a', user='x', mo$0)"));
        assert_eq!(got.first().map(String::as_str), Some("mode="));
        assert!(!got.contains(&"path=".to_string()) && !got.contains(&"user=".to_string()));
        assert!(labels(&format!("{OPS}my_op(path=$0)")).is_empty());
    }

    #[test]
    fn members_of_a_workspace_module() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("tasks"))?;
        std::fs::write(root.path().join("tasks/ops.py"), OPS)?;
        let src = "import tasks.ops\nfrom tasks import ops\nops.\ntasks.ops.\nfrom tasks.ops import \n";
        let doc = crate::session::OpenDocument::new(1, src.to_string(), Some(&root.path().join("deploy.py")));
        for (line, character) in [(2, 4), (3, 10), (4, 22)] {
            let at = tower_lsp_server::ls_types::Position { line, character };
            let got: Vec<(String, Option<String>)> = items(&doc, at).into_iter().map(|i| (i.label, i.detail)).collect();
            assert_eq!(
                got,
                [
                    ("my_op".to_string(), Some("my_op(path, mode='644', *, user=None, **extra)".to_string())),
                    ("Mounts".to_string(), Some("Mounts(path, depth=1)".to_string())),
                ]
            );
        }
        Ok(())
    }

    #[test]
    fn get_fact_classes_then_their_arguments() {
        assert_eq!(labels(&format!("{OPS}host.get_fact($0)")), ["LinuxName", "Mounts", "files"]);
        assert_eq!(labels(&format!("{OPS}host.get_fact(Mounts, $0)")), ["path=", "depth="]);
        assert_eq!(labels(&format!("{OPS}host.get_fact(files.File, $0)")), ["path="]);
        assert_eq!(labels(&format!("{OPS}host.get_fact(files.File, '/a', $0)")), Vec::<String>::new());
    }
}
