//! What a dotted path below `pyinfra.operations` names in the catalogue, and a call of an operation
//! with its arguments matched to the operation's parameters.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use rinfra_facts::schema::{Arg, ArgKind, Operation, OperationModule, catalogue};

/// The prefix of every operations path.
pub const OPERATIONS: &str = "pyinfra.operations";

/// What a path below `pyinfra.operations` (`apt.packages`, `freebsd.pkg`) names.
#[derive(Debug, Clone, Copy)]
pub enum OpPath {
    /// An operation of a module the catalogue has a schema for.
    Operation {
        /// Its module.
        module: &'static OperationModule,
        /// The row as written (may be an alias or deprecated).
        row: &'static Operation,
        /// The operation whose parameters apply (the alias target, or `row` itself).
        target: &'static Operation,
    },
    /// A name the module does not have.
    UnknownOperation {
        /// The module, which has a schema.
        module: &'static OperationModule,
    },
    /// A module or package name that pyinfra does not have.
    UnknownModule {
        /// Length of the path's unknown prefix (`aptt` of `aptt.packages`, `freebsd.pkgg`).
        len: usize,
    },
    /// A module, a package, something below an operation, or a module whose schema is not written yet.
    Unchecked,
}

/// Whether `path` is a module of the catalogue.
fn module(path: &str) -> Option<&'static OperationModule> {
    catalogue().operations.iter().find(|m| m.name == path)
}

/// Whether `path` is a package of operation modules (`freebsd`).
fn is_package(path: &str) -> bool {
    catalogue().operations.iter().any(|m| m.name.strip_prefix(path).is_some_and(|rest| rest.starts_with('.')))
}

/// `pyinfra.operations.util` holds helpers, not operations: never checked.
fn is_helper(path: &str) -> bool {
    path == "util" || path.starts_with("util.")
}

/// Classify `path`, a dotted path below `pyinfra.operations`.
pub fn classify(path: &str) -> OpPath {
    if path.is_empty() || is_helper(path) || module(path).is_some() || is_package(path) {
        return OpPath::Unchecked;
    }
    if let Some((m, name)) = path.rsplit_once('.')
        && let Some(module) = module(m)
    {
        return operation(module, name);
    }
    // Walk down known packages: the first component that is neither a package nor a module is unknown.
    let mut end = 0;
    for part in path.split('.') {
        let next = if end == 0 { part.len() } else { end + 1 + part.len() };
        let prefix = &path[..next];
        if module(prefix).is_some() {
            return OpPath::Unchecked;
        }
        if !is_package(prefix) {
            return OpPath::UnknownModule { len: next };
        }
        end = next;
    }
    OpPath::Unchecked
}

/// Names that pyinfra's operations modules import for themselves, so `from pyinfra.operations.apt import
/// host` works in Python: never reported as unknown operations.
const MODULE_IMPORTS: &[&str] = &["host", "state", "logger", "operation", "annotations"];

/// `name` looked up in `module`.
fn operation(module: &'static OperationModule, name: &str) -> OpPath {
    // A module whose table is still empty has no schema yet: nothing can be said about its names.
    // Private and capitalised names are helpers and re-exports (`StringIO`), not operations; modules
    // import other operations modules (`server` uses `apt`) and pyinfra's own objects.
    if module.operations.is_empty()
        || name.starts_with(|c: char| c == '_' || c.is_uppercase())
        || MODULE_IMPORTS.contains(&name)
        || self::module(name).is_some()
    {
        return OpPath::Unchecked;
    }
    let Some(row) = module.operations.iter().find(|o| o.name == name) else {
        return OpPath::UnknownOperation { module };
    };
    let target = match row.alias_of {
        Some(full) => match catalogue().operation(full) {
            Some((_, target)) => target,
            None => return OpPath::Unchecked,
        },
        None => row,
    };
    OpPath::Operation { module, row, target }
}

/// A call of a known operation.
#[derive(Debug, Clone, Copy)]
pub struct OpCall<'a> {
    /// The call expression.
    pub call: &'a ast::ExprCall,
    /// Its module.
    pub module: &'static OperationModule,
    /// The operation as written.
    pub row: &'static Operation,
    /// The operation whose parameters apply.
    pub target: &'static Operation,
}

impl<'a> OpCall<'a> {
    /// `module.op` as the catalogue names it.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.module.name, self.row.name)
    }

    /// The range of the callee (`apt.packages`), where call-wide problems are reported.
    pub fn callee_range(&self) -> TextRange {
        self.call.func.range()
    }

    /// The parameters that can be given by position, in order.
    pub fn positional_params(&self) -> impl Iterator<Item = &'static Arg> {
        self.target.args.iter().take_while(|a| a.kind == ArgKind::Normal)
    }

    /// Whether the operation takes `*args`.
    pub fn takes_var_args(&self) -> bool {
        self.target.args.iter().any(|a| a.kind == ArgKind::VarArgs)
    }

    /// Whether the operation takes `**kwargs`.
    pub fn takes_var_kwargs(&self) -> bool {
        self.target.args.iter().any(|a| a.kind == ArgKind::VarKwargs)
    }

    /// The operation's own named parameter `name`.
    pub fn param(&self, name: &str) -> Option<&'static Arg> {
        self.target.args.iter().find(|a| a.kind == ArgKind::Normal && a.name == name)
    }

    /// Whether the call unpacks `*seq` or `**mapping`: then which parameters it fills is unknown.
    pub fn has_splat(&self) -> bool {
        self.call.arguments.args.iter().any(Expr::is_starred_expr)
            || self.call.arguments.keywords.iter().any(|k| k.arg.is_none())
    }

    /// The positional argument expressions before any `*seq`.
    pub fn positional_args(&self) -> impl Iterator<Item = &'a Expr> {
        self.call.arguments.args.iter().take_while(|e| !e.is_starred_expr())
    }

    /// Every argument whose parameter is known, with that parameter (own or global).
    pub fn bound_args(&self) -> Vec<(&'static Arg, &'a Expr)> {
        let mut bound: Vec<(&'static Arg, &'a Expr)> = self.positional_params().zip(self.positional_args()).collect();
        for keyword in &self.call.arguments.keywords {
            let Some(name) = &keyword.arg else { continue };
            if let Some(arg) = self.param(name.as_str()).or_else(|| catalogue().global(name.as_str())) {
                bound.push((arg, &keyword.value));
            }
        }
        bound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown_module(path: &str) -> Option<&str> {
        match classify(path) {
            OpPath::UnknownModule { len } => Some(&path[..len]),
            _ => None,
        }
    }

    #[test]
    fn operations_and_unknown_names() {
        assert!(matches!(classify("python.call"), OpPath::Operation { .. }));
        assert!(matches!(classify("python.cal"), OpPath::UnknownOperation { .. }));
        assert!(matches!(classify("python._private"), OpPath::Unchecked));
        assert!(matches!(classify("python.call._inner"), OpPath::Unchecked));
        assert!(matches!(classify("python.host"), OpPath::Unchecked));
        assert!(matches!(classify("python.files"), OpPath::Unchecked));
    }

    #[test]
    fn modules_and_packages() {
        assert!(matches!(classify("python"), OpPath::Unchecked));
        assert!(matches!(classify("freebsd"), OpPath::Unchecked));
        assert!(matches!(classify("freebsd.pkg"), OpPath::Unchecked));
        assert!(matches!(classify("util.packaging.ensure_packages"), OpPath::Unchecked));
        assert_eq!(unknown_module("aptt.packages"), Some("aptt"));
        assert_eq!(unknown_module("aptt"), Some("aptt"));
        assert_eq!(unknown_module("freebsd.pkgg.install"), Some("freebsd.pkgg"));
        assert_eq!(unknown_module("apt"), None);
    }
}
