//! The diagnostics, one file per rule; each file's doc comment is the user documentation of its code.
//!
//! Codes are stable: a code is never reused for another rule.

use ruff_python_ast as ast;
use ruff_text_size::TextRange;

use crate::diagnostic::{Diagnostic, Severity};
use crate::operation::OpCall;
use crate::signature::Signature;

pub mod deprecated_operation;
pub mod invalid_enum_value;
pub mod invalid_fact_arguments;
pub mod missing_argument;
pub mod missing_local_file;
pub mod put_directory;
pub mod syntax_error;
pub mod too_many_positional;
pub mod unknown_argument;
pub mod unknown_fact;
pub mod unknown_module;
pub mod unknown_operation;
pub mod wrong_literal_type;

/// Every rule, with its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// RI000: the file is not valid Python.
    SyntaxError,
    /// RI001: the module has no such operation.
    UnknownOperation,
    /// RI002: the operation has no such argument.
    UnknownArgument,
    /// RI003: a required argument is not given.
    MissingArgument,
    /// RI004: more positional arguments than the operation takes.
    TooManyPositional,
    /// RI005: a literal whose type the parameter can never accept.
    WrongLiteralType,
    /// RI006: a string outside the parameter's allowed values.
    InvalidEnumValue,
    /// RI007: the operation is deprecated.
    DeprecatedOperation,
    /// RI008: `pyinfra.operations` has no such module.
    UnknownModule,
    /// RI009: the facts module has no such fact.
    UnknownFact,
    /// RI010: `host.get_fact` passes arguments the fact does not take, or leaves out required ones.
    InvalidFactArguments,
    /// RI011: a local source file that does not exist.
    MissingLocalFile,
    /// RI012: a directory given to an operation that uploads one file.
    PutDirectory,
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: &'static [Rule] = &[
        Rule::SyntaxError,
        Rule::UnknownOperation,
        Rule::UnknownArgument,
        Rule::MissingArgument,
        Rule::TooManyPositional,
        Rule::WrongLiteralType,
        Rule::InvalidEnumValue,
        Rule::DeprecatedOperation,
        Rule::UnknownModule,
        Rule::UnknownFact,
        Rule::InvalidFactArguments,
        Rule::MissingLocalFile,
        Rule::PutDirectory,
    ];

    /// The stable code (`RI001`).
    pub fn code(self) -> &'static str {
        match self {
            Rule::SyntaxError => "RI000",
            Rule::UnknownOperation => "RI001",
            Rule::UnknownArgument => "RI002",
            Rule::MissingArgument => "RI003",
            Rule::TooManyPositional => "RI004",
            Rule::WrongLiteralType => "RI005",
            Rule::InvalidEnumValue => "RI006",
            Rule::DeprecatedOperation => "RI007",
            Rule::UnknownModule => "RI008",
            Rule::UnknownFact => "RI009",
            Rule::InvalidFactArguments => "RI010",
            Rule::MissingLocalFile => "RI011",
            Rule::PutDirectory => "RI012",
        }
    }

    /// The rule's kebab-case name (`unknown-operation`).
    pub fn name(self) -> &'static str {
        match self {
            Rule::SyntaxError => "syntax-error",
            Rule::UnknownOperation => "unknown-operation",
            Rule::UnknownArgument => "unknown-argument",
            Rule::MissingArgument => "missing-argument",
            Rule::TooManyPositional => "too-many-positional-arguments",
            Rule::WrongLiteralType => "wrong-literal-type",
            Rule::InvalidEnumValue => "invalid-enum-value",
            Rule::DeprecatedOperation => "deprecated-operation",
            Rule::UnknownModule => "unknown-module",
            Rule::UnknownFact => "unknown-fact",
            Rule::InvalidFactArguments => "invalid-fact-arguments",
            Rule::MissingLocalFile => "missing-local-file",
            Rule::PutDirectory => "put-directory",
        }
    }

    /// One line saying what the rule reports.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::SyntaxError => "The file is not valid Python.",
            Rule::UnknownOperation => "The operations module has no such operation.",
            Rule::UnknownArgument => "The operation has no such argument.",
            Rule::MissingArgument => "A required argument is not given.",
            Rule::TooManyPositional => "More positional arguments than the operation takes.",
            Rule::WrongLiteralType => "A literal whose type the parameter can never accept.",
            Rule::InvalidEnumValue => "A string outside the parameter's allowed values.",
            Rule::DeprecatedOperation => "The operation is deprecated.",
            Rule::UnknownModule => "pyinfra.operations has no such module.",
            Rule::UnknownFact => "The facts module has no such fact.",
            Rule::InvalidFactArguments => "host.get_fact passes arguments the fact does not take, or misses some.",
            Rule::MissingLocalFile => "A local source file that does not exist.",
            Rule::PutDirectory => "A directory given to an operation that uploads one file.",
        }
    }

    /// How serious its problems are.
    pub fn severity(self) -> Severity {
        match self {
            Rule::DeprecatedOperation => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// Run every per-call rule on a call of a known operation.
pub fn check_call(call: &OpCall<'_>, out: &mut Vec<Diagnostic>) {
    check_callee(call, out);
    check_arguments(&Signature::operation(call), out);
    wrong_literal_type::check(call, out);
    invalid_enum_value::check(call, out);
}

/// Run the argument rules (RI002, RI003, RI004) on a call matched to a signature.
pub fn check_arguments(call: &Signature<'_, '_>, out: &mut Vec<Diagnostic>) {
    too_many_positional::check(call, out);
    unknown_argument::check(call, out);
    missing_argument::check(call, out);
}

/// Run the rules that look at the controller's files, for a deploy whose path is known.
pub fn check_local(call: &OpCall<'_>, local: &crate::local::LocalFiles, out: &mut Vec<Diagnostic>) {
    missing_local_file::check(call, local, out);
    put_directory::check(call, local, out);
}

/// Run the rules about the called operation itself, not its arguments.
pub fn check_callee(call: &OpCall<'_>, out: &mut Vec<Diagnostic>) {
    deprecated_operation::check(call, out);
}

/// Run the import rules on `from <module> import ...` (absolute imports of `pyinfra.operations...`).
pub fn check_import_from(import: &ast::StmtImportFrom, out: &mut Vec<Diagnostic>) {
    unknown_module::check_import_from(import, out);
    unknown_operation::check_import_from(import, out);
    unknown_fact::check_import_from(import, out);
}

/// Run the import rules on `import a.b.c`.
pub fn check_import(import: &ast::StmtImport, out: &mut Vec<Diagnostic>) {
    unknown_module::check_import(import, out);
}

/// The path below `pyinfra.operations` that a `from ... import` reads from: `""` for
/// `from pyinfra.operations import apt`, `apt` for `from pyinfra.operations.apt import packages`.
fn operations_module_of(import: &ast::StmtImportFrom) -> Option<&str> {
    if import.level != 0 {
        return None;
    }
    let module = import.module.as_ref()?.as_str();
    let rest = module.strip_prefix(crate::operation::OPERATIONS)?;
    if rest.is_empty() { Some("") } else { rest.strip_prefix('.') }
}

/// `module.name`, or `name` below the top.
fn join(module: &str, name: &str) -> String {
    if module.is_empty() { name.to_string() } else { format!("{module}.{name}") }
}

/// The range of the `len` bytes of a dotted name that start `skip` bytes into `range`.
fn sub_range(range: TextRange, skip: usize, len: usize) -> TextRange {
    let start = range.start() + ruff_text_size::TextSize::new(skip as u32);
    TextRange::at(start, ruff_text_size::TextSize::new(len as u32)).intersect(range).unwrap_or(range)
}

/// Test helper: the diagnostics of one rule on `src`, as `line:col message`.
#[cfg(test)]
pub(crate) fn findings(src: &str, rule: Rule) -> Vec<String> {
    let doc = crate::document::Document::new(src.to_string());
    crate::analysis::analyze(src)
        .diagnostics
        .iter()
        .filter(|d| d.rule == rule)
        .map(|d| {
            let at = doc.line_col(d.range.start());
            format!("{}:{} {}", at.line, at.column, d.message)
        })
        .collect()
}

/// A small schema module (`demo`) for rule tests that must not depend on which tables are filled in.
#[cfg(test)]
pub(crate) mod fixture {
    use ruff_python_ast::{Expr, PySourceType, Stmt};
    use ruff_python_parser::parse_unchecked_source;

    use rinfra_facts::schema::{ArgKind, Dflt, Operation, OperationModule, arg, enum_arg, var_arg};

    use super::Rule;
    use crate::operation::OpCall;

    /// `demo`: one operation per shape of signature.
    pub static DEMO: OperationModule = OperationModule {
        name: "demo",
        doc: "",
        operations: &[
            Operation {
                name: "packages",
                args: &[
                    arg("packages", "str | list[str] | None", Dflt::None, ""),
                    arg("present", "bool", Dflt::Bool(true), ""),
                    arg("latest", "bool", Dflt::Bool(false), ""),
                    arg("cache_time", "int | None", Dflt::None, ""),
                ],
                ..Operation::NEW
            },
            Operation {
                name: "key",
                args: &[arg("src", "str", Dflt::Required, ""), arg("keyserver", "str | None", Dflt::None, "")],
                ..Operation::NEW
            },
            Operation {
                name: "service",
                args: &[
                    arg("service", "str", Dflt::Required, ""),
                    enum_arg("state", "str", &["started", "stopped", "restarted"], Dflt::Str("started"), ""),
                    arg("env", "dict[str, str] | None", Dflt::None, ""),
                    arg("enabled", "bool | None", Dflt::None, ""),
                ],
                ..Operation::NEW
            },
            Operation {
                name: "template",
                args: &[
                    arg("src", "str", Dflt::Required, ""),
                    arg("dest", "str", Dflt::Required, ""),
                    var_arg("data", ArgKind::VarKwargs, ""),
                ],
                ..Operation::NEW
            },
            Operation {
                name: "run",
                args: &[
                    arg("command", "str", Dflt::Required, ""),
                    var_arg("args", ArgKind::VarArgs, ""),
                    arg("shell", "bool", Dflt::Bool(false), ""),
                ],
                ..Operation::NEW
            },
            Operation {
                name: "old",
                args: &[var_arg("args", ArgKind::VarArgs, ""), var_arg("kwargs", ArgKind::VarKwargs, "")],
                deprecated: true,
                replaced_by: Some("demo.key"),
                ..Operation::NEW
            },
        ],
    };

    /// The findings of `rule` on `src`, one `demo.<op>(...)` call, as `col message` (the line is 1).
    pub fn run(src: &str, rule: Rule) -> Vec<String> {
        let parsed = parse_unchecked_source(src, PySourceType::Python);
        let Some(Stmt::Expr(stmt)) = parsed.syntax().body.first() else { panic!("not an expression: {src}") };
        let Expr::Call(call) = stmt.value.as_ref() else { panic!("not a call: {src}") };
        let Expr::Attribute(attr) = call.func.as_ref() else { panic!("not demo.op: {src}") };
        let Some(row) = DEMO.operations.iter().find(|o| o.name == attr.attr.as_str()) else {
            panic!("no demo.{}", attr.attr.as_str())
        };
        let mut out = Vec::new();
        super::check_call(&OpCall { call, module: &DEMO, row, target: row }, &mut out);
        out.iter()
            .filter(|d| d.rule == rule)
            .map(|d| format!("{} {}", d.range.start().to_u32() + 1, d.message))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn codes_are_unique_and_the_readme_lists_every_rule() {
        let readme = include_str!("../../README.md");
        let mut codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            let row = format!("| {} | {}", rule.code(), rule.name());
            let found = readme.lines().any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ").starts_with(&row));
            assert!(found, "README.md has no row for {} {}", rule.code(), rule.name());
        }
    }
}
