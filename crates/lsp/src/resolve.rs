//! Which names of a deploy file stand for pyinfra: imports, as written, mapped to dotted paths.
//!
//! `from pyinfra.operations import apt` binds `apt` to `pyinfra.operations.apt`;
//! `import pyinfra.operations.files as f` binds `f`; `import pyinfra.operations.apt` binds `pyinfra`.
//! An expression `apt.packages` then resolves to `pyinfra.operations.apt.packages`.
//!
//! Python scoping is not modelled: a name bound anywhere in the file by anything but the same pyinfra
//! import (an assignment, a parameter, a loop variable, another import) is treated as unknown
//! everywhere, so a shadowed name is never checked against the schema (no false positives).
//!
//! Names that may stand for the user's own code — module-level functions and classes, imports of
//! non-pyinfra modules — are kept as a [`Target`] under the same rule, for `workspace` to look up.

use std::collections::HashMap;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Pattern, Stmt};

/// What a name is bound to across the file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Binding {
    /// Always the same pyinfra object, by its dotted path (`pyinfra.operations.apt`).
    Pyinfra(String),
    /// Always the same module-level definition or non-pyinfra import, which may be the user's own code.
    Workspace(Target),
    /// Bound to something else (or to different things).
    Other,
}

/// What a name bound by the user's own code stands for, before any file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `import mylib` / `import tasks.ops as ops`: a module, by its dotted name and relative level.
    Module {
        /// Dotted module name (empty for `from . import x`'s package).
        module: String,
        /// Leading dots of a relative import (0: absolute).
        level: u32,
    },
    /// `from tasks.ops import my_op`: a name of a module (a definition or a submodule).
    Member {
        /// Dotted module name.
        module: String,
        /// Leading dots of a relative import (0: absolute).
        level: u32,
        /// The imported name.
        name: String,
    },
    /// A function or class defined at the top level of this file.
    Local(String),
}

impl Target {
    /// The relative level and dotted parts this target and the attributes after it name
    /// (`mylib` + `my_op` -> `(0, ["mylib", "my_op"])`); `None` for a local definition.
    pub fn chain(&self, attrs: &[&str]) -> Option<(u32, Vec<String>)> {
        let (module, level, name) = match self {
            Target::Module { module, level } => (module, *level, None),
            Target::Member { module, level, name } => (module, *level, Some(name)),
            Target::Local(_) => return None,
        };
        let mut parts: Vec<String> = module.split('.').filter(|p| !p.is_empty()).map(str::to_string).collect();
        parts.extend(name.cloned());
        parts.extend(attrs.iter().map(|a| a.to_string()));
        Some((level, parts))
    }
}

/// The names of one file that resolve to pyinfra objects.
#[derive(Debug, Default, Clone)]
pub struct Bindings {
    names: HashMap<String, Binding>,
    imports_pyinfra: bool,
}

impl Bindings {
    /// Collect every binding of `body`.
    pub fn collect(body: &[Stmt]) -> Bindings {
        let mut collector = Collector { bindings: Bindings::default(), depth: 0 };
        collector.visit_body(body);
        collector.bindings
    }

    /// Whether the file imports anything from `pyinfra`.
    pub fn imports_pyinfra(&self) -> bool {
        self.imports_pyinfra
    }

    /// The dotted pyinfra path a name or attribute chain stands for (`apt.packages` ->
    /// `pyinfra.operations.apt.packages`), if it certainly stands for one.
    pub fn qualified(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => match self.names.get(name.id.as_str())? {
                Binding::Pyinfra(path) => Some(path.clone()),
                _ => None,
            },
            Expr::Attribute(attr) => {
                let mut base = self.qualified(&attr.value)?;
                base.push('.');
                base.push_str(attr.attr.as_str());
                Some(base)
            }
            _ => None,
        }
    }

    /// The user-code target a name or attribute chain starts from, with the attribute names after it
    /// (`mylib.my_op` -> `(Module mylib, ["my_op"])`), if its first name certainly stands for one.
    pub fn workspace<'e>(&self, expr: &'e Expr) -> Option<(&Target, Vec<&'e str>)> {
        match expr {
            Expr::Name(name) => match self.names.get(name.id.as_str())? {
                Binding::Workspace(target) => Some((target, Vec::new())),
                _ => None,
            },
            Expr::Attribute(attr) => {
                let (target, mut attrs) = self.workspace(&attr.value)?;
                attrs.push(attr.attr.as_str());
                Some((target, attrs))
            }
            _ => None,
        }
    }

    /// The user-code target and attributes of dotted source text (`mylib.sub` -> `(Module mylib, [sub])`).
    pub fn workspace_text<'t>(&self, dotted: &'t str) -> Option<(&Target, Vec<&'t str>)> {
        let mut parts = dotted.split('.');
        let target = self.target(parts.next()?)?;
        Some((target, parts.collect()))
    }

    /// The user-code target `name` is bound to, if it is bound to exactly one.
    pub fn target(&self, name: &str) -> Option<&Target> {
        match self.names.get(name)? {
            Binding::Workspace(target) => Some(target),
            _ => None,
        }
    }

    /// Every name certainly bound to a pyinfra object, with its dotted path.
    pub fn pyinfra_names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names.iter().filter_map(|(name, binding)| match binding {
            Binding::Pyinfra(path) => Some((name.as_str(), path.as_str())),
            _ => None,
        })
    }

    /// Every name certainly bound to one user-code target.
    pub fn workspace_names(&self) -> impl Iterator<Item = (&str, &Target)> {
        self.names.iter().filter_map(|(name, binding)| match binding {
            Binding::Workspace(target) => Some((name.as_str(), target)),
            _ => None,
        })
    }

    /// The dotted pyinfra path of dotted source text (`ops.apt` -> `pyinfra.operations.apt`), for
    /// places where the tree may be broken, such as the text before the cursor while typing.
    pub fn qualified_text(&self, dotted: &str) -> Option<String> {
        let (first, rest) = match dotted.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (dotted, None),
        };
        let Binding::Pyinfra(base) = self.names.get(first)? else { return None };
        Some(match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base.clone(),
        })
    }

    fn bind(&mut self, name: &str, binding: Binding) {
        self.names
            .entry(name.to_string())
            .and_modify(|old| {
                if *old != binding {
                    *old = Binding::Other;
                }
            })
            .or_insert(binding);
    }

    fn bind_other(&mut self, name: &str) {
        self.bind(name, Binding::Other);
    }
}

/// Whether a dotted module path is `pyinfra` or inside it.
pub fn is_pyinfra(module: &str) -> bool {
    module == "pyinfra" || module.starts_with("pyinfra.")
}

struct Collector {
    bindings: Bindings,
    /// How many functions and classes enclose the statement being visited (0: module level).
    depth: usize,
}

impl Collector {
    fn import(&mut self, import: &ast::StmtImport) {
        for alias in &import.names {
            let module = alias.name.as_str();
            self.bindings.imports_pyinfra |= is_pyinfra(module);
            // `import a.b.c` binds `a` (to `a`); `import a.b.c as x` binds `x` to `a.b.c`.
            let (bound, path) = match &alias.asname {
                Some(asname) => (asname.as_str(), module),
                None => {
                    let top = module.split('.').next().unwrap_or(module);
                    (top, top)
                }
            };
            let binding = if is_pyinfra(path) {
                Binding::Pyinfra(path.to_string())
            } else {
                Binding::Workspace(Target::Module { module: path.to_string(), level: 0 })
            };
            self.bindings.bind(bound, binding);
        }
    }

    fn import_from(&mut self, import: &ast::StmtImportFrom) {
        let module = match (&import.module, import.level) {
            (Some(module), 0) => Some(module.as_str()),
            _ => None,
        };
        let relative = import.module.as_ref().map_or("", |m| m.as_str());
        let pyinfra = module.filter(|m| is_pyinfra(m));
        self.bindings.imports_pyinfra |= pyinfra.is_some();
        for alias in &import.names {
            if alias.name.as_str() == "*" {
                continue;
            }
            let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
            let binding = match pyinfra {
                Some(m) => Binding::Pyinfra(format!("{m}.{}", alias.name.as_str())),
                None => Binding::Workspace(Target::Member {
                    module: relative.to_string(),
                    level: import.level,
                    name: alias.name.to_string(),
                }),
            };
            self.bindings.bind(bound, binding);
        }
    }

    fn pattern_names(&mut self, pattern: &Pattern) {
        match pattern {
            Pattern::MatchAs(p) => p.name.iter().for_each(|n| self.bindings.bind_other(n.as_str())),
            Pattern::MatchStar(p) => p.name.iter().for_each(|n| self.bindings.bind_other(n.as_str())),
            Pattern::MatchMapping(p) => p.rest.iter().for_each(|n| self.bindings.bind_other(n.as_str())),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Collector {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => self.import(import),
            Stmt::ImportFrom(import) => self.import_from(import),
            Stmt::FunctionDef(ast::StmtFunctionDef { name, .. }) | Stmt::ClassDef(ast::StmtClassDef { name, .. }) => {
                let binding =
                    if self.depth == 0 { Binding::Workspace(Target::Local(name.to_string())) } else { Binding::Other };
                self.bindings.bind(name.as_str(), binding);
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth -= 1;
                return;
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && matches!(name.ctx, ExprContext::Store | ExprContext::Del)
        {
            self.bindings.bind_other(name.id.as_str());
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
        self.bindings.bind_other(parameter.name.as_str());
        visitor::walk_parameter(self, parameter);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(name) = &h.name {
            self.bindings.bind_other(name.as_str());
        }
        visitor::walk_except_handler(self, handler);
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        self.pattern_names(pattern);
        visitor::walk_pattern(self, pattern);
    }

    fn visit_type_param(&mut self, type_param: &'a ast::TypeParam) {
        self.bindings.bind_other(type_param.name().as_str());
        visitor::walk_type_param(self, type_param);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_ast::PySourceType;
    use ruff_python_parser::parse_unchecked_source;

    /// The qualified path of the expression on the last line of `src`.
    fn resolve(src: &str) -> Option<String> {
        let parsed = parse_unchecked_source(src, PySourceType::Python);
        let body = &parsed.syntax().body;
        let bindings = Bindings::collect(body);
        let Some(Stmt::Expr(last)) = body.last() else { panic!("last statement is not an expression") };
        bindings.qualified(&last.value)
    }

    #[test]
    fn import_forms() {
        assert_eq!(
            resolve("from pyinfra.operations import apt, files\nfiles.put").as_deref(),
            Some("pyinfra.operations.files.put")
        );
        assert_eq!(
            resolve("import pyinfra.operations.files as f\nf.put").as_deref(),
            Some("pyinfra.operations.files.put")
        );
        assert_eq!(
            resolve("from pyinfra.operations.apt import packages\npackages").as_deref(),
            Some("pyinfra.operations.apt.packages")
        );
        assert_eq!(
            resolve("from pyinfra.operations.apt import packages as p\np").as_deref(),
            Some("pyinfra.operations.apt.packages")
        );
        assert_eq!(
            resolve("import pyinfra.operations.apt\npyinfra.operations.apt.update").as_deref(),
            Some("pyinfra.operations.apt.update")
        );
        assert_eq!(
            resolve("from pyinfra import operations as ops\nops.apt.update").as_deref(),
            Some("pyinfra.operations.apt.update")
        );
        assert_eq!(resolve("from pyinfra import host\nhost.name").as_deref(), Some("pyinfra.host.name"));
    }

    #[test]
    fn imports_inside_functions_count() {
        let src = "def f():\n    from pyinfra.operations import apt\n    apt.update()\napt.update";
        assert_eq!(resolve(src).as_deref(), Some("pyinfra.operations.apt.update"));
    }

    #[test]
    fn shadowed_names_are_unknown() {
        assert_eq!(resolve("from pyinfra.operations import apt\napt = 1\napt.update"), None);
        assert_eq!(resolve("from pyinfra.operations import apt\ndef f(apt): pass\napt.update"), None);
        assert_eq!(resolve("from pyinfra.operations import apt\nfor apt in x: pass\napt.update"), None);
        assert_eq!(resolve("from pyinfra.operations import apt\nimport apt\napt.update"), None);
        assert_eq!(resolve("from pyinfra.operations import apt\n[apt for apt in x]\napt.update"), None);
        assert_eq!(resolve("from mylib import apt\napt.update"), None);
        assert_eq!(resolve("from .ops import apt\napt.update"), None);
    }

    /// The user-code target and attributes of the expression on the last line of `src`.
    fn target(src: &str) -> Option<(Target, Vec<String>)> {
        let parsed = parse_unchecked_source(src, PySourceType::Python);
        let body = &parsed.syntax().body;
        let bindings = Bindings::collect(body);
        let Some(Stmt::Expr(last)) = body.last() else { panic!("last statement is not an expression") };
        bindings.workspace(&last.value).map(|(t, attrs)| (t.clone(), attrs.iter().map(|a| a.to_string()).collect()))
    }

    #[test]
    fn user_code_targets() {
        let member =
            |module: &str, level, name: &str| Target::Member { module: module.into(), level, name: name.into() };
        assert_eq!(target("from tasks.ops import my_op\nmy_op"), Some((member("tasks.ops", 0, "my_op"), vec![])));
        assert_eq!(target("from . import ops\nops.my_op"), Some((member("", 1, "ops"), vec!["my_op".into()])));
        assert_eq!(
            target("import tasks.ops\ntasks.ops.f"),
            Some((Target::Module { module: "tasks".into(), level: 0 }, vec!["ops".into(), "f".into()]))
        );
        assert_eq!(target("def f(): pass\nf"), Some((Target::Local("f".into()), vec![])));
        assert_eq!(target("class A:\n    def f(self): pass\nf"), None);
        assert_eq!(target("def f(): pass\nf = 1\nf"), None);
        assert_eq!(target("from pyinfra.operations import apt\napt"), None);
        let chain = member("tasks.ops", 0, "my_op").chain(&["x"]);
        assert_eq!(chain, Some((0, vec!["tasks".into(), "ops".into(), "my_op".into(), "x".into()])));
    }

    #[test]
    fn dotted_text() {
        let parsed = parse_unchecked_source("from pyinfra import operations as ops\nx = 1\n", PySourceType::Python);
        let bindings = Bindings::collect(&parsed.syntax().body);
        assert_eq!(bindings.qualified_text("ops.apt").as_deref(), Some("pyinfra.operations.apt"));
        assert_eq!(bindings.qualified_text("ops").as_deref(), Some("pyinfra.operations"));
        assert_eq!(bindings.qualified_text("x.y"), None);
        assert_eq!(bindings.qualified_text(""), None);
    }

    #[test]
    fn repeated_identical_imports_agree() {
        let src = "import pyinfra.operations.apt\nimport pyinfra.operations.files\npyinfra.operations.files.put";
        assert_eq!(resolve(src).as_deref(), Some("pyinfra.operations.files.put"));
    }
}
