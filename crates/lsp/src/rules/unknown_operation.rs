//! ## unknown-operation (RI001)
//!
//! ### What it does
//! Reports a name used as an operation (`apt.pakages(...)`, `from pyinfra.operations.apt import pakages`)
//! that the operations module does not define, and suggests the closest operation.
//!
//! ### Why is this bad?
//! The deploy fails with an `AttributeError` or `ImportError` as soon as it is loaded, before any host
//! is touched; usually it is a typo.
//!
//! Names starting with `_` or an upper-case letter are never reported (they are helpers a module may
//! import), nor names of modules whose schema rinfra does not have yet.
//!
//! ### Example
//! ```python
//! from pyinfra.operations import apt
//!
//! apt.pakages(packages=["nginx"])
//! ```
//!
//! Use instead:
//! ```python
//! apt.packages(packages=["nginx"])
//! ```

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::TextRange;

use rinfra_facts::schema::OperationModule;

use crate::diagnostic::Diagnostic;
use crate::operation::{OPERATIONS, OpPath, classify};
use crate::rules::Rule;
use crate::suggest::{did_you_mean, hint};

/// Report a call of `module.<unknown>` where the operation name is written at the call (`apt.pakages()`);
/// a bare imported name is reported at its import instead.
pub fn check_call(call: &ast::ExprCall, module: &OperationModule, out: &mut Vec<Diagnostic>) {
    if let Expr::Attribute(attr) = call.func.as_ref() {
        report(module, attr.attr.as_str(), attr.attr.range, out);
    }
}

/// Report `from pyinfra.operations.<module> import <unknown>`.
pub fn check_import_from(import: &ast::StmtImportFrom, out: &mut Vec<Diagnostic>) {
    let Some(path) = super::operations_module_of(import) else { return };
    for alias in &import.names {
        if let OpPath::UnknownOperation { module } = classify(&super::join(path, alias.name.as_str())) {
            report(module, alias.name.as_str(), alias.name.range, out);
        }
    }
}

fn report(module: &OperationModule, name: &str, range: TextRange, out: &mut Vec<Diagnostic>) {
    let suggestion = did_you_mean(name, module.operations.iter().map(|o| o.name));
    out.push(Diagnostic::new(
        Rule::UnknownOperation,
        range,
        format!("Unknown operation `{name}` in `{OPERATIONS}.{}`{}", module.name, hint(suggestion)),
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, findings};

    #[test]
    fn call_with_a_typo() {
        let src = "from pyinfra.operations import python\n\npython.cal(function=print)\n";
        assert_eq!(
            findings(src, Rule::UnknownOperation),
            ["3:8 Unknown operation `cal` in `pyinfra.operations.python`; did you mean `call`?"]
        );
    }

    #[test]
    fn import_of_an_unknown_name() {
        let src = "from pyinfra.operations.python import call, raise_exceptio as r\nr(ValueError)\n";
        assert_eq!(
            findings(src, Rule::UnknownOperation),
            ["1:45 Unknown operation `raise_exceptio` in `pyinfra.operations.python`; did you mean `raise_exception`?"]
        );
    }

    #[test]
    fn inside_functions_loops_and_with_blocks() {
        let src = "\
from pyinfra.api import deploy
import pyinfra.operations.python as py

@deploy(\"x\")
def install():
    for x in range(3):
        with open(x) as f:
            if x:
                py.nope()
";
        assert_eq!(
            findings(src, Rule::UnknownOperation),
            ["9:20 Unknown operation `nope` in `pyinfra.operations.python`"]
        );
    }

    #[test]
    fn helpers_private_names_and_known_operations_are_fine() {
        let src = "\
from pyinfra.operations import python
from pyinfra.operations.python import call, StringIO
python.call(function=print)
python._helper()
python.call._inner(function=print)
";
        assert!(findings(src, Rule::UnknownOperation).is_empty());
    }
}
