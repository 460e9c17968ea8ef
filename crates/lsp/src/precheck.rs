//! The analysis's certain errors in the deploy files of a run, for `rinfra-exec` to refuse a deploy
//! before it connects to any host.
//!
//! Only findings that mean Python raises when it reaches the line block a run: an unknown
//! operation, module or fact, an argument the operation or fact does not take, a missing required one,
//! too many positional ones (RI001-RI004, RI008-RI010), and a literal of the wrong type for a global
//! argument (RI005 on `_sudo`, `_timeout`, ...: pyinfra's `ArgumentTypeError`). The others stay with
//! the editor and `rinfra-lsp check`: pyinfra runs a string given to an operation's own `bool`
//! (RI005), an unlisted value may be accepted by the host (RI006), and a local file may be made by
//! the deploy itself (RI011, RI012).
//! A file with a syntax error is left to Python, whose message names the real cause; the recovered
//! tree's other findings are guesses.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use ruff_python_ast::Expr;
use ruff_python_ast::visitor::{self, Visitor};

use ruff_text_size::{Ranged, TextRange};

use rinfra_facts::schema::catalogue;

use crate::analysis::{Module, diagnostics};
use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::local::{INCLUDE, include_source};
use crate::rules::Rule;

/// How deep `local.include` chains are followed (a file that includes itself stops at once anyway).
const MAX_INCLUDE_DEPTH: usize = 16;

/// A problem certain to stop the deploy, at a file position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// The file, as given (deploy files) or as written in `local.include` (relative to the working directory).
    pub path: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// The rule that found it.
    pub rule: Rule,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Blocker {
    /// `deploy.py:3:32: RI002 Unknown argument ...`, as `rinfra-lsp check` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {} {}", self.path.display(), self.line, self.column, self.rule.code(), self.message)
    }
}

/// Whether a rule's findings are certain errors that stop a run before it connects.
pub fn blocks(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::UnknownOperation
            | Rule::UnknownArgument
            | Rule::MissingArgument
            | Rule::TooManyPositional
            | Rule::UnknownModule
            | Rule::UnknownFact
            | Rule::InvalidFactArguments
    )
}

/// The blocking findings of `deploys` and of the files they `local.include` by a literal name that
/// exists (relative to the working directory, as the executor opens them). Files that cannot be read
/// as UTF-8 text are skipped: running them reports that.
pub fn check_deploys(deploys: &[PathBuf]) -> Vec<Blocker> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for deploy in deploys {
        check_file(deploy, 0, &mut seen, &mut out);
    }
    out
}

fn check_file(path: &Path, depth: usize, seen: &mut HashSet<PathBuf>, out: &mut Vec<Blocker>) {
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if depth > MAX_INCLUDE_DEPTH || !seen.insert(key) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(path) else { return };
    let module = Module::parse_at(&text, Some(path));
    if !module.parsed.errors().is_empty() {
        return;
    }
    let document = Document::new(text.clone());
    let mut calls = Calls { module: &module, includes: Vec::new(), global_values: HashSet::new() };
    calls.visit_body(&module.parsed.syntax().body);
    let certain =
        |d: &Diagnostic| blocks(d.rule) || (d.rule == Rule::WrongLiteralType && calls.global_values.contains(&d.range));
    for d in diagnostics(&module, None).into_iter().filter(certain) {
        let at = document.line_col(d.range.start());
        out.push(Blocker {
            path: path.to_path_buf(),
            line: at.line,
            column: at.column,
            rule: d.rule,
            message: d.message,
        });
    }
    for include in calls.includes {
        let include = PathBuf::from(include);
        if include.is_file() {
            check_file(&include, depth + 1, seen, out);
        }
    }
}

/// What the check needs from a file's calls besides the diagnostics.
struct Calls<'m> {
    module: &'m Module,
    /// The literal file names of `local.include(...)` calls.
    includes: Vec<String>,
    /// Where the values given to global arguments of operation calls are.
    global_values: HashSet<TextRange>,
}

impl<'a> Visitor<'a> for Calls<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if self.module.bindings.qualified(&call.func).as_deref() == Some(INCLUDE)
                && let Some(src) = include_source(call)
            {
                self.includes.push(src.value.to_str().to_string());
            }
            if let Some(op) = self.module.op_call(call) {
                for keyword in &call.arguments.keywords {
                    let Some(name) = &keyword.arg else { continue };
                    // An operation's own argument named like a global one is the operation's.
                    if op.param(name.as_str()).is_none() && catalogue().global(name.as_str()).is_some() {
                        self.global_values.insert(keyword.value.range());
                    }
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn certain_errors_block_and_heuristics_do_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let deploy = write(
            dir.path(),
            "deploy.py",
            "from pyinfra.operations import files, apt\n\
             files.directory(path='/x', nope=1)\n\
             files.nothere(path='/x')\n\
             apt.packages(packages=['a'], present='false')\n\
             files.put(src='no/such/file', dest='/x')\n\
             files.directory(present=False)\n\
             files.directory(path='/x', _sudo='yes', _timeout=5)\n",
        );
        let found: Vec<String> =
            check_deploys(&[deploy]).iter().map(|b| format!("{}:{} {}", b.line, b.column, b.rule.code())).collect();
        assert_eq!(found, ["2:28 RI002", "3:7 RI001", "6:1 RI003", "7:34 RI005"]);
    }

    #[test]
    fn literal_includes_are_followed_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let task = dir.path().join("task.py");
        let include = format!("from pyinfra import local\nlocal.include('{}')\n", task.display());
        write(dir.path(), "task.py", &format!("{include}from pyinfra.operations import files\nfiles.nothere()\n"));
        let deploy = write(dir.path(), "deploy.py", &include);
        let found = check_deploys(&[deploy]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].to_string(),
            format!("{}:4:7: RI001 Unknown operation `nothere` in `pyinfra.operations.files`", task.display())
        );
    }

    #[test]
    fn a_syntax_error_is_left_to_python() {
        let dir = tempfile::tempdir().expect("tempdir");
        let deploy = write(
            dir.path(),
            "deploy.py",
            "from pyinfra.operations import files\nfiles.nothere(\nfiles.directory(path='/x'\n",
        );
        assert_eq!(check_deploys(&[deploy]), []);
    }
}
