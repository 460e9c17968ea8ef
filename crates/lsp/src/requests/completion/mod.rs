//! `textDocument/completion`: `host.` members and `host.data` keys (`host`), fact classes in
//! `host.get_fact(` and your own operations' keywords (`user`), modules after `from pyinfra.operations import ` and `pyinfra.operations.`,
//! operations after `apt.`, facts modules and fact classes likewise below `pyinfra.facts`, and inside an operation call its keyword arguments (its own first, then the
//! global ones, those already given left out) and the allowed values of an enum argument after `=`.
//!
//! The context is read from the text before the cursor where the tree may be broken mid-word, and
//! from the recovered tree for the enclosing call.

use ruff_python_ast::token::{TokenAt, TokenKind};
use ruff_text_size::{Ranged, TextSize};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionResponse, Documentation, MarkupContent,
    MarkupKind, Position,
};

use rinfra_facts::schema::{Arg, ArgKind, catalogue};

use super::{argument_markdown, enclosing_call, fact_markdown, fact_signature, operation_markdown, signature};
use crate::fact::FACTS;
use crate::operation::{OPERATIONS, OpCall};
use crate::session::{OpenDocument, position};

mod host;
pub(crate) mod user;

/// The completions at `at`.
pub fn completion(doc: &OpenDocument, at: Position) -> Option<CompletionResponse> {
    let items = items(doc, at);
    (!items.is_empty()).then_some(CompletionResponse::Array(items))
}

fn items(doc: &OpenDocument, at: Position) -> Vec<CompletionItem> {
    let offset = doc.document.offset(position(at));
    let line_start = doc.document.offset(position(Position { line: at.line, character: 0 }));
    let text = doc.document.text();
    let prefix = text.get(line_start.to_usize()..offset.to_usize()).unwrap_or("");
    // `host.data.get("` is the one string whose content is completed.
    if let Some(items) = host::data_key_string_items(doc, prefix) {
        return items;
    }
    if in_string_or_comment(doc, offset) {
        return Vec::new();
    }
    if let Some(items) = user::import_items(doc, prefix) {
        return items;
    }
    if let Some(items) = import_items(prefix) {
        return items;
    }
    let word = dotted_word(prefix);
    if let Some((base, _partial)) = word.rsplit_once('.') {
        let Some(path) = doc.module.bindings.qualified_text(base) else { return user::module_members(doc, base) };
        return host::member_items(doc, &path).unwrap_or_else(|| members(&path));
    }
    call_items(doc, offset, word.len())
}

/// Whether `offset` is inside a comment or a string, where nothing is completed.
fn in_string_or_comment(doc: &OpenDocument, offset: TextSize) -> bool {
    match doc.module.parsed.tokens().at_offset(offset) {
        TokenAt::Single(token) => match token.kind() {
            TokenKind::Comment => true,
            TokenKind::String | TokenKind::FStringMiddle | TokenKind::TStringMiddle => {
                token.start() < offset && offset < token.end()
            }
            _ => false,
        },
        _ => false,
    }
}

/// The dotted name that ends the text before the cursor (`ops.apt.pa` in `x = ops.apt.pa`).
fn dotted_word(prefix: &str) -> &str {
    let start = prefix.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).map_or(0, |i| i + 1);
    // `rfind` returns a byte index of a character that may be multi-byte: step past it safely.
    let start = (start..=prefix.len()).find(|&i| prefix.is_char_boundary(i)).unwrap_or(prefix.len());
    &prefix[start..]
}

/// Completions on an import line: `from pyinfra.operations[.m] import ...` and `import pyinfra.operations.`.
fn import_items(prefix: &str) -> Option<Vec<CompletionItem>> {
    let line = prefix.trim_start();
    if let Some(rest) = line.strip_prefix("from ") {
        let rest = rest.trim_start();
        return Some(match rest.split_once(" import ") {
            Some((module, _names)) => members(module.trim()),
            None => literal_members(rest),
        });
    }
    line.strip_prefix("import ").map(|rest| literal_members(rest.rsplit(',').next().unwrap_or("").trim()))
}

/// Members of a module path written out in full (`pyinfra.operations.fr` completes below `pyinfra.operations`).
fn literal_members(dotted: &str) -> Vec<CompletionItem> {
    match dotted.rsplit_once('.') {
        Some((base, _partial)) => members(base),
        None => Vec::new(),
    }
}

/// What can follow `path.`: modules and operations below `pyinfra.operations`, modules and facts
/// below `pyinfra.facts`.
fn members(path: &str) -> Vec<CompletionItem> {
    if let Some(below) = below(path, OPERATIONS) {
        return operation_members(below);
    }
    if let Some(below) = below(path, FACTS) {
        return fact_members(below);
    }
    Vec::new()
}

/// The part of `path` below `root` (`""` for `root` itself).
fn below<'a>(path: &'a str, root: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(root)?;
    if rest.is_empty() { Some("") } else { rest.strip_prefix('.') }
}

/// Operations of a module, or the modules and packages below a package (`""`: the top).
fn operation_members(below: &str) -> Vec<CompletionItem> {
    if let Some(module) = catalogue().operations.iter().find(|m| m.name == below) {
        return module
            .operations
            .iter()
            .map(|op| {
                let full = format!("{}.{}", module.name, op.name);
                let target = op.alias_of.and_then(|a| catalogue().operation(a)).map_or(op, |(_, t)| t);
                CompletionItem {
                    label: op.name.to_string(),
                    kind: Some(CompletionItemKind::FUNCTION),
                    detail: Some(signature(&full, target)),
                    documentation: Some(markdown(operation_markdown(&full, op, target))),
                    tags: op.deprecated.then(|| vec![CompletionItemTag::DEPRECATED]),
                    ..CompletionItem::default()
                }
            })
            .collect();
    }
    let prefix = if below.is_empty() { String::new() } else { format!("{below}.") };
    let mut names: Vec<(&str, &str)> = catalogue()
        .operations
        .iter()
        .filter_map(|m| {
            let rest = m.name.strip_prefix(prefix.as_str())?;
            let (name, doc) = match rest.split_once('.') {
                Some((package, _)) => (package, ""),
                None => (rest, m.doc),
            };
            Some((name, doc))
        })
        .collect();
    names.dedup_by_key(|(n, _)| *n);
    names.into_iter().map(|(name, doc)| module_item(name, doc)).collect()
}

/// Facts of a facts module, or the facts modules (`""`).
fn fact_members(below: &str) -> Vec<CompletionItem> {
    if below.is_empty() {
        return catalogue().facts.iter().map(|m| module_item(m.name, "")).collect();
    }
    let Some(module) = catalogue().facts.iter().find(|m| m.name == below) else { return Vec::new() };
    module
        .facts
        .iter()
        .map(|fact| {
            let full = format!("{}.{}", module.name, fact.name);
            CompletionItem {
                label: fact.name.to_string(),
                kind: Some(CompletionItemKind::CLASS),
                detail: Some(fact_signature(&full, fact)),
                documentation: Some(markdown(fact_markdown(&full, fact))),
                tags: fact.deprecated.then(|| vec![CompletionItemTag::DEPRECATED]),
                ..CompletionItem::default()
            }
        })
        .collect()
}

fn module_item(name: &str, doc: &str) -> CompletionItem {
    CompletionItem {
        label: name.to_string(),
        kind: Some(CompletionItemKind::MODULE),
        documentation: (!doc.is_empty()).then(|| markdown(doc.to_string())),
        ..CompletionItem::default()
    }
}

/// Inside an operation call: keyword arguments where one can start, enum values after `name=`; inside
/// `host.get_fact(`: fact classes, then the fact's arguments; inside a call of the user's own
/// operation or deploy: its keyword arguments.
fn call_items(doc: &OpenDocument, offset: TextSize, word_len: usize) -> Vec<CompletionItem> {
    let text = doc.document.text();
    let Some(call) = enclosing_call(&doc.module.parsed.syntax().body, text, offset) else { return Vec::new() };
    // The call's text from its `(` up to the word being typed, which may span several lines.
    let word_start = offset.to_usize().saturating_sub(word_len);
    let before = text.get(call.arguments.range.start().to_usize()..word_start).unwrap_or("").trim_end();
    let Some(op) = doc.module.op_call(call) else {
        return user::call_items(doc, call, before, TextSize::new(word_start as u32));
    };
    if before.ends_with('(') || before.ends_with(',') {
        return keyword_items(&op);
    }
    if let Some(head) = before.strip_suffix('=')
        && !head.ends_with(['=', '!', '<', '>'])
        && let Some(arg) = op.param(dotted_word(head.trim_end()))
    {
        return value_items(arg);
    }
    Vec::new()
}

/// Keyword arguments not given yet: the operation's own, then the global ones.
fn keyword_items(op: &OpCall<'_>) -> Vec<CompletionItem> {
    let given: Vec<&str> =
        op.call.arguments.keywords.iter().filter_map(|k| k.arg.as_ref().map(|a| a.as_str())).collect();
    let by_position = op.positional_args().count();
    let own = op.target.args.iter().filter(|a| a.kind == ArgKind::Normal).enumerate();
    let own = own.filter(|(i, a)| *i >= by_position && !given.contains(&a.name)).map(|(i, a)| item(a, false, i));
    let globals = catalogue().globals.iter().enumerate().filter(|(_, a)| !given.contains(&a.name));
    own.chain(globals.map(|(i, a)| item(a, true, i))).collect()
}

pub(super) fn item(arg: &Arg, global: bool, index: usize) -> CompletionItem {
    let detail = match super::default_repr(arg.default) {
        Some(d) => format!("{} = {d}", arg.ty),
        None => format!("{} (required)", arg.ty),
    };
    CompletionItem {
        label: format!("{}=", arg.name),
        kind: Some(CompletionItemKind::VARIABLE),
        detail: Some(detail),
        documentation: Some(markdown(argument_markdown(arg, global))),
        sort_text: Some(format!("{}{index:03}", u8::from(global))),
        filter_text: Some(arg.name.to_string()),
        insert_text: Some(format!("{}=", arg.name)),
        ..CompletionItem::default()
    }
}

/// The allowed values of an enum argument, as string literals.
fn value_items(arg: &Arg) -> Vec<CompletionItem> {
    arg.values
        .iter()
        .enumerate()
        .map(|(i, v)| CompletionItem {
            label: format!("\"{v}\""),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(format!("{}: {}", arg.name, arg.ty)),
            sort_text: Some(format!("{i:03}")),
            ..CompletionItem::default()
        })
        .collect()
}

pub(super) fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::requests::at_cursor;

    /// The labels completion offers at `$0` in `src`.
    pub(crate) fn labels(src: &str) -> Vec<String> {
        let (doc, at) = at_cursor(src);
        items(&doc, at).into_iter().map(|i| i.label).collect()
    }

    #[test]
    fn operations_after_the_module() {
        let ops = labels("from pyinfra.operations import dnf\ndnf.$0");
        assert_eq!(ops, ["key", "repo", "rpm", "update", "packages", "module"]);
        assert_eq!(labels("from pyinfra.operations import dnf\ndnf.pa$0"), ops);
        assert_eq!(labels("import pyinfra.operations.dnf as d\nif x:\n    d.$0\n"), ops);
        assert_eq!(labels("from pyinfra import operations as o\no.dnf.$0"), ops);
    }

    #[test]
    fn operation_items_carry_signature_and_doc() {
        let (doc, at) = at_cursor("from pyinfra.operations import dnf\ndnf.$0");
        let all = items(&doc, at);
        let Some(key) = all.iter().find(|i| i.label == "key") else { panic!("no key") };
        assert_eq!(key.detail.as_deref(), Some("dnf.key(src: str)"));
        assert!(
            matches!(&key.documentation, Some(Documentation::MarkupContent(m)) if m.value.contains("rpm --import"))
        );
    }

    #[test]
    fn modules_in_imports_and_after_the_package() {
        let top = labels("from pyinfra.operations import $0");
        assert!(top.contains(&"apt".to_string()) && top.contains(&"freebsd".to_string()));
        assert!(!top.iter().any(|l| l.contains('.')), "{top:?}");
        assert_eq!(labels("from pyinfra.operations import a$0"), top);
        assert_eq!(labels("import pyinfra.operations.$0"), top);
        assert_eq!(labels("from pyinfra.operations.freebsd import $0"), ["freebsd_update", "pkg", "service", "sysrc"]);
        assert_eq!(labels("from pyinfra.operations.dnf import k$0").first().map(String::as_str), Some("key"));
        assert_eq!(labels("from pyinfra import operations\noperations.$0"), top);
    }

    #[test]
    fn facts_modules_and_classes() {
        let modules = labels("from pyinfra.facts import $0");
        assert!(modules.contains(&"files".to_string()) && modules.contains(&"server".to_string()));
        let facts = labels("from pyinfra.facts.files import $0");
        assert!(facts.contains(&"File".to_string()) && facts.contains(&"FindFiles".to_string()));
        assert_eq!(labels("from pyinfra.facts import files\nfiles.$0"), facts);
        let (doc, at) = at_cursor("from pyinfra.facts.files import $0");
        let all = items(&doc, at);
        let Some(file) = all.iter().find(|i| i.label == "File") else { panic!("no File") };
        assert!(file.detail.as_deref().is_some_and(|d| d.starts_with("files.File(path: str) -> ")), "{file:?}");
        assert!(labels("from pyinfra.operationsx import $0").is_empty());
    }

    #[test]
    fn keyword_arguments_own_first_then_globals_without_given_ones() {
        let got = labels("from pyinfra.operations import dnf\ndnf.repo('epel', baseurl='x', $0)");
        assert_eq!(&got[..5], ["present=", "description=", "enabled=", "gpgcheck=", "gpgkey="]);
        assert!(!got.contains(&"src=".to_string()) && !got.contains(&"baseurl=".to_string()));
        assert_eq!(got[5], "_sudo=");
        assert!(got.contains(&"name=".to_string()));
        // Half-typed, across lines, with the rest of the file after it.
        let got = labels("from pyinfra.operations import dnf\ndnf.repo(\n    src='x',\n    ba$0\nx = 1\n");
        assert_eq!(got.first().map(String::as_str), Some("present="));
    }

    #[test]
    fn enum_values_after_equals() {
        let got = labels("from pyinfra.operations.freebsd import service\nservice.service('sshd', srvstate=$0)");
        assert_eq!(got, ["\"started\"", "\"stopped\"", "\"restarted\"", "\"reloaded\"", "\"custom\""]);
    }

    #[test]
    fn nothing_in_strings_comments_values_or_other_calls() {
        assert!(labels("from pyinfra.operations import dnf\nx = 'dnf.$0'").is_empty());
        assert!(labels("from pyinfra.operations import dnf\n# dnf.$0").is_empty());
        assert!(labels("from pyinfra.operations import dnf\ndnf.key(src=$0)").is_empty());
        assert!(labels("from pyinfra.operations import dnf\nprint($0)").is_empty());
        assert!(labels("import os\nos.$0").is_empty());
        assert!(labels("$0").is_empty());
    }
}
