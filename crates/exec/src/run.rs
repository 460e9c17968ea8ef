//! The run: deploy.py once per host (recording operation calls), then each operation in order
//! across the hosts: plan it (gathering the facts the planner asks for, in batches), execute the
//! plan's commands through the host's connector, report `Success` / `No change` / `Error`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rinfra_facts::args::Args;
use rinfra_facts::cache::FactCache;
use rinfra_facts::fact_source::FactKey;
use rinfra_facts::globals::{GLOBAL_ARGS, is_global};
use rinfra_facts::plan::Plan;
use rinfra_facts::schema::{ArgKind, catalogue};
use rinfra_facts::value::{Map, Value};

use crate::connector::Connector;
use crate::host_state::{HostState, now_secs};
use crate::python::{Interpreter, OpCall};
use crate::schedule::execute_all;

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
    /// Hosts worked on at once (`--parallel`, or `PARALLEL` in config.py; see [`RunOptions::workers`]).
    pub parallel: Option<usize>,
    /// Each host runs all its operations on its own, without waiting for the others (`--no-wait`).
    pub no_wait: bool,
    /// One host at a time, each through all its operations (`--serial`).
    pub serial: bool,
    /// Hosts that could not be reached, with why (reported in the `--json` document).
    pub unreachable: Vec<(String, String)>,
}

impl RunOptions {
    /// How many of `hosts` hosts are worked on at once: `parallel` if set, else pyinfra's default,
    /// 20 per CPU core (its `State`: "the optimum number of parallel SSH processes is ~20 per CPU
    /// core"). Every host stays connected either way. At N=200 on 2 cores, 40 at once instead of
    /// 200 lowered the first run's peak RSS by 9 MB (thread stacks and per-thread malloc caches)
    /// and did not slow it.
    pub fn workers(&self, hosts: usize) -> usize {
        self.parallel.unwrap_or_else(|| 20 * crate::pool::cores()).min(hosts).max(1)
    }
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
pub(crate) fn split_globals(name: &str, keywords: &Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
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
    // Passwords reach the host through askpass scripts (crate::connector::askpass).
    "_sudo_password",
    "_su_password",
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
    // Asked on the Python thread after each attempt (crate::schedule).
    "_retry_until",
    "_continue_on_error",
    // Where an upload with privileges stages its file (planners put it in their commands).
    "_temp_dir",
    // Hosts run one after another in this version, which satisfies both.
    "_serial",
    "_parallel",
    "_run_once",
];

pub(crate) fn unsupported_global(globals: &Args) -> Result<(), String> {
    for arg in GLOBAL_ARGS {
        if SUPPORTED_GLOBALS.contains(&arg.name) {
            continue;
        }
        let default = arg.default.value().unwrap_or(Value::Null);
        if *globals.get(arg.name) != default {
            return Err(format!("the global argument {} is not supported by rinfra-exec yet", arg.name));
        }
    }
    Ok(())
}

/// The command that runs a call's fact batch (see [`crate::wrap::fact_runner`]).
pub(crate) fn fact_runner(call: &OpCall) -> String {
    match crate::call_globals::call_globals(call) {
        Ok(g) => g.runner.clone(),
        Err(_) => crate::gather::GatherOptions::default().runner,
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
    let mut clock = Phases::new(options);
    let mut states = speculate(&search, &targets, rt, options).into_iter();
    clock.done("facts from the previous run");
    let mut hosts: Vec<HostState> = Vec::with_capacity(targets.len());
    for (n, target) in targets.iter().enumerate() {
        let Some(state) = states.next() else { break };
        match python.run_deploy(&deploy_text, &target.name, &target.data, &target.groups, &names, state) {
            Ok((host, None)) => hosts.push(host),
            Ok((_, Some(e))) | Err(e) => {
                eprintln!("{e}");
                if options.json {
                    crate::report::print_failure_json(options.dry, Some(&e), &options.unreachable);
                }
                return 1;
            }
        }
        if n == 0 && targets.len() > 1 {
            // deploy.py asks its facts one at a time, host after host: gather the other hosts'
            // at once, guessed from what the first host's deploy.py asked.
            let mut others: Vec<HostState> = states.collect();
            speculate_like(&hosts[0], &mut others, options);
            clock.done("deploy.py for the first host, then its facts on the others");
            states = others.into_iter();
        }
    }
    clock.done("deploy.py for every host");
    let code = execute_all(Some(python), &mut hosts, options);
    clock.done("operations");
    write_cache(&search, &mut hosts);
    clock.done("caches written");
    close_all(rt, &hosts);
    clock.done("connections closed");
    code
}

/// `-vvv`: how long each phase of the run took, on stderr (where a run's time goes).
pub(crate) struct Phases {
    on: bool,
    last: std::time::Instant,
    cpu: f64,
}

impl Phases {
    /// A clock started now; silent below `-vvv`.
    pub(crate) fn new(options: &RunOptions) -> Phases {
        Phases { on: options.verbose >= 3, last: std::time::Instant::now(), cpu: cpu_secs() }
    }

    /// Report the phase that just ended.
    pub(crate) fn done(&mut self, what: &str) {
        if self.on {
            let cpu = cpu_secs();
            eprintln!(
                "rinfra: {what}: {:.3} s, controller CPU {:.3} s (peak RSS so far {})",
                self.last.elapsed().as_secs_f64(),
                cpu - self.cpu,
                peak_rss()
            );
            self.cpu = cpu;
        }
        self.last = std::time::Instant::now();
    }
}

/// CPU time (user + system) this process has used so far, in seconds, for `-vvv`.
pub fn cpu_secs() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The process's peak resident set so far (`VmHWM`), for `-vvv`.
pub fn peak_rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).map_or("unknown".to_string(), |v| v.trim().to_string())
}

/// A state for each target with the facts its previous run asked for already gathered: every
/// host in parallel, one round trip each, before deploy.py runs (and asks for them one by one).
fn speculate(root: &Path, targets: &[Target], rt: &tokio::runtime::Runtime, options: &RunOptions) -> Vec<HostState> {
    let mut states: Vec<HostState> = targets.iter().map(|t| HostState::new(t, rt.handle().clone())).collect();
    let workers = options.workers(states.len());
    let speculate_one = |_: &mut (), state: &mut HostState| {
        let path = crate::run_cache::path(root, state.name());
        state.speculate(crate::run_cache::fact_requests(&path));
    };
    crate::pool::in_parallel(states.iter_mut(), vec![(); workers], speculate_one, || {});
    states
}

/// Gather on each of `others`, in parallel, the facts `first`'s deploy.py asked for (as
/// [`HostState::deploy_requests_for`] guesses them): best effort, one round trip each.
fn speculate_like(first: &HostState, others: &mut [HostState], options: &RunOptions) {
    if others.is_empty() || first.deploy_requests_for(first.name()).is_empty() {
        return;
    }
    let workers = options.workers(others.len());
    let guess = |_: &mut (), state: &mut HostState| state.speculate(first.deploy_requests_for(state.name()));
    crate::pool::in_parallel(others.iter_mut(), vec![(); workers], guess, || {});
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
    write_cache(&cwd, &mut hosts);
    close_all(rt, &hosts);
    code
}

/// Gather facts (`rinfra-exec HOSTS fact server.Os files.File path=/etc`) and print them as JSON,
/// host by host; exit 1 if any fact failed.
pub fn print_facts(keys: &[FactKey], targets: Vec<Target>, rt: &tokio::runtime::Runtime) -> u8 {
    let mut failed = false;
    let mut doc = Map::new();
    let mut hosts: Vec<HostState> = targets.iter().map(|t| HostState::new(t, rt.handle().clone())).collect();
    // Every host at once; printed in inventory order.
    let fetched: Vec<std::sync::Mutex<Option<Result<_, String>>>> =
        hosts.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let fetch_one = |_: &mut (), (i, host): (usize, &mut HostState)| {
        let result = host.fetch(keys);
        if let Some(slot) = fetched.get(i)
            && let Ok(mut slot) = slot.lock()
        {
            *slot = Some(result);
        }
    };
    crate::pool::in_parallel(hosts.iter_mut().enumerate(), vec![(); targets.len().max(1)], fetch_one, || {});
    for (target, slot) in targets.iter().zip(fetched) {
        let mut facts = Map::new();
        match slot.into_inner().ok().flatten() {
            Some(Ok(results)) => {
                for (key, result) in results {
                    let value = result.unwrap_or_else(|e| {
                        eprintln!("{}: {e}", target.name);
                        failed = true;
                        Value::Null
                    });
                    facts.insert(key.to_string(), value);
                }
            }
            Some(Err(e)) => {
                eprintln!("{}: {e}", target.name);
                failed = true;
            }
            None => failed = true,
        }
        doc.insert(target.name.clone(), Value::Object(facts));
    }
    match serde_json::to_string_pretty(&Value::Object(doc)) {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("rinfra-exec: {e}");
            failed = true;
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    write_cache(&cwd, &mut hosts);
    close_all(rt, &hosts);
    u8::from(failed)
}

fn close_all(rt: &tokio::runtime::Runtime, hosts: &[HostState]) {
    for h in hosts {
        let _ = rt.block_on(h.conn.close());
    }
}

/// Store each host's gathered facts in `.rinfra/facts/` beside the deploy, readable by the owner only.
fn write_cache(root: &Path, hosts: &mut [HostState]) {
    let cache = FactCache::in_workspace(root);
    // The files are created mode 0600 (temporary file, then rename); the folder is closed too.
    if std::fs::create_dir_all(cache.dir()).is_ok() {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(cache.dir(), std::fs::Permissions::from_mode(0o700));
    }
    let workers = vec![(); hosts.len().clamp(1, 8)];
    let write_one = |_: &mut (), host: &mut HostState| {
        host.remember_requests();
        if let Err(e) = cache.store(host.gathered()) {
            eprintln!("rinfra: cannot write the fact cache in {}: {e}", cache.dir().display());
            return;
        }
        let doc = crate::run_cache::document(
            host.name(),
            &host.groups,
            &host.env.data,
            &host.calls,
            &host.fact_requests(),
            now_secs(),
        );
        let path = crate::run_cache::path(root, host.name());
        if let Err(e) = crate::run_cache::store(&path, &doc) {
            eprintln!("rinfra: cannot write {}: {e}", path.display());
        }
    };
    crate::pool::in_parallel(hosts.iter_mut(), workers, write_one, || {});
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hosts_at_once_default_to_pyinfras_twenty_per_core() {
        let default = RunOptions::default();
        let cores = crate::pool::cores();
        assert_eq!(default.workers(3), 3.min(20 * cores));
        assert_eq!(default.workers(10_000), 20 * cores);
        assert_eq!(default.workers(0), 1);
        let given = RunOptions { parallel: Some(7), ..RunOptions::default() };
        assert_eq!((given.workers(100), given.workers(5)), (7, 5));
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
            rendered: None,
            globals_memo: Default::default(),
        }
    }

    #[test]
    fn calls_are_checked_against_the_schema() {
        assert_eq!(check_call(&call("files.directory", json!({"path": "/x", "_sudo": true}))), Ok(()));
        let unknown = check_call(&call("files.directory", json!({"path": "/x", "bogus": 1})));
        assert!(unknown.is_err_and(|e| e.starts_with("files.directory:") && e.contains("bogus")));
        assert!(check_call(&call("files.nothing", json!({}))).is_err());
        // Every global argument of the schema is run (a new one fails here until it is).
        let missing: Vec<&str> =
            GLOBAL_ARGS.iter().map(|a| a.name).filter(|n| !SUPPORTED_GLOBALS.contains(n)).collect();
        assert!(missing.is_empty(), "{missing:?}");
        let passwords = json!({"path": "/x", "_sudo": true, "_sudo_password": "a", "_su_password": "b"});
        assert_eq!(check_call(&call("files.directory", passwords)), Ok(()));
    }
}
