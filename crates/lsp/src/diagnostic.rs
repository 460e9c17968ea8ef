//! A problem found in a deploy file: which rule, where (UTF-8 byte range), and the message.

use ruff_text_size::TextRange;

use crate::rules::Rule;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The deploy would fail, or does something other than written.
    Error,
    /// Works today but should change (a deprecated operation).
    Warning,
}

impl Severity {
    /// `error` / `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: Rule,
    /// The exact range it applies to.
    pub range: TextRange,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic of `rule` at `range`.
    pub fn new(rule: Rule, range: TextRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic { rule, range, message: message.into() }
    }
}
