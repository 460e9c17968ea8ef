//! The user's own pyinfra definitions in one parsed file: `@operation()` and `@deploy()` functions and
//! `FactBase` subclasses at module level, with their Python signatures read from the source (never run).

use std::path::PathBuf;
use std::sync::Arc;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::document::Document;
use crate::resolve::{Bindings, Target};

/// Paths the `@operation` decorator resolves to.
const OPERATION_DECORATORS: &[&str] = &["pyinfra.api.operation", "pyinfra.api.operation.operation"];
/// Paths the `@deploy` decorator resolves to.
const DEPLOY_DECORATORS: &[&str] = &["pyinfra.api.deploy", "pyinfra.api.deploy.deploy"];
/// Paths of the fact base class.
const FACT_BASES: &[&str] = &["pyinfra.api.FactBase", "pyinfra.api.facts.FactBase"];

/// What a user definition is to pyinfra.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    /// A function decorated with `@operation()`.
    Operation,
    /// A function decorated with `@deploy()`.
    Deploy,
    /// A `FactBase` subclass; its parameters are those of its `command` method after `self`.
    Fact,
}

impl DefKind {
    /// The word for it in messages and hovers.
    pub fn noun(self) -> &'static str {
        match self {
            DefKind::Operation => "operation",
            DefKind::Deploy => "deploy",
            DefKind::Fact => "fact",
        }
    }
}

/// How a Python parameter can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Before `/`: by position only.
    PositionalOnly,
    /// By position or keyword.
    Normal,
    /// After `*` or `*args`: by keyword only.
    KeywordOnly,
    /// `*args`.
    VarArgs,
    /// `**kwargs`.
    VarKwargs,
}

/// One parameter of a user definition, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// How it can be given.
    pub kind: ParamKind,
    /// The annotation's source text.
    pub annotation: Option<String>,
    /// The default's source text (`None`: required, for normal parameters).
    pub default: Option<String>,
    /// Its line in the docstring (`+ path: ...`, `:param path: ...`, or under `Args:`), if any.
    pub doc: String,
}

impl Param {
    /// As in a Python signature: `path: str = "/"`, `*args`, `**kwargs`.
    pub fn signature(&self) -> String {
        let mut out = match self.kind {
            ParamKind::VarArgs => format!("*{}", self.name),
            ParamKind::VarKwargs => format!("**{}", self.name),
            _ => self.name.clone(),
        };
        if let Some(annotation) = &self.annotation {
            out.push_str(": ");
            out.push_str(annotation);
        }
        if let Some(default) = &self.default {
            out.push_str(if self.annotation.is_some() { " = " } else { "=" });
            out.push_str(default);
        }
        out
    }

    /// Whether a call must give it.
    pub fn required(&self) -> bool {
        self.default.is_none()
            && matches!(self.kind, ParamKind::PositionalOnly | ParamKind::Normal | ParamKind::KeywordOnly)
    }
}

/// One user definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDef {
    /// Operation, deploy or fact.
    pub kind: DefKind,
    /// The function or class name.
    pub name: String,
    /// Its parameters; `None` for a fact without its own `command` method (not checked).
    pub params: Option<Vec<Param>>,
    /// Its docstring, dedented.
    pub doc: String,
    /// The file it is defined in, when it is a file on disk.
    pub file: Option<PathBuf>,
    /// The range of its name, in its file.
    pub name_range: TextRange,
    /// The start of its name as an LSP position (line, UTF-16 character).
    pub position: (u32, u32),
}

impl UserDef {
    /// `my_op(path: str, present=True)`; a fact shows its `command` parameters (`MyFact(path)`).
    pub fn signature(&self) -> String {
        let Some(list) = &self.params else { return format!("{}(...)", self.name) };
        // The `/` and `*` markers of the source, where they change how arguments can be given.
        let mut params: Vec<String> = Vec::new();
        for (i, p) in list.iter().enumerate() {
            let previous = i.checked_sub(1).map(|j| list[j].kind);
            if p.kind != ParamKind::PositionalOnly && previous == Some(ParamKind::PositionalOnly) {
                params.push("/".into());
            }
            if p.kind == ParamKind::KeywordOnly
                && !matches!(previous, Some(ParamKind::KeywordOnly | ParamKind::VarArgs))
            {
                params.push("*".into());
            }
            params.push(p.signature());
        }
        if list.last().is_some_and(|p| p.kind == ParamKind::PositionalOnly) {
            params.push("/".into());
        }
        let params = params.join(", ");
        format!("{}({params})", self.name)
    }

    /// Markdown for hovers and completion items: signature, kind, docstring.
    pub fn markdown(&self) -> String {
        let file = self.file.as_ref().and_then(|f| f.file_name()).map(|f| f.to_string_lossy().into_owned());
        let at = file.map(|f| format!(", defined in `{f}`")).unwrap_or_default();
        let mut md = format!("```python\n{}\n```\n\nYour own {}{at}.\n", self.signature(), self.kind.noun());
        if !self.doc.is_empty() {
            md.push_str(&format!("\n{}\n", self.doc));
        }
        md
    }

    /// The parameter `name` that can be given by keyword.
    pub fn keyword_param(&self, name: &str) -> Option<&Param> {
        self.params
            .iter()
            .flatten()
            .find(|p| p.name == name && matches!(p.kind, ParamKind::Normal | ParamKind::KeywordOnly))
    }
}

/// The user definitions of one file, and its bindings (to follow re-exports).
#[derive(Debug, Default)]
pub struct FileDefs {
    /// Module-level definitions, in source order.
    pub defs: Vec<Arc<UserDef>>,
    /// What the file's names stand for.
    pub bindings: Bindings,
}

impl FileDefs {
    /// The definitions and bindings of a parsed file; `file` is where it is on disk.
    pub fn new(body: &[Stmt], text: &str, file: Option<PathBuf>) -> FileDefs {
        let bindings = Bindings::collect(body);
        FileDefs { defs: collect(body, &bindings, text, file), bindings }
    }

    /// Whether a call checked against `self` could be judged differently against `other`: the same
    /// definitions with the same parameters (positions aside) and the same imports.
    pub fn same_signatures(&self, other: &FileDefs) -> bool {
        let shape = |f: &FileDefs| -> Vec<(DefKind, String, Option<Vec<Param>>)> {
            f.defs.iter().map(|d| (d.kind, d.name.clone(), d.params.clone())).collect()
        };
        let mut mine: Vec<_> = self.bindings.workspace_names().collect();
        let mut theirs: Vec<_> = other.bindings.workspace_names().collect();
        mine.sort_unstable_by_key(|(n, _)| *n);
        theirs.sort_unstable_by_key(|(n, _)| *n);
        shape(self) == shape(other) && mine == theirs
    }

    /// The module-level definition `name`, if the file binds that name to it and nothing else.
    pub fn find(&self, name: &str) -> Option<&Arc<UserDef>> {
        if self.bindings.target(name) != Some(&Target::Local(name.to_string())) {
            return None;
        }
        only(&self.defs, name)
    }
}

/// The one definition named `name` in `defs`: a name defined twice (`if`/`else` variants) is ambiguous.
pub fn only<'d>(defs: &'d [Arc<UserDef>], name: &str) -> Option<&'d Arc<UserDef>> {
    let mut found = defs.iter().filter(|d| d.name == name);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The user definitions of a parsed file whose names `bindings` resolves; `file` is where it is on disk.
pub fn collect(body: &[Stmt], bindings: &Bindings, text: &str, file: Option<PathBuf>) -> Vec<Arc<UserDef>> {
    let mut defs = Vec::new();
    let mut names = Vec::new();
    // The line index is built only once a definition is found: most files have none.
    let mut document = None;
    collect_into(body, bindings, text, &mut document, &file, &mut defs, &mut names);
    // A name defined twice (a decorated and a plain variant under `if`/`else`) is ambiguous.
    defs.retain(|d| names.iter().filter(|n| **n == d.name).count() == 1);
    defs
}

/// Module-level statements, including those inside `if`/`try` blocks.
fn collect_into(
    body: &[Stmt],
    bindings: &Bindings,
    text: &str,
    document: &mut Option<Document>,
    file: &Option<PathBuf>,
    out: &mut Vec<Arc<UserDef>>,
    names: &mut Vec<String>,
) {
    for stmt in body {
        let def = match stmt {
            Stmt::FunctionDef(f) => {
                names.push(f.name.to_string());
                function(f, bindings, text)
            }
            Stmt::ClassDef(c) => {
                names.push(c.name.to_string());
                class(c, bindings, text)
            }
            Stmt::If(s) => {
                collect_into(&s.body, bindings, text, document, file, out, names);
                for clause in &s.elif_else_clauses {
                    collect_into(&clause.body, bindings, text, document, file, out, names);
                }
                None
            }
            Stmt::Try(s) => {
                collect_into(&s.body, bindings, text, document, file, out, names);
                None
            }
            _ => None,
        };
        if let Some((kind, name, mut params, doc, name_range)) = def {
            for param in params.iter_mut().flatten() {
                param.doc = param_doc(&doc, &param.name);
            }
            let p = document.get_or_insert_with(|| Document::new(text.to_string())).position(name_range.start());
            out.push(Arc::new(UserDef {
                kind,
                name,
                params,
                doc,
                file: file.clone(),
                name_range,
                position: (p.line, p.character),
            }));
        }
    }
}

type Found = (DefKind, String, Option<Vec<Param>>, String, TextRange);

fn function(f: &ast::StmtFunctionDef, bindings: &Bindings, text: &str) -> Option<Found> {
    let kind = f.decorator_list.iter().find_map(|d| {
        // `@operation()` and `@operation` alike.
        let callee = match &d.expression {
            Expr::Call(call) => &call.func,
            other => other,
        };
        let path = bindings.qualified(callee)?;
        if OPERATION_DECORATORS.contains(&path.as_str()) {
            Some(DefKind::Operation)
        } else if DEPLOY_DECORATORS.contains(&path.as_str()) {
            Some(DefKind::Deploy)
        } else {
            None
        }
    })?;
    // Another decorator may change the signature: then the arguments are not checked.
    let params = (f.decorator_list.len() == 1).then(|| params(&f.parameters, text, 0));
    Some((kind, f.name.to_string(), params, docstring(&f.body), f.name.range))
}

fn class(c: &ast::StmtClassDef, bindings: &Bindings, text: &str) -> Option<Found> {
    let bases = c.arguments.as_ref().map(|a| &a.args[..]).unwrap_or_default();
    let is_fact = bases.iter().any(|b| {
        let base = match b {
            Expr::Subscript(s) => &*s.value,
            other => other,
        };
        bindings.qualified(base).is_some_and(|p| FACT_BASES.contains(&p.as_str()))
    });
    if !is_fact {
        return None;
    }
    let command = c.body.iter().find_map(|s| match s {
        Stmt::FunctionDef(f) if f.name.as_str() == "command" => Some(f),
        _ => None,
    });
    // A `command` that is a property or static method takes no call arguments we can read: unchecked.
    let plain = command.filter(|f| f.decorator_list.is_empty());
    let params = plain.map(|f| params(&f.parameters, text, 1));
    Some((DefKind::Fact, c.name.to_string(), params, docstring(&c.body), c.name.range))
}

/// The parameters of a signature, skipping the first `skip` positional ones (`self`).
fn params(parameters: &ast::Parameters, text: &str, skip: usize) -> Vec<Param> {
    let source = |e: &Expr| text.get(e.range().start().to_usize()..e.range().end().to_usize()).map(str::to_string);
    let param = |p: &ast::Parameter, kind: ParamKind, default: Option<&Expr>| Param {
        name: p.name.to_string(),
        kind,
        annotation: p.annotation.as_deref().and_then(source),
        default: default.and_then(source),
        doc: String::new(),
    };
    let positional = parameters
        .posonlyargs
        .iter()
        .map(|p| (p, ParamKind::PositionalOnly))
        .chain(parameters.args.iter().map(|p| (p, ParamKind::Normal)))
        .skip(skip);
    let mut out: Vec<Param> = positional.map(|(p, kind)| param(&p.parameter, kind, p.default.as_deref())).collect();
    out.extend(parameters.vararg.iter().map(|p| param(p, ParamKind::VarArgs, None)));
    out.extend(parameters.kwonlyargs.iter().map(|p| param(&p.parameter, ParamKind::KeywordOnly, p.default.as_deref())));
    out.extend(parameters.kwarg.iter().map(|p| param(p, ParamKind::VarKwargs, None)));
    out
}

/// The documentation of parameter `name` in a docstring: pyinfra's `+ name: text`, Sphinx's
/// `:param name: text`, or `name: text` / `name (type): text` under `Args:` (Google style).
fn param_doc(doc: &str, name: &str) -> String {
    let mut in_args = false;
    for line in doc.lines() {
        let trimmed = line.trim();
        if matches!(trimmed, "Args:" | "Arguments:" | "Parameters:") {
            in_args = true;
            continue;
        }
        let entry = trimmed
            .strip_prefix("+ ")
            .or_else(|| trimmed.strip_prefix(":param "))
            .or_else(|| in_args.then_some(trimmed));
        let Some((head, text)) = entry.and_then(|e| e.split_once(':')) else { continue };
        if head.trim().split([' ', '(']).next() == Some(name) {
            return text.trim().to_string();
        }
    }
    String::new()
}

/// The docstring of a body, with common indentation removed.
fn docstring(body: &[Stmt]) -> String {
    let Some(Stmt::Expr(e)) = body.first() else { return String::new() };
    let Expr::StringLiteral(s) = &*e.value else { return String::new() };
    let raw = s.value.to_str();
    let mut lines = raw.lines();
    let first = lines.next().unwrap_or("").trim().to_string();
    let rest: Vec<&str> = lines.collect();
    let indent =
        rest.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let mut out = vec![first];
    out.extend(rest.iter().map(|l| l.get(indent..).unwrap_or(l.trim_start()).trim_end().to_string()));
    out.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_ast::PySourceType;
    use ruff_python_parser::parse_unchecked_source;

    fn defs(src: &str) -> Vec<Arc<UserDef>> {
        let parsed = parse_unchecked_source(src, PySourceType::Python);
        FileDefs::new(&parsed.syntax().body, src, None).defs
    }

    #[test]
    fn operations_deploys_and_facts_with_signatures() {
        let src = "from pyinfra.api import operation, deploy, FactBase\nimport pyinfra.api as api\n\n\
                   @operation()\ndef my_op(path: str, /, mode='644', *extra, user: str | None = None, **kw):\n    \
                   \"\"\"Ensure a thing.\n\n    More words.\n    \"\"\"\n    yield 'x'\n\n\
                   @api.deploy('Web')\ndef web(port=80):\n    pass\n\n\
                   class MyFact(FactBase):\n    '''A fact.'''\n    def command(self, path, depth=1):\n        return 'x'\n\n\
                   @operation\ndef bare(): yield 'y'\n\ndef plain(x): pass\nclass Other: pass\n";
        let got = defs(src);
        let summary: Vec<(DefKind, String)> = got.iter().map(|d| (d.kind, d.signature())).collect();
        assert_eq!(
            summary,
            [
                (DefKind::Operation, "my_op(path: str, /, mode='644', *extra, user: str | None = None, **kw)".into()),
                (DefKind::Deploy, "web(port=80)".into()),
                (DefKind::Fact, "MyFact(path, depth=1)".into()),
                (DefKind::Operation, "bare()".into()),
            ]
        );
        assert_eq!(got[0].doc, "Ensure a thing.\n\nMore words.");
        assert_eq!(got[0].params.as_ref().map(|p| p[0].kind), Some(ParamKind::PositionalOnly));
        assert_eq!(got[0].position, (4, 4));
        assert_eq!(got[2].doc, "A fact.");
        let doc = "Do it.\n\n+ path: where\n:param mode: how\n\nArgs:\n    user (str): who\n    group: with whom";
        let docs: Vec<String> = ["path", "mode", "user", "group", "other"].iter().map(|n| param_doc(doc, n)).collect();
        assert_eq!(docs, ["where", "how", "who", "with whom", ""]);
    }

    #[test]
    fn other_decorators_and_double_definitions_leave_calls_unchecked() {
        let src = "from pyinfra.api import operation\nimport functools\n\
                   @functools.wraps(print)\n@operation()\ndef wrapped(a):\n    yield a\n\
                   if X:\n    @operation()\n    def twice(a):\n        yield a\nelse:\n    @operation()\n    def twice(a, b):\n        yield a\n\
                   @operation()\ndef rebound(a):\n    yield a\nrebound = functools.partial(rebound, 1)\n\
                   if Y:\n    @operation()\n    def half(a):\n        yield a\nelse:\n    def half(a, b):\n        pass\n";
        let parsed = parse_unchecked_source(src, PySourceType::Python);
        let file = FileDefs::new(&parsed.syntax().body, src, None);
        assert_eq!(file.defs.iter().find(|d| d.name == "wrapped").map(|d| d.params.is_none()), Some(true));
        assert!(file.find("twice").is_none());
        assert!(file.find("rebound").is_none());
        assert!(file.find("half").is_none());
    }

    #[test]
    fn facts_without_a_plain_command_are_unchecked() {
        let src = "from pyinfra.api.facts import FactBase\nclass A(FactBase[str]):\n    pass\n\
                   class B(FactBase):\n    @staticmethod\n    def command(path): return path\n";
        let got = defs(src);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|d| d.params.is_none()));
    }
}
