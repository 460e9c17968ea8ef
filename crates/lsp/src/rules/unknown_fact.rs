//! ## unknown-fact (RI009)
//!
//! ### What it does
//! Reports a fact that its facts module does not define: in `host.get_fact(...)`, and in an import
//! from `pyinfra.facts.<module>` when the name is a near miss of a real fact (`LinuxNme`). Suggests
//! the closest fact.
//!
//! ### Why is this bad?
//! The deploy fails with an `ImportError` or `AttributeError` before it starts. Facts modules also
//! export helper classes and constants (`FactBase`, `FileDict`), so an import is only reported when it
//! looks like a misspelt fact.
//!
//! ### Example
//! ```python
//! from pyinfra.facts.server import LinuxNme
//! ```
//!
//! Use instead:
//! ```python
//! from pyinfra.facts.server import LinuxName
//! ```

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use rinfra_facts::schema::FactModule;

use crate::diagnostic::Diagnostic;
use crate::fact::{FACTS, FactPath, classify};
use crate::rules::Rule;
use crate::suggest::{did_you_mean, hint};

/// Report the fact of `host.get_fact(<fact>)` when its module has no such fact.
pub fn check_get_fact(fact: &Expr, module: &FactModule, out: &mut Vec<Diagnostic>) {
    let (name, range) = match fact {
        Expr::Attribute(attr) => (attr.attr.as_str(), attr.attr.range),
        Expr::Name(name) => (name.id.as_str(), name.range()),
        _ => return,
    };
    let suggestion = did_you_mean(name, module.facts.iter().map(|f| f.name));
    report(module, name, range, suggestion, out);
}

/// Report `from pyinfra.facts.<module> import <near miss of a fact>`.
pub fn check_import_from(import: &ast::StmtImportFrom, out: &mut Vec<Diagnostic>) {
    let Some(module) = import.module.as_ref().filter(|_| import.level == 0) else { return };
    let Some(below) = module.as_str().strip_prefix(FACTS).and_then(|m| m.strip_prefix('.')) else { return };
    for alias in &import.names {
        let name = alias.name.as_str();
        if let FactPath::UnknownFact { module } = classify(&format!("{below}.{name}"))
            && let Some(suggestion) = did_you_mean(name, module.facts.iter().map(|f| f.name))
        {
            report(module, name, alias.name.range, Some(suggestion), out);
        }
    }
}

fn report(module: &FactModule, name: &str, range: TextRange, suggestion: Option<&str>, out: &mut Vec<Diagnostic>) {
    out.push(Diagnostic::new(
        Rule::UnknownFact,
        range,
        format!("Unknown fact `{name}` in `{FACTS}.{}`{}", module.name, hint(suggestion)),
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, findings};

    #[test]
    fn near_miss_imports() {
        assert_eq!(
            findings("from pyinfra.facts.files import Fiel, File, FileDict, FactBase\n", Rule::UnknownFact),
            ["1:33 Unknown fact `Fiel` in `pyinfra.facts.files`; did you mean `File`?"]
        );
    }

    #[test]
    fn get_fact_of_a_non_fact() {
        let src =
            "from pyinfra import host\nfrom pyinfra.facts import files\nhost.get_fact(files.FileDict, path='/x')\n";
        assert_eq!(findings(src, Rule::UnknownFact), ["3:21 Unknown fact `FileDict` in `pyinfra.facts.files`"]);
    }

    #[test]
    fn facts_and_user_classes_are_fine() {
        let src = "\
from pyinfra import host
from pyinfra.facts.files import File
from mylib import MyFact
host.get_fact(File, path='/etc')
host.get_fact(MyFact)
";
        assert!(findings(src, Rule::UnknownFact).is_empty());
    }
}
