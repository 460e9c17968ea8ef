//! What people and programs see of a run: per-host outcome lines, the results table, and the
//! `--json` document (secrets masked: commands are shown through their masked form).

use std::path::Path;

use rinfra_facts::plan::{Command, Plan, UploadSource};
use rinfra_facts::value::{Map, Value};

use crate::host_state::HostState;
use crate::python::{CallResult, OpCall};
use crate::run::{Outcome, RunOptions};

/// One line of the results table.
#[derive(Debug, Default)]
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) call: Option<OpCall>,
    pub(crate) hosts: usize,
    changed: usize,
    no_change: usize,
    error: usize,
}

impl Row {
    pub(crate) fn count(&mut self, outcome: &Outcome) {
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
pub(crate) fn outcome_json(outcome: &Outcome, result: &CallResult, host: &str, ignored: bool, dry: bool) -> Value {
    let mut m = Map::new();
    let (status, plan) = match outcome {
        Outcome::Changed(p) => (if dry { "would_change" } else { "changed" }, Some(p)),
        Outcome::NoChange(p) => ("no_change", Some(p)),
        Outcome::Error(e) => {
            // The document names the host already: a connector's "<host>: " prefix is left out.
            let e = e.strip_prefix(host).and_then(|rest| rest.strip_prefix(": ")).unwrap_or(e);
            m.insert("error".into(), Value::String(e.to_string()));
            if ignored {
                m.insert("ignored".into(), Value::Bool(true));
            }
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
pub(crate) fn op_json(row: &Row, hosts: Map<String, Value>) -> Value {
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
pub(crate) fn print_json(hosts: &[HostState], operations: Vec<Value>, options: &RunOptions) {
    let mut host_docs: Vec<Value> = hosts
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
    host_docs.extend(
        options.unreachable.iter().map(|(name, e)| serde_json::json!({"name": name, "status": "error", "error": e})),
    );
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

/// The `--json` document of a run that failed before its operations ran: the deploy script's (or
/// inventory's, config's) error at the top level, and each host that could not be reached with its
/// error. Same shape as a run's document, so a program reads one document whatever happened.
pub fn print_failure_json(dry: bool, error: Option<&str>, unreachable: &[(String, String)]) {
    let hosts: Vec<Value> =
        unreachable.iter().map(|(name, e)| serde_json::json!({"name": name, "status": "error", "error": e})).collect();
    let mut doc = serde_json::json!({"version": 1, "dry": dry, "hosts": hosts, "operations": []});
    if let (Some(e), Some(m)) = (error, doc.as_object_mut()) {
        m.insert("status".into(), Value::from("error"));
        m.insert("error".into(), Value::from(e));
    }
    match serde_json::to_string_pretty(&doc) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("rinfra-exec: {e}"),
    }
}

/// The results table: Operation | Hosts | Changed (Would change, dry) | No change | Error.
pub(crate) fn print_table(rows: &[Row], dry: bool) {
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

/// `files.put (deploy.py:12)`, or the call's `name=` when given.
pub(crate) fn title(call: &OpCall) -> String {
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
pub(crate) fn label(call: &OpCall) -> String {
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

pub(crate) fn print_outcome(host: &str, outcome: &Outcome, ignored: bool, options: &RunOptions) {
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
            // A connector's error starts with the host's name, already at the start of the line.
            let e = e.strip_prefix(host).and_then(|rest| rest.strip_prefix(": ")).unwrap_or(e);
            let mut lines = e.lines();
            let label = if ignored { "Error (ignored)" } else { "Error" };
            println!("    {host}: {label}: {}", lines.next().unwrap_or(""));
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
