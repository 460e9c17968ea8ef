//! Fact gathering in batches: many facts, one round trip.
//!
//! pyinfra runs one remote command per fact. Here the commands of all requested facts go into one
//! shell script, run with a single exec; each fact's output is followed by a line carrying a random
//! delimiter and its exit status (and its stderr by the same delimiter), so the outputs split apart
//! exactly. Each fact command still runs in its own subshell (`( eval ... )`), so one fact's `exit`,
//! `cd` or syntax error cannot disturb the next. A fact whose required command is missing on the
//! host takes its default value, as pyinfra's `requires_command` does.
//!
//! Identical commands (a fact asked for twice, short facts sharing a parent) run once.

use std::collections::HashMap;

use rinfra_facts::fact_source::{FactKey, FactSource, Unknown};
use rinfra_facts::schema::catalogue;
use rinfra_facts::value::Value;
use rinfra_facts::{FactCommand, FactError, fact_command, parse_fact};

use crate::connector::askpass::Passwords;
use crate::connector::{CommandOutput, Connector, ConnectorError, ExitStatus, RemoteCommand, output_lines, random_hex};

/// Why one fact has no value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FactFailure {
    /// Unknown, not implemented yet, bad arguments or unparsable output.
    #[error(transparent)]
    Fact(#[from] FactError),
    /// The fact's command failed on the host.
    #[error("could not load fact {fact} ({status}): {stderr}")]
    Command {
        /// The fact with its arguments.
        fact: String,
        /// How its command ended.
        status: ExitStatus,
        /// Its standard error.
        stderr: String,
    },
    /// The batch stopped before this fact's command reported (the shell died or was killed).
    #[error("could not load fact {fact}: the batch script ended before it ran (exit: {status}; stderr: {stderr})")]
    Incomplete {
        /// The fact with its arguments.
        fact: String,
        /// How the whole batch ended.
        status: ExitStatus,
        /// The batch's unclaimed standard error.
        stderr: String,
    },
    /// The schema's default value for the fact is not valid JSON (a schema bug).
    #[error("fact {0} has an invalid default value in the schema")]
    BadDefault(String),
}

/// The value of one fact, or why it has none.
pub type FactResult = Result<Value, FactFailure>;

/// Facts gathered from one host, in the order they were asked for.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    /// Each requested fact with its value or failure.
    pub results: Vec<(FactKey, FactResult)>,
    /// Round trips the gathering cost (0 when nothing could run, else 1).
    pub round_trips: u64,
}

impl Gathered {
    /// The result for `key`, if it was requested.
    pub fn get(&self, key: &FactKey) -> Option<&FactResult> {
        self.results.iter().find(|(k, _)| k == key).map(|(_, r)| r)
    }
}

impl FactSource for Gathered {
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
        match self.get(key) {
            Some(Ok(v)) => Ok(v.clone()),
            _ => Err(Unknown),
        }
    }
}

/// How to run a batch on the host.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// The command that reads the script on its standard input (`sh -s`; the executor may wrap it
    /// with sudo).
    pub runner: String,
    /// Kill the batch after this long.
    pub timeout: Option<std::time::Duration>,
    /// The operation's sudo / su passwords, for a runner under its privileges.
    pub passwords: Passwords,
    /// Let facts share processes (see [`crate::batch`]); off, each runs its own command exactly
    /// as pyinfra does (what the tests compare batches against).
    pub share_processes: bool,
}

impl Default for GatherOptions {
    fn default() -> Self {
        GatherOptions {
            runner: "sh -s".to_string(),
            timeout: None,
            passwords: Passwords::default(),
            share_processes: true,
        }
    }
}

/// One distinct command in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Job {
    /// The fact's shell command.
    pub command: String,
    /// Skip it (status "missing") when this command is not on the host.
    pub requires: Option<String>,
    /// An operation's command: the script stops after it unless it exits with one of these codes
    /// (so later commands never run after a failure, as when run one by one).
    pub stop_unless: Option<Vec<i32>>,
    /// rinfra's own code (a batch of facts, see `crate::batch`), which changes nothing in the
    /// shell that matters and cannot fail to parse: it runs in the script's shell, without the
    /// subshell each other command gets (a fork per job saved).
    pub inline: bool,
}

impl Job {
    /// A command that runs in its own subshell.
    pub fn new(command: String, requires: Option<String>, stop_unless: Option<Vec<i32>>) -> Job {
        Job { command, requires, stop_unless, inline: false }
    }
}

/// External commands that change nothing in the shell that runs them (no builtin among them).
const INLINE_COMMANDS: &[&str] = &["mkdir", "chmod", "chown", "chgrp", "touch", "ln", "rm", "rmdir", "mv", "cp"];

/// Whether `line` is one plain call of an [`INLINE_COMMANDS`] program: words of safe characters
/// or single-quoted text (with pyinfra's `'"'"'` for a quote), nothing else: no variable,
/// substitution, redirection, glob or second command. Run in the script's own shell it does exactly
/// what it does in a subshell, one fork cheaper (an operation's `mkdir`, `chmod`, `touch`, `ln`).
pub fn runs_inline(line: &str) -> bool {
    let Some(first) = line.split(' ').next() else { return false };
    if !INLINE_COMMANDS.contains(&first) {
        return false;
    }
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c) || c == ' ';
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                // Single-quoted text: anything up to the closing quote.
                if !chars.by_ref().any(|c| c == '\'') {
                    return false;
                }
            }
            '"' => {
                // Only `"'"`, the quote inside pyinfra's quoting.
                if chars.next() != Some('\'') || chars.next() != Some('"') {
                    return false;
                }
            }
            c if safe(c) => {}
            _ => return false,
        }
    }
    true
}

impl From<FactCommand> for Job {
    fn from(c: FactCommand) -> Job {
        Job::new(c.command, c.requires, None)
    }
}

/// How one job ended inside the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// Its command exited with this code.
    Exited(i32),
    /// Its required command is not installed: it did not run.
    Missing,
}

/// What one job printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOutput {
    /// How it ended.
    pub status: JobStatus,
    /// Its standard output.
    pub stdout: Vec<u8>,
    /// Its standard error.
    pub stderr: Vec<u8>,
}

/// The batch script for `jobs`, marking outputs with `delimiter` (which must not occur in any output:
/// use a fresh random one). The jobs run inside `while :; do ... break; done`, so that stopping
/// after a failed operation command is a `break`, not the `exit` of a subshell around the script:
/// a persistent shell runs script after script without forking for each.
pub fn build_script(jobs: &[Job], delimiter: &str) -> String {
    let mut s = String::from("while :; do\n");
    for (i, job) in jobs.iter().enumerate() {
        // Each command in its own subshell (a fork, no new `sh` to exec: a third cheaper per fact),
        // through `eval` so that its `exit`, `cd` or even a syntax error ends only that subshell,
        // as pyinfra's one `sh -c` per fact would; its input closed: the script is on our stdin.
        let run = if job.inline {
            // Its variables and positional parameters are cleared after it: later commands start
            // as clean as in a subshell (pyinfra's `sh -c` each).
            format!("{{ {}\n}} </dev/null; rinfra_rc=$?; set --; unset i n o p r", job.command)
        } else {
            format!("( eval {} ) </dev/null; rinfra_rc=$?", rinfra_facts::quote::quote(&job.command))
        };
        match &job.requires {
            // Unquoted, as pyinfra writes it.
            Some(req) => {
                s.push_str(&format!("if command -v {req} >/dev/null 2>&1; then\n{run}\nelse\nrinfra_rc=missing\nfi\n"))
            }
            None => {
                s.push_str(&run);
                s.push('\n');
            }
        }
        s.push_str(&format!(
            "printf '\\n%s %s\\n' '{delimiter}:{i}' \"$rinfra_rc\"\nprintf '\\n%s\\n' '{delimiter}:{i}' >&2\n"
        ));
        match &job.stop_unless {
            Some(codes) if !codes.is_empty() => {
                let alternatives: Vec<String> = codes.iter().map(i32::to_string).collect();
                s.push_str(&format!("case $rinfra_rc in {}) ;; *) break ;; esac\n", alternatives.join("|")));
            }
            Some(_) => s.push_str("break\n"),
            None => {}
        }
    }
    s.push_str("break\ndone\nunset rinfra_rc\n");
    s
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// Split a batch's output into the outputs of its `n` jobs; `None` for jobs that never reported.
pub fn split_output(out: &CommandOutput, n: usize, delimiter: &str) -> Vec<Option<JobOutput>> {
    let mut results = Vec::with_capacity(n);
    let (mut op, mut ep) = (0usize, 0usize);
    let mut broken = false;
    for i in 0..n {
        if broken {
            results.push(None);
            continue;
        }
        let out_mark = format!("\n{delimiter}:{i} ");
        let err_mark = format!("\n{delimiter}:{i}\n");
        let Some(at) = find(&out.stdout, out_mark.as_bytes(), op) else {
            broken = true;
            results.push(None);
            continue;
        };
        let status_start = at + out_mark.len();
        let Some(status_end) = find(&out.stdout, b"\n", status_start) else {
            broken = true;
            results.push(None);
            continue;
        };
        let status_text = String::from_utf8_lossy(&out.stdout[status_start..status_end]);
        let status = match status_text.trim() {
            "missing" => JobStatus::Missing,
            code => JobStatus::Exited(code.parse().unwrap_or(-1)),
        };
        let stdout = out.stdout[op..at].to_vec();
        op = status_end + 1;
        // stderr markers are printed after stdout markers, so a missing one means the shell died in between.
        let stderr = match find(&out.stderr, err_mark.as_bytes(), ep) {
            Some(e) => {
                let s = out.stderr[ep..e].to_vec();
                ep = e + err_mark.len();
                s
            }
            None => {
                broken = true;
                out.stderr.get(ep..).unwrap_or_default().to_vec()
            }
        };
        results.push(Some(JobOutput { status, stdout, stderr }));
    }
    results
}

/// The value pyinfra gives a fact that printed nothing or could not run: the fact's `default()`,
/// derived through the parent for short facts.
pub fn fact_default(key: &FactKey) -> FactResult {
    let cat = catalogue();
    let (_, fact) = cat.fact(&key.fact).ok_or_else(|| FactError::Unknown(key.fact.clone()))?;
    let parse = |name: &str, text: &str| {
        serde_json::from_str::<Value>(text).map_err(|_| FactFailure::BadDefault(name.to_string()))
    };
    match fact.short {
        Some((parent, derive)) => {
            let (_, p) = cat.fact(parent).ok_or_else(|| FactError::Unknown(parent.to_string()))?;
            Ok(derive(&parse(parent, p.default)?))
        }
        None => parse(&key.fact, fact.default),
    }
}

/// Run `jobs` as one script in one round trip; returns each job's output (`None` if the batch died
/// before it reported) and the output of the whole batch.
pub async fn run_jobs(
    conn: &dyn Connector,
    jobs: Vec<Job>,
    options: &GatherOptions,
) -> Result<(Vec<Option<JobOutput>>, CommandOutput), ConnectorError> {
    let delimiter = format!("rinfra-{}", random_hex(16));
    let script = build_script(&jobs, &delimiter);
    let count = jobs.len();
    drop(jobs);
    let out = if options.passwords.is_empty() {
        conn.run_script(&options.runner, script, options.timeout).await?
    } else {
        // A command of its own, which carries the passwords to the askpass layer.
        let command = RemoteCommand::script(&options.runner, script, options.timeout);
        conn.run(&command.passwords(options.passwords.clone())).await?
    };
    Ok((split_output(&out, count, &delimiter), out))
}

/// Lets parsers consult facts gathered in this batch (so far) and earlier ones.
struct Known<'a> {
    batch: &'a [(FactKey, FactResult)],
    earlier: &'a dyn FactSource,
}

impl FactSource for Known<'_> {
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
        match self.batch.iter().find(|(k, _)| k == key) {
            Some((_, Ok(v))) => Ok(v.clone()),
            _ => self.earlier.fact(key),
        }
    }
}

/// Gather `keys` from the host behind `conn` in one round trip. `earlier` answers parsers that
/// consult other facts (pass [`rinfra_facts::fact_source::NoFacts`] when there are none).
/// A connection failure is an error; a fact that fails alone is reported in its own result.
pub async fn gather(
    conn: &dyn Connector,
    keys: &[FactKey],
    earlier: &dyn FactSource,
    options: &GatherOptions,
) -> Result<Gathered, ConnectorError> {
    Ok(gather_after(conn, Vec::new(), keys, earlier, options).await?.1)
}

/// Run `first` (an operation's commands, see [`Job::stop_unless`]) and then gather `keys`, all in
/// one script: one round trip for an operation's commands and the facts that follow. The outputs
/// of `first` (`None` for those that never ran), and the facts (failed as incomplete when a
/// command stopped the script).
pub async fn gather_after(
    conn: &dyn Connector,
    first: Vec<Job>,
    keys: &[FactKey],
    earlier: &dyn FactSource,
    options: &GatherOptions,
) -> Result<(Vec<Option<JobOutput>>, Gathered), ConnectorError> {
    let leading = first.len();
    // Which job each key uses, or why it has none; fact jobs are shared, an operation's are not.
    let mut jobs: Vec<Job> = first;
    let plan: Vec<Result<usize, FactFailure>> = {
        let mut index: HashMap<Job, usize> = HashMap::new();
        keys.iter()
            .map(|key| {
                let job = Job::from(fact_command(key)?);
                let next = jobs.len();
                let i = *index.entry(job.clone()).or_insert(next);
                if i == next {
                    jobs.push(job);
                }
                // Indices into the fact jobs, which follow the leading ones.
                Ok(i - leading)
            })
            .collect()
    };

    // Facts that can share one process on the host (see `batch`), grouped by what they share and
    // by their own command (each one's fallback).
    type Group = (crate::batch::Group, String, Vec<usize>, Vec<String>);
    let mut groups: Vec<Group> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, planned) in keys.iter().zip(&plan).filter(|_| options.share_processes) {
        let Ok(i) = planned else { continue };
        let Some((group, item)) = crate::batch::group_of(key) else { continue };
        let Some(template) = crate::batch::template(&group, key) else { continue };
        if !seen.insert(i + leading) {
            continue;
        }
        match groups.iter_mut().find(|(g, t, _, _)| *g == group && *t == template) {
            Some((_, _, members, items)) => {
                members.push(i + leading);
                items.push(item);
            }
            None => groups.push((group, template, vec![i + leading], vec![item])),
        }
    }
    // A lone stat or hash fact still gains: pyinfra's command forks two subshells around its one
    // process, the batch none. A lone pattern keeps its grep (sed would read the file the same).
    groups.retain(|(group, _, members, _)| members.len() >= 2 || !matches!(group, crate::batch::Group::Grep(_)));

    let mut outputs: Vec<Option<JobOutput>> = Vec::new();
    let mut batch_end = None;
    let mut round_trips = 0;
    if !jobs.is_empty() {
        let marker = format!("rinfra-batch-{}", random_hex(8));
        let batched: HashMap<usize, (usize, usize)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, (_, _, members, _))| members.iter().enumerate().map(move |(m, j)| (*j, (g, m))))
            .collect();
        // The jobs move into the script, whose text is all that is kept while the host answers
        // (with many hosts in flight, each copy of a batch's commands counts).
        let job_count = jobs.len();
        let mut script: Vec<Job> =
            jobs.into_iter().enumerate().filter(|(i, _)| !batched.contains_key(i)).map(|(_, j)| j).collect();
        let solo = script.len();
        for (g, (group, template, _, items)) in groups.iter_mut().enumerate() {
            // Taken: only the group and its items are needed to split the output.
            let template = std::mem::take(template);
            script.push(crate::batch::job(group, items, &template, &format!("{marker}-{g}")));
        }
        let (mut outs, whole) = run_jobs(conn, script, options).await?;
        round_trips = 1;
        // Back to one output per job, in the jobs' order.
        let mut split: Vec<Option<Vec<Option<JobOutput>>>> = groups
            .iter()
            .enumerate()
            .map(|(g, (group, _, _, items))| {
                let out = outs.get(solo + g).cloned().flatten()?;
                let each = crate::batch::split(group, &out, items, &format!("{marker}-{g}"))?;
                Some(each.into_iter().map(Some).collect())
            })
            .collect();
        outs.truncate(solo);
        let mut rest = outs.into_iter();
        outputs = (0..job_count)
            .map(|i| match batched.get(&i) {
                Some((g, m)) => split[*g].as_mut().and_then(|outs| outs.get_mut(*m).and_then(Option::take)),
                None => rest.next().flatten(),
            })
            .collect();
        batch_end = Some(whole);
    }

    let rest = outputs.split_off(leading.min(outputs.len()));
    let mut leading_outputs = outputs;
    leading_outputs.resize(leading, None);
    let outputs = rest;
    let mut results: Vec<(FactKey, FactResult)> = Vec::with_capacity(keys.len());
    for (key, planned) in keys.iter().zip(plan) {
        let result = match planned {
            Err(e) => Err(e),
            Ok(i) => {
                let known = Known { batch: &results, earlier };
                fact_result(key, outputs.get(i).and_then(Option::as_ref), batch_end.as_ref(), &known)
            }
        };
        results.push((key.clone(), result));
    }
    Ok((leading_outputs, Gathered { results, round_trips }))
}

/// Turn one job's output into the fact's value, following pyinfra's `_get_fact`: success with output
/// is parsed, success without output or a missing required command gives the default, failure is an error.
fn fact_result(
    key: &FactKey,
    output: Option<&JobOutput>,
    batch: Option<&CommandOutput>,
    known: &dyn FactSource,
) -> FactResult {
    let Some(out) = output else {
        return Err(FactFailure::Incomplete {
            fact: key.to_string(),
            status: batch.map_or(ExitStatus::Unknown, |b| b.status.clone()),
            stderr: batch.map(|b| String::from_utf8_lossy(&b.stderr).trim().to_string()).unwrap_or_default(),
        });
    };
    match out.status {
        JobStatus::Missing => fact_default(key),
        JobStatus::Exited(0) => {
            let lines = output_lines(&out.stdout);
            if lines.is_empty() { fact_default(key) } else { Ok(parse_fact(key, &lines, known)?) }
        }
        JobStatus::Exited(code) => Err(FactFailure::Command {
            fact: key.to_string(),
            status: ExitStatus::Code(code),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(cmd: &str, req: Option<&str>) -> Job {
        Job::new(cmd.to_string(), req.map(str::to_string), None)
    }

    #[test]
    fn outputs_split_exactly() {
        let d = "D";
        let out = CommandOutput {
            status: ExitStatus::Code(0),
            stdout: b"a\nb\n\nD:0 0\nno newline\nD:1 3\n\nD:2 missing\n".to_vec(),
            stderr: b"\nD:0\nwarn\n\nD:1\n\nD:2\n".to_vec(),
        };
        let parts = split_output(&out, 3, d);
        let p0 = parts[0].as_ref().expect("job 0");
        assert_eq!(
            (p0.stdout.as_slice(), p0.stderr.as_slice(), &p0.status),
            (&b"a\nb\n"[..], &b""[..], &JobStatus::Exited(0))
        );
        let p1 = parts[1].as_ref().expect("job 1");
        assert_eq!(
            (p1.stdout.as_slice(), p1.stderr.as_slice(), &p1.status),
            (&b"no newline"[..], &b"warn\n"[..], &JobStatus::Exited(3))
        );
        assert_eq!(parts[2].as_ref().map(|p| &p.status), Some(&JobStatus::Missing));
    }

    #[test]
    fn a_dead_batch_leaves_later_jobs_unreported() {
        let out = CommandOutput {
            status: ExitStatus::Signal("KILL".into()),
            stdout: b"x\nD:0 0\npartial".to_vec(),
            stderr: b"\nD:0\n".to_vec(),
        };
        let parts = split_output(&out, 3, "D");
        assert!(parts[0].is_some() && parts[1].is_none() && parts[2].is_none());
    }

    #[test]
    fn script_isolates_each_command() {
        let s = build_script(&[job("echo 'hi'", None), job("dpkg -l", Some("dpkg"))], "D");
        assert!(s.contains("( eval 'echo '\"'\"'hi'\"'\"'' ) </dev/null; rinfra_rc=$?"), "{s}");
        assert!(
            s.contains(
                "if command -v dpkg >/dev/null 2>&1; then\n( eval 'dpkg -l' ) </dev/null; rinfra_rc=$?\nelse\nrinfra_rc=missing\nfi"
            ),
            "{s}"
        );
        assert!(s.contains("'D:1' \"$rinfra_rc\""), "{s}");
    }

    /// An inline batch leaves nothing behind for the commands after it, in the same script or the
    /// next one: no positional parameters, none of its variables, no status variable.
    #[test]
    fn inline_code_leaves_the_shell_clean() {
        let batch = Job { inline: true, ..Job::new("set -- a b; i=1; n=2; o=3; p=4; r=5".into(), None, None) };
        let probe = "echo \"$# ${i-u}${n-u}${o-u}${p-u}${r-u}${rinfra_rc-u}\"";
        let first = build_script(&[batch, Job::new(probe.into(), None, None)], "D");
        let second = build_script(&[Job::new(probe.into(), None, None)], "E");
        let out = std::process::Command::new("sh").arg("-c").arg(format!("{first}\n{second}")).output().expect("sh");
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("0 ")).collect();
        assert_eq!(lines, ["0 uuuuu0", "0 uuuuuu"], "{text}");
    }

    #[test]
    fn only_plain_calls_of_known_programs_run_inline() {
        for line in
            ["mkdir -p /srv/a", "chmod 755 '/srv/x y'", "ln -s /a/b '/c'\"'\"'d'", "touch /tmp/fleet-hosts/h1/f"]
        {
            assert!(runs_inline(line), "{line}");
        }
        for line in [
            "cd /srv && mkdir x",
            "mkdir -p /srv; exit 1",
            "mkdir $HOME/x",
            "chmod 755 /srv/*",
            "touch /a > /b",
            "echo 'hi'",
            "export A=1",
            "A=1 mkdir /x",
            "mkdir '/unterminated",
            "mkdir \"/x\"",
            "rm -rf `pwd`",
            "mkdir /x | cat",
        ] {
            assert!(!runs_inline(line), "{line}");
        }
    }

    #[test]
    fn unknown_facts_fail_alone() {
        let key = FactKey::new("nosuch.Fact", vec![]);
        assert!(matches!(fact_default(&key), Err(FactFailure::Fact(FactError::Unknown(_)))));
    }
}
