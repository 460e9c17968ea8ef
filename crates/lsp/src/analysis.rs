//! The analysis of one deploy file: parse (with recovery), resolve pyinfra imports, run the rules.
//! Never fails: broken input gives a partial tree, a syntax-error diagnostic and whatever else can be said.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ModModule, PySourceType, Stmt};
use ruff_python_parser::{Parsed, parse_unchecked_source};
use ruff_text_size::{Ranged, TextRange, TextSize};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diagnostic::Diagnostic;
use crate::fact::{self, FACTS, FactCall, FactPath, GET_FACT, fact_argument};
use crate::local::{INCLUDE, LocalFiles};
use crate::operation::{OPERATIONS, OpCall, OpPath, classify};
use crate::resolve::{Bindings, Target};
use crate::rules;
use crate::signature::Signature;
use crate::workspace::{DefKind, UserDef, defs, files};

/// Definitions looked up in other files, by (relative level, dotted chain).
type ImportMemo = HashMap<(u32, Vec<String>), Option<Arc<UserDef>>>;

/// A parsed file with its pyinfra bindings.
pub struct Module {
    /// The syntax tree (recovered where the text is broken) and the parse errors.
    pub parsed: Parsed<ModModule>,
    /// What the file's names stand for.
    pub bindings: Bindings,
    /// The user's `@operation`/`@deploy` functions and `FactBase` subclasses defined in the file.
    pub defs: Vec<Arc<UserDef>>,
    /// The source text.
    text: String,
    /// The file on disk, if the text is one: imports of the user's modules are resolved from it.
    path: Option<PathBuf>,
    /// Definitions already looked up in other files, by import chain (a deploy calls the same few many times).
    imported: Mutex<ImportMemo>,
}

impl Module {
    /// Parse `text` (not a file on disk: imports of the user's modules are not followed).
    pub fn parse(text: &str) -> Module {
        Module::parse_at(text, None)
    }

    /// Parse `text`, the content of the file at `path` if it is given.
    pub fn parse_at(text: &str, path: Option<&Path>) -> Module {
        let parsed = parse_unchecked_source(text, PySourceType::Python);
        let body = &parsed.syntax().body;
        let bindings = Bindings::collect(body);
        let defs = defs::collect(body, &bindings, text, path.map(Path::to_path_buf));
        Module {
            parsed,
            bindings,
            defs,
            text: text.to_string(),
            path: path.map(Path::to_path_buf),
            imported: Mutex::default(),
        }
    }

    /// The file on disk, if the text is one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The user's own operation, deploy or fact that `expr` (a name or attribute chain) names: defined
    /// in this file or in a workspace module it imports.
    pub fn user_def(&self, expr: &Expr) -> Option<Arc<UserDef>> {
        let (target, attrs) = self.bindings.workspace(expr)?;
        self.resolve_user(target, &attrs)
    }

    /// As [`Module::user_def`], looked up afresh: for go to definition, where a position that moved
    /// since the file was parsed matters.
    pub fn user_def_fresh(&self, expr: &Expr) -> Option<Arc<UserDef>> {
        let (target, attrs) = self.bindings.workspace(expr)?;
        match target {
            Target::Local(_) => self.resolve_user(target, &attrs),
            _ => {
                let (level, parts) = target.chain(&attrs)?;
                files::resolve_chain(self.path.as_deref()?, level, &parts)
            }
        }
    }

    /// The user's own operation, deploy or fact the name `name` is bound to.
    pub fn user_def_named(&self, name: &str) -> Option<Arc<UserDef>> {
        self.resolve_user(self.bindings.target(name)?, &[])
    }

    fn resolve_user(&self, target: &Target, attrs: &[&str]) -> Option<Arc<UserDef>> {
        if let Target::Local(name) = target {
            return attrs.is_empty().then(|| defs::only(&self.defs, name).cloned()).flatten();
        }
        let path = self.path.as_deref()?;
        let key = target.chain(attrs)?;
        if let Ok(memo) = self.imported.lock()
            && let Some(found) = memo.get(&key)
        {
            return found.clone();
        }
        let found = files::resolve_chain(path, key.0, &key.1);
        if let Ok(mut memo) = self.imported.lock() {
            memo.insert(key, found.clone());
        }
        found
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What `func` (the callee of a call) names below `pyinfra.operations`, if anything.
    pub fn operation_path(&self, func: &Expr) -> Option<String> {
        let path = self.bindings.qualified(func)?;
        Some(path.strip_prefix(OPERATIONS)?.strip_prefix('.')?.to_string())
    }

    /// Whether a syntax error lies inside `call` or right after it on its last line: then its arguments
    /// are the parser's guesses.
    pub fn call_is_broken(&self, call: &ast::ExprCall) -> bool {
        let text = self.text.as_str();
        let end = call.range().end().to_usize();
        let line_end = text.get(end..).and_then(|rest| rest.find(['\n', '\r'])).map_or(text.len(), |n| end + n);
        let span = TextRange::new(call.range().start(), TextSize::new(line_end as u32));
        self.parsed.errors().iter().any(|e| span.contains(e.location.start()))
    }

    /// The known operation `call` calls, if it calls one.
    pub fn op_call<'a>(&self, call: &'a ast::ExprCall) -> Option<OpCall<'a>> {
        match classify(&self.operation_path(&call.func)?) {
            OpPath::Operation { module, row, target } => Some(OpCall { call, module, row, target }),
            _ => None,
        }
    }
}

/// The result of analysing one file.
pub struct Analysis {
    /// Every problem found, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the file imports pyinfra (`check` skips files that do not).
    pub imports_pyinfra: bool,
}

/// Analyse the text of one file whose path is unknown (local files are not checked).
pub fn analyze(text: &str) -> Analysis {
    analyze_file(text, None)
}

/// Analyse the text of the deploy file at `path` (its local sources are checked when it is given).
pub fn analyze_file(text: &str, path: Option<&Path>) -> Analysis {
    let module = Module::parse_at(text, path);
    let local = path.map(LocalFiles::for_deploy);
    Analysis { diagnostics: diagnostics(&module, local.as_ref()), imports_pyinfra: module.bindings.imports_pyinfra() }
}

/// Every problem of a parsed file, ordered by position; `local` resolves the files it names.
pub fn diagnostics(module: &Module, local: Option<&LocalFiles>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    rules::syntax_error::check(&module.parsed, &mut diagnostics);
    let mut checker = Checker { module, local, diagnostics };
    checker.visit_body(&module.parsed.syntax().body);
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(|d| (d.range.start(), d.rule, d.range.end()));
    diagnostics.dedup();
    diagnostics
}

/// Walks the tree and hands imports and operation calls to the rules.
struct Checker<'m> {
    module: &'m Module,
    local: Option<&'m LocalFiles>,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// `host.get_fact(Fact, ...)`: the fact must exist and take the arguments.
    fn get_fact(&mut self, call: &ast::ExprCall) {
        let Some(fact_expr) = fact_argument(call) else { return };
        let Some(path) = self.module.bindings.qualified(fact_expr) else {
            if let Some(def) = self.module.user_def(fact_expr).filter(|d| d.kind == DefKind::Fact)
                && let Some(sig) = Signature::user(call, &def, 1)
                && !self.module.call_is_broken(call)
            {
                rules::invalid_fact_arguments::check(&sig, &mut self.diagnostics);
            }
            return;
        };
        let Some(below) = path.strip_prefix(FACTS).and_then(|p| p.strip_prefix('.')) else { return };
        match fact::classify(below) {
            FactPath::Fact { module, fact } => {
                let sig = Signature::fact(&FactCall { call, module, fact });
                rules::invalid_fact_arguments::check(&sig, &mut self.diagnostics)
            }
            FactPath::UnknownFact { module } => {
                rules::unknown_fact::check_get_fact(fact_expr, module, &mut self.diagnostics)
            }
            FactPath::Unchecked => {}
        }
    }

    fn call(&mut self, call: &ast::ExprCall) {
        match self.module.bindings.qualified(&call.func).as_deref() {
            Some(GET_FACT) => return self.get_fact(call),
            Some(INCLUDE) => {
                if let Some(local) = self.local {
                    rules::missing_local_file::check_include(call, local, &mut self.diagnostics);
                }
                return;
            }
            _ => {}
        }
        let Some(path) = self.module.operation_path(&call.func) else { return self.user_call(call) };
        match classify(&path) {
            OpPath::Operation { module, row, target } => {
                // Arguments of a broken call are the parser's guesses: judge only the name.
                let broken = self.module.call_is_broken(call);
                let call = OpCall { call, module, row, target };
                if broken {
                    rules::check_callee(&call, &mut self.diagnostics);
                } else {
                    rules::check_call(&call, &mut self.diagnostics);
                    if let Some(local) = self.local {
                        rules::check_local(&call, local, &mut self.diagnostics);
                    }
                }
            }
            OpPath::UnknownOperation { module } => {
                rules::unknown_operation::check_call(call, module, &mut self.diagnostics)
            }
            OpPath::UnknownModule { .. } | OpPath::Unchecked => {}
        }
    }
}

impl Checker<'_> {
    /// A call of the user's own operation or deploy: its arguments against its Python signature.
    fn user_call(&mut self, call: &ast::ExprCall) {
        let Some(def) = self.module.user_def(&call.func) else { return };
        if !matches!(def.kind, DefKind::Operation | DefKind::Deploy) || self.module.call_is_broken(call) {
            return;
        }
        if let Some(sig) = Signature::user(call, &def, 0) {
            rules::check_arguments(&sig, &mut self.diagnostics);
        }
    }
}

impl<'a> Visitor<'a> for Checker<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => rules::check_import(import, &mut self.diagnostics),
            Stmt::ImportFrom(import) => rules::check_import_from(import, &mut self.diagnostics),
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

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
    fn files_without_pyinfra_are_marked() {
        assert!(!analyze("import os\nprint(1)\n").imports_pyinfra);
        assert!(analyze("from pyinfra import host\n").imports_pyinfra);
    }

    #[test]
    fn arguments_of_a_broken_call_are_not_judged() {
        let src = "from pyinfra.operations import dnf\ndnf.repo(name='x', src:'y', present=False)\ndnf.key(srcc=1)\n\
                   dnf.key(name=\"a(\")\", src='x')\n";
        let codes: Vec<&str> = analyze(src).diagnostics.iter().map(|d| d.rule.code()).collect();
        assert_eq!(codes, ["RI000", "RI000", "RI000", "RI003", "RI002", "RI000"]);
    }

    /// `line:col CODE message` of every diagnostic of the file at `path`.
    fn found(text: &str, path: Option<&Path>) -> Vec<String> {
        let doc = crate::document::Document::new(text.to_string());
        analyze_file(text, path)
            .diagnostics
            .iter()
            .map(|d| {
                let at = doc.line_col(d.range.start());
                format!("{}:{} {} {}", at.line, at.column, d.rule.code(), d.message)
            })
            .collect()
    }

    const USER_OPS: &str = "from pyinfra import host\nfrom pyinfra.api import operation, deploy, FactBase\n\
        @operation()\ndef my_op(path, mode='644', *, user=None):\n    yield f'chmod {mode} {path}'\n\
        @operation\ndef loose(*args, **kwargs):\n    yield 'x'\n\
        @deploy('Web')\ndef web(port=80):\n    my_op(path='/srv')\n\
        class Mounts(FactBase):\n    def command(self, path, depth=1):\n        return 'x'\n\
        @operation()\ndef named(name):\n    yield name\n";

    #[test]
    fn user_operations_in_the_same_file_are_checked_from_their_signature() {
        let src = format!(
            "{USER_OPS}my_op('/a', '600', user='x', _sudo=True, name='n')\nloose(1, 2, anything=3)\nweb(8080, _sudo=True)\n\
             my_op(pth='/a')\nmy_op('/a', '1', 'x')\nweb(prot=1)\nnamed(name='x')\n\
             host.get_fact(Mounts, '/', depth=2)\nhost.get_fact(Mounts, dpth=2)\n"
        );
        assert_eq!(
            found(&src, None),
            [
                "21:1 RI003 `my_op` is missing required argument `path`",
                "21:7 RI002 Unknown argument `pth` for `my_op`; did you mean `path`?",
                "22:18 RI004 `my_op` takes 2 positional arguments but 3 were given",
                "23:5 RI002 Unknown argument `prot` for `web`; did you mean `port`?",
                "24:1 RI003 `named` is missing required argument `name`; `name` given by keyword is pyinfra's global \
                 argument, pass it by position",
                "26:1 RI010 Fact `Mounts` is missing required argument `path`",
                "26:23 RI010 Unknown argument `dpth` for fact `Mounts`; did you mean `depth`?",
            ]
        );
    }

    #[test]
    fn user_operations_imported_from_workspace_modules() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("tasks"))?;
        std::fs::write(root.path().join("tasks/ops.py"), USER_OPS)?;
        std::fs::write(root.path().join("mylib.py"), USER_OPS)?;
        let src = "from pyinfra import host\nfrom tasks.ops import my_op, Mounts\nimport mylib\nfrom tasks import ops\n\
                   my_op('/a')\nmylib.web(port=1)\nops.loose(x=1)\nhost.get_fact(Mounts, '/')\n\
                   my_op(mode='1')\nmylib.my_op('/a', usr='x')\nops.web(1, 2)\nhost.get_fact(mylib.Mounts)\n\
                   from tasks.nothing import ghost\nghost(anything=1)\nmylib.ghost(1)\n";
        assert_eq!(
            found(src, Some(&root.path().join("deploy.py"))),
            [
                "9:1 RI003 `my_op` is missing required argument `path`",
                "10:19 RI002 Unknown argument `usr` for `my_op`; did you mean `user`?",
                "11:12 RI004 `web` takes 1 positional argument but 2 were given",
                "12:1 RI010 Fact `Mounts` is missing required argument `path`",
            ]
        );
        // Without a path on disk, imports are not followed: nothing to say.
        assert!(found(src, None).is_empty());
        Ok(())
    }

    #[test]
    fn broken_input_never_panics() {
        for src in ["apt.packages(packages=[", "from pyinfra.operations import (", "def f(:\n  x", "\u{0}\u{feff}", ""]
        {
            let _ = analyze(src);
        }
    }
}
