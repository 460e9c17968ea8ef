//! One host through the run: the facts known now (and by which privilege they were gathered), the
//! operation calls its deploy recorded, planning a call against those facts (gathering what the
//! planner asks for, in batches), and executing the plan through the host's connector.
//!
//! A `HostState` is `Send`: the scheduler runs many hosts' steps on worker threads, each waiting for
//! its network round trips through the shared tokio runtime; Python is never called from here.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use rinfra_facts::args::Args;
use rinfra_facts::cache::{HostFacts, is_secret_arg};
use rinfra_facts::fact_source::{FactKey, FactSource, PlanEnv, Unknown};
use rinfra_facts::globals::GLOBAL_ARGS;
use rinfra_facts::operations::files::jinja::TemplateError;
use rinfra_facts::plan::{Command, Plan, UploadSource};
use rinfra_facts::plan_operation_with;
use rinfra_facts::quote::quote;
use rinfra_facts::schema::catalogue;
use rinfra_facts::value::{Map, Value};
use tokio::runtime::Handle;

use crate::call_env::CallEnv;
use crate::call_globals::call_globals;
use crate::connector::askpass::Passwords;
use crate::connector::{Connector, Payload, RemoteCommand};
use crate::file_diff::{FileDiff, edit_diff};
use crate::gather::{GatherOptions, Gathered, Job, JobOutput, JobStatus, fact_default, gather, gather_after};
use crate::localfs::{LocalFs, sha1_hex};
use crate::python::{Bridge, OpCall};
use crate::run::{Outcome, RunOptions, Target, check_call, fact_key, fact_runner, unsupported_global};
use crate::wrap::{success_codes, sudo_copy_commands, wrap_command};

/// Asks the Python thread whether to run an operation again (its `_retry_until` callable, given
/// pyinfra's output dictionary); the host is lent back so the callable's facts can be gathered.
pub(crate) type RetryJudge<'a> = dyn FnMut(&mut HostState, Value) -> Result<bool, String> + 'a;

/// A call's sudo / su passwords (`_sudo_password`, `_su_password`), for its commands and facts.
fn call_passwords(call: &OpCall) -> Result<Passwords, String> {
    call_globals(call)?.passwords.clone()
}

/// Plan `call` (its global arguments bound once per call, see [`crate::call_globals`]).
fn plan_call(
    call: &OpCall,
    facts: &dyn FactSource,
    local: &LocalFs,
    env: &CallEnv<'_>,
) -> Result<Plan, rinfra_facts::plan::PlanError> {
    let globals = call_globals(call).ok().map(|g| &g.args);
    plan_operation_with(&call.name, &call.positional, &call.keywords, globals, facts, local, env)
}

/// A fact source that answers known facts and, for unknown ones, notes them and answers the fact's
/// default, so one planning pass reveals every fact the planner asks for (gathered as one batch).
struct Probe<'a> {
    known: &'a HostFacts,
    missing: RefCell<Vec<FactKey>>,
    /// Every fact asked for, known or not.
    asked: RefCell<Vec<FactKey>>,
}

impl<'a> Probe<'a> {
    fn new(known: &'a HostFacts) -> Probe<'a> {
        Probe { known, missing: RefCell::new(Vec::new()), asked: RefCell::new(Vec::new()) }
    }
}

impl FactSource for Probe<'_> {
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
        let mut asked = self.asked.borrow_mut();
        if !asked.contains(key) {
            asked.push(key.clone());
        }
        match self.known.fact(key) {
            Ok(v) => Ok(v),
            Err(Unknown) => {
                let mut missing = self.missing.borrow_mut();
                if !missing.contains(key) {
                    missing.push(key.clone());
                }
                Ok(fact_default(key).unwrap_or(Value::Null))
            }
        }
    }

    fn knows(&self, key: &FactKey) -> bool {
        self.known.fact(key).is_ok()
    }
}

/// Host-side values planners may ask for.
pub(crate) struct HostEnv {
    name: String,
    pub(crate) data: Map<String, Value>,
    timestamp: String,
}

impl PlanEnv for HostEnv {
    fn host_name(&self) -> &str {
        &self.name
    }
    fn host_data(&self, key: &str) -> Option<Value> {
        self.data.get(key).cloned()
    }
    fn temp_filename(&self, key: &str) -> String {
        // pyinfra: `<temp dir>/pyinfra-<sha1(key)>`.
        format!("{}/pyinfra-{}", self.temp_dir(), sha1_hex(key.as_bytes()))
    }
    fn timestamp(&self) -> String {
        self.timestamp.clone()
    }
}

/// Local time as `YYYY-mm-ddTHH:MM:SS`, for backup names.
fn local_timestamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let t = libc::time_t::try_from(now).unwrap_or(0);
    // SAFETY: localtime_r writes into the zeroed `tm` we own and reads only `t`.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        return "1970-01-01T00:00:00".into();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// The command facts are gathered through, with the passwords it needs.
pub(crate) type Runner = (String, Passwords);

/// What a call asked for when prefetch last planned it.
struct Needs {
    /// The command its facts are gathered through.
    runner: String,
    /// Every fact it asked for, in order.
    asked: Vec<FactKey>,
    /// Whether all of them were known (the plan was complete, not made with defaults).
    complete: bool,
}

/// One host's state through the run: its facts, its recorded calls, whether it failed.
pub struct HostState {
    pub(crate) conn: Arc<dyn Connector>,
    pub(crate) rt: Handle,
    pub(crate) env: HostEnv,
    local: LocalFs,
    /// Facts valid now, by the command that gathered them (`sh -s`, or under sudo); cleared after
    /// an operation runs commands on the host.
    current: BTreeMap<String, HostFacts>,
    /// No facts (what an unused runner knows).
    empty: HostFacts,
    /// Every fact gathered during the run, for the cache.
    gathered: HostFacts,
    /// Recorded operation calls, in order.
    pub calls: Vec<OpCall>,
    /// Batches gathered (round trips spent on facts).
    pub fact_round_trips: u64,
    /// Output of the last executed call's commands (stdout lines, stderr lines).
    pub(crate) output: (Vec<String>, Vec<String>),
    /// Inventory groups.
    pub(crate) groups: Vec<String>,
    /// `--diff` material for the current call.
    pub(crate) diff: Vec<FileDiff>,
    /// The facts each call asked for when it was last planned (by call index), so the script that
    /// runs one call's commands can gather the next call's facts in the same round trip.
    needs: HashMap<usize, Needs>,
    /// Facts asked for without privileges (by deploy.py or a planner), for the next run's speculative batch.
    requested: Vec<FactKey>,
    /// What deploy.py itself asked with `host.get_fact`, in order: the guess for the other hosts.
    deploy_asked: Vec<FactKey>,
    /// The path each known fact is about (by cache key), for [`crate::touched`].
    fact_paths: HashMap<String, String>,
    /// Bumped whenever the known facts change (gathered or forgotten): a plan made at the same
    /// generation would come out the same.
    generation: u64,
    /// Plans `prefetch` completed (every fact known), by call index, with their generation: the
    /// step uses one if no fact changed since.
    ahead: HashMap<usize, (u64, Plan)>,
    /// Facts (by cache key) gathered again with a different value during the run.
    revalued: std::collections::HashSet<String>,
}

/// `value` with every `from` in its strings replaced by `to`.
fn rename_host(value: &Value, from: &str, to: &str) -> Value {
    match value {
        Value::String(s) if !from.is_empty() => Value::String(s.replace(from, to)),
        Value::Array(items) => Value::Array(items.iter().map(|v| rename_host(v, from, to)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), rename_host(v, from, to))).collect()),
        other => other.clone(),
    }
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl HostState {
    /// A host about to run deploy.py.
    pub fn new(target: &Target, rt: Handle) -> HostState {
        let facts = HostFacts { host: target.name.clone(), gathered_at: now_secs(), facts: Default::default() };
        HostState {
            conn: target.connector.clone(),
            rt,
            env: HostEnv { name: target.name.clone(), data: target.data.clone(), timestamp: local_timestamp() },
            local: LocalFs::new(),
            current: BTreeMap::new(),
            empty: facts.clone(),
            gathered: facts,
            calls: Vec::new(),
            fact_round_trips: 0,
            output: (Vec::new(), Vec::new()),
            groups: target.groups.clone(),
            diff: Vec::new(),
            needs: HashMap::new(),
            requested: Vec::new(),
            deploy_asked: Vec::new(),
            fact_paths: HashMap::new(),
            generation: 0,
            ahead: HashMap::new(),
            revalued: Default::default(),
        }
    }

    /// The host's name.
    pub fn name(&self) -> &str {
        &self.env.name
    }

    /// Everything gathered, for the cache.
    pub fn gathered(&self) -> &HostFacts {
        &self.gathered
    }

    /// Every fact request gathered so far that can be asked again (no secret arguments): what the
    /// next run gathers speculatively, before deploy.py even asks.
    pub fn fact_requests(&self) -> Vec<FactKey> {
        self.requested.iter().filter(|k| !k.values.iter().any(|(name, _)| is_secret_arg(name))).cloned().collect()
    }

    /// Gather `keys` now, as the connecting user, and keep the values; each key's result.
    pub fn fetch(&mut self, keys: &[FactKey]) -> Result<Vec<(FactKey, crate::gather::FactResult)>, String> {
        let conn = self.conn.clone();
        let options = GatherOptions::default();
        let got = self.rt.block_on(gather(conn.as_ref(), keys, &self.empty, &options)).map_err(|e| e.to_string())?;
        let results = got.results.clone();
        let _ = self.absorb(got, &options.runner);
        Ok(results)
    }

    /// The facts known now that were gathered through `runner`.
    fn known(&self, runner: &str) -> &HostFacts {
        self.current.get(runner).unwrap_or(&self.empty)
    }

    /// Keep what a batch brought back as known now (and for the cache); the first failure.
    fn absorb(&mut self, got: Gathered, runner: &str) -> Result<(), String> {
        self.fact_round_trips += got.round_trips;
        self.generation += 1;
        self.gathered.gathered_at = now_secs();
        let mut first_error = None;
        let name = self.env.name.clone();
        let known = self.current.entry(runner.to_string()).or_insert_with(|| HostFacts {
            host: name,
            gathered_at: 0,
            facts: Default::default(),
        });
        for (key, result) in got.results {
            match result {
                Ok(value) => {
                    let cache_key = rinfra_facts::cache::cache_key(&key);
                    let path =
                        key.values.iter().find(|(k, _)| k == "path").and_then(|(_, v)| crate::touched::plain_path(v));
                    if let Some(path) = path {
                        self.fact_paths.insert(cache_key.clone(), path);
                    }
                    // One value, shared by the facts known now and those kept for the cache.
                    let value = rinfra_facts::cache::FactValue::new(&value);
                    known.facts.insert(cache_key.clone(), value.clone());
                    if self.gathered.facts.get(&cache_key).is_some_and(|old| old != &value) {
                        self.revalued.insert(cache_key.clone());
                    }
                    self.gathered.facts.insert(cache_key, value);
                }
                Err(e) => {
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn gather(&mut self, keys: &[FactKey], runner: &str, passwords: &Passwords) -> Result<(), String> {
        let conn = self.conn.clone();
        let options = GatherOptions { runner: runner.to_string(), passwords: passwords.clone(), ..Default::default() };
        let got =
            self.rt.block_on(gather(conn.as_ref(), keys, self.known(runner), &options)).map_err(|e| e.to_string())?;
        self.absorb(got, runner)
    }

    /// Gather, before deploy.py runs, the facts the previous run asked for (best effort, one round
    /// trip): on an unchanged host the deploy's own `host.get_fact` calls and the planners then
    /// find everything known.
    pub fn speculate(&mut self, keys: Vec<FactKey>) {
        let runner = GatherOptions::default().runner;
        let known = self.known(&runner);
        let unknown: Vec<FactKey> = keys.into_iter().filter(|k| known.fact(k).is_err()).collect();
        if unknown.is_empty() {
            return;
        }
        let _ = self.gather(&unknown, &runner, &Passwords::default());
    }

    /// The facts deploy.py asked for on this host with `host.get_fact`, as `other` would likely
    /// ask them: this host's name in a string argument becomes `other`'s (deploys often build
    /// paths from `host.name`, or from its part after `@ssh/`). Requests with secret arguments
    /// are left out.
    pub fn deploy_requests_for(&self, other: &str) -> Vec<FactKey> {
        let bare = |name: &str| name.strip_prefix('@').and_then(|n| n.split_once('/')).map(|(_, b)| b.to_string());
        let mut names = vec![(self.name().to_string(), other.to_string())];
        if let (Some(from), Some(to)) = (bare(self.name()), bare(other)) {
            names.push((from, to));
        }
        self.deploy_asked
            .iter()
            .filter(|k| !k.values.iter().any(|(arg, _)| is_secret_arg(arg)))
            .map(|k| {
                let values = k
                    .values
                    .iter()
                    .map(|(arg, v)| (arg.clone(), names.iter().fold(v.clone(), |v, (a, b)| rename_host(&v, a, b))))
                    .collect();
                FactKey::new(&k.fact, values)
            })
            .collect()
    }

    /// The fact runners (privileges and passwords) of this host's calls: prefetch plans and
    /// gathers each runner's calls together.
    pub(crate) fn prefetch_runners(&self) -> Vec<Runner> {
        let mut runners: Vec<Runner> = Vec::new();
        for call in &self.calls {
            let Ok(passwords) = call_passwords(call) else { continue };
            let runner = (fact_runner(call), passwords);
            if !runners.contains(&runner) {
                runners.push(runner);
            }
        }
        runners
    }

    /// A prefetch round's planning, no network: plan every call of `runners` against the facts
    /// known now, keeping complete plans for the steps. The facts still missing, by runner.
    pub(crate) fn prefetch_plan(&mut self, runners: &[Runner]) -> Vec<(Runner, Vec<FactKey>)> {
        let mut wanted = Vec::new();
        for (runner, passwords) in runners {
            let same = |c: &OpCall| {
                call_globals(c).is_ok_and(|g| g.runner == *runner && g.passwords.as_ref().is_ok_and(|p| p == passwords))
            };
            let mut missing: Vec<FactKey> = Vec::new();
            for (n, call) in self.calls.iter().enumerate().filter(|(_, c)| same(c)) {
                let probe = Probe::new(self.known(runner));
                let env = CallEnv::new(&self.env, call);
                let planned = plan_call(call, &probe, &self.local, &env);
                let complete = planned.ok().filter(|_| probe.missing.borrow().is_empty());
                for key in probe.missing.into_inner() {
                    if !missing.contains(&key) {
                        missing.push(key);
                    }
                }
                let asked = probe.asked.into_inner();
                self.needs.insert(n, Needs { runner: runner.clone(), asked, complete: complete.is_some() });
                if let Some(plan) = complete {
                    self.ahead.insert(n, (self.generation, plan));
                }
            }
            if !missing.is_empty() {
                wanted.push(((runner.clone(), passwords.clone()), missing));
            }
        }
        wanted
    }

    /// A prefetch round's network part: gather what [`HostState::prefetch_plan`] found missing,
    /// one batch per runner. The runners whose batch arrived, to plan again.
    pub(crate) fn prefetch_gather(&mut self, wanted: Vec<(Runner, Vec<FactKey>)>) -> Vec<Runner> {
        wanted
            .into_iter()
            .filter(|((runner, passwords), missing)| self.gather(missing, runner, passwords).is_ok())
            .map(|(r, _)| r)
            .collect()
    }

    /// Whether call `n` is known to change nothing now (its plan made ahead is still valid): its
    /// step needs no round trip.
    pub(crate) fn settled(&self, n: usize) -> bool {
        self.ahead.get(&n).is_some_and(|(generation, plan)| *generation == self.generation && !plan.will_change())
    }

    /// Plan call `n` (`call`): as [`HostState::plan`], or the plan `prefetch` made if no fact has
    /// changed since.
    pub fn plan_step(&mut self, n: usize, call: &OpCall) -> Result<Plan, String> {
        match self.ahead.remove(&n) {
            Some((generation, plan)) if generation == self.generation => Ok(plan),
            _ => self.plan(call),
        }
    }

    /// Plan a call against the host's current facts, gathering what the planner asks for (with the
    /// call's sudo settings, as pyinfra gathers an operation's facts).
    pub fn plan(&mut self, call: &OpCall) -> Result<Plan, String> {
        self.plan_noting(call, false)
    }

    /// [`HostState::plan`], noting the facts the planner asked for when `note` (a call deploy.py
    /// did not record, whose requests [`HostState::remember_requests`] cannot find).
    fn plan_noting(&mut self, call: &OpCall, note: bool) -> Result<Plan, String> {
        if let Some(commands) = &call.planned {
            return Ok(Plan { commands: commands.clone(), noop: None, changes: Vec::new() });
        }
        let runner = fact_runner(call);
        let passwords = call_passwords(call)?;
        // Each pass gathers every fact the planner asked for; facts whose arguments depend on
        // other facts take a few passes.
        for _ in 0..16 {
            let probe = Probe::new(self.known(&runner));
            let env = CallEnv::new(&self.env, call);
            let planned = plan_call(call, &probe, &self.local, &env);
            let missing = probe.missing.into_inner();
            if missing.is_empty() {
                if note && runner == GatherOptions::default().runner {
                    for key in probe.asked.into_inner() {
                        self.note_request(&key);
                    }
                }
                return planned.map_err(|e| e.to_string());
            }
            self.gather(&missing, &runner, &passwords)?;
        }
        Err(format!("{}: the planner kept asking for new facts", call.name))
    }

    /// Run a plan's commands (call `n`); the failing command and its stderr on error. `next` is the
    /// index of the host's next call: its facts, and this call's own (as they are after the change,
    /// for the next run's speculative batch), are gathered in the same round trip as the commands.
    ///
    /// As in pyinfra, `_retries` runs the whole operation again (after `_retry_delay` seconds) when
    /// it fails, or, with `_retry_until`, when it succeeded and `judge` says so.
    pub fn execute(
        &mut self,
        call: &OpCall,
        plan: &Plan,
        n: usize,
        next: Option<usize>,
        judge: &mut RetryJudge<'_>,
    ) -> Result<(), String> {
        let globals = &call_globals(call)?.args;
        let retries = globals.get("_retries").as_u64().unwrap_or(0);
        let delay = globals.get("_retry_delay").as_f64().filter(|d| d.is_finite() && *d >= 0.0).unwrap_or(5.0);
        // Only a marker reaches Rust; the callable stays on the Python side.
        let until = globals.get("_retry_until") == &Value::Bool(true);
        let mut attempt = 0;
        loop {
            let (result, executed) = self.attempt(plan, n, next, globals);
            if attempt >= retries {
                return result.map_err(|e| {
                    if attempt > 0 { format!("{e}\n(failed after {attempt}/{retries} retries)") } else { e }
                });
            }
            let again = match &result {
                Err(_) => true,
                Ok(()) if until => {
                    let data = self.retry_data(call, plan, executed);
                    // pyinfra logs a failing callable and does not retry.
                    judge(self, data).unwrap_or_else(|e| {
                        eprintln!("{}: Error in retry_until function: {e}", self.name());
                        false
                    })
                }
                Ok(()) => false,
            };
            if !again {
                return result;
            }
            attempt += 1;
            std::thread::sleep(std::time::Duration::from_secs_f64(delay.min(3600.0)));
        }
    }

    /// The dictionary pyinfra gives `_retry_until`: the attempt's output lines, its commands (as
    /// shown, secrets masked), how many ran, the host and the operation's name.
    fn retry_data(&self, call: &OpCall, plan: &Plan, executed: usize) -> Value {
        let commands: Vec<Value> = plan
            .commands
            .iter()
            .map(|c| {
                Value::String(match c {
                    Command::Shell(s) => s.shown().to_string(),
                    Command::Upload { src: UploadSource::Path(p), dest } => format!("FileUploadCommand({p}, {dest})"),
                    Command::Upload { dest, .. } => format!("FileUploadCommand(<contents>, {dest})"),
                    Command::Download { src, dest } => format!("FileDownloadCommand({src}, {dest})"),
                    Command::Callback { name, .. } => format!("FunctionCommand({name})"),
                })
            })
            .collect();
        let lines = |l: &[String]| Value::Array(l.iter().cloned().map(Value::String).collect());
        serde_json::json!({
            "stdout_lines": lines(&self.output.0),
            "stderr_lines": lines(&self.output.1),
            "commands": commands,
            "executed_commands": executed,
            "host": self.name(),
            "operation": crate::report::label(call),
        })
    }

    /// One run of a plan's commands: its result and how many commands succeeded.
    fn attempt(&mut self, plan: &Plan, n: usize, next: Option<usize>, globals: &Args) -> (Result<(), String>, usize) {
        // Whatever happens next, the host may have changed: what the call may have changed must
        // be asked again.
        self.forget_touched(n);
        self.output = (Vec::new(), Vec::new());
        // `_continue_on_error`: run the remaining commands too; the operation still fails.
        let carry_on = globals.flag("_continue_on_error");
        let scripted = !carry_on && scriptable(globals);
        let mut first_error = None;
        let mut executed = 0;
        let mut i = 0;
        while i < plan.commands.len() {
            // A run of shell commands goes as one script when the globals allow it.
            let run = plan.commands[i..].iter().take_while(|c| matches!(c, Command::Shell(_))).count();
            if scripted && run > 0 {
                let last = i + run == plan.commands.len();
                let shells: Vec<&rinfra_facts::plan::ShellCommand> = plan.commands[i..i + run]
                    .iter()
                    .filter_map(|c| if let Command::Shell(s) = c { Some(s) } else { None })
                    .collect();
                // After an upload the call's own facts too: the file now exists, so the next run's
                // planner will ask for its checksum, which the run record should list.
                let uploaded = plan.commands.iter().any(|c| matches!(c, Command::Upload { .. }));
                let own = Some(n).filter(|_| uploaded);
                let follow = if last { self.follow_facts(own, next) } else { None };
                if let Err(e) = self.run_script(&shells, globals, follow) {
                    return (Err(e), executed);
                }
                executed += run;
                i += run;
                continue;
            }
            match self.execute_one(&plan.commands[i], globals) {
                Ok(()) => executed += 1,
                Err(e) if carry_on => {
                    first_error.get_or_insert(e);
                }
                Err(e) => return (Err(e), executed),
            }
            i += 1;
        }
        (first_error.map_or(Ok(()), Err), executed)
    }

    /// Forget the facts call `n` may change (see [`crate::touched`]): those about its paths and
    /// the paths above and below them, and every fact without a path; all of them when its
    /// paths are not known.
    fn forget_touched(&mut self, n: usize) {
        self.generation += 1;
        let Some(touched) = self.calls.get(n).and_then(crate::touched::touched_paths) else {
            self.current.clear();
            return;
        };
        let paths = &self.fact_paths;
        for facts in self.current.values_mut() {
            facts.facts.retain(|key, _| {
                paths.get(key).is_some_and(|path| !touched.iter().any(|t| crate::touched::related(path, t)))
            });
        }
    }

    /// The facts calls `own` and `next` asked for when planned and that are not known now, those
    /// gathered without privileges (the script that carries them runs as the connecting user).
    fn follow_facts(&self, own: Option<usize>, next: Option<usize>) -> Option<Vec<FactKey>> {
        let plain = GatherOptions::default().runner;
        let known = self.known(&plain);
        let mut keys: Vec<FactKey> = Vec::new();
        for i in [own, next].into_iter().flatten() {
            if let Some(Needs { runner, asked, .. }) = self.needs.get(&i)
                && *runner == plain
            {
                // Facts the call cannot have changed are still known (see `forget_touched`).
                let fresh = asked.iter().filter(|k| !keys.contains(k) && known.fact(k).is_err());
                keys.extend(fresh.cloned().collect::<Vec<_>>());
            }
        }
        (!keys.is_empty()).then_some(keys)
    }

    /// Note a fact asked for as the connecting user, for the next run's speculative batch. Facts
    /// are not noted for being gathered: that batch would then list itself again on every run,
    /// whether or not anything still asked (a checksum an older deploy wanted, hashed forever).
    fn note_request(&mut self, key: &FactKey) {
        if !self.requested.contains(key) {
            self.requested.push(key.clone());
        }
    }

    /// Note, for the next run's speculative batch, the facts each call would ask for given the
    /// latest values gathered (a file created by this run makes `files.put` ask for its checksum).
    pub fn remember_requests(&mut self) {
        let plain = GatherOptions::default().runner;
        for (n, call) in self.calls.iter().enumerate().filter(|(_, c)| c.planned.is_none() && fact_runner(c) == plain) {
            // A call planned with every fact known, none of which changed since, would ask the same.
            if let Some(Needs { asked, .. }) = self.needs.get(&n).filter(|needs| needs.complete)
                && !asked.iter().any(|k| self.revalued.contains(&rinfra_facts::cache::cache_key(k)))
            {
                for key in asked {
                    if !self.requested.contains(key) {
                        self.requested.push(key.clone());
                    }
                }
                continue;
            }
            let probe = Probe::new(&self.gathered);
            let env = CallEnv::new(&self.env, call);
            let _ = plan_call(call, &probe, &self.local, &env);
            let missing = probe.missing.into_inner();
            // Facts asked after one never gathered depend on its default value: a guess, not a need
            // (files.put asks for an MD5 only when there is no SHA-1).
            for key in probe.asked.into_inner() {
                let unknown = missing.contains(&key);
                if !self.requested.contains(&key) {
                    self.requested.push(key);
                }
                if unknown {
                    break;
                }
            }
        }
    }

    /// Run shell commands as one script (one round trip), stopping at the first failure as running
    /// them one by one would; then, if all succeeded, gather `follow` in the same script.
    fn run_script(
        &mut self,
        shells: &[&rinfra_facts::plan::ShellCommand],
        globals: &Args,
        follow: Option<Vec<FactKey>>,
    ) -> Result<(), String> {
        let codes: Vec<i32> = success_codes(globals).iter().filter_map(|c| i32::try_from(*c).ok()).collect();
        let mut jobs = Vec::with_capacity(shells.len());
        for shell in shells {
            let line = crate::wrap::script_line(&shell.raw, globals);
            let inline = crate::gather::runs_inline(&line);
            jobs.push(Job { inline, ..Job::new(line, None, Some(codes.clone())) });
        }
        let conn = self.conn.clone();
        let keys = follow.unwrap_or_default();
        let (outputs, got) = self
            .rt
            .block_on(gather_after(conn.as_ref(), jobs, &keys, &self.empty, &GatherOptions::default()))
            .map_err(|e| e.to_string())?;
        for (shell, out) in shells.iter().zip(outputs) {
            let Some(JobOutput { status, stdout, stderr }) = out else {
                return Err(format!("command did not complete (the connection or shell ended): {}", shell.shown()));
            };
            self.output.0.extend(crate::connector::output_lines(&stdout));
            self.output.1.extend(crate::connector::output_lines(&stderr));
            let code = match status {
                JobStatus::Exited(c) => c,
                JobStatus::Missing => -1,
            };
            if !codes.contains(&code) {
                let stderr = String::from_utf8_lossy(&stderr).trim_end().to_string();
                return Err(format!("command failed (exit code {code}): {}\n{stderr}", shell.shown()));
            }
        }
        if !keys.is_empty() {
            // Gathered after the commands ran: valid now. A failed fact is simply asked again.
            // The round trip was the commands'; it is not counted as a fact batch.
            let _ = self.absorb(Gathered { round_trips: 0, ..got }, &GatherOptions::default().runner);
        }
        Ok(())
    }

    fn execute_one(&mut self, command: &Command, globals: &Args) -> Result<(), String> {
        let conn = self.conn.clone();
        match command {
            Command::Shell(shell) => {
                let remote = wrap_command(&shell.raw, globals)?;
                let out = self.rt.block_on(conn.run(&remote)).map_err(|e| e.to_string())?;
                self.output.0.extend(out.stdout_lines());
                self.output.1.extend(out.stderr_lines());
                let codes = success_codes(globals);
                if out.status.code().is_some_and(|c| codes.contains(&i64::from(c))) {
                    return Ok(());
                }
                let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
                Err(format!("command failed ({}): {}\n{stderr}", out.status, shell.shown()))
            }
            Command::Upload { src, dest } => {
                // With sudo the connection's user may not write `dest`: upload to a temporary file
                // first, then copy it into place as the privileged user (as pyinfra does).
                let sudo = crate::wrap::needs_privileged_upload(globals);
                let target = if sudo {
                    let dir = match globals.get("_temp_dir") {
                        Value::String(dir) if !dir.is_empty() => dir.clone(),
                        _ => self.env.temp_dir(),
                    };
                    format!("{dir}/rinfra-upload-{}", crate::connector::random_hex(8))
                } else {
                    dest.clone()
                };
                let result = match src {
                    UploadSource::Path(p) => self.rt.block_on(conn.upload(Payload::File(Path::new(p)), &target)),
                    UploadSource::Contents(c) => self.rt.block_on(conn.upload(Payload::Bytes(c.as_bytes()), &target)),
                };
                result.map_err(|e| format!("upload to {dest}: {e}"))?;
                if sudo {
                    let (copy, cleanup) = sudo_copy_commands(&target, dest, globals)?;
                    let copied = self.rt.block_on(conn.run(&copy));
                    let _ = self.rt.block_on(conn.run(&cleanup));
                    let out = copied.map_err(|e| e.to_string())?;
                    if !out.success() {
                        let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
                        return Err(format!("upload to {dest}: copy into place failed ({}): {stderr}", out.status));
                    }
                }
                Ok(())
            }
            Command::Download { src, dest } => {
                self.rt.block_on(conn.download(src, Path::new(dest))).map_err(|e| format!("download {src}: {e}"))
            }
            Command::Callback { name, .. } => Err(format!("callback {name} is not supported by rinfra-exec yet")),
        }
    }
}

impl Bridge for HostState {
    fn record(&mut self, call: OpCall) -> Result<usize, String> {
        if call.planned.is_some() {
            // A user-defined operation: only its global arguments are for rinfra to check.
            let globals = Args::bind(GLOBAL_ARGS, &[], &call.keywords).map_err(|e| format!("{}: {e}", call.name))?;
            unsupported_global(&globals).map_err(|e| format!("{}: {e}", call.name))?;
            self.calls.push(call);
            return Ok(self.calls.len() - 1);
        }
        check_call(&call)?;
        let resolved = catalogue().operation(&call.name).map(|(m, o)| format!("{}.{}", m.name, o.name));
        self.calls.push(OpCall { name: resolved.unwrap_or(call.name.clone()), ..call });
        Ok(self.calls.len() - 1)
    }

    fn get_fact(&mut self, fact: &str, positional: &[Value], keywords: &Map<String, Value>) -> Result<Value, String> {
        let key = fact_key(fact, positional, keywords)?;
        if !self.deploy_asked.contains(&key) {
            self.deploy_asked.push(key.clone());
        }
        self.note_request(&key);
        let runner = GatherOptions::default().runner;
        if let Ok(v) = self.known(&runner).fact(&key) {
            return Ok(v);
        }
        self.gather(std::slice::from_ref(&key), &runner, &Passwords::default())?;
        self.known(&runner).fact(&key).map_err(|_| format!("fact {key} could not be gathered"))
    }

    fn run_command(&mut self, command: &str) -> Result<(bool, Vec<String>, Vec<String>), String> {
        let remote = wrap_command(command, &Args::bind(GLOBAL_ARGS, &[], &Map::new()).map_err(|e| e.to_string())?)?;
        let conn = self.conn.clone();
        let out = self.rt.block_on(conn.run(&remote)).map_err(|e| e.to_string())?;
        Ok((out.success(), out.stdout_lines(), out.stderr_lines()))
    }

    fn plan_inner(
        &mut self,
        name: &str,
        positional: &[Value],
        keywords: &Map<String, Value>,
        rendered: Option<Box<Result<String, TemplateError>>>,
    ) -> Result<Vec<Command>, String> {
        let call = OpCall {
            name: name.to_string(),
            positional: positional.to_vec(),
            keywords: keywords.clone(),
            file: String::new(),
            line: 0,
            order: Vec::new(),
            source: String::new(),
            planned: None,
            rendered,
            globals_memo: Default::default(),
        };
        check_call(&call)?;
        // A nested call (`yield from files.put._inner(...)`): not among the recorded calls.
        Ok(self.plan_noting(&call, true)?.commands)
    }

    fn will_change(&mut self, index: usize) -> Result<bool, String> {
        let call = self.calls.get(index).cloned().ok_or_else(|| format!("no operation call #{index}"))?;
        Ok(self.plan(&call)?.will_change())
    }
}

/// Plan and (unless dry) execute call `n` on the host; `next` is the host's next call. `judge`
/// answers `_retry_until`.
pub(crate) fn run_one(
    host: &mut HostState,
    n: usize,
    call: &OpCall,
    options: &RunOptions,
    judge: &mut RetryJudge<'_>,
) -> Outcome {
    let plan = match host.plan_step(n, call) {
        Ok(p) => p,
        Err(e) => return Outcome::Error(e),
    };
    if !plan.will_change() {
        return Outcome::NoChange(plan);
    }
    if options.diff {
        // Before anything runs: the diff compares the host's file as it is now.
        host.diff = upload_diffs(host, &plan);
        host.diff.extend(edit_diff(host.conn.as_ref(), &host.rt, call));
    }
    if options.dry {
        return Outcome::Changed(plan);
    }
    let next = Some(n + 1).filter(|i| *i < host.calls.len());
    match host.execute(call, &plan, n, next, judge) {
        Ok(()) => Outcome::Changed(plan),
        Err(e) => Outcome::Error(e),
    }
}

/// What `--diff` compares for each file a plan uploads: the host's file now (read with `cat`;
/// missing is empty) and what would be written.
fn upload_diffs(host: &HostState, plan: &Plan) -> Vec<FileDiff> {
    let mut out = Vec::new();
    for command in &plan.commands {
        let Command::Upload { src, dest } = command else { continue };
        let new = match src {
            UploadSource::Contents(c) => Some(c.clone()),
            UploadSource::Path(p) => std::fs::read(p).ok().and_then(|b| String::from_utf8(b).ok()),
        };
        let cat = RemoteCommand::new(format!("cat {} 2>/dev/null || true", quote(dest)));
        let old = host.rt.block_on(host.conn.run(&cat)).ok().and_then(|o| String::from_utf8(o.stdout).ok());
        let texts = old.zip(new).ok_or_else(|| "binary content".to_string());
        out.push(FileDiff { path: dest.clone(), texts });
    }
    out
}

/// Whether an operation's shell commands may run as one script: not when each command needs its
/// own input, time limit, retries or terminal (those are per command in pyinfra), nor under a
/// privilege switch (sudo's password goes through the connector, which sees only command lines).
fn scriptable(globals: &Args) -> bool {
    let stdin = !matches!(globals.get("_stdin"), Value::Null)
        && !matches!(globals.get("_stdin"), Value::Array(a) if a.is_empty());
    let timeout = globals.get("_timeout").as_f64().is_some_and(|t| t > 0.0);
    let retries = globals.get("_retries").as_u64().unwrap_or(0) > 0;
    let privileged = crate::wrap::needs_privileged_upload(globals);
    !stdin && !timeout && !retries && !globals.flag("_get_pty") && !privileged
}
