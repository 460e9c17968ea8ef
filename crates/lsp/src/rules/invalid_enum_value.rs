//! ## invalid-enum-value (RI006)
//!
//! ### What it does
//! Reports a string literal given to a parameter that only accepts a fixed set of values (a service
//! `state`, a package `kind`), and suggests the closest allowed value.
//!
//! ### Why is this bad?
//! The operation either fails when it runs or silently does something else than intended.
//!
//! ### Example
//! ```python
//! freebsd.service.service(srvname="sshd", srvstate="restart")
//! ```
//!
//! Use instead:
//! ```python
//! freebsd.service.service(srvname="sshd", srvstate="restarted")
//! ```

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::operation::OpCall;
use crate::rules::Rule;
use crate::suggest::{did_you_mean, hint};

/// Report string literals outside a parameter's allowed values.
pub fn check(call: &OpCall<'_>, out: &mut Vec<Diagnostic>) {
    for (arg, value) in call.bound_args() {
        if arg.values.is_empty() {
            continue;
        }
        let Expr::StringLiteral(literal) = value else { continue };
        let text = literal.value.to_str();
        if arg.values.contains(&text) {
            continue;
        }
        let allowed: Vec<String> = arg.values.iter().map(|v| format!("`{v}`")).collect();
        let suggestion = did_you_mean(text, arg.values.iter().copied());
        out.push(Diagnostic::new(
            Rule::InvalidEnumValue,
            value.range(),
            format!(
                "`{}` of `{}` must be one of {}, not `{text}`{}",
                arg.name,
                call.full_name(),
                allowed.join(", "),
                hint(suggestion)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Rule;
    use crate::rules::fixture::run;

    #[test]
    fn value_outside_the_set() {
        assert_eq!(
            run("demo.service('nginx', state='restart')", Rule::InvalidEnumValue),
            [
                "29 `state` of `demo.service` must be one of `started`, `stopped`, `restarted`, not `restart`; did you mean `restarted`?"
            ]
        );
        assert_eq!(
            run("demo.service('nginx', 'up')", Rule::InvalidEnumValue),
            ["23 `state` of `demo.service` must be one of `started`, `stopped`, `restarted`, not `up`"]
        );
    }

    #[test]
    fn allowed_and_computed_values_pass() {
        for ok in [
            "demo.service('nginx', state='stopped')",
            "demo.service('nginx', state=wanted)",
            "demo.service('nginx', state=f'{x}ed')",
            "demo.service('nginx', state=None)",
        ] {
            assert!(run(ok, Rule::InvalidEnumValue).is_empty(), "{ok}");
        }
    }
}
