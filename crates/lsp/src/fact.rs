//! What a dotted path below `pyinfra.facts` names in the catalogue, and `host.get_fact(Fact, ...)` calls.

use ruff_python_ast::{self as ast, Expr};

use rinfra_facts::schema::{Fact, FactModule, catalogue};

/// The prefix of every facts path.
pub const FACTS: &str = "pyinfra.facts";

/// The path `host.get_fact` resolves to.
pub const GET_FACT: &str = "pyinfra.host.get_fact";

/// What a path below `pyinfra.facts` (`server.LinuxName`) names.
#[derive(Debug, Clone, Copy)]
pub enum FactPath {
    /// A fact class of the catalogue.
    Fact {
        /// Its module.
        module: &'static FactModule,
        /// The fact.
        fact: &'static Fact,
    },
    /// A name the module does not define as a fact.
    UnknownFact {
        /// The module, which has a schema.
        module: &'static FactModule,
    },
    /// Anything else: a module, a helper package, a module whose schema is not written yet.
    Unchecked,
}

/// Classify `path`, a dotted path below `pyinfra.facts`.
pub fn classify(path: &str) -> FactPath {
    let Some((m, name)) = path.rsplit_once('.') else { return FactPath::Unchecked };
    let Some(module) = catalogue().facts.iter().find(|x| x.name == m) else { return FactPath::Unchecked };
    if module.facts.is_empty() {
        return FactPath::Unchecked;
    }
    match module.facts.iter().find(|f| f.name == name) {
        Some(fact) => FactPath::Fact { module, fact },
        None => FactPath::UnknownFact { module },
    }
}

/// A `host.get_fact(Fact, *args, **kwargs)` call of a known fact.
#[derive(Debug, Clone, Copy)]
pub struct FactCall<'a> {
    /// The `host.get_fact(...)` call.
    pub call: &'a ast::ExprCall,
    /// Its module.
    pub module: &'static FactModule,
    /// The fact.
    pub fact: &'static Fact,
}

impl<'a> FactCall<'a> {
    /// `module.Fact`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.module.name, self.fact.name)
    }

    /// The arguments after the fact class, up to any `*args`.
    pub fn positional_args(&self) -> impl Iterator<Item = &'a Expr> {
        self.call.arguments.args.iter().skip(1).take_while(|e| !e.is_starred_expr())
    }

    /// Whether the call unpacks `*seq` or `**mapping`.
    pub fn has_splat(&self) -> bool {
        self.call.arguments.args.iter().any(Expr::is_starred_expr)
            || self.call.arguments.keywords.iter().any(|k| k.arg.is_none())
    }
}

/// The fact expression of a `host.get_fact(...)` call (its first argument).
pub fn fact_argument(call: &ast::ExprCall) -> Option<&Expr> {
    call.arguments.args.first().filter(|e| !e.is_starred_expr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_and_unknown_names() {
        assert!(matches!(classify("files.File"), FactPath::Fact { .. }));
        assert!(matches!(classify("files.Fiel"), FactPath::UnknownFact { .. }));
        assert!(matches!(classify("files"), FactPath::Unchecked));
        assert!(matches!(classify("nope.File"), FactPath::Unchecked));
    }
}
