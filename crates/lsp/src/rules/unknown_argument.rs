//! ## unknown-argument (RI002)
//!
//! ### What it does
//! Reports a keyword argument that is neither a parameter of the operation nor a global argument
//! (`_sudo`, `_env`, `name`, ...), and suggests the closest one.
//!
//! ### Why is this bad?
//! pyinfra rejects the call with a `TypeError`; usually the name is misspelt.
//!
//! Operations that take `**kwargs` (`files.template`, `python.call`) accept any keyword, and a call
//! that unpacks `*args` or `**kwargs` is not checked. Your own `@operation()` and `@deploy()`
//! functions (in the file or a workspace module it imports) are checked against their Python signature.
//!
//! ### Example
//! ```python
//! apt.packages(pakages=["nginx"], _sudo=True)
//! ```
//!
//! Use instead:
//! ```python
//! apt.packages(packages=["nginx"], _sudo=True)
//! ```

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;
use crate::signature::Signature;
use crate::suggest::{did_you_mean, hint};

/// Report keywords the callee does not accept.
pub fn check(call: &Signature<'_, '_>, out: &mut Vec<Diagnostic>) {
    if call.takes_var_kwargs() || call.has_splat() {
        return;
    }
    for keyword in &call.call.arguments.keywords {
        let Some(name) = &keyword.arg else { continue };
        let name = name.as_str();
        if call.accepts_keyword(name) {
            continue;
        }
        let suggestion = did_you_mean(name, call.keyword_names());
        out.push(Diagnostic::new(
            Rule::UnknownArgument,
            keyword.arg.as_ref().map_or(keyword.range, |a| a.range),
            format!("Unknown argument `{name}` for `{}`{}", call.name, hint(suggestion)),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Rule;
    use crate::rules::fixture::run;

    #[test]
    fn misspelt_keyword() {
        assert_eq!(
            run("demo.packages(pakages=['x'], present=True)", Rule::UnknownArgument),
            ["15 Unknown argument `pakages` for `demo.packages`; did you mean `packages`?"]
        );
    }

    #[test]
    fn misspelt_global() {
        assert_eq!(
            run("demo.key(src='k', _sduo=True)", Rule::UnknownArgument),
            ["19 Unknown argument `_sduo` for `demo.key`; did you mean `_sudo`?"]
        );
    }

    #[test]
    fn globals_and_name_are_valid_everywhere() {
        assert!(
            run("demo.key(src='k', name='Add key', _sudo=True, _env={'A': 'b'})", Rule::UnknownArgument).is_empty()
        );
    }

    #[test]
    fn var_kwargs_and_splats_accept_anything() {
        assert!(run("demo.template('a', 'b', anything=1)", Rule::UnknownArgument).is_empty());
        assert!(run("demo.key(src='k', other=1, **opts)", Rule::UnknownArgument).is_empty());
        assert!(run("demo.key(*args, other=1)", Rule::UnknownArgument).is_empty());
    }

    #[test]
    fn var_args_name_is_not_a_keyword() {
        assert_eq!(run("demo.run('ls', args=1)", Rule::UnknownArgument).len(), 1);
        assert!(run("demo.run('ls', 'x', shell=True)", Rule::UnknownArgument).is_empty());
    }
}
