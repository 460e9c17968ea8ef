//! The analysis of one deploy file: parse (with recovery), resolve pyinfra imports, run the rules.
//! Never fails: broken input gives a partial tree, a syntax-error diagnostic and whatever else can be said.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ModModule, PySourceType, Stmt};
use ruff_python_parser::{Parsed, parse_unchecked_source};
use ruff_text_size::{Ranged, TextRange, TextSize};

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::fact::{self, FACTS, FactCall, FactPath, GET_FACT, fact_argument};
use crate::local::{INCLUDE, LocalFiles};
use crate::operation::{OPERATIONS, OpCall, OpPath, classify};
use crate::resolve::Bindings;
use crate::rules;

/// A parsed file with its pyinfra bindings.
pub struct Module {
    /// The syntax tree (recovered where the text is broken) and the parse errors.
    pub parsed: Parsed<ModModule>,
    /// What the file's names stand for.
    pub bindings: Bindings,
    /// The source text.
    text: String,
}

impl Module {
    /// Parse `text`.
    pub fn parse(text: &str) -> Module {
        let parsed = parse_unchecked_source(text, PySourceType::Python);
        let bindings = Bindings::collect(&parsed.syntax().body);
        Module { parsed, bindings, text: text.to_string() }
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
    let module = Module::parse(text);
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
        let Some(path) = self.module.bindings.qualified(fact_expr) else { return };
        let Some(below) = path.strip_prefix(FACTS).and_then(|p| p.strip_prefix('.')) else { return };
        match fact::classify(below) {
            FactPath::Fact { module, fact } => {
                rules::invalid_fact_arguments::check(&FactCall { call, module, fact }, &mut self.diagnostics)
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
        let Some(path) = self.module.operation_path(&call.func) else { return };
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

    #[test]
    fn broken_input_never_panics() {
        for src in ["apt.packages(packages=[", "from pyinfra.operations import (", "def f(:\n  x", "\u{0}\u{feff}", ""]
        {
            let _ = analyze(src);
        }
    }
}
