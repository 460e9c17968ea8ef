//! ## unknown-module (RI008)
//!
//! ### What it does
//! Reports an import of a module below `pyinfra.operations` that pyinfra does not have
//! (`from pyinfra.operations import aptt`, `import pyinfra.operations.aptt`), and suggests the closest.
//!
//! ### Why is this bad?
//! The import fails, so the deploy stops before it starts; usually it is a typo.
//!
//! ### Example
//! ```python
//! from pyinfra.operations import aptt
//! ```
//!
//! Use instead:
//! ```python
//! from pyinfra.operations import apt
//! ```

use ruff_python_ast as ast;
use ruff_text_size::TextRange;

use rinfra_facts::schema::catalogue;

use crate::diagnostic::Diagnostic;
use crate::operation::{OPERATIONS, OpPath, classify};
use crate::rules::Rule;
use crate::suggest::{did_you_mean, hint};

/// Report `from pyinfra.operations[.pkg] import <unknown module>` and `from pyinfra.operations.<unknown> import x`.
pub fn check_import_from(import: &ast::StmtImportFrom, out: &mut Vec<Diagnostic>) {
    let (Some(path), Some(module)) = (super::operations_module_of(import), &import.module) else { return };
    if !path.is_empty() {
        if let OpPath::UnknownModule { len } = classify(path) {
            let skip = OPERATIONS.len() + 1;
            report(&path[..len], super::sub_range(module.range, skip, len), out);
        }
        if !matches!(classify(path), OpPath::Unchecked) {
            return;
        }
    }
    for alias in &import.names {
        let full = super::join(path, alias.name.as_str());
        if let OpPath::UnknownModule { len } = classify(&full)
            && len == full.len()
        {
            report(&full, alias.name.range, out);
        }
    }
}

/// Report `import pyinfra.operations.<unknown>[...]`.
pub fn check_import(import: &ast::StmtImport, out: &mut Vec<Diagnostic>) {
    for alias in &import.names {
        let Some(path) = alias.name.as_str().strip_prefix(OPERATIONS).and_then(|p| p.strip_prefix('.')) else {
            continue;
        };
        if let OpPath::UnknownModule { len } = classify(path) {
            report(&path[..len], super::sub_range(alias.name.range, OPERATIONS.len() + 1, len), out);
        }
    }
}

fn report(path: &str, range: TextRange, out: &mut Vec<Diagnostic>) {
    let suggestion = did_you_mean(path, catalogue().operations.iter().map(|m| m.name));
    out.push(Diagnostic::new(
        Rule::UnknownModule,
        range,
        format!("Unknown module `{OPERATIONS}.{path}`{}", hint(suggestion)),
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, findings};

    #[test]
    fn from_operations_import() {
        assert_eq!(
            findings("from pyinfra.operations import apt, aptt\n", Rule::UnknownModule),
            ["1:37 Unknown module `pyinfra.operations.aptt`; did you mean `apt`?"]
        );
    }

    #[test]
    fn from_unknown_module_import() {
        assert_eq!(
            findings("from pyinfra.operations.fils import put\n", Rule::UnknownModule),
            ["1:25 Unknown module `pyinfra.operations.fils`; did you mean `files`?"]
        );
        assert_eq!(
            findings("from pyinfra.operations.freebsd import pkgg\n", Rule::UnknownModule),
            ["1:40 Unknown module `pyinfra.operations.freebsd.pkgg`; did you mean `freebsd.pkg`?"]
        );
    }

    #[test]
    fn import_dotted() {
        assert_eq!(
            findings("import pyinfra.operations.zzz.x as z\n", Rule::UnknownModule),
            ["1:27 Unknown module `pyinfra.operations.zzz`"]
        );
    }

    #[test]
    fn known_modules_packages_and_helpers() {
        let src = "\
from pyinfra.operations import apt, files, freebsd, util
from pyinfra.operations.freebsd import pkg
from pyinfra.operations.util.packaging import ensure_packages
import pyinfra.operations.freebsd.service
import pyinfra.operations
from pyinfra import host, operations
";
        assert!(findings(src, Rule::UnknownModule).is_empty());
    }
}
