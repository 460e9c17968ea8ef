//! A call matched against a signature, whether the catalogue's (an operation, a fact) or one read from
//! the user's own Python code: what the argument rules RI002, RI003, RI004 and RI010 check.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::TextRange;

use rinfra_facts::schema::{Arg, ArgKind, Dflt, catalogue};

use crate::fact::FactCall;
use crate::operation::OpCall;
use crate::workspace::{ParamKind, UserDef};

/// One parameter as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct ParamView<'s> {
    /// Its name.
    pub name: &'s str,
    /// How it can be given.
    pub kind: ParamKind,
    /// Whether a call must give it.
    pub required: bool,
}

/// A call with the signature it is checked against.
#[derive(Debug)]
pub struct Signature<'a, 's> {
    /// The call expression.
    pub call: &'a ast::ExprCall,
    /// The callee's name in messages (`apt.packages`, `my_op`).
    pub name: String,
    /// The parameters, in order.
    pub params: Vec<ParamView<'s>>,
    /// Whether the global arguments (`_sudo`, `name`, ...) are accepted by keyword.
    pub globals: bool,
    /// How many leading positional arguments are not the callee's (the fact class of `host.get_fact`).
    pub skip: usize,
}

/// The catalogue's parameters: normal ones after `*args` or `**kwargs` can only be given by keyword.
fn schema_params(args: &'static [Arg]) -> Vec<ParamView<'static>> {
    let mut seen_var = false;
    args.iter()
        .map(|a| {
            let kind = match a.kind {
                ArgKind::VarArgs => ParamKind::VarArgs,
                ArgKind::VarKwargs => ParamKind::VarKwargs,
                ArgKind::Normal if seen_var => ParamKind::KeywordOnly,
                ArgKind::Normal => ParamKind::Normal,
            };
            seen_var |= a.kind != ArgKind::Normal;
            ParamView { name: a.name, kind, required: a.kind == ArgKind::Normal && a.default == Dflt::Required }
        })
        .collect()
}

impl<'a, 's> Signature<'a, 's> {
    /// A call of a catalogue operation.
    pub fn operation(op: &OpCall<'a>) -> Signature<'a, 'static> {
        Signature { call: op.call, name: op.full_name(), params: schema_params(op.target.args), globals: true, skip: 0 }
    }

    /// A `host.get_fact(Fact, ...)` call of a catalogue fact.
    pub fn fact(call: &FactCall<'a>) -> Signature<'a, 'static> {
        Signature {
            call: call.call,
            name: call.full_name(),
            params: schema_params(call.fact.args),
            globals: true,
            skip: 1,
        }
    }

    /// A call of the user's own operation or deploy (`skip` 0), or a `host.get_fact` of their fact
    /// (`skip` 1); `None` when its parameters are unknown.
    pub fn user(call: &'a ast::ExprCall, def: &'s UserDef, skip: usize) -> Option<Signature<'a, 's>> {
        let params = def
            .params
            .as_ref()?
            .iter()
            .map(|p| ParamView { name: &p.name, kind: p.kind, required: p.required() })
            .collect();
        Some(Signature { call, name: def.name.clone(), params, globals: true, skip })
    }

    /// The parameters that can be given by position, in order.
    pub fn positional_params(&self) -> impl Iterator<Item = &ParamView<'s>> {
        self.params.iter().take_while(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::Normal))
    }

    /// Whether it takes `*args`.
    pub fn takes_var_args(&self) -> bool {
        self.params.iter().any(|p| p.kind == ParamKind::VarArgs)
    }

    /// Whether it takes `**kwargs`.
    pub fn takes_var_kwargs(&self) -> bool {
        self.params.iter().any(|p| p.kind == ParamKind::VarKwargs)
    }

    /// Whether `name` may be given by keyword: its own parameter or a global argument (pyinfra takes
    /// a global argument's keyword first, even where the callee has a parameter of that name).
    pub fn accepts_keyword(&self, name: &str) -> bool {
        self.params.iter().any(|p| p.name == name && matches!(p.kind, ParamKind::Normal | ParamKind::KeywordOnly))
            || (self.globals && catalogue().global(name).is_some())
    }

    /// Its own parameters that can be given by keyword.
    pub fn own_keywords(&self) -> impl Iterator<Item = &str> {
        self.params.iter().filter(|p| matches!(p.kind, ParamKind::Normal | ParamKind::KeywordOnly)).map(|p| p.name)
    }

    /// Names a misspelt keyword may have meant: its own, then the global ones.
    pub fn keyword_names(&self) -> impl Iterator<Item = &str> {
        let globals = catalogue().globals.iter().filter(|_| self.globals).map(|a| a.name);
        self.own_keywords().chain(globals)
    }

    /// Whether the call unpacks `*seq` or `**mapping`: then which parameters it fills is unknown.
    pub fn has_splat(&self) -> bool {
        self.call.arguments.args.iter().any(Expr::is_starred_expr)
            || self.call.arguments.keywords.iter().any(|k| k.arg.is_none())
    }

    /// The callee's positional argument expressions, up to any `*seq`.
    pub fn positional_args(&self) -> impl Iterator<Item = &'a Expr> {
        self.call.arguments.args.iter().skip(self.skip).take_while(|e| !e.is_starred_expr())
    }

    /// The range of the callee (`apt.packages`), where call-wide problems are reported.
    pub fn callee_range(&self) -> TextRange {
        use ruff_text_size::Ranged;
        self.call.func.range()
    }
}
