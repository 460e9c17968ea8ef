//! What a call's global arguments come to (bound with defaults, the command its facts are
//! gathered through, its passwords), worked out once per call: the scheduler asks for them at
//! every step of every host.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rinfra_facts::args::Args;
use rinfra_facts::globals::GLOBAL_ARGS;
use rinfra_facts::value::{Map, Value};

use crate::connector::askpass::Passwords;
use crate::python::OpCall;
use crate::run::split_globals;

/// A call's global arguments, resolved.
#[derive(Debug, PartialEq)]
pub(crate) struct CallGlobals {
    /// Bound with their defaults.
    pub(crate) args: Args,
    /// The command its fact batches run through (`sh -s`, or wrapped in sudo / su / doas).
    pub(crate) runner: String,
    /// Its `_sudo_password` / `_su_password`, or why they cannot be used.
    pub(crate) passwords: Result<Passwords, String>,
}

/// A resolution, shared by the calls that give the same globals.
type Resolved = Arc<Result<CallGlobals, String>>;

/// The memo an [`OpCall`] carries; empty until first asked, and never part of equality.
#[derive(Debug, Clone, Default)]
pub struct GlobalsMemo(OnceLock<Resolved>);

impl PartialEq for GlobalsMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `call`'s resolved global arguments, or the message of the `TypeError` they give.
pub(crate) fn call_globals(call: &OpCall) -> Result<&CallGlobals, String> {
    let memo = call.globals_memo.0.get_or_init(|| shared(call));
    memo.as_ref().as_ref().map_err(Clone::clone)
}

/// One resolution per distinct operation and global arguments, shared by every host's calls:
/// each host calls the same operations, and a memo per call would hold a copy of all 32 globals.
fn shared(call: &OpCall) -> Resolved {
    static SEEN: OnceLock<Mutex<HashMap<String, Resolved>>> = OnceLock::new();
    let (_, global) = split_globals(&call.name, &call.keywords);
    let key = format!("{}\0{}", call.name, serde_json::to_string(&global).unwrap_or_default());
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    seen.entry(key).or_insert_with(|| Arc::new(resolve(call, global))).clone()
}

fn resolve(call: &OpCall, global: Map<String, Value>) -> Result<CallGlobals, String> {
    let args = Args::bind(GLOBAL_ARGS, &[], &global).map_err(|e| format!("{}: {e}", call.name))?;
    let runner = crate::wrap::fact_runner(&args);
    let passwords = crate::wrap::passwords(&args).map_err(|e| format!("{}: {e}", call.name));
    Ok(CallGlobals { args, runner, passwords })
}
