//! The run: deploy.py once per host (recording operation calls), then each operation in order
//! across the hosts: plan it (gathering the facts the planner asks for, in batches), execute the
//! plan's commands through the host's connector, report `Success` / `No change` / `Error`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rinfra_facts::args::Args;
use rinfra_facts::cache::{FactCache, HostFacts};
use rinfra_facts::fact_source::{FactKey, FactSource, PlanEnv, Unknown};
use rinfra_facts::globals::{GLOBAL_ARGS, is_global};
use rinfra_facts::plan::{Command, Plan, UploadSource};
use rinfra_facts::plan_operation;
use rinfra_facts::quote::quote;
use rinfra_facts::schema::{ArgKind, catalogue};
use rinfra_facts::value::{Map, Value};
use tokio::runtime::Handle;

use crate::connector::{Connector, Payload, RemoteCommand};
use crate::gather::{GatherOptions, fact_default, gather};
use crate::localfs::{LocalFs, sha1_hex};
use crate::python::{Bridge, CallResult, Interpreter, OpCall};
use crate::wrap::{success_codes, sudo_copy_commands, wrap_command};

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Plan only; change nothing.
    pub dry: bool,
    /// `-v` count: 1 shows no-change reasons and dry-run commands, 2 the commands run.
    pub verbose: u8,
    /// Print each host's command output (`exec`).
    pub show_output: bool,
    /// Print one JSON document (plan and results) instead of the human report.
    pub json: bool,
    /// Show a unified diff of each file an operation uploads (`files.put`, `files.template`).
    pub diff: bool,
    /// Stop the run when more than this percentage of hosts has failed.
    pub fail_percent: Option<u8>,
}

/// One host taking part in the run.
pub struct Target {
    /// Inventory name.
    pub name: String,
    /// Host data.
    pub data: Map<String, Value>,
    /// Inventory groups.
    pub groups: Vec<String>,
    /// How it is reached.
    pub connector: Arc<dyn Connector>,
}

/// Split an operation call's keywords into its own and the global ones, as `plan_operation` does.
fn split_globals(name: &str, keywords: &Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
    let own_args = catalogue().operation(name).map(|(_, op)| op.args).unwrap_or(&[]);
    keywords
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .partition(|(k, _)| !is_global(k) || own_args.iter().any(|a| a.name == k))
}

/// Check a call against the schema before anything runs (unknown operation, argument, missing value).
pub fn check_call(call: &OpCall) -> Result<(), String> {
    let (_, op) = catalogue().operation(&call.name).ok_or_else(|| format!("unknown operation {}", call.name))?;
    if op.planner.is_none() {
        return Err(format!("{}: rinfra cannot run this operation yet (no planner)", call.name));
    }
    let (own, global) = split_globals(&call.name, &call.keywords);
    Args::bind(op.args, &call.positional, &own).map_err(|e| format!("{}: {e}", call.name))?;
    let globals = Args::bind(GLOBAL_ARGS, &[], &global).map_err(|e| format!("{}: {e}", call.name))?;
    unsupported_global(&globals).map_err(|e| format!("{}: {e}", call.name))
}

/// Global arguments this version runs; any other set to a non-default value is refused up front.
const SUPPORTED_GLOBALS: &[&str] = &[
    "name",
    "_if",
    "_sudo",
    "_sudo_user",
    // Privilege arguments wrapped as pyinfra wraps them (crate::wrap).
    "_use_sudo_login",
    "_preserve_sudo_env",
    "_su_user",
    "_use_su_login",
    "_preserve_su_env",
    "_su_shell",
    "_doas",
    "_doas_user",
    "_dzdo",
    "_dzdo_user",
    "_get_pty",
    "_env",
    "_chdir",
    "_shell_executable",
    "_ignore_errors",
    "_success_exit_codes",
    "_timeout",
    "_stdin",
    "_retries",
    "_retry_delay",
    "_continue_on_error",
    // Hosts run one after another in this version, which satisfies both.
    "_serial",
    "_parallel",
    "_run_once",
];

fn unsupported_global(globals: &Args) -> Result<(), String> {
    for arg in GLOBAL_ARGS {
        if SUPPORTED_GLOBALS.contains(&arg.name) {
            continue;
        }
        let default = arg.default.value().unwrap_or(Value::Null);
        if *globals.get(arg.name) != default {
            let hint = crate::wrap::unsupported_hint(arg.name);
            return Err(format!("the global argument {} is not supported by rinfra-exec yet{hint}", arg.name));
        }
    }
    Ok(())
}

/// A fact source that answers known facts and, for unknown ones, notes them and answers the fact's
/// default, so one planning pass reveals every fact the planner asks for (gathered as one batch).
struct Probe<'a> {
    known: &'a HostFacts,
    missing: RefCell<Vec<FactKey>>,
}

impl FactSource for Probe<'_> {
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
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
}

/// Host-side values planners may ask for.
struct HostEnv {
    name: String,
    data: Map<String, Value>,
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

/// One host's state through the run: its facts, its recorded calls, whether it failed.
pub struct HostState {
    conn: Arc<dyn Connector>,
    rt: Handle,
    env: HostEnv,
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
    output: (Vec<String>, Vec<String>),
    /// Inventory groups.
    groups: Vec<String>,
    /// `--diff` lines for the current call.
    diff: Vec<String>,
}

fn now_secs() -> u64 {
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

    /// The facts known now that were gathered through `runner`.
    fn known(&self, runner: &str) -> &HostFacts {
        self.current.get(runner).unwrap_or(&self.empty)
    }

    fn gather(&mut self, keys: &[FactKey], runner: &str) -> Result<(), String> {
        let conn = self.conn.clone();
        let options = GatherOptions { runner: runner.to_string(), timeout: None };
        let got =
            self.rt.block_on(gather(conn.as_ref(), keys, self.known(runner), &options)).map_err(|e| e.to_string())?;
        self.fact_round_trips += got.round_trips;
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
                    known.insert(&key, value.clone());
                    self.gathered.insert(&key, value);
                }
                Err(e) => {
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Gather, in one batch per pass, the facts every recorded call asks for against the facts known
    /// now, so an unchanged host costs one fact round trip (one per privilege level used). Best
    /// effort: a fact that fails here is asked again (and its error reported) by the operation.
    pub fn prefetch(&mut self) {
        let mut runners: Vec<String> = self.calls.iter().map(fact_runner).collect();
        runners.sort();
        runners.dedup();
        for runner in runners {
            for _ in 0..4 {
                let probe = Probe { known: self.known(&runner), missing: RefCell::new(Vec::new()) };
                for call in self.calls.iter().filter(|c| fact_runner(c) == runner) {
                    let _ =
                        plan_operation(&call.name, &call.positional, &call.keywords, &probe, &self.local, &self.env);
                }
                let missing = probe.missing.into_inner();
                if missing.is_empty() || self.gather(&missing, &runner).is_err() {
                    break;
                }
            }
        }
    }

    /// Plan a call against the host's current facts, gathering what the planner asks for (with the
    /// call's sudo settings, as pyinfra gathers an operation's facts).
    pub fn plan(&mut self, call: &OpCall) -> Result<Plan, String> {
        if let Some(commands) = &call.planned {
            return Ok(Plan { commands: commands.clone(), noop: None, changes: Vec::new() });
        }
        let runner = fact_runner(call);
        // Each pass gathers every fact the planner asked for; facts whose arguments depend on
        // other facts take a few passes.
        for _ in 0..16 {
            let probe = Probe { known: self.known(&runner), missing: RefCell::new(Vec::new()) };
            let planned = plan_operation(&call.name, &call.positional, &call.keywords, &probe, &self.local, &self.env);
            let missing = probe.missing.into_inner();
            if missing.is_empty() {
                return planned.map_err(|e| e.to_string());
            }
            self.gather(&missing, &runner)?;
        }
        Err(format!("{}: the planner kept asking for new facts", call.name))
    }

    /// Run a plan's commands; the failing command and its stderr on error.
    pub fn execute(&mut self, call: &OpCall, plan: &Plan) -> Result<(), String> {
        let (_, global) = split_globals(&call.name, &call.keywords);
        let globals = Args::bind(GLOBAL_ARGS, &[], &global).map_err(|e| e.to_string())?;
        // Whatever happens next, the host may have changed: its facts must be asked again.
        self.current.clear();
        self.output = (Vec::new(), Vec::new());
        // `_continue_on_error`: run the remaining commands too; the operation still fails.
        let carry_on = globals.flag("_continue_on_error");
        let mut first_error = None;
        for command in &plan.commands {
            if let Err(e) = self.execute_one(command, &globals) {
                if !carry_on {
                    return Err(e);
                }
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Run one shell command, retrying a failure `_retries` times `_retry_delay` seconds apart.
    fn run_shell(&mut self, remote: &RemoteCommand, globals: &Args) -> Result<crate::CommandOutput, String> {
        let retries = globals.get("_retries").as_u64().unwrap_or(0);
        let delay = globals.get("_retry_delay").as_f64().filter(|d| d.is_finite() && *d >= 0.0).unwrap_or(5.0);
        let codes = success_codes(globals);
        let conn = self.conn.clone();
        let mut attempt = 0;
        loop {
            let out = self.rt.block_on(conn.run(remote)).map_err(|e| e.to_string())?;
            let ok = out.status.code().is_some_and(|c| codes.contains(&i64::from(c)));
            if ok || attempt >= retries {
                return Ok(out);
            }
            attempt += 1;
            std::thread::sleep(std::time::Duration::from_secs_f64(delay.min(3600.0)));
        }
    }

    fn execute_one(&mut self, command: &Command, globals: &Args) -> Result<(), String> {
        let conn = self.conn.clone();
        match command {
            Command::Shell(shell) => {
                let remote = wrap_command(&shell.raw, globals)?;
                let out = self.run_shell(&remote, globals)?;
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
                    format!("{}/rinfra-upload-{}", self.env.temp_dir(), crate::connector::random_hex(8))
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

/// The command that runs a call's fact batch (see [`crate::wrap::fact_runner`]).
fn fact_runner(call: &OpCall) -> String {
    let (_, global) = split_globals(&call.name, &call.keywords);
    match Args::bind(GLOBAL_ARGS, &[], &global) {
        Ok(g) => crate::wrap::fact_runner(&g),
        Err(_) => GatherOptions::default().runner,
    }
}

/// The key of a fact asked with these arguments: every parameter filled in with its default, as
/// planners ask (`Ctx::fact`), so a fact has one key however it is asked for.
pub fn fact_key(fact: &str, positional: &[Value], keywords: &Map<String, Value>) -> Result<FactKey, String> {
    let (_, row) = catalogue().fact(fact).ok_or_else(|| format!("unknown fact {fact}"))?;
    let bound = Args::bind(row.args, positional, keywords).map_err(|e| format!("{fact}: {e}"))?;
    let values: Vec<(String, Value)> = row
        .args
        .iter()
        .filter(|a| a.kind == ArgKind::Normal)
        .map(|a| (a.name.to_string(), bound.get(a.name).clone()))
        .collect();
    Ok(FactKey::new(fact, values))
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
        let runner = GatherOptions::default().runner;
        if let Ok(v) = self.known(&runner).fact(&key) {
            return Ok(v);
        }
        self.gather(std::slice::from_ref(&key), &runner)?;
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
        };
        check_call(&call)?;
        Ok(self.plan(&call)?.commands)
    }

    fn will_change(&mut self, index: usize) -> Result<bool, String> {
        let call = self.calls.get(index).cloned().ok_or_else(|| format!("no operation call #{index}"))?;
        Ok(self.plan(&call)?.will_change())
    }
}

/// How one operation ended on one host.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It changed the host (or, dry, would).
    Changed(Plan),
    /// Nothing to do.
    NoChange(Plan),
    /// It failed; the message names the failing command and its stderr.
    Error(String),
    /// Its `_if` condition was false.
    Skipped,
}

/// Run `deploy` on every target; the process exit code (0 ok or dry, 1 a host or the script failed).
pub fn run(
    python: &Interpreter,
    deploy: &Path,
    targets: Vec<Target>,
    options: &RunOptions,
    rt: &tokio::runtime::Runtime,
) -> u8 {
    let deploy_text = deploy.to_string_lossy().into_owned();
    let dir = deploy.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let search = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Err(e) = python.add_path(&search.to_string_lossy()) {
        eprintln!("rinfra: {e}");
        return 1;
    }
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let mut hosts: Vec<HostState> = Vec::new();
    for target in &targets {
        let state = HostState::new(target, rt.handle().clone());
        match python.run_deploy(&deploy_text, &target.name, &target.data, &target.groups, &names, state) {
            Ok((host, None)) => hosts.push(host),
            Ok((_, Some(e))) | Err(e) => {
                eprintln!("{e}");
                return 1;
            }
        }
    }
    let code = execute_all(Some(python), &mut hosts, options);
    write_cache(&search, &hosts);
    close_all(rt, &hosts);
    code
}

/// Run one operation call (`rinfra-exec HOSTS files.directory path=/x`) on every target.
pub fn run_call(call: OpCall, targets: Vec<Target>, options: &RunOptions, rt: &tokio::runtime::Runtime) -> u8 {
    if let Err(e) = check_call(&call) {
        eprintln!("rinfra-exec: {e}");
        return 2;
    }
    let mut hosts: Vec<HostState> = targets
        .iter()
        .map(|t| {
            let mut h = HostState::new(t, rt.handle().clone());
            h.calls.push(call.clone());
            h
        })
        .collect();
    let code = execute_all(None, &mut hosts, options);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    write_cache(&cwd, &hosts);
    close_all(rt, &hosts);
    code
}

/// Gather facts (`rinfra-exec HOSTS fact server.Os files.File path=/etc`) and print them as JSON,
/// host by host; exit 1 if any fact failed.
pub fn print_facts(keys: &[FactKey], targets: Vec<Target>, rt: &tokio::runtime::Runtime) -> u8 {
    let mut failed = false;
    let mut doc = Map::new();
    let mut hosts = Vec::new();
    for target in &targets {
        let mut host = HostState::new(target, rt.handle().clone());
        let mut facts = Map::new();
        match host.rt.block_on(gather(host.conn.as_ref(), keys, &host.empty, &GatherOptions::default())) {
            Ok(got) => {
                for (key, result) in got.results {
                    let value = result.unwrap_or_else(|e| {
                        eprintln!("{}: {e}", target.name);
                        failed = true;
                        Value::Null
                    });
                    host.gathered.insert(&key, value.clone());
                    facts.insert(key.to_string(), value);
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", target.name);
                failed = true;
            }
        }
        doc.insert(target.name.clone(), Value::Object(facts));
        hosts.push(host);
    }
    match serde_json::to_string_pretty(&Value::Object(doc)) {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("rinfra-exec: {e}");
            failed = true;
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    write_cache(&cwd, &hosts);
    close_all(rt, &hosts);
    u8::from(failed)
}

fn close_all(rt: &tokio::runtime::Runtime, hosts: &[HostState]) {
    for h in hosts {
        let _ = rt.block_on(h.conn.close());
    }
}

/// A call's place in deploy order: its frames' line numbers, and which repeat of them it is (loops).
type OrderKey = (Vec<u32>, usize);

/// Every host's calls merged into one deploy order, and per host the index of its call at each
/// step. As in pyinfra, each host's own order is kept (a graph of "runs before" edges) and ties are
/// broken by the calls' line numbers, so hosts whose deploys took different branches still run the
/// same call at the same step.
fn deploy_order(hosts: &[HostState]) -> (Vec<OrderKey>, Vec<HashMap<OrderKey, usize>>) {
    let mut index = Vec::new();
    let mut nodes: BTreeSet<OrderKey> = BTreeSet::new();
    let mut after: HashMap<OrderKey, BTreeSet<OrderKey>> = HashMap::new();
    for host in hosts {
        let mut seen: HashMap<&[u32], usize> = HashMap::new();
        let mut map = HashMap::new();
        let mut previous: Option<OrderKey> = None;
        for (i, call) in host.calls.iter().enumerate() {
            let n = seen.entry(call.order.as_slice()).or_insert(0);
            let key = (call.order.clone(), *n);
            *n += 1;
            nodes.insert(key.clone());
            if let Some(p) = previous.replace(key.clone()) {
                after.entry(p).or_default().insert(key.clone());
            }
            map.insert(key, i);
        }
        index.push(map);
    }
    (topological(nodes, &after), index)
}

/// Kahn's algorithm taking the smallest ready key first; keys caught in a cycle (two hosts calling
/// the same lines in opposite orders) follow in key order.
fn topological(nodes: BTreeSet<OrderKey>, after: &HashMap<OrderKey, BTreeSet<OrderKey>>) -> Vec<OrderKey> {
    let mut incoming: HashMap<&OrderKey, usize> = nodes.iter().map(|k| (k, 0)).collect();
    for next in after.values().flatten() {
        if let Some(c) = incoming.get_mut(next) {
            *c += 1;
        }
    }
    let mut ready: BTreeSet<&OrderKey> = incoming.iter().filter(|(_, c)| **c == 0).map(|(k, _)| *k).collect();
    let mut out: Vec<OrderKey> = Vec::new();
    while let Some(key) = ready.pop_first() {
        out.push(key.clone());
        for next in after.get(key).into_iter().flatten() {
            if let Some(c) = incoming.get_mut(next) {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    ready.insert(next);
                }
            }
        }
    }
    if out.len() < nodes.len() {
        let done: BTreeSet<&OrderKey> = out.iter().collect();
        let rest: Vec<OrderKey> = nodes.iter().filter(|k| !done.contains(k)).cloned().collect();
        out.extend(rest);
    }
    out
}

/// Run the recorded calls step by step across hosts; a failed host takes no further part.
fn execute_all(python: Option<&Interpreter>, hosts: &mut [HostState], options: &RunOptions) -> u8 {
    let (steps, index) = deploy_order(hosts);
    let mut failed = vec![false; hosts.len()];
    for host in hosts.iter_mut() {
        host.prefetch();
    }
    let mut table: Vec<Row> = Vec::new();
    let mut doc_ops: Vec<Value> = Vec::new();
    for step in &steps {
        let mut header_done = false;
        let mut row = Row::default();
        let mut doc_hosts = Map::new();
        for (i, host) in hosts.iter_mut().enumerate() {
            let Some(&n) = index[i].get(step) else { continue };
            let Some(call) = host.calls.get(n).cloned() else { continue };
            if failed[i] {
                continue;
            }
            // `_run_once`: the first host that reaches the call runs it; the others skip it.
            if row.hosts > 0 && call.keywords.get("_run_once").is_some_and(rinfra_facts::value::truthy) {
                continue;
            }
            if !header_done {
                if !options.json {
                    println!("--> {}", title(&call));
                }
                header_done = true;
                row.name = label(&call);
                row.call = Some(call.clone());
            }
            host.output = (Vec::new(), Vec::new());
            host.diff.clear();
            let condition = python.filter(|_| has_condition(&call)).map(|p| p.check_if(host.name(), n));
            let outcome = match condition {
                Some(Ok(false)) => Outcome::Skipped,
                Some(Err(e)) => Outcome::Error(e),
                Some(Ok(true)) | None => run_one(host, &call, options, python),
            };
            let result = CallResult {
                changed: matches!(outcome, Outcome::Changed(_)),
                success: !matches!(outcome, Outcome::Error(_)),
                stdout: host.output.0.clone(),
                stderr: host.output.1.clone(),
            };
            if let Some(p) = python {
                p.set_result(host.name(), n, &result);
            }
            doc_hosts.insert(host.name().to_string(), outcome_json(&outcome, &result, options.dry));
            if !options.json {
                print_outcome(host.name(), &outcome, options);
            }
            if !options.json {
                for line in &host.diff {
                    println!("        {line}");
                }
            }
            if options.show_output && !options.json {
                for line in host.output.0.iter().chain(&host.output.1) {
                    println!("        {line}");
                }
            }
            row.count(&outcome);
            if let Outcome::Error(_) = outcome
                && !ignore_errors(&call)
            {
                failed[i] = true;
            }
        }
        if header_done {
            doc_ops.push(op_json(&row, doc_hosts));
            table.push(row);
        }
        if let Some(pct) = options.fail_percent {
            let down = failed.iter().filter(|f| **f).count();
            if down * 100 > usize::from(pct) * failed.len() {
                eprintln!("rinfra-exec: stopping: {down} of {} hosts failed (more than {pct}%)", failed.len());
                break;
            }
        }
    }
    if options.json {
        print_json(hosts, doc_ops, options);
        return u8::from(failed.iter().any(|f| *f));
    }
    print_table(&table, options.dry);
    for host in hosts.iter() {
        if options.verbose > 0 {
            let trips = host.conn.round_trips();
            println!("{}: {} round trips ({} fact batches)", host.name(), trips.total(), host.fact_round_trips);
        }
    }
    u8::from(failed.iter().any(|f| *f))
}

/// One line of the results table.
#[derive(Debug, Default)]
struct Row {
    name: String,
    call: Option<OpCall>,
    hosts: usize,
    changed: usize,
    no_change: usize,
    error: usize,
}

impl Row {
    fn count(&mut self, outcome: &Outcome) {
        self.hosts += 1;
        match outcome {
            Outcome::Changed(_) => self.changed += 1,
            Outcome::NoChange(_) | Outcome::Skipped => self.no_change += 1,
            Outcome::Error(_) => self.error += 1,
        }
    }
}

/// The commands of a plan as shown to people (secrets masked).
fn shown_commands(plan: &Plan) -> Vec<Value> {
    plan.commands
        .iter()
        .map(|c| {
            Value::String(match c {
                Command::Shell(s) => s.shown().to_string(),
                Command::Upload { src: UploadSource::Path(p), dest } => format!("upload {p} -> {dest}"),
                Command::Upload { src: UploadSource::Contents(_), dest } => format!("upload (contents) -> {dest}"),
                Command::Download { src, dest } => format!("download {src} -> {dest}"),
                Command::Callback { name, .. } => format!("callback {name}"),
            })
        })
        .collect()
}

/// One host's outcome in the `--json` document.
fn outcome_json(outcome: &Outcome, result: &CallResult, dry: bool) -> Value {
    let mut m = Map::new();
    let (status, plan) = match outcome {
        Outcome::Changed(p) => (if dry { "would_change" } else { "changed" }, Some(p)),
        Outcome::NoChange(p) => ("no_change", Some(p)),
        Outcome::Error(e) => {
            m.insert("error".into(), Value::String(e.clone()));
            ("error", None)
        }
        Outcome::Skipped => ("skipped", None),
    };
    m.insert("status".into(), Value::String(status.into()));
    if let Some(plan) = plan {
        m.insert("description".into(), Value::String(plan.description()));
        m.insert("commands".into(), Value::Array(shown_commands(plan)));
    }
    m.insert("stdout".into(), Value::Array(result.stdout.iter().cloned().map(Value::String).collect()));
    m.insert("stderr".into(), Value::Array(result.stderr.iter().cloned().map(Value::String).collect()));
    Value::Object(m)
}

/// One operation in the `--json` document.
fn op_json(row: &Row, hosts: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), Value::String(row.name.clone()));
    if let Some(call) = &row.call {
        m.insert("operation".into(), Value::String(call.name.clone()));
        m.insert("file".into(), Value::String(shown_path(&call.file)));
        m.insert("line".into(), Value::from(call.line));
    }
    m.insert("hosts".into(), Value::Object(hosts));
    Value::Object(m)
}

/// The whole `--json` document: version, dry or not, hosts with round trips, operations.
fn print_json(hosts: &[HostState], operations: Vec<Value>, options: &RunOptions) {
    let host_docs: Vec<Value> = hosts
        .iter()
        .map(|h| {
            let trips = h.conn.round_trips();
            serde_json::json!({
                "name": h.name(),
                "round_trips": trips.total(),
                "fact_batches": h.fact_round_trips,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "version": 1,
        "dry": options.dry,
        "hosts": host_docs,
        "operations": operations,
    });
    match serde_json::to_string_pretty(&doc) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("rinfra-exec: {e}"),
    }
}

/// The results table: Operation | Hosts | Changed (Would change, dry) | No change | Error.
fn print_table(rows: &[Row], dry: bool) {
    if rows.is_empty() {
        return;
    }
    let changed = if dry { "Would change" } else { "Changed" };
    let width = rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(0).max("Operation".len());
    println!();
    println!("{:<width$}  {:>5}  {changed:>7}  {:>9}  {:>5}", "Operation", "Hosts", "No change", "Error");
    for r in rows {
        let changed_width = changed.len().max(7);
        println!(
            "{:<width$}  {:>5}  {:>changed_width$}  {:>9}  {:>5}",
            r.name, r.hosts, r.changed, r.no_change, r.error
        );
    }
}

/// Whether the call has `_if` callables (kept on the Python side; the keyword is only a marker).
fn has_condition(call: &OpCall) -> bool {
    call.keywords.get("_if") == Some(&Value::Bool(true))
}

fn ignore_errors(call: &OpCall) -> bool {
    call.keywords.get("_ignore_errors").is_some_and(rinfra_facts::value::truthy)
}

fn run_one(host: &mut HostState, call: &OpCall, options: &RunOptions, python: Option<&Interpreter>) -> Outcome {
    let plan = match host.plan(call) {
        Ok(p) => p,
        Err(e) => return Outcome::Error(e),
    };
    if !plan.will_change() {
        return Outcome::NoChange(plan);
    }
    if options.diff
        && let Some(py) = python
    {
        // Before anything runs: the diff compares the host's file as it is now.
        host.diff = upload_diffs(host, &plan, py);
    }
    if options.dry {
        return Outcome::Changed(plan);
    }
    match host.execute(call, &plan) {
        Ok(()) => Outcome::Changed(plan),
        Err(e) => Outcome::Error(e),
    }
}

/// Unified diffs of the files a plan uploads: the host's current file (read with `cat`; missing is
/// empty) against what would be written. Binary or unreadable content is said, not diffed.
fn upload_diffs(host: &HostState, plan: &Plan, python: &Interpreter) -> Vec<String> {
    let mut out = Vec::new();
    for command in &plan.commands {
        let Command::Upload { src, dest } = command else { continue };
        let new = match src {
            UploadSource::Contents(c) => Some(c.clone()),
            UploadSource::Path(p) => std::fs::read(p).ok().and_then(|b| String::from_utf8(b).ok()),
        };
        let cat = RemoteCommand::new(format!("cat {} 2>/dev/null || true", quote(dest)));
        let old = host.rt.block_on(host.conn.run(&cat)).ok().and_then(|o| String::from_utf8(o.stdout).ok());
        match (old, new) {
            (Some(old), Some(new)) => match python.unified_diff(&old, &new, dest) {
                Ok(lines) => out.extend(lines),
                Err(e) => out.push(format!("(no diff for {dest}: {e})")),
            },
            _ => out.push(format!("(binary content, no diff for {dest})")),
        }
    }
    out
}

/// `files.put (deploy.py:12)`, or the call's `name=` when given.
fn title(call: &OpCall) -> String {
    if call.line == 0 {
        return label(call);
    }
    let place = format!("{}:{}", shown_path(&call.file), call.line);
    match call.keywords.get("name").and_then(Value::as_str) {
        Some(name) => format!("{name} ({} at {place})", call.name),
        None => format!("{} ({place})", call.name),
    }
}

/// The call's `name=`, else `module.op`: the results table's first column.
fn label(call: &OpCall) -> String {
    call.keywords.get("name").and_then(Value::as_str).unwrap_or(&call.name).to_string()
}

/// A user file as shown in output: relative to the working directory when it lies below it.
fn shown_path(file: &str) -> String {
    let path = Path::new(file);
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path.strip_prefix(&cwd).unwrap_or(path).to_string_lossy().into_owned(),
        _ => file.to_string(),
    }
}

fn print_outcome(host: &str, outcome: &Outcome, options: &RunOptions) {
    match outcome {
        Outcome::Changed(plan) if options.dry => {
            println!("    {host}: Would change: {}", plan.description());
            if options.verbose > 0 {
                print_commands(plan);
            }
        }
        Outcome::Changed(plan) => {
            println!("    {host}: Success");
            if options.verbose > 1 {
                print_commands(plan);
            }
        }
        Outcome::NoChange(plan) if options.verbose > 0 => println!("    {host}: No change ({})", plan.description()),
        Outcome::NoChange(_) => println!("    {host}: No change"),
        Outcome::Skipped => println!("    {host}: Skipped (_if condition false)"),
        Outcome::Error(e) => {
            let mut lines = e.lines();
            println!("    {host}: Error: {}", lines.next().unwrap_or(""));
            for l in lines {
                println!("        {l}");
            }
        }
    }
}

fn print_commands(plan: &Plan) {
    for c in &plan.commands {
        match c {
            Command::Shell(s) => println!("        $ {}", s.shown()),
            Command::Upload { src: UploadSource::Path(p), dest } => println!("        upload {p} -> {dest}"),
            Command::Upload { src: UploadSource::Contents(_), dest } => println!("        upload (contents) -> {dest}"),
            Command::Download { src, dest } => println!("        download {src} -> {dest}"),
            Command::Callback { name, .. } => println!("        callback {name}"),
        }
    }
}

/// Store each host's gathered facts in `.rinfra/facts/` beside the deploy, readable by the owner only.
fn write_cache(root: &Path, hosts: &[HostState]) {
    let cache = FactCache::in_workspace(root);
    for host in hosts {
        if let Err(e) = cache.store(host.gathered()) {
            eprintln!("rinfra: cannot write the fact cache in {}: {e}", cache.dir().display());
            continue;
        }
        restrict(cache.dir(), host.name());
        let doc = crate::run_cache::document(host.name(), &host.groups, &host.env.data, &host.calls, now_secs());
        let path = crate::run_cache::path(root, host.name());
        if let Err(e) = crate::run_cache::store(&path, &doc) {
            eprintln!("rinfra: cannot write {}: {e}", path.display());
        }
    }
}

/// Mode 0600 on the host's cache file (and 0700 on the directory): facts can be sensitive.
fn restrict(dir: &Path, _host: &str) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path: PathBuf = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deploy_order_keeps_each_hosts_order_and_aligns_branches() {
        let k = |lines: &[u32], n: usize| (lines.to_vec(), n);
        // A loop: a(line 2), b(line 3), a, b on one host; lines alone would sort a, a, b, b.
        let mut after: HashMap<OrderKey, BTreeSet<OrderKey>> = HashMap::new();
        let seq = [k(&[2], 0), k(&[3], 0), k(&[2], 1), k(&[3], 1)];
        for w in seq.windows(2) {
            after.entry(w[0].clone()).or_default().insert(w[1].clone());
        }
        // Another host took a branch: line 1, then line 3.
        after.entry(k(&[1], 0)).or_default().insert(k(&[3], 0));
        let nodes: BTreeSet<OrderKey> = seq.iter().cloned().chain([k(&[1], 0)]).collect();
        let order = topological(nodes, &after);
        assert_eq!(order, vec![k(&[1], 0), k(&[2], 0), k(&[3], 0), k(&[2], 1), k(&[3], 1)]);
    }

    fn call(name: &str, keywords: Value) -> OpCall {
        OpCall {
            name: name.into(),
            positional: vec![],
            keywords: keywords.as_object().cloned().unwrap_or_default(),
            file: "deploy.py".into(),
            line: 1,
            order: vec![1],
            source: String::new(),
            planned: None,
        }
    }

    #[test]
    fn calls_are_checked_against_the_schema() {
        assert_eq!(check_call(&call("files.directory", json!({"path": "/x", "_sudo": true}))), Ok(()));
        let unknown = check_call(&call("files.directory", json!({"path": "/x", "bogus": 1})));
        assert!(unknown.is_err_and(|e| e.starts_with("files.directory:") && e.contains("bogus")));
        assert!(check_call(&call("files.nothing", json!({}))).is_err());
        let unsupported = check_call(&call("files.directory", json!({"path": "/x", "_su_password": "a"})));
        assert!(unsupported.is_err_and(|e| e.contains("_su_password") && e.contains("su from root")));
    }
}
