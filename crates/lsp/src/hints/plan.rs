//! Plans every operation call of a file on every cached host and sums each call up in one line:
//! `no change (3 hosts)`, `would change on web1, web2`, or `facts unknown — run rinfra-exec ...`.
//! A call inside `for` loops is planned once per iteration when the loops' iterables are static.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use serde_json::{Map, Value};

use rinfra_facts::cache::{FactCache, HostFacts};
use rinfra_facts::fact_source::PlanEnv;
use rinfra_facts::plan::{Command, Plan, PlanError, UploadSource};
use rinfra_facts::value::truthy;

use super::eval::{Constants, HostView, NotStatic, Scope};
use super::local_files::WorkspaceFiles;
use super::records::{self, FileRecords, RecordedCall, RunRecord};
use crate::analysis::Module;

/// Facts older than this (seconds) are called out in the hint.
const STALE_AFTER: u64 = 24 * 60 * 60;
/// A loop nest with more iterations than this is not expanded.
const MAX_ITERATIONS: usize = 256;
/// Hosts named in a label before `+N more`.
const MAX_NAMED: usize = 5;

/// What `rinfra-exec` cached for a workspace: each host's facts and, when recorded, its last run.
#[derive(Debug, Clone, Default)]
pub struct CachedHosts {
    /// The workspace root (the directory holding `.rinfra/`).
    pub root: PathBuf,
    /// Every cached host, sorted by name.
    pub hosts: Vec<CachedHost>,
}

/// One host as the executor left it.
#[derive(Debug, Clone, Default)]
pub struct CachedHost {
    /// Its gathered facts.
    pub facts: HostFacts,
    /// Its host data, if recorded (from its run record, else `.rinfra/hosts/<host>.json`).
    pub data: Option<Map<String, Value>>,
    /// Its last run's record, if any.
    pub run: Option<RunRecord>,
}

impl CachedHost {
    /// A host with facts only.
    pub fn new(facts: HostFacts) -> CachedHost {
        CachedHost { facts, data: None, run: None }
    }

    /// What static evaluation sees of this host.
    fn view(&self) -> HostView<'_> {
        HostView {
            name: &self.facts.host,
            data: self.data.as_ref(),
            groups: self.run.as_ref().map(|r| r.groups.as_slice()),
        }
    }
}

impl CachedHosts {
    /// Read `<root>/.rinfra/facts/*.json`, `<root>/.rinfra/runs/<host>.json` and (the older place
    /// of host data) `<root>/.rinfra/hosts/<host>.json`.
    pub fn load(root: &Path) -> CachedHosts {
        let hosts = FactCache::in_workspace(root).hosts().unwrap_or_default();
        let hosts = hosts
            .into_iter()
            .map(|facts| {
                let run = RunRecord::load(root, &facts.host);
                let data = run.as_ref().map(|r| r.data.clone()).or_else(|| host_data(root, &facts.host));
                CachedHost { facts, data, run }
            })
            .collect();
        CachedHosts { root: root.to_path_buf(), hosts }
    }
}

/// The file name the executor gives a host (as the fact cache does).
pub fn host_file_name(host: &str) -> String {
    let safe: String =
        host.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.@".contains(c) { c } else { '_' }).collect();
    format!("{safe}.json")
}

/// `.rinfra/hosts/<host>.json`: `{"host": .., "data": {..}}` or the data object itself.
fn host_data(root: &Path, host: &str) -> Option<Map<String, Value>> {
    let bytes = std::fs::read(root.join(".rinfra").join("hosts").join(host_file_name(host))).ok()?;
    let Value::Object(mut map) = serde_json::from_slice(&bytes).ok()? else { return None };
    match map.remove("data") {
        Some(Value::Object(data)) if map.contains_key("host") => Some(data),
        Some(other) => {
            map.insert("data".into(), other);
            Some(map)
        }
        None => Some(map),
    }
}

/// What one host would see from one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to do (with pyinfra's reason, if it gives one).
    NoChange(Option<String>),
    /// These commands would run.
    Change(Vec<String>),
    /// A fact the planner needs is not cached.
    FactsUnknown(String),
    /// An argument has no static value.
    NotStatic(String),
    /// The operation fails on this host (or has no planner).
    Error(String),
    /// The call does not run on this host (an `if` around it is false there).
    Skipped,
}

/// The hint of one call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallHint {
    /// The whole call.
    pub range: TextRange,
    /// One line: what would happen.
    pub label: String,
    /// Per host, what would happen.
    pub hosts: Vec<(String, Outcome)>,
    /// On how many hosts the call was planned from the arguments its last run recorded (the others
    /// by static evaluation).
    pub from_records: usize,
}

impl CallHint {
    /// Markdown listing, per host, what the call would do.
    pub fn markdown(&self) -> String {
        let mut md = format!("**{}**\n", self.label);
        for (host, outcome) in &self.hosts {
            md.push_str(&format!("\n`{host}`: "));
            match outcome {
                Outcome::NoChange(None) => md.push_str("no change\n"),
                Outcome::NoChange(Some(why)) => md.push_str(&format!("no change ({why})\n")),
                Outcome::Change(commands) => {
                    md.push_str("would run\n```sh\n");
                    commands.iter().for_each(|c| md.push_str(&format!("{c}\n")));
                    md.push_str("```\n");
                }
                Outcome::FactsUnknown(key) => md.push_str(&format!("fact `{key}` not cached\n")),
                Outcome::NotStatic(why) => md.push_str(&format!("not evaluated: {why}\n")),
                Outcome::Error(e) => md.push_str(&format!("error: {e}\n")),
                Outcome::Skipped => md.push_str("not run (a condition around the call is false)\n"),
            }
        }
        let source = match self.from_records {
            _ if self.hosts.is_empty() => return md,
            0 => "arguments evaluated from the text".to_string(),
            n if n == self.hosts.len() => "arguments recorded by the last run".to_string(),
            n => format!(
                "arguments recorded by the last run on {n} of {} hosts, the others from the text",
                self.hosts.len()
            ),
        };
        md.push_str(&format!("\n_{source}_\n"));
        md
    }
}

/// Each call's per-host outcomes (and on how many hosts they came from records) by a hash of
/// everything they depend on in the text (the call, the loops and conditions around it, the file's
/// constants), so an edit re-plans only what it touched. Valid for one state of the fact cache.
pub type CallMemo = HashMap<u64, (Vec<(String, Outcome)>, usize)>;

/// Operations whose plan also depends on local files, which can change while the text does not:
/// never memoised.
const READS_LOCAL_FILES: &[&str] = &["files.put", "files.template", "files.sync", "files.rsync"];

/// The hints of every operation call in `module`, in source order. `deploy` names the file in the
/// advice to run `rinfra-exec`; `now` is the current Unix time.
pub fn call_hints(module: &Module, cached: &CachedHosts, deploy: &str, now: u64) -> Vec<CallHint> {
    call_hints_with(module, cached, deploy, now, &mut CallMemo::new())
}

/// [`call_hints`], reusing and then replacing `memo`.
pub fn call_hints_with(
    module: &Module,
    cached: &CachedHosts,
    deploy: &str,
    now: u64,
    memo: &mut CallMemo,
) -> Vec<CallHint> {
    let body = &module.parsed.syntax().body;
    let constants = Constants::collect(body);
    let text = module.text();
    let source = |range: TextRange| text.get(range.to_std_range()).unwrap_or("");
    // What names stand for matters too: fold in the file's top-level imports.
    let constants_hash = {
        let mut h = DefaultHasher::new();
        constants.fingerprint(source).hash(&mut h);
        body.iter()
            .filter(|s| s.is_import_stmt() || s.is_import_from_stmt())
            .for_each(|s| source(s.range()).hash(&mut h));
        h.finish()
    };
    let mut next_memo = CallMemo::new();
    let files = WorkspaceFiles::new(&cached.root);
    let mut walker = Walker { module, constants: &constants, loops: Vec::new(), conds: Vec::new(), calls: Vec::new() };
    walker.visit_body(body);
    let oldest = cached.hosts.iter().map(|h| h.facts.gathered_at).min();
    let age = oldest.and_then(|t| stale_age(now, t));
    let calls = std::mem::take(&mut walker.calls);
    // Each host's records of this file, and each call's source hash and line.
    let document = records::canonical_path(&cached.root.join(deploy));
    let recorded: Vec<Option<FileRecords>> =
        cached.hosts.iter().map(|h| h.run.as_ref().map(|r| FileRecords::of(r, &document))).collect();
    let lines = LineStarts::new(text);
    let shas: Vec<(String, usize)> = calls
        .iter()
        .map(|(call, ..)| (records::source_sha1(source(call.range())), lines.line(call.range().start().to_usize())))
        .collect();
    let mut twins: HashMap<&str, Vec<usize>> = HashMap::new();
    shas.iter().for_each(|(sha, line)| twins.entry(sha.as_str()).or_default().push(*line));
    twins.values_mut().for_each(|l| l.sort_unstable());
    let hints = calls
        .into_iter()
        .zip(&shas)
        .map(|((call, loops, conds), (sha, line))| {
            let matched: Vec<Vec<&RecordedCall>> = recorded
                .iter()
                .map(|r| {
                    let twins = twins.get(sha.as_str()).map_or(&[][..], Vec::as_slice);
                    r.as_ref().map(|r| r.matching(sha, *line, twins)).unwrap_or_default()
                })
                .collect();
            let key = {
                let mut h = DefaultHasher::new();
                (constants_hash, source(call.range())).hash(&mut h);
                loops.iter().for_each(|l| (source(l.target.range()), source(l.iter.range())).hash(&mut h));
                conds.iter().for_each(|c| (source(c.test.range()), c.taken).hash(&mut h));
                matched.iter().for_each(|m| m.iter().for_each(|r| r.line.hash(&mut h)));
                h.finish()
            };
            let memoisable = module
                .op_call(call)
                .is_some_and(|op| !READS_LOCAL_FILES.contains(&format!("{}.{}", op.module.name, op.row.name).as_str()));
            let (hosts, from_records) = match memo.remove(&key).filter(|_| memoisable) {
                Some(memoised) => memoised,
                None => {
                    let mut from_records = 0;
                    let hosts = cached
                        .hosts
                        .iter()
                        .zip(&matched)
                        .map(|(host, records)| {
                            let calls = walker.static_calls(call, &loops, &conds, host.view());
                            let outcome = if !records.is_empty() && records_current(records, &calls) {
                                from_records += 1;
                                recorded_outcome(records, host, &files)
                            } else {
                                static_outcome(calls, &host.facts, &files, &HintEnv { host: host.view() })
                            };
                            (host.facts.host.clone(), outcome)
                        })
                        .collect();
                    (hosts, from_records)
                }
            };
            if memoisable {
                next_memo.insert(key, (hosts.clone(), from_records));
            }
            let mut label = label(&hosts, deploy);
            if let Some(age) = &age {
                label.push_str(&format!(" (facts {age} old)"));
            }
            CallHint { range: call.range(), label, hosts, from_records }
        })
        .collect::<Vec<_>>();
    *memo = next_memo;
    hints
}

/// A call planned from the arguments its last run recorded on one host, each recorded iteration
/// (a loop, a function called twice) once, summed up as loop iterations are.
fn recorded_outcome(records: &[&RecordedCall], host: &CachedHost, files: &WorkspaceFiles) -> Outcome {
    let env = HintEnv { host: host.view() };
    records
        .iter()
        .map(|r| plan_args(&r.operation, &r.positional, &r.keywords, &host.facts, files, &env))
        .reduce(merge)
        .unwrap_or(Outcome::NoChange(None))
}

/// Plan one operation from resolved arguments.
fn plan_args(
    name: &str,
    positional: &[Value],
    keywords: &Map<String, Value>,
    facts: &HostFacts,
    files: &WorkspaceFiles,
    env: &HintEnv<'_>,
) -> Outcome {
    match rinfra_facts::plan_operation(name, positional, keywords, facts, files, env) {
        Ok(plan) => plan_outcome(&plan),
        Err(PlanError::FactMissing(key)) => Outcome::FactsUnknown(key.to_string()),
        Err(e) => Outcome::Error(e.to_string()),
    }
}

/// Byte offsets of line starts, for 1-based line numbers as Python reports them.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> LineStarts {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineStarts(starts)
    }

    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset)
    }
}

/// `3 days` when `gathered` is more than a day before `now`.
fn stale_age(now: u64, gathered: u64) -> Option<String> {
    let secs = now.checked_sub(gathered)?;
    if secs <= STALE_AFTER {
        return None;
    }
    let days = secs / STALE_AFTER;
    Some(if days == 1 { "1 day".into() } else { format!("{days} days") })
}

/// One line for all hosts.
pub fn label(hosts: &[(String, Outcome)], deploy: &str) -> String {
    let unknown = format!("facts unknown — run rinfra-exec INVENTORY {deploy} --dry");
    if hosts.is_empty() {
        return unknown;
    }
    let hosts: Vec<&(String, Outcome)> = hosts.iter().filter(|(_, o)| *o != Outcome::Skipped).collect();
    if hosts.is_empty() {
        return "not run on any cached host".into();
    }
    if let Some((_, Outcome::NotStatic(why))) = hosts.iter().copied().find(|(_, o)| matches!(o, Outcome::NotStatic(_)))
    {
        return format!("not evaluated: {why}");
    }
    let named = |pick: fn(&Outcome) -> bool| -> Vec<&str> {
        hosts.iter().filter(|(_, o)| pick(o)).map(|(h, _)| h.as_str()).collect()
    };
    let changed = named(|o| matches!(o, Outcome::Change(_)));
    let missing = named(|o| matches!(o, Outcome::FactsUnknown(_)));
    if !changed.is_empty() {
        let mut out = format!("would change on {}", list(&changed));
        if !missing.is_empty() {
            out.push_str(&format!("; facts unknown on {}", list(&missing)));
        }
        return out;
    }
    if let Some((host, Outcome::Error(e))) = hosts.iter().copied().find(|(_, o)| matches!(o, Outcome::Error(_))) {
        return format!("error on {host}: {e}");
    }
    if !missing.is_empty() {
        return unknown;
    }
    match hosts.len() {
        1 => "no change (1 host)".into(),
        n => format!("no change ({n} hosts)"),
    }
}

fn list(hosts: &[&str]) -> String {
    let mut out = hosts.iter().take(MAX_NAMED).copied().collect::<Vec<_>>().join(", ");
    if hosts.len() > MAX_NAMED {
        out.push_str(&format!(" +{} more", hosts.len() - MAX_NAMED));
    }
    out
}

/// A `for` loop around a call: its target and iterable.
#[derive(Clone, Copy)]
struct Loop<'a> {
    target: &'a Expr,
    iter: &'a Expr,
}

/// An `if` test around a call, and whether the call's branch needs it true or false.
#[derive(Clone, Copy)]
struct Cond<'a> {
    test: &'a Expr,
    taken: bool,
}

/// A call with the loops and conditions around it.
type FoundCall<'a> = (&'a ast::ExprCall, Vec<Loop<'a>>, Vec<Cond<'a>>);

/// Collects operation calls with the loops and conditions around them.
struct Walker<'m, 'a> {
    module: &'m Module,
    constants: &'m Constants<'a>,
    loops: Vec<Loop<'a>>,
    conds: Vec<Cond<'a>>,
    calls: Vec<FoundCall<'a>>,
}

impl<'a> Visitor<'a> for Walker<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::For(f) => {
                self.visit_expr(&f.iter);
                self.loops.push(Loop { target: &f.target, iter: &f.iter });
                self.visit_body(&f.body);
                self.loops.pop();
                self.visit_body(&f.orelse);
            }
            Stmt::If(i) => {
                let base = self.conds.len();
                self.branch(Some(&i.test), &i.body);
                for clause in &i.elif_else_clauses {
                    self.branch(clause.test.as_ref(), &clause.body);
                }
                self.conds.truncate(base);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        // A call with a syntax error in it is still being typed: no hint until it parses.
        if let Expr::Call(call) = expr
            && self.module.op_call(call).is_some()
            && !self.module.call_is_broken(call)
        {
            self.calls.push((call, self.loops.clone(), self.conds.clone()));
        }
        visitor::walk_expr(self, expr);
    }
}

impl<'a> Walker<'_, 'a> {
    /// One branch of an `if`: its test true inside it, then false for the branches after it.
    fn branch(&mut self, test: Option<&'a Expr>, body: &'a [Stmt]) {
        if let Some(test) = test {
            self.visit_expr(test);
            self.conds.push(Cond { test, taken: true });
        }
        self.visit_body(body);
        if let Some(last) = self.conds.last_mut().filter(|_| test.is_some()) {
            last.taken = false;
        }
    }

    /// The call as its text evaluates on one host: per iteration of its loops, the operation and its
    /// arguments, or `None` where a condition around the call is false.
    fn static_calls(
        &self,
        call: &ast::ExprCall,
        loops: &[Loop<'a>],
        conds: &[Cond<'a>],
        host: HostView<'_>,
    ) -> Result<Vec<Option<StaticCall>>, NotStatic> {
        let iterations = match self.iterations(loops, host) {
            Ok(iterations) => iterations,
            Err(NotStatic(why)) => {
                // The loop does not matter when the call does not use its variables.
                let mut names = Vec::new();
                loops.iter().for_each(|l| target_names(l.target, &mut names));
                match names.iter().find(|n| uses_name(call, n)) {
                    Some(n) => return Err(NotStatic(format!("uses loop variable `{n}` ({why})"))),
                    None => vec![Vec::new()],
                }
            }
        };
        iterations
            .iter()
            .map(|locals| {
                let skipped =
                    conds.iter().any(|c| self.scope(host, locals).eval(c.test).is_ok_and(|v| truthy(&v) != c.taken));
                if skipped { Ok(None) } else { self.evaluate_once(call, host, locals).map(Some) }
            })
            .collect()
    }

    /// Every combination of the loops' variables, outermost first.
    fn iterations(&self, loops: &[Loop<'a>], host: HostView<'_>) -> Result<Vec<Vec<(String, Value)>>, NotStatic> {
        let mut all: Vec<Vec<(String, Value)>> = vec![Vec::new()];
        for l in loops {
            let mut next = Vec::new();
            for locals in &all {
                let scope = self.scope(host, locals);
                let items = match scope.eval(l.iter)? {
                    Value::Array(items) => items,
                    Value::Object(map) => map.keys().cloned().map(Value::String).collect(),
                    Value::String(s) => s.chars().map(|c| Value::String(c.to_string())).collect(),
                    _ => return Err(NotStatic("a loop over something not iterable".into())),
                };
                for item in items {
                    let mut locals = locals.clone();
                    bind(l.target, item, &mut locals)?;
                    next.push(locals);
                    if next.len() > MAX_ITERATIONS {
                        return Err(NotStatic("too many loop iterations".into()));
                    }
                }
            }
            all = next;
        }
        Ok(all)
    }

    fn scope<'s>(&'s self, host: HostView<'s>, locals: &'s [(String, Value)]) -> Scope<'s, 'a> {
        Scope { bindings: &self.module.bindings, constants: self.constants, host, locals }
    }

    fn evaluate_once(
        &self,
        call: &ast::ExprCall,
        host: HostView<'_>,
        locals: &[(String, Value)],
    ) -> Result<StaticCall, NotStatic> {
        let Some(op) = self.module.op_call(call) else { return Err(NotStatic("not an operation".into())) };
        if op.has_splat() {
            return Err(NotStatic("the call unpacks `*args` or `**kwargs`".into()));
        }
        let scope = self.scope(host, locals);
        let positional = call.arguments.args.iter().map(|arg| scope.eval(arg)).collect::<Result<Vec<_>, _>>()?;
        let mut keywords = Map::new();
        for keyword in &call.arguments.keywords {
            let Some(name) = &keyword.arg else { continue };
            let value = scope.eval(&keyword.value).map_err(|NotStatic(why)| NotStatic(format!("`{name}`: {why}")))?;
            keywords.insert(name.to_string(), value);
        }
        Ok(StaticCall { operation: format!("{}.{}", op.module.name, op.row.name), positional, keywords })
    }
}

/// An operation call with the arguments static evaluation gave it in one iteration.
#[derive(Debug)]
struct StaticCall {
    operation: String,
    positional: Vec<Value>,
    keywords: Map<String, Value>,
}

impl StaticCall {
    /// Whether `record` is this call: same operation and arguments. Keywords the text does not give
    /// (a `_sudo` that config.py adds) are not compared.
    fn is(&self, record: &RecordedCall) -> bool {
        record.operation == self.operation
            && record.positional == self.positional
            && self.keywords.iter().all(|(k, v)| record.keywords.get(k) == Some(v))
    }
}

/// The outcome of statically evaluated iterations, summed up.
fn static_outcome(
    calls: Result<Vec<Option<StaticCall>>, NotStatic>,
    facts: &HostFacts,
    files: &WorkspaceFiles,
    env: &HintEnv<'_>,
) -> Outcome {
    let calls = match calls {
        Ok(calls) => calls,
        Err(NotStatic(why)) => return Outcome::NotStatic(why),
    };
    calls
        .iter()
        .map(|c| match c {
            None => Outcome::Skipped,
            Some(c) => plan_args(&c.operation, &c.positional, &c.keywords, facts, files, env),
        })
        .reduce(merge)
        .unwrap_or(Outcome::NoChange(Some("the loop runs no iteration".into())))
}

/// Whether records still describe the call: when its text evaluates statically, the records must be
/// the same iterations with the same arguments; otherwise something around the call (a constant, a
/// loop's list) changed since the run, and the text wins.
fn records_current(records: &[&RecordedCall], calls: &Result<Vec<Option<StaticCall>>, NotStatic>) -> bool {
    let Ok(calls) = calls else { return true };
    let evaluated: Vec<&StaticCall> = calls.iter().flatten().collect();
    records.iter().all(|r| evaluated.iter().any(|c| c.is(r)))
        && evaluated.iter().all(|c| records.iter().any(|r| c.is(r)))
}

fn plan_outcome(plan: &Plan) -> Outcome {
    if !plan.will_change() {
        return Outcome::NoChange(plan.noop.clone());
    }
    Outcome::Change(plan.commands.iter().map(command_text).collect())
}

/// A command as the user would read it.
fn command_text(command: &Command) -> String {
    match command {
        Command::Shell(c) => c.shown().to_string(),
        Command::Upload { src: UploadSource::Path(p), dest } => format!("# upload {p} -> {dest}"),
        Command::Upload { src: UploadSource::Contents(_), dest } => format!("# upload (contents) -> {dest}"),
        Command::Download { src, dest } => format!("# download {src} -> {dest}"),
        Command::Callback { name, .. } => format!("# callback {name}"),
    }
}

/// Two iterations' outcomes as one: a change wins, then an unknown, then an error.
fn merge(a: Outcome, b: Outcome) -> Outcome {
    use Outcome::*;
    match (a, b) {
        (Skipped, x) | (x, Skipped) => x,
        (NotStatic(w), _) | (_, NotStatic(w)) => NotStatic(w),
        (Change(mut x), Change(y)) => {
            x.extend(y);
            Change(x)
        }
        (Change(x), _) | (_, Change(x)) => Change(x),
        (FactsUnknown(k), _) | (_, FactsUnknown(k)) => FactsUnknown(k),
        (Error(e), _) | (_, Error(e)) => Error(e),
        (NoChange(x), NoChange(_)) => NoChange(x),
    }
}

/// Bind a loop target (a name or a tuple of names) to one item.
fn bind(target: &Expr, item: Value, locals: &mut Vec<(String, Value)>) -> Result<(), NotStatic> {
    match (target, item) {
        (Expr::Name(n), item) => {
            locals.push((n.id.to_string(), item));
            Ok(())
        }
        (Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }), Value::Array(items))
            if elts.len() == items.len() =>
        {
            elts.iter().zip(items).try_for_each(|(t, i)| bind(t, i, locals))
        }
        _ => Err(NotStatic("a loop target that does not unpack".into())),
    }
}

fn target_names(target: &Expr, out: &mut Vec<String>) {
    match target {
        Expr::Name(n) => out.push(n.id.to_string()),
        Expr::Tuple(t) => t.elts.iter().for_each(|e| target_names(e, out)),
        Expr::List(l) => l.elts.iter().for_each(|e| target_names(e, out)),
        Expr::Starred(s) => target_names(&s.value, out),
        _ => {}
    }
}

/// Whether `name` is read anywhere in the call's arguments.
fn uses_name(call: &ast::ExprCall, name: &str) -> bool {
    struct Uses<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Uses<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr
                && n.id.as_str() == self.name
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut uses = Uses { name, found: false };
    visitor::walk_arguments(&mut uses, &call.arguments);
    uses.found
}

/// What a planner may know of the host besides facts, as the language server sees it.
struct HintEnv<'h> {
    host: HostView<'h>,
}

impl PlanEnv for HintEnv<'_> {
    fn host_name(&self) -> &str {
        self.host.name
    }
    fn host_data(&self, key: &str) -> Option<Value> {
        self.host.data.and_then(|d| d.get(key).cloned())
    }
    fn temp_filename(&self, key: &str) -> String {
        use sha1::{Digest, Sha1};
        let digest: String = Sha1::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        format!("/tmp/pyinfra-{digest}")
    }
    fn timestamp(&self) -> String {
        "<timestamp>".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rinfra_facts::fact_source::FactKey;
    use serde_json::json;

    /// A fact with its arguments and value.
    type Cached = (&'static str, Vec<(&'static str, Value)>, Value);

    fn host(name: &str, gathered_at: u64, facts: &[Cached]) -> HostFacts {
        let mut h = HostFacts { host: name.into(), gathered_at, ..HostFacts::default() };
        for (fact, args, value) in facts {
            let key = FactKey::new(fact, args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
            h.insert(&key, value.clone());
        }
        h
    }

    /// `path` exists as a directory when it does not start with `!`; otherwise the fact found nothing.
    fn dir_fact(path: &str) -> Cached {
        match path.strip_prefix('!') {
            Some(p) => ("files.Directory", vec![("path", json!(p))], Value::Null),
            None => {
                ("files.Directory", vec![("path", json!(path))], json!({"mode": 755, "user": "root", "group": "root"}))
            }
        }
    }

    fn labels(src: &str, hosts: Vec<HostFacts>, now: u64) -> Vec<String> {
        let module = Module::parse(src);
        let cached = CachedHosts {
            root: PathBuf::from("/nonexistent"),
            hosts: hosts.into_iter().map(CachedHost::new).collect(),
        };
        call_hints(&module, &cached, "deploy.py", now).into_iter().map(|h| h.label).collect()
    }

    fn with_dirs(name: &str, paths: &[&str]) -> HostFacts {
        let facts: Vec<Cached> = paths.iter().map(|p| dir_fact(p)).collect();
        host(name, 100, &facts)
    }

    const SRC: &str = "from pyinfra.operations import files\nROOT = '/srv'\n";

    #[test]
    fn aggregates_over_hosts() {
        let src = format!("{SRC}files.directory(path=f'{{ROOT}}/app')\n");
        let both = vec![with_dirs("web1", &["/srv/app"]), with_dirs("web2", &["/srv/app"])];
        assert_eq!(labels(&src, both, 100), ["no change (2 hosts)"]);
        let one = vec![with_dirs("web1", &["/srv/app"]), with_dirs("web2", &[]), with_dirs("web3", &["!/srv/app"])];
        assert_eq!(labels(&src, one, 100), ["would change on web3; facts unknown on web2"]);
        assert_eq!(
            labels(&src, vec![with_dirs("web1", &[])], 100 + 3 * STALE_AFTER),
            ["facts unknown — run rinfra-exec INVENTORY deploy.py --dry (facts 3 days old)"]
        );
        assert_eq!(labels(&src, Vec::new(), 0), ["facts unknown — run rinfra-exec INVENTORY deploy.py --dry"]);
    }

    #[test]
    fn loops_expand_or_stay_unknown() {
        let hosts = || vec![with_dirs("web1", &["/srv/a", "/srv/b", "!/srv/c"])];
        let src = format!("{SRC}for d in ['a', 'b']:\n    files.directory(path=ROOT + '/' + d)\n");
        assert_eq!(labels(&src, hosts(), 100), ["no change (1 host)"]);
        let src = format!("{SRC}for d in ['a', 'c']:\n    files.directory(path=ROOT + '/' + d)\n");
        assert_eq!(labels(&src, hosts(), 100), ["would change on web1"]);
        let src = format!("{SRC}for d in get():\n    files.directory(path=d)\n");
        assert_eq!(
            labels(&src, hosts(), 100),
            ["not evaluated: uses loop variable `d` (a call of `get` is computed at run time)"]
        );
        let src = format!("{SRC}for d in get():\n    files.directory(path='/srv/a')\n");
        assert_eq!(labels(&src, hosts(), 100), ["no change (1 host)"]);
    }

    #[test]
    fn conditions_on_the_host_pick_where_a_call_runs() {
        let hosts = || vec![with_dirs("web1", &["!/srv/x"]), with_dirs("web2", &["!/srv/x"])];
        let src = "from pyinfra import host\nfrom pyinfra.operations import files\n";
        let src = format!(
            "{src}if host.name == 'web1':\n    files.directory('/srv/x')\nelif host.name == 'nope':\n    \
                           files.directory('/srv/x')\nelse:\n    files.directory('/srv/x')\n"
        );
        assert_eq!(
            labels(&src, hosts(), 100),
            ["would change on web1", "not run on any cached host", "would change on web2"]
        );
        // A condition that cannot be evaluated does not hide the call.
        let src = format!("{SRC}if compute():\n    files.directory('/srv/x')\n");
        assert_eq!(labels(&src, hosts(), 100), ["would change on web1, web2"]);
    }

    #[test]
    fn memoised_calls_are_reused_until_their_text_or_constants_change() {
        let cached = |exists: bool| CachedHosts {
            root: PathBuf::from("/nonexistent"),
            hosts: vec![CachedHost::new(with_dirs("web1", &[if exists { "/srv/a" } else { "!/srv/a" }]))],
        };
        let mut memo = CallMemo::new();
        let run = |src: &str, exists: bool, memo: &mut CallMemo| -> Vec<String> {
            call_hints_with(&Module::parse(src), &cached(exists), "deploy.py", 100, memo)
                .into_iter()
                .map(|h| h.label)
                .collect()
        };
        let src = format!("{SRC}D = 'a'\nfiles.directory(ROOT + '/' + D)\n");
        assert_eq!(run(&src, true, &mut memo), ["no change (1 host)"]);
        // Same text: the memo answers (the caller clears it when the facts change).
        assert_eq!(run(&format!("# edit elsewhere\n{src}"), false, &mut memo), ["no change (1 host)"]);
        // A constant changed: planned again.
        assert_eq!(run(&src.replace("D = 'a'", "D = 'a' + ''"), false, &mut memo), ["would change on web1"]);
    }

    #[test]
    fn calls_being_typed_get_no_hint() {
        let src = format!("{SRC}files.directory(path=)\nfiles.directory(path='/srv/a')\n");
        assert_eq!(labels(&src, vec![with_dirs("web1", &["/srv/a"])], 100), ["no change (1 host)"]);
    }

    #[test]
    fn computed_arguments_are_not_evaluated() {
        let src = format!("{SRC}files.directory(path=compute())\nfiles.directory(*paths)\n");
        assert_eq!(
            labels(&src, vec![with_dirs("web1", &[])], 100),
            [
                "not evaluated: `path`: a call of `compute` is computed at run time",
                "not evaluated: the call unpacks `*args` or `**kwargs`"
            ]
        );
    }

    #[test]
    fn markdown_lists_commands_per_host() {
        let module = Module::parse(&format!("{SRC}files.directory('/srv/new')\n"));
        let cached = CachedHosts {
            root: PathBuf::from("/nonexistent"),
            hosts: vec![CachedHost::new(with_dirs("web1", &["!/srv/new"]))],
        };
        let hints = call_hints(&module, &cached, "deploy.py", 100);
        let md = hints.first().map(CallHint::markdown).unwrap_or_default();
        assert!(md.starts_with("**would change on web1**\n\n`web1`: would run\n```sh\nmkdir -p /srv/new\n"), "{md}");
    }

    /// A run record on `/nonexistent/deploy.py` of `files.directory` calls: (source text, line, path).
    fn ran(facts: HostFacts, calls: &[(&str, usize, &str)]) -> CachedHost {
        let calls: Vec<(&str, usize, Value)> = calls.iter().map(|(s, l, p)| (*s, *l, json!({"path": p}))).collect();
        ran_with(facts, &calls)
    }

    /// [`ran`] with each call's keywords.
    fn ran_with(facts: HostFacts, calls: &[(&str, usize, Value)]) -> CachedHost {
        let calls = calls
            .iter()
            .map(|(source, line, keywords)| RecordedCall {
                operation: "files.directory".into(),
                file: PathBuf::from("/nonexistent/deploy.py"),
                line: *line,
                source_sha1: records::source_sha1(source),
                positional: Vec::new(),
                keywords: serde_json::from_value(keywords.clone()).unwrap_or_default(),
            })
            .collect();
        let run = RunRecord { data: Map::new(), groups: vec!["web".into()], calls };
        CachedHost { facts, data: Some(Map::new()), run: Some(run) }
    }

    fn recorded_hints(src: &str, hosts: Vec<CachedHost>) -> Vec<CallHint> {
        let cached = CachedHosts { root: PathBuf::from("/nonexistent"), hosts };
        call_hints(&Module::parse(src), &cached, "deploy.py", 100)
    }

    #[test]
    fn recorded_arguments_plan_calls_static_evaluation_cannot() {
        const CALL: &str = "files.directory(path=compute_path())";
        let src = format!("{SRC}def compute_path():\n    return '/srv/a'\n{CALL}\n");
        let web1 = ran(with_dirs("web1", &["/srv/a"]), &[(CALL, 5, "/srv/a")]);
        let web2 = ran(with_dirs("web2", &["!/srv/b"]), &[(CALL, 5, "/srv/b")]);
        let hints = recorded_hints(&src, vec![web1.clone(), web2]);
        assert_eq!(hints[0].label, "would change on web2");
        assert_eq!(hints[0].from_records, 2);
        assert!(hints[0].markdown().contains("`web2`: would run\n```sh\nmkdir -p /srv/b\n"), "{}", hints[0].markdown());
        assert!(hints[0].markdown().ends_with("_arguments recorded by the last run_\n"));
        // Edited (the hash differs): static evaluation, which cannot call the function.
        let edited = src.replace(CALL, "files.directory(path=compute_path() )");
        let hints = recorded_hints(&edited, vec![web1.clone()]);
        assert_eq!(hints[0].label, "not evaluated: `path`: a call of `compute_path` is computed at run time");
        assert_eq!(hints[0].from_records, 0);
        // A host without records of the call is evaluated statically beside one with them.
        let src = format!("{SRC}{CALL}\nfiles.directory(path=ROOT + '/a')\n");
        let hints = recorded_hints(&src, vec![web1, CachedHost::new(with_dirs("web3", &["/srv/a"]))]);
        let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(
            labels,
            ["not evaluated: `path`: a call of `compute_path` is computed at run time", "no change (2 hosts)"]
        );
        assert!(hints[0].markdown().contains("on 1 of 2 hosts, the others from the text"));
    }

    #[test]
    fn recorded_iterations_aggregate_like_loops() {
        const CALL: &str = "files.directory(path=d)";
        let src = format!("{SRC}for d in dirs():\n    {CALL}\n");
        let iterations = [(CALL, 4, "/srv/a"), (CALL, 4, "/srv/b")];
        let hints = recorded_hints(&src, vec![ran(with_dirs("web1", &["/srv/a", "/srv/b"]), &iterations)]);
        assert_eq!(hints[0].label, "no change (1 host)");
        let hints = recorded_hints(&src, vec![ran(with_dirs("web1", &["/srv/a", "!/srv/b"]), &iterations)]);
        assert_eq!(hints[0].label, "would change on web1");
        // The same text twice: each call gets the records of its own line, in order, even when lines
        // shifted since the run.
        let src = format!("# moved\n{SRC}for d in one():\n    {CALL}\nfor d in two():\n    {CALL}\n");
        let twins = [(CALL, 4, "/srv/a"), (CALL, 6, "/srv/b")];
        let hints = recorded_hints(&src, vec![ran(with_dirs("web1", &["/srv/a", "!/srv/b"]), &twins)]);
        let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(labels, ["no change (1 host)", "would change on web1"]);
    }

    #[test]
    fn records_made_stale_by_an_edit_around_the_call_give_way_to_the_text() {
        const CALL: &str = "files.directory(path=ROOT + '/' + d)";
        let facts = || with_dirs("web1", &["/srv/a", "/srv/b", "!/opt/a", "!/srv/c"]);
        let iterations = [(CALL, 4, "/srv/a"), (CALL, 4, "/srv/b")];
        let run = |src: &str| {
            let hints = recorded_hints(src, vec![ran(facts(), &iterations)]);
            (hints[0].label.clone(), hints[0].from_records)
        };
        let src = format!("{SRC}for d in ['a', 'b']:\n    {CALL}\n");
        assert_eq!(run(&src), ("no change (1 host)".into(), 1));
        // The constant changed: the call's text did not, but its arguments did.
        assert_eq!(run(&src.replace("'/srv'", "'/opt'")), ("would change on web1".into(), 0));
        // The loop gained an item.
        assert_eq!(run(&src.replace("'b']", "'b', 'c']")), ("would change on web1".into(), 0));
        // Keywords the text does not give (config.py's `_sudo`) do not make records stale.
        const ONE: &str = "files.directory(path=ROOT + '/a')";
        let host = ran_with(facts(), &[(ONE, 3, json!({"path": "/srv/a", "_sudo": true}))]);
        let hints = recorded_hints(&format!("{SRC}{ONE}\n"), vec![host]);
        assert_eq!((hints[0].label.as_str(), hints[0].from_records), ("no change (1 host)", 1));
    }

    #[test]
    fn masked_recorded_values_are_planned_and_stay_masked() {
        const CALL: &str = "files.directory(path=secret_dir())";
        let src = format!("{SRC}{CALL}\n");
        let hints = recorded_hints(&src, vec![ran(with_dirs("web1", &[]), &[(CALL, 3, "*MASKED*")])]);
        // The planner asks for the directory's fact under the masked name: it is not cached.
        assert_eq!(hints[0].label, "facts unknown — run rinfra-exec INVENTORY deploy.py --dry");
        let hints = recorded_hints(&src, vec![ran(with_dirs("web1", &["!*MASKED*"]), &[(CALL, 3, "*MASKED*")])]);
        assert!(hints[0].markdown().contains("mkdir -p '*MASKED*'"), "{}", hints[0].markdown());
    }

    #[test]
    fn run_records_supply_host_data_and_groups() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        FactCache::in_workspace(dir.path()).store(&with_dirs("web1", &["/srv/a"]))?;
        FactCache::in_workspace(dir.path()).store(&with_dirs("web2", &["/srv/a"]))?;
        std::fs::create_dir_all(dir.path().join(".rinfra/runs"))?;
        std::fs::create_dir_all(dir.path().join(".rinfra/hosts"))?;
        let run = json!({"version": 1, "host": "web1", "groups": ["web"], "data": {"root": "/srv"}, "calls": []});
        std::fs::write(dir.path().join(".rinfra/runs/web1.json"), run.to_string())?;
        // The older place of host data is read only for a host without a run record.
        std::fs::write(dir.path().join(".rinfra/hosts/web1.json"), r#"{"root": "/old"}"#)?;
        std::fs::write(dir.path().join(".rinfra/hosts/web2.json"), r#"{"root": "/srv"}"#)?;
        let cached = CachedHosts::load(dir.path());
        let src = "from pyinfra import host\nfrom pyinfra.operations import files\n\
                   files.directory(path=host.data.root + '/a')\nif 'web' in host.groups:\n    files.directory('/srv/a')\n";
        let hints = call_hints(&Module::parse(src), &cached, "deploy.py", 100);
        let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
        // web2 has no run record, so no groups: the condition cannot be evaluated and leaves it in.
        assert_eq!(labels, ["no change (2 hosts)", "no change (2 hosts)"]);
        assert!(hints[1].markdown().contains("`web2`: no change"), "{}", hints[1].markdown());
        let src = src.replace("'web' in", "'db' in");
        let hints = call_hints(&Module::parse(&src), &cached, "deploy.py", 100);
        assert_eq!(hints[1].hosts[0], ("web1".to_string(), Outcome::Skipped));
        Ok(())
    }

    #[test]
    fn host_data_files_in_both_shapes() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let hosts = dir.path().join(".rinfra/hosts");
        std::fs::create_dir_all(&hosts)?;
        std::fs::write(hosts.join("web1.json"), r#"{"host": "web1", "data": {"port": 80}}"#)?;
        std::fs::write(hosts.join("_ssh_web2.json"), r#"{"port": 81}"#)?;
        assert_eq!(host_data(dir.path(), "web1"), serde_json::from_value(json!({"port": 80})).ok());
        assert_eq!(host_data(dir.path(), "@ssh/web2").map(|_| ()), None);
        assert_eq!(host_data(dir.path(), "/ssh/web2"), serde_json::from_value(json!({"port": 81})).ok());
        Ok(())
    }
}
