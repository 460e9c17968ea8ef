//! ## too-many-positional-arguments (RI004)
//!
//! ### What it does
//! Reports positional arguments beyond the operation's parameters, on the extra arguments.
//!
//! ### Why is this bad?
//! Python raises a `TypeError` when the operation is called. Global arguments such as `_sudo` can only
//! be given by keyword. Calls that unpack `*args` or `**kwargs` are not checked. Your own
//! `@operation()` and `@deploy()` functions are checked against their Python signature.
//!
//! ### Example
//! ```python
//! apt.key("https://example.com/key.gpg", "keyserver.ubuntu.com", "ABCD")
//! ```
//!
//! Use instead:
//! ```python
//! apt.key(src="https://example.com/key.gpg")
//! ```

use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;
use crate::signature::Signature;

/// Report positional arguments past the last positional parameter.
pub fn check(call: &Signature<'_, '_>, out: &mut Vec<Diagnostic>) {
    if call.takes_var_args() || call.has_splat() {
        return;
    }
    let Some((takes, range)) = extra(call) else { return };
    let given = call.positional_args().count();
    let noun = if takes == 1 { "argument" } else { "arguments" };
    out.push(Diagnostic::new(
        Rule::TooManyPositional,
        range,
        format!("`{}` takes {takes} positional {noun} but {given} were given", call.name),
    ));
}

/// How many positional parameters there are and the range of the arguments beyond them, if any.
pub fn extra(call: &Signature<'_, '_>) -> Option<(usize, ruff_text_size::TextRange)> {
    let takes = call.positional_params().count();
    let args: Vec<_> = call.positional_args().collect();
    let (first, last) = (args.get(takes)?, args.last()?);
    Some((takes, first.range().cover(last.range())))
}

#[cfg(test)]
mod tests {
    use crate::rules::Rule;
    use crate::rules::fixture::run;

    #[test]
    fn extra_positionals_are_reported_on_the_extras() {
        assert_eq!(
            run("demo.key('a', 'b', 'c', _sudo=True)", Rule::TooManyPositional),
            ["20 `demo.key` takes 2 positional arguments but 3 were given"]
        );
    }

    #[test]
    fn positional_arguments_are_valid() {
        assert!(run("demo.key('a', 'b')", Rule::TooManyPositional).is_empty());
        assert!(run("demo.packages(['x'], True, False, 60)", Rule::TooManyPositional).is_empty());
    }

    #[test]
    fn var_args_and_splats_take_any_number() {
        assert!(run("demo.run('a', 'b', 'c', 'd')", Rule::TooManyPositional).is_empty());
        assert!(run("demo.key('a', 'b', *rest)", Rule::TooManyPositional).is_empty());
        assert!(run("demo.key('a', 'b', 'c', **opts)", Rule::TooManyPositional).is_empty());
    }
}
