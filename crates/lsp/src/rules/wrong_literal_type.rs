//! ## wrong-literal-type (RI005)
//!
//! ### What it does
//! Reports a literal whose type the parameter can never use: a string, bytes or a collection for a
//! `bool` parameter, or a scalar, list or set for a `dict` parameter. Global arguments are checked too.
//!
//! ### Why is this bad?
//! pyinfra does not check types. `present="false"` is a non-empty string, so it counts as true and the
//! package is installed, the opposite of what was meant; a string for `_env` fails deep inside the run.
//!
//! Only literals are checked, and only against parameters whose type leaves no doubt; anything
//! computed (names, calls, f-string results for non-bool parameters) is left alone.
//!
//! ### Example
//! ```python
//! apt.packages(packages=["nginx"], present="false")
//! ```
//!
//! Use instead:
//! ```python
//! apt.packages(packages=["nginx"], present=False)
//! ```

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::operation::OpCall;
use crate::rules::Rule;

/// The shapes of annotation this rule is sure about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// `bool` or `bool | None`.
    Bool,
    /// `dict[...]`, optionally `| None`.
    Dict,
}

/// Report literals of a type the parameter never accepts.
pub fn check(call: &OpCall<'_>, out: &mut Vec<Diagnostic>) {
    for (arg, value) in call.bound_args() {
        let (Some(expected), Some(kind)) = (expected(arg.ty), literal_kind(value)) else { continue };
        if accepts(expected, kind) {
            continue;
        }
        out.push(Diagnostic::new(
            Rule::WrongLiteralType,
            value.range(),
            format!("`{}` of `{}` expects `{}`, not {kind}", arg.name, call.full_name(), arg.ty),
        ));
    }
}

/// What `ty` certainly is, if it is one of the shapes this rule checks.
fn expected(ty: &str) -> Option<Expected> {
    let mut found = None;
    for part in top_level_union(ty) {
        let base = part.split('[').next().unwrap_or(part).trim();
        let this = match base {
            "None" => continue,
            "bool" => Expected::Bool,
            "dict" | "Dict" => Expected::Dict,
            _ => return None,
        };
        if found.is_some_and(|f| f != this) {
            return None;
        }
        found = Some(this);
    }
    found
}

/// The members of a `A | B[C | D] | E` union, split at the top level only.
fn top_level_union(ty: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in ty.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            '|' if depth == 0 => {
                parts.push(ty[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(ty[start..].trim());
    parts
}

/// What kind of literal `expr` is, if it is one.
fn literal_kind(expr: &Expr) -> Option<&'static str> {
    Some(match expr {
        Expr::StringLiteral(_) => "a string",
        Expr::FString(_) | Expr::TString(_) => "an f-string",
        Expr::BytesLiteral(_) => "bytes",
        Expr::NumberLiteral(_) => "a number",
        Expr::BooleanLiteral(_) => "a boolean",
        Expr::List(_) | Expr::ListComp(_) => "a list",
        Expr::Tuple(_) => "a tuple",
        Expr::Dict(_) | Expr::DictComp(_) => "a dict",
        Expr::Set(_) | Expr::SetComp(_) => "a set",
        _ => return None,
    })
}

/// Whether a literal of `kind` can be right for `expected`: numbers and booleans stand in for each
/// other (`present=1` works), `None` is never judged.
fn accepts(expected: Expected, kind: &str) -> bool {
    match expected {
        Expected::Bool => matches!(kind, "a boolean" | "a number"),
        Expected::Dict => kind == "a dict",
    }
}

#[cfg(test)]
mod tests {
    use super::{Expected, expected};
    use crate::rules::Rule;
    use crate::rules::fixture::run;

    #[test]
    fn annotation_shapes() {
        assert_eq!(expected("bool"), Some(Expected::Bool));
        assert_eq!(expected("bool | None"), Some(Expected::Bool));
        assert_eq!(expected("dict[str, str] | None"), Some(Expected::Dict));
        assert_eq!(expected("collections.abc.Mapping[str, str | pyinfra.api.hiddenvalue.HiddenValue]"), None);
        assert_eq!(expected("int | str | bool | None"), None);
        assert_eq!(expected("str"), None);
        assert_eq!(expected("None"), None);
        assert_eq!(expected("Boolean"), None);
    }

    #[test]
    fn string_for_a_bool() {
        assert_eq!(
            run("demo.packages(['x'], present='false')", Rule::WrongLiteralType),
            ["30 `present` of `demo.packages` expects `bool`, not a string"]
        );
        assert_eq!(
            run("demo.packages('x', 'no')", Rule::WrongLiteralType),
            ["20 `present` of `demo.packages` expects `bool`, not a string"]
        );
        assert_eq!(
            run("demo.service('x', enabled=[1])", Rule::WrongLiteralType),
            ["27 `enabled` of `demo.service` expects `bool | None`, not a list"]
        );
    }

    #[test]
    fn scalar_for_a_dict() {
        assert_eq!(
            run("demo.service('x', env='A=b')", Rule::WrongLiteralType),
            ["23 `env` of `demo.service` expects `dict[str, str] | None`, not a string"]
        );
    }

    #[test]
    fn globals_are_checked() {
        assert_eq!(
            run("demo.key('k', _sudo='yes')", Rule::WrongLiteralType),
            ["21 `_sudo` of `demo.key` expects `bool`, not a string"]
        );
    }

    #[test]
    fn plausible_values_pass() {
        for ok in [
            "demo.packages(present=False, latest=1)",
            "demo.packages(present=None)",
            "demo.packages(present=flag, cache_time='3600')",
            "demo.service('x', env={'A': 'b'}, enabled=True)",
            "demo.service('x', env=dict(A='b'))",
            "demo.key(src=1, _sudo=host.data.sudo)",
            "demo.key('k', _env={'A': 'b'})",
        ] {
            assert!(run(ok, Rule::WrongLiteralType).is_empty(), "{ok}");
        }
    }
}
