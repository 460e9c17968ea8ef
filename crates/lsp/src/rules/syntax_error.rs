//! ## syntax-error (RI000)
//!
//! ### What it does
//! Reports text that is not valid Python, at the place the parser gave up.
//!
//! ### Why is this bad?
//! pyinfra cannot import a deploy file with a syntax error, so nothing of it runs. The other checks
//! still look at what could be parsed, so a half-typed line does not hide the rest of the file.
//!
//! ### Example
//! ```python
//! apt.packages(packages=["nginx"]
//! ```

use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;

/// Report the parse errors of `parsed`.
pub fn check(parsed: &Parsed<ModModule>, out: &mut Vec<Diagnostic>) {
    for error in parsed.errors() {
        out.push(Diagnostic::new(Rule::SyntaxError, error.location, format!("Syntax error: {}", error.error)));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, findings};

    #[test]
    fn reports_the_parse_error_and_keeps_checking() {
        let src = "from pyinfra.operations import python\npython.call(function=f\npython.cal()\n";
        assert_eq!(
            findings(src, Rule::SyntaxError),
            ["3:1 Syntax error: Expected `,`, found name", "4:1 Syntax error: unexpected EOF while parsing"]
        );
        // The recovered tree still holds the calls.
        assert_eq!(findings(src, Rule::UnknownOperation).len(), 1);
    }

    #[test]
    fn valid_python_has_none() {
        assert!(findings("x = f'{1 + 1}'\n", Rule::SyntaxError).is_empty());
    }
}
