//! rinfra's shared core: the operation and fact schema, fact commands and parsers, operation
//! planners and shell quoting. It knows nothing of SSH, Python or LSP and does no I/O beyond the
//! `.rinfra/` fact cache; both front ends (`rinfra-exec`, `rinfra-lsp`) stand on it.

pub mod args;
pub mod cache;
pub mod conformance;
pub mod fact_source;
pub mod facts;
pub mod globals;
pub mod local_files;
pub mod operations;
pub mod plan;
pub mod quote;
pub mod schema;
pub mod value;

use args::Args;
use fact_source::{CommandError, FactCtx, FactKey, FactSource, NoFacts, PlanEnv};
use local_files::LocalFiles;
use plan::{Ctx, Plan, PlanError};
use schema::catalogue;
use value::{Map, Value};

/// Plan one operation call (`module.op`) against a host's facts: the pure heart of both front ends.
///
/// Keyword arguments that are global arguments (`_sudo`, `name`, ...) are bound separately and
/// available to the planner as [`Ctx::globals`].
pub fn plan_operation(
    full_name: &str,
    positional: &[Value],
    keywords: &Map<String, Value>,
    facts: &dyn FactSource,
    local: &dyn LocalFiles,
    env: &dyn PlanEnv,
) -> Result<Plan, PlanError> {
    plan_operation_with(full_name, positional, keywords, None, facts, local, env)
}

/// [`plan_operation`] with the call's global arguments already bound (an executor plans the same
/// call many times: it binds them once).
pub fn plan_operation_with(
    full_name: &str,
    positional: &[Value],
    keywords: &Map<String, Value>,
    globals: Option<&Args>,
    facts: &dyn FactSource,
    local: &dyn LocalFiles,
    env: &dyn PlanEnv,
) -> Result<Plan, PlanError> {
    let (_, op) =
        catalogue().operation(full_name).ok_or_else(|| PlanError::op(format!("unknown operation {full_name}")))?;
    let planner = op.planner.ok_or_else(|| PlanError::NotImplemented(full_name.to_string()))?;
    let own_arg = |k: &str| !globals::is_global(k) || op.args.iter().any(|a| a.name == k);
    let own: Map<String, Value> =
        keywords.iter().filter(|(k, _)| own_arg(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let args = Args::bind(op.args, positional, &own)?;
    let globals = match globals {
        Some(g) => g.clone(),
        None => {
            let global: Map<String, Value> =
                keywords.iter().filter(|(k, _)| !own_arg(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
            Args::bind(globals::GLOBAL_ARGS, &[], &global)?
        }
    };
    let mut ctx = Ctx::with_globals(facts, local, env, globals);
    planner(&mut ctx, &args)?;
    Ok(ctx.finish())
}

/// Run another operation's planner inside this one (pyinfra's `yield from other._inner(...)`),
/// binding `keywords` with that operation's defaults.
pub fn nested(ctx: &mut Ctx<'_>, full_name: &str, keywords: &[(&str, Value)]) -> Result<(), PlanError> {
    let (_, op) =
        catalogue().operation(full_name).ok_or_else(|| PlanError::op(format!("unknown operation {full_name}")))?;
    let planner = op.planner.ok_or_else(|| PlanError::NotImplemented(full_name.to_string()))?;
    let kw: Map<String, Value> = keywords.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let args = Args::bind(op.args, &[], &kw)?;
    planner(ctx, &args)
}

/// Errors from building or parsing a fact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    /// No such fact in the catalogue.
    #[error("unknown fact {0}")]
    Unknown(String),
    /// The fact is in the schema but rinfra cannot gather it yet.
    #[error("fact {0} is not implemented yet")]
    NotImplemented(String),
    /// The fact's arguments do not fit its signature.
    #[error("bad arguments for fact {0}: {1}")]
    Args(String, args::BindError),
    /// The output could not be parsed.
    #[error("cannot parse output of fact {0}: {1}")]
    Parse(String, String),
    /// The fact's command depends on another fact that must be gathered first.
    #[error("fact {0} needs fact {1} first")]
    NeedsFact(String, FactKey),
    /// The fact's arguments are rejected while building its command.
    #[error("invalid arguments for fact {0}: {1}")]
    Invalid(String, String),
}

/// The command that gathers a fact, and the command that must exist for it to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactCommand {
    /// The shell command.
    pub command: String,
    /// Only run the fact when this command exists on the host (`None`: always).
    pub requires: Option<String>,
}

/// Resolve a fact key to its schema row, following short facts to the fact that is actually run.
fn resolve_fact(key: &FactKey) -> Result<(&'static schema::Fact, Option<&'static schema::Fact>), FactError> {
    let (_, fact) = catalogue().fact(&key.fact).ok_or_else(|| FactError::Unknown(key.fact.clone()))?;
    match fact.short {
        Some((parent, _)) => {
            let (_, p) = catalogue().fact(parent).ok_or_else(|| FactError::Unknown(parent.to_string()))?;
            Ok((p, Some(fact)))
        }
        None => Ok((fact, None)),
    }
}

fn bind_fact(fact: &schema::Fact, key: &FactKey) -> Result<Args, FactError> {
    let kw: Map<String, Value> = key.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    Args::bind(fact.args, &[], &kw).map_err(|e| FactError::Args(key.fact.clone(), e))
}

/// The command for a fact with its arguments (for a fact whose command depends on other facts,
/// [`FactError::NeedsFact`] names the one to gather first; see [`fact_command_with`]).
pub fn fact_command(key: &FactKey) -> Result<FactCommand, FactError> {
    fact_command_with(key, &NoFacts)
}

/// The command for a fact with its arguments, consulting other known facts where the command depends on them.
pub fn fact_command_with(key: &FactKey, facts: &dyn FactSource) -> Result<FactCommand, FactError> {
    let (fact, _) = resolve_fact(key)?;
    let args = bind_fact(fact, key)?;
    let command = match (fact.command_with, fact.command) {
        (Some(build), _) => build(&args, facts).map_err(|e| match e {
            CommandError::NeedsFact(k) => FactError::NeedsFact(key.fact.clone(), k),
            CommandError::Invalid(m) => FactError::Invalid(key.fact.clone(), m),
        })?,
        (None, Some(build)) => build(&args),
        (None, None) => return Err(FactError::NotImplemented(key.fact.clone())),
    };
    Ok(FactCommand { command, requires: fact.requires.and_then(|r| r(&args)) })
}

/// Parse a fact's output lines into its value (deriving short facts from their parent).
pub fn parse_fact(key: &FactKey, output: &[String], facts: &dyn FactSource) -> Result<Value, FactError> {
    let (fact, short) = resolve_fact(key)?;
    let parse = fact.parse.ok_or_else(|| FactError::NotImplemented(key.fact.clone()))?;
    let args = bind_fact(fact, key)?;
    let value = parse(&FactCtx { args: &args, output, facts }).map_err(|e| FactError::Parse(key.fact.clone(), e))?;
    Ok(match short.and_then(|s| s.short) {
        Some((_, derive)) => derive(&value),
        None => value,
    })
}
