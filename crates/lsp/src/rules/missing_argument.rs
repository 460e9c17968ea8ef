//! ## missing-argument (RI003)
//!
//! ### What it does
//! Reports a call that gives neither by position nor by keyword a parameter the operation requires.
//!
//! ### Why is this bad?
//! Python raises a `TypeError` when the operation is called. A call that unpacks `*args` or
//! `**kwargs` is not checked, since the missing value may come from there. Your own `@operation()`
//! and `@deploy()` functions are checked too; a parameter of theirs named like a global argument
//! (`name`) cannot be given by keyword, since pyinfra takes that keyword for itself.
//!
//! ### Example
//! ```python
//! files.put(dest="/etc/motd")
//! ```
//!
//! Use instead:
//! ```python
//! files.put(src="files/motd", dest="/etc/motd")
//! ```

use rinfra_facts::schema::catalogue;

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;
use crate::signature::Signature;

/// Report required parameters the call does not give.
pub fn check(call: &Signature<'_, '_>, out: &mut Vec<Diagnostic>) {
    if call.has_splat() {
        return;
    }
    let missing = missing(call);
    if missing.is_empty() {
        return;
    }
    let noun = if missing.len() == 1 { "argument" } else { "arguments" };
    // A parameter named like a global argument (`name`) never gets a keyword: pyinfra takes it first.
    let taken =
        missing.iter().find(|m| call.globals && is_global(m.trim_matches('`')) && given(call, m.trim_matches('`')));
    let note = taken
        .map(|m| format!("; {m} given by keyword is pyinfra's global argument, pass it by position"))
        .unwrap_or_default();
    out.push(Diagnostic::new(
        Rule::MissingArgument,
        call.callee_range(),
        format!("`{}` is missing required {noun} {}{note}", call.name, missing.join(", ")),
    ));
}

fn is_global(name: &str) -> bool {
    catalogue().global(name).is_some()
}

/// Whether the call gives `name` by keyword.
fn given(call: &Signature<'_, '_>, name: &str) -> bool {
    call.call.arguments.keywords.iter().any(|k| k.arg.as_ref().is_some_and(|n| n.as_str() == name))
}

/// The required parameters given neither by position nor by keyword, quoted.
pub fn missing(call: &Signature<'_, '_>) -> Vec<String> {
    let positional = call.positional_args().count();
    let by_position: Vec<&str> = call.positional_params().take(positional).map(|p| p.name).collect();
    let keywords = &call.call.arguments.keywords;
    call.params
        .iter()
        .filter(|p| p.required && !by_position.contains(&p.name))
        .filter(|p| {
            !(keywords.iter().any(|k| k.arg.as_ref().is_some_and(|n| n.as_str() == p.name))
                && !(call.globals && is_global(p.name)))
        })
        .map(|p| format!("`{}`", p.name))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::Rule;
    use crate::rules::fixture::run;

    #[test]
    fn one_and_several_missing() {
        assert_eq!(
            run("demo.key(keyserver='k')", Rule::MissingArgument),
            ["1 `demo.key` is missing required argument `src`"]
        );
        assert_eq!(
            run("demo.template(_sudo=True)", Rule::MissingArgument),
            ["1 `demo.template` is missing required arguments `src`, `dest`"]
        );
    }

    #[test]
    fn given_by_position_or_keyword() {
        assert!(run("demo.key('k')", Rule::MissingArgument).is_empty());
        assert!(run("demo.key(src='k')", Rule::MissingArgument).is_empty());
        assert!(run("demo.template('a', dest='b')", Rule::MissingArgument).is_empty());
        assert!(run("demo.packages()", Rule::MissingArgument).is_empty());
    }

    #[test]
    fn splats_may_supply_anything() {
        assert!(run("demo.key(**opts)", Rule::MissingArgument).is_empty());
        assert!(run("demo.template(*paths)", Rule::MissingArgument).is_empty());
    }
}
