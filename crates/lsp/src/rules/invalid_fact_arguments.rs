//! ## invalid-fact-arguments (RI010)
//!
//! ### What it does
//! Checks the arguments that `host.get_fact(Fact, ...)` passes on to the fact: keywords the fact
//! does not take (global arguments such as `_sudo` are fine), too many positional arguments, and
//! required arguments left out. A call that unpacks `*args` or `**kwargs` is only checked for
//! unknown keywords given by name. Your own `FactBase` subclasses are checked against the
//! parameters of their `command(self, ...)` method.
//!
//! ### Why is this bad?
//! pyinfra raises a `TypeError` when it builds the fact's command, in the middle of the deploy.
//!
//! ### Example
//! ```python
//! host.get_fact(File, pth="/etc/motd")
//! ```
//!
//! Use instead:
//! ```python
//! host.get_fact(File, path="/etc/motd")
//! ```

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;
use crate::signature::Signature;
use crate::suggest::{did_you_mean, hint};

/// Check the fact arguments of a `host.get_fact` call against the fact's `command` signature.
pub fn check(call: &Signature<'_, '_>, out: &mut Vec<Diagnostic>) {
    if !call.takes_var_kwargs() {
        for keyword in &call.call.arguments.keywords {
            let Some(name) = &keyword.arg else { continue };
            if call.accepts_keyword(name.as_str()) {
                continue;
            }
            let own = call.own_keywords();
            out.push(Diagnostic::new(
                Rule::InvalidFactArguments,
                name.range,
                format!("Unknown argument `{name}` for fact `{}`{}", call.name, hint(did_you_mean(name.as_str(), own))),
            ));
        }
    }
    if call.has_splat() {
        return;
    }
    if !call.takes_var_args()
        && let Some((takes, range)) = super::too_many_positional::extra(call)
    {
        out.push(Diagnostic::new(
            Rule::InvalidFactArguments,
            range,
            format!(
                "Fact `{}` takes {takes} positional {} but {} were given",
                call.name,
                if takes == 1 { "argument" } else { "arguments" },
                call.positional_args().count()
            ),
        ));
    }
    let missing = super::missing_argument::missing(call);
    if !missing.is_empty() {
        let noun = if missing.len() == 1 { "argument" } else { "arguments" };
        out.push(Diagnostic::new(
            Rule::InvalidFactArguments,
            call.callee_range(),
            format!("Fact `{}` is missing required {noun} {}", call.name, missing.join(", ")),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, findings};

    const HEAD: &str = "from pyinfra import host\nfrom pyinfra.facts.files import File, FindFiles\n";

    fn check(line: &str) -> Vec<String> {
        findings(&format!("{HEAD}{line}\n"), Rule::InvalidFactArguments)
    }

    #[test]
    fn unknown_keyword() {
        assert_eq!(
            check("host.get_fact(File, pth='/etc/motd')"),
            [
                "3:1 Fact `files.File` is missing required argument `path`",
                "3:21 Unknown argument `pth` for fact `files.File`; did you mean `path`?"
            ]
        );
    }

    #[test]
    fn missing_and_too_many() {
        assert_eq!(check("host.get_fact(File)"), ["3:1 Fact `files.File` is missing required argument `path`"]);
        assert_eq!(
            check("host.get_fact(File, '/a', '/b')"),
            ["3:27 Fact `files.File` takes 1 positional argument but 2 were given"]
        );
    }

    #[test]
    fn valid_calls() {
        for ok in [
            "host.get_fact(File, '/etc/motd')",
            "host.get_fact(File, path='/etc/motd', _sudo=True)",
            "host.get_fact(File, **kwargs)",
            "host.get_fact(FindFiles, '/etc', quote_path=False)",
        ] {
            assert!(check(ok).is_empty(), "{ok}: {:?}", check(ok));
        }
    }
}
