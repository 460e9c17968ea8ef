//! ## missing-argument (RI003)
//!
//! ### What it does
//! Reports a call that gives neither by position nor by keyword a parameter the operation requires.
//!
//! ### Why is this bad?
//! Python raises a `TypeError` when the operation is called. A call that unpacks `*args` or
//! `**kwargs` is not checked, since the missing value may come from there.
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

use rinfra_facts::schema::{ArgKind, Dflt};

use crate::diagnostic::Diagnostic;
use crate::operation::OpCall;
use crate::rules::Rule;

/// Report required parameters the call does not give.
pub fn check(call: &OpCall<'_>, out: &mut Vec<Diagnostic>) {
    if call.has_splat() {
        return;
    }
    let positional = call.positional_args().count();
    let by_position: Vec<&str> = call.positional_params().take(positional).map(|a| a.name).collect();
    let keywords = &call.call.arguments.keywords;
    let missing: Vec<String> = call
        .target
        .args
        .iter()
        .filter(|a| a.kind == ArgKind::Normal && a.default == Dflt::Required)
        .filter(|a| !by_position.contains(&a.name))
        .filter(|a| !keywords.iter().any(|k| k.arg.as_ref().is_some_and(|n| n.as_str() == a.name)))
        .map(|a| format!("`{}`", a.name))
        .collect();
    if missing.is_empty() {
        return;
    }
    let noun = if missing.len() == 1 { "argument" } else { "arguments" };
    out.push(Diagnostic::new(
        Rule::MissingArgument,
        call.callee_range(),
        format!("`{}` is missing required {noun} {}", call.full_name(), missing.join(", ")),
    ));
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
