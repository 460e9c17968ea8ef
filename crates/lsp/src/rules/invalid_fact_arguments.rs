//! ## invalid-fact-arguments (RI010)
//!
//! ### What it does
//! Checks the arguments that `host.get_fact(Fact, ...)` passes on to the fact: keywords the fact
//! does not take (global arguments such as `_sudo` are fine), too many positional arguments, and
//! required arguments left out. A call that unpacks `*args` or `**kwargs` is only checked for
//! unknown keywords given by name.
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

use ruff_text_size::Ranged;

use rinfra_facts::schema::{ArgKind, Dflt, catalogue};

use crate::diagnostic::Diagnostic;
use crate::fact::FactCall;
use crate::rules::Rule;
use crate::suggest::{did_you_mean, hint};

/// Check the fact arguments of a `host.get_fact` call.
pub fn check(call: &FactCall<'_>, out: &mut Vec<Diagnostic>) {
    let params = call.fact.args;
    let takes_kwargs = params.iter().any(|a| a.kind == ArgKind::VarKwargs);
    let takes_args = params.iter().any(|a| a.kind == ArgKind::VarArgs);
    let positional_params: Vec<_> = params.iter().take_while(|a| a.kind == ArgKind::Normal).collect();
    let keywords = &call.call.arguments.keywords;
    if !takes_kwargs {
        for keyword in keywords {
            let Some(name) = &keyword.arg else { continue };
            let known = params.iter().any(|a| a.kind == ArgKind::Normal && a.name == name.as_str());
            if known || catalogue().global(name.as_str()).is_some() {
                continue;
            }
            let names = params.iter().filter(|a| a.kind == ArgKind::Normal).map(|a| a.name);
            out.push(Diagnostic::new(
                Rule::InvalidFactArguments,
                name.range,
                format!(
                    "Unknown argument `{name}` for fact `{}`{}",
                    call.full_name(),
                    hint(did_you_mean(name.as_str(), names))
                ),
            ));
        }
    }
    if call.has_splat() {
        return;
    }
    let given: Vec<_> = call.positional_args().collect();
    if !takes_args && given.len() > positional_params.len() {
        let (first, last) = (given[positional_params.len()], given[given.len() - 1]);
        out.push(Diagnostic::new(
            Rule::InvalidFactArguments,
            first.range().cover(last.range()),
            format!(
                "Fact `{}` takes {} positional {} but {} were given",
                call.full_name(),
                positional_params.len(),
                if positional_params.len() == 1 { "argument" } else { "arguments" },
                given.len()
            ),
        ));
    }
    let missing: Vec<String> = params
        .iter()
        .enumerate()
        .filter(|(i, a)| a.kind == ArgKind::Normal && a.default == Dflt::Required && *i >= given.len())
        .filter(|(_, a)| !keywords.iter().any(|k| k.arg.as_ref().is_some_and(|n| n.as_str() == a.name)))
        .map(|(_, a)| format!("`{}`", a.name))
        .collect();
    if !missing.is_empty() {
        let noun = if missing.len() == 1 { "argument" } else { "arguments" };
        out.push(Diagnostic::new(
            Rule::InvalidFactArguments,
            call.call.func.range(),
            format!("Fact `{}` is missing required {noun} {}", call.full_name(), missing.join(", ")),
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
