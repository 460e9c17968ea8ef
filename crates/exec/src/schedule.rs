//! Scheduling a run: the recorded calls merged into one deploy order, then each step run on its
//! hosts in parallel (worker threads, at most `--parallel` at once, `_serial` / `_parallel` per
//! operation), or with `--no-wait` / `--serial` each host going through all its steps on its own.
//!
//! Python stays on the calling thread (one interpreter, one thread): workers send it their `_if`
//! and `_retry_until` questions and their outcomes over a channel, and it answers, records results
//! for the deploy's `OperationMeta` objects, renders diffs and prints — so output order stays
//! deterministic.

use std::collections::{BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use rinfra_facts::value::{Map, Value, truthy};

use crate::file_diff::FileDiff;
use crate::host_state::{HostState, run_one};
use crate::pool::in_parallel;
use crate::python::{Bridge, CallResult, Interpreter, OpCall};
use crate::report::{Row, label, op_json, outcome_json, print_json, print_outcome, print_table, title};
use crate::run::{Outcome, RunOptions};
use rinfra_facts::plan::Command;

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

/// What a worker tells the Python thread.
enum Msg {
    /// Do the `_if` callables of call `n` on host `host` hold? Answer on `reply`.
    CheckIf { host: usize, n: usize, reply: Sender<Answer> },
    /// Should call `n` on host `host` run again? Its `_retry_until` callable, given `data`
    /// (pyinfra's output dictionary), decides. Answer on `reply`.
    RetryUntil { host: usize, n: usize, data: Value, reply: Sender<Answer> },
    /// A call finished on a host.
    Done(Done),
}

/// What the Python thread sends back to a worker waiting on an `_if` question.
enum Answer {
    /// The callable's verdict (or the error one raised).
    Verdict(Result<bool, String>),
    /// A callable asks for a fact (`host.get_fact`): the worker, which holds the host, gathers it.
    Fact { fact: String, positional: Vec<Value>, keywords: Map<String, Value>, reply: Sender<Result<Value, String>> },
}

/// The bridge Python sees while `_if` or `_retry_until` callables run: facts go to the worker
/// holding the host.
struct FactProxy {
    worker: Sender<Answer>,
}

impl Bridge for FactProxy {
    fn record(&mut self, call: OpCall) -> Result<usize, String> {
        Err(format!("{}: operations cannot be called inside an _if or _retry_until callable", call.name))
    }

    fn get_fact(&mut self, fact: &str, positional: &[Value], keywords: &Map<String, Value>) -> Result<Value, String> {
        let (reply, value) = mpsc::channel();
        let asked =
            Answer::Fact { fact: fact.to_string(), positional: positional.to_vec(), keywords: keywords.clone(), reply };
        self.worker.send(asked).map_err(|_| "the host's worker is gone".to_string())?;
        value.recv().map_err(|_| "the host's worker is gone".to_string())?
    }

    fn will_change(&mut self, _index: usize) -> Result<bool, String> {
        Err("will_change is not available inside an _if or _retry_until callable".into())
    }

    fn run_command(&mut self, _command: &str) -> Result<(bool, Vec<String>, Vec<String>), String> {
        Err("user-defined facts cannot run inside an _if or _retry_until callable yet".into())
    }

    fn plan_inner(
        &mut self,
        name: &str,
        _: &[Value],
        _: &Map<String, Value>,
        _: Option<Box<Result<String, rinfra_facts::operations::files::jinja::TemplateError>>>,
    ) -> Result<Vec<Command>, String> {
        Err(format!("{name}: operations cannot be planned inside an _if or _retry_until callable"))
    }
}

/// Ask the Python thread whether call `n`'s `_if` callables hold on this host, gathering the facts
/// they ask for meanwhile.
fn ask_condition(host: &mut HostState, index: usize, n: usize, tx: &Sender<Msg>) -> Result<bool, String> {
    ask(host, tx, |reply| Msg::CheckIf { host: index, n, reply }).unwrap_or(Ok(false))
}

/// Ask the Python thread whether call `n` should run again on this host (`_retry_until`).
fn ask_retry(host: &mut HostState, index: usize, n: usize, data: Value, tx: &Sender<Msg>) -> Result<bool, String> {
    ask(host, tx, |reply| Msg::RetryUntil { host: index, n, data, reply }).unwrap_or(Ok(false))
}

/// Send the question `msg` builds and wait for the verdict, gathering the facts the callable asks
/// for meanwhile; `None` when the Python thread no longer listens.
fn ask(
    host: &mut HostState,
    tx: &Sender<Msg>,
    msg: impl FnOnce(Sender<Answer>) -> Msg,
) -> Option<Result<bool, String>> {
    let (reply, answers) = mpsc::channel();
    tx.send(msg(reply)).ok()?;
    Some(loop {
        match answers.recv() {
            Ok(Answer::Verdict(v)) => break v,
            Ok(Answer::Fact { fact, positional, keywords, reply }) => {
                let _ = reply.send(host.get_fact(&fact, &positional, &keywords));
            }
            Err(_) => break Err("the deploy script stopped".into()),
        }
    })
}

/// One call's end on one host.
struct Done {
    step: usize,
    host: usize,
    n: usize,
    outcome: Outcome,
    output: (Vec<String>, Vec<String>),
    diff: Vec<FileDiff>,
}

/// Whether the call has `_if` callables (kept on the Python side; the keyword is only a marker).
fn has_condition(call: &OpCall) -> bool {
    call.keywords.get("_if") == Some(&Value::Bool(true))
}

fn ignore_errors(call: &OpCall) -> bool {
    call.keywords.get("_ignore_errors").is_some_and(truthy)
}

fn flag(call: &OpCall, name: &str) -> bool {
    call.keywords.get(name).is_some_and(truthy)
}

/// Run call `n` (deploy step `step`) on one host from a worker thread, asking the Python thread
/// about `_if` first; the outcome goes back as a [`Msg::Done`]. Whether the host failed (an error
/// its call does not ignore).
fn work(
    host: &mut HostState,
    index: usize,
    step: usize,
    n: usize,
    options: &RunOptions,
    tx: &Sender<Msg>,
    py: bool,
) -> bool {
    let Some(call) = host.calls.get(n).cloned() else { return false };
    host.output = (Vec::new(), Vec::new());
    host.diff.clear();
    let condition = (py && has_condition(&call)).then(|| ask_condition(host, index, n, tx));
    let outcome = match condition {
        Some(Ok(false)) => Outcome::Skipped,
        Some(Err(e)) => Outcome::Error(e),
        Some(Ok(true)) | None => {
            let mut judge = |host: &mut HostState, data: Value| {
                if py { ask_retry(host, index, n, data, tx) } else { Ok(false) }
            };
            run_one(host, n, &call, options, &mut judge)
        }
    };
    let output = std::mem::take(&mut host.output);
    let diff = std::mem::take(&mut host.diff);
    let failed = matches!(outcome, Outcome::Error(_)) && !ignore_errors(&call);
    let _ = tx.send(Msg::Done(Done { step, host: index, n, outcome, output, diff }));
    failed
}

/// The live progress line on a terminal (stderr), cleared when the step ends; nothing otherwise.
struct Progress {
    on: bool,
    shown: bool,
}

impl Progress {
    fn new(options: &RunOptions) -> Progress {
        Progress { on: !options.json && std::io::stderr().is_terminal(), shown: false }
    }

    fn show(&mut self, what: &str, done: usize, total: usize) {
        if self.on {
            let width = 24;
            let filled = (done * width).checked_div(total).unwrap_or(width);
            let bar: String = "#".repeat(filled) + &"-".repeat(width - filled);
            eprint!("\r\x1b[2K[{bar}] {done}/{total} hosts  {what}");
            let _ = std::io::stderr().flush();
            self.shown = true;
        }
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
            self.shown = false;
        }
    }
}

/// Serve workers until they have all finished: answer `_if` questions, hand each finished call to
/// `done`, and keep the progress line up to date.
fn serve(
    python: Option<&Interpreter>,
    names: &[String],
    rx: mpsc::Receiver<Msg>,
    progress: &mut Progress,
    what: &str,
    total: usize,
    mut done: impl FnMut(Done),
) {
    let mut finished = 0;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Msg::CheckIf { host, n, reply }) => {
                let answer = match python {
                    Some(p) => p.check_if_with(&names[host], n, FactProxy { worker: reply.clone() }),
                    None => Ok(true),
                };
                let _ = reply.send(Answer::Verdict(answer));
            }
            Ok(Msg::RetryUntil { host, n, data, reply }) => {
                let answer = match python {
                    Some(p) => p.retry_until_with(&names[host], n, &data, FactProxy { worker: reply.clone() }),
                    None => Ok(false),
                };
                let _ = reply.send(Answer::Verdict(answer));
            }
            Ok(Msg::Done(d)) => {
                finished += 1;
                done(d);
                progress.show(what, finished, total);
            }
            Err(RecvTimeoutError::Timeout) => progress.show(what, finished, total),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    progress.clear();
}

/// Run jobs on at most `workers` threads; each job is `(host index, &mut host, step, call index)`.
fn run_workers(
    jobs: Vec<(usize, &mut HostState, usize, usize)>,
    workers: usize,
    options: &RunOptions,
    py: bool,
    tx: Sender<Msg>,
    serve_here: impl FnOnce(),
) {
    // A host whose step needs no round trip and no question to Python (a plan made ahead that
    // changes nothing) is done here: a re-run's steps then start no threads.
    let (settled, jobs): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .partition(|(_, host, _, n)| host.calls.get(*n).is_some_and(|c| !has_condition(c)) && host.settled(*n));
    for (index, host, step, n) in settled {
        let _ = work(host, index, step, n, options, &tx, py);
    }
    let senders: Vec<Sender<Msg>> = (0..workers.max(1).min(jobs.len())).map(|_| tx.clone()).collect();
    drop(tx);
    in_parallel(
        jobs,
        senders,
        |tx, (index, host, step, n)| {
            let _ = work(host, index, step, n, options, tx, py);
        },
        serve_here,
    );
}

/// A finished call's report: `OperationMeta` result, diff, printed outcome, table row, `--json`.
struct Ledger<'a> {
    python: Option<&'a Interpreter>,
    options: &'a RunOptions,
    rows: Vec<Row>,
    doc_hosts: Vec<Map<String, Value>>,
    failed: Vec<bool>,
}

impl Ledger<'_> {
    /// Record `d`; print its outcome line (prefixed with the operation when `tagged`).
    fn record(&mut self, d: Done, names: &[String], call: &OpCall, tagged: bool) {
        let result = CallResult {
            changed: matches!(d.outcome, Outcome::Changed(_)),
            success: !matches!(d.outcome, Outcome::Error(_)),
            stdout: d.output.0,
            stderr: d.output.1,
        };
        let name = &names[d.host];
        if let Some(p) = self.python {
            p.set_result(name, d.n, &result);
        }
        let row = &mut self.rows[d.step];
        if row.hosts == 0 {
            row.name = label(call);
            row.call = Some(call.clone());
        }
        row.count(&d.outcome);
        if self.options.json {
            let shown = outcome_json(&d.outcome, &result, name, ignore_errors(call), self.options.dry);
            self.doc_hosts[d.step].insert(name.clone(), shown);
        }
        if !self.options.json {
            let shown = if tagged { format!("{name}: {}", label(call)) } else { name.clone() };
            print_outcome(&shown, &d.outcome, ignore_errors(call), self.options);
            for line in diff_lines(self.python, &d.diff) {
                println!("        {line}");
            }
            if self.options.show_output {
                for line in result.stdout.iter().chain(&result.stderr) {
                    println!("        {line}");
                }
            }
        }
        if matches!(d.outcome, Outcome::Error(_)) && !ignore_errors(call) {
            self.failed[d.host] = true;
        }
    }
}

impl Ledger<'_> {
    /// `--fail-percent`: whether more hosts than allowed have failed (said once, on stderr).
    fn too_many_failed(&self) -> bool {
        let Some(pct) = self.options.fail_percent else { return false };
        let down = self.failed.iter().filter(|f| **f).count();
        let over = down * 100 > usize::from(pct) * self.failed.len();
        if over {
            eprintln!("rinfra-exec: stopping: {down} of {} hosts failed (more than {pct}%)", self.failed.len());
        }
        over
    }
}

/// Unified diffs (rendered by Python's difflib, as pyinfra does) of what `--diff` collected.
fn diff_lines(python: Option<&Interpreter>, diff: &[FileDiff]) -> Vec<String> {
    let mut out = Vec::new();
    for FileDiff { path, texts } in diff {
        match (texts, python) {
            (Ok((old, new)), Some(py)) => match py.unified_diff(old, new, path) {
                Ok(lines) => out.extend(lines),
                Err(e) => out.push(format!("(no diff for {path}: {e})")),
            },
            (Ok(_), None) => out.push(format!("(no diff for {path}: no Python to render it)")),
            (Err(why), _) => out.push(format!("(no diff for {path}: {why})")),
        }
    }
    out
}

/// Run the recorded calls across hosts; a failed host takes no further part. The exit code.
pub(crate) fn execute_all(python: Option<&Interpreter>, hosts: &mut [HostState], options: &RunOptions) -> u8 {
    let (steps, index) = deploy_order(hosts);
    let names: Vec<String> = hosts.iter().map(|h| h.name().to_string()).collect();
    let workers = options.workers(hosts.len());
    let mut clock = crate::run::Phases::new(options);
    prefetch_all(hosts, workers);
    clock.done("facts for every operation (prefetch)");
    let mut ledger = Ledger {
        python,
        options,
        rows: steps.iter().map(|_| Row::default()).collect(),
        doc_hosts: steps.iter().map(|_| Map::new()).collect(),
        failed: vec![false; hosts.len()],
    };
    let mut progress = Progress::new(options);
    if options.no_wait || options.serial {
        run_hosts_through(python, hosts, &steps, &index, &names, &mut ledger, &mut progress);
    } else {
        run_step_by_step(python, hosts, &steps, &index, &names, &mut ledger, &mut progress, workers);
    }
    let failed = ledger.failed.iter().any(|f| *f);
    let doc_ops: Vec<Value> =
        ledger.rows.iter().zip(ledger.doc_hosts).filter(|(r, _)| r.hosts > 0).map(|(r, h)| op_json(r, h)).collect();
    if options.json {
        print_json(hosts, doc_ops, options);
        return u8::from(failed);
    }
    let rows: Vec<Row> = ledger.rows.into_iter().filter(|r| r.hosts > 0).collect();
    print_table(&rows, options.dry);
    if options.verbose > 0 {
        for host in hosts.iter() {
            let trips = host.conn.round_trips();
            let (total, facts) = (trips.total(), host.fact_round_trips);
            let count = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
            let trips = count(total, "round trip", "round trips");
            println!("{}: {trips} ({})", host.name(), count(facts, "fact batch", "fact batches"));
        }
    }
    u8::from(failed)
}

/// Gather, in one batch per round and host (and privilege level), the facts every recorded call
/// asks for against the facts known now, so an unchanged host costs one fact round trip. Facts
/// whose arguments come from other facts take more rounds (at most 4). Best effort: a fact that
/// fails here is asked again, and its error reported, by its operation's step.
///
/// Planning is CPU work and runs on as many threads as there are cores; only the batches, which
/// wait on the network, take a thread per host. Planning on a thread per host held every host's
/// planning garbage at once: with every host at once, the prefetch phase's peak RSS at N=200 was
/// 4 MB higher (82.6-84.0 MB against 78.0-79.5 MB).
fn prefetch_all(hosts: &mut [HostState], workers: usize) {
    let cores = crate::pool::cores();
    let mut runners: Vec<_> = hosts.iter().map(HostState::prefetch_runners).collect();
    for _ in 0..4 {
        let mut wanted: Vec<_> = hosts.iter().map(|_| Vec::new()).collect();
        let planning = hosts.iter_mut().zip(&runners).zip(wanted.iter_mut());
        in_parallel(
            planning,
            vec![(); cores.min(workers).max(1)],
            |_, ((host, r), w)| *w = host.prefetch_plan(r),
            || {},
        );
        if wanted.iter().all(Vec::is_empty) {
            break;
        }
        // A host with nothing missing is done; otherwise only the runners whose batch arrives
        // plan again.
        for (r, w) in runners.iter_mut().zip(&wanted) {
            r.clear();
            r.extend(w.iter().map(|(runner, _)| runner.clone()));
        }
        let batches = hosts.iter_mut().zip(wanted).zip(runners.iter_mut()).filter(|((_, w), _)| !w.is_empty());
        in_parallel(batches, vec![(); workers.max(1)], |_, ((host, w), r)| *r = host.prefetch_gather(w), || {});
    }
}

/// The default: each step on all its hosts (in parallel) before the next step starts.
#[allow(clippy::too_many_arguments)]
fn run_step_by_step(
    python: Option<&Interpreter>,
    hosts: &mut [HostState],
    steps: &[OrderKey],
    index: &[HashMap<OrderKey, usize>],
    names: &[String],
    ledger: &mut Ledger<'_>,
    progress: &mut Progress,
    workers: usize,
) {
    for (step, key) in steps.iter().enumerate() {
        let mut jobs: Vec<(usize, &mut HostState, usize, usize)> = Vec::new();
        for (i, host) in hosts.iter_mut().enumerate() {
            let Some(&n) = index[i].get(key) else { continue };
            if ledger.failed[i] || n >= host.calls.len() {
                continue;
            }
            jobs.push((i, host, step, n));
        }
        let Some(first) = jobs.first().and_then(|(_, h, _, n)| h.calls.get(*n).cloned()) else { continue };
        // `_run_once`: the first host that reaches the call runs it; the others skip it.
        if flag(&first, "_run_once") {
            jobs.truncate(1);
        }
        let limit = if flag(&first, "_serial") {
            1
        } else {
            first
                .keywords
                .get("_parallel")
                .and_then(Value::as_u64)
                .filter(|p| *p > 0)
                .map_or(workers, |p| usize::try_from(p).unwrap_or(usize::MAX).min(workers))
        };
        if !ledger.options.json {
            println!("--> {}", title(&first));
        }
        let calls: Vec<OpCall> = jobs.iter().filter_map(|(_, h, _, n)| h.calls.get(*n).cloned()).collect();
        let total = jobs.len();
        let (tx, rx) = mpsc::channel();
        let mut finished: Vec<Done> = Vec::new();
        let what = label(&first);
        let mut clock = crate::run::Phases::new(ledger.options);
        run_workers(jobs, limit, ledger.options, python.is_some(), tx, || {
            serve(python, names, rx, progress, &what, total, |d| finished.push(d));
        });
        clock.done(&format!("step {what}"));
        // Reported in inventory order, whatever order the hosts finished in.
        finished.sort_by_key(|d| d.host);
        for (d, call) in finished.into_iter().zip(calls) {
            ledger.record(d, names, &call, false);
        }
        if ledger.too_many_failed() {
            break;
        }
    }
}

/// `--no-wait` (each host through all its steps without waiting for the others, up to
/// `--parallel` hosts at once) and `--serial` (the same, one host at a time).
fn run_hosts_through(
    python: Option<&Interpreter>,
    hosts: &mut [HostState],
    steps: &[OrderKey],
    index: &[HashMap<OrderKey, usize>],
    names: &[String],
    ledger: &mut Ledger<'_>,
    progress: &mut Progress,
) {
    let options = ledger.options;
    let workers = if options.serial { 1 } else { options.workers(hosts.len()) };
    // Per host, the (step, call) pairs it runs, in deploy order.
    let plans: Vec<Vec<(usize, usize)>> = index
        .iter()
        .map(|map| steps.iter().enumerate().filter_map(|(s, k)| map.get(k).map(|n| (s, *n))).collect())
        .collect();
    let total: usize = plans.iter().map(Vec::len).sum();
    let calls: Vec<Vec<OpCall>> = hosts.iter().map(|h| h.calls.clone()).collect();
    let claimed: Mutex<BTreeSet<usize>> = Mutex::new(BTreeSet::new());
    let (tx, rx) = mpsc::channel();
    let py = python.is_some();
    // `--fail-percent`: once too many hosts have failed, no host starts another operation.
    let failed = std::sync::atomic::AtomicUsize::new(0);
    let too_many = |down: usize| options.fail_percent.is_some_and(|p| down * 100 > usize::from(p) * plans.len());
    let senders: Vec<Sender<Msg>> = (0..workers).map(|_| tx.clone()).collect();
    drop(tx);
    let host_through = |tx: &mut Sender<Msg>, (i, host): (usize, &mut HostState)| {
        for &(step, n) in &plans[i] {
            if too_many(failed.load(std::sync::atomic::Ordering::SeqCst)) {
                break;
            }
            let run_once = host.calls.get(n).is_some_and(|c| flag(c, "_run_once"));
            if run_once && !claimed.lock().is_ok_and(|mut c| c.insert(step)) {
                continue;
            }
            // A failed host stops at its first unignored error.
            if work(host, i, step, n, options, tx, py) {
                failed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                break;
            }
        }
    };
    in_parallel(hosts.iter_mut().enumerate(), senders, host_through, || {
        serve(python, names, rx, progress, "", total, |d| {
            let call = calls[d.host][d.n].clone();
            ledger.record(d, names, &call, true);
        });
    });
    let _ = ledger.too_many_failed();
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
