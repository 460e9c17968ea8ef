//! ## deprecated-operation (RI007)
//!
//! ### What it does
//! Warns about a call of an operation that pyinfra has deprecated, naming its replacement when there
//! is one (`postgresql.sql` became `postgres.sql`).
//!
//! ### Why is this bad?
//! Deprecated operations still run today but will be removed in a later pyinfra release.
//!
//! ### Example
//! ```python
//! from pyinfra.operations import postgresql
//!
//! postgresql.sql("SELECT 1")
//! ```
//!
//! Use instead:
//! ```python
//! from pyinfra.operations import postgres
//!
//! postgres.sql("SELECT 1")
//! ```

use crate::diagnostic::Diagnostic;
use crate::operation::OpCall;
use crate::rules::Rule;

/// Warn when the called operation is deprecated.
pub fn check(call: &OpCall<'_>, out: &mut Vec<Diagnostic>) {
    if !call.row.deprecated {
        return;
    }
    let instead = call.row.replaced_by.map(|r| format!("; use `{r}` instead")).unwrap_or_default();
    out.push(Diagnostic::new(
        Rule::DeprecatedOperation,
        call.callee_range(),
        format!("`{}` is deprecated{instead}", call.full_name()),
    ));
}

#[cfg(test)]
mod tests {
    use rinfra_facts::schema::catalogue;

    use crate::rules::fixture::run;
    use crate::rules::{Rule, findings};

    #[test]
    fn names_the_replacement() {
        assert_eq!(
            run("demo.old(1, x=2)", Rule::DeprecatedOperation),
            ["1 `demo.old` is deprecated; use `demo.key` instead"]
        );
        assert!(run("demo.key('k')", Rule::DeprecatedOperation).is_empty());
    }

    #[test]
    fn every_deprecated_row_of_the_catalogue() {
        for (name, op) in catalogue().all_operations().filter(|(_, op)| op.deprecated) {
            let (module, _) = name.rsplit_once('.').unwrap_or_default();
            let src = format!("import pyinfra.operations.{module} as m\nm.{}()\n", op.name);
            let instead = op.replaced_by.map(|r| format!("; use `{r}` instead")).unwrap_or_default();
            assert_eq!(findings(&src, Rule::DeprecatedOperation), [format!("2:1 `{name}` is deprecated{instead}")]);
        }
    }
}
