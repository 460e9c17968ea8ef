//! What a planner produces: ordered commands and a change / no-change description.

use serde::Serialize;
use thiserror::Error;

use crate::args::{Args, BindError};
use crate::fact_source::{FactKey, FactSource, PlanEnv};
use crate::local_files::LocalFiles;
use crate::quote::quote;
use crate::value::{Map, Value};

/// A shell command, with a masked rendering when it carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShellCommand {
    /// The command as run.
    pub raw: String,
    /// The command as shown (secrets replaced by `*MASKED*`), when it differs from `raw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
}

impl ShellCommand {
    /// The command safe to print: the masked text if there is one.
    pub fn shown(&self) -> &str {
        self.masked.as_deref().unwrap_or(&self.raw)
    }
}

impl From<String> for ShellCommand {
    fn from(raw: String) -> Self {
        ShellCommand { raw, masked: None }
    }
}

impl From<&str> for ShellCommand {
    fn from(raw: &str) -> Self {
        ShellCommand { raw: raw.to_string(), masked: None }
    }
}

/// Builds a [`ShellCommand`] from words, as pyinfra's `StringCommand` joins its bits with spaces.
#[derive(Debug, Default, Clone)]
pub struct CommandBuilder {
    raw: Vec<String>,
    masked: Vec<String>,
    has_secret: bool,
}

impl CommandBuilder {
    /// Start an empty command.
    pub fn new() -> Self {
        Self::default()
    }
    /// Append a word verbatim (already shell syntax).
    pub fn word(mut self, w: impl Into<String>) -> Self {
        let w = w.into();
        self.masked.push(w.clone());
        self.raw.push(w);
        self
    }
    /// Append a value, shell-quoted.
    pub fn quoted(self, v: &str) -> Self {
        self.word(quote(v))
    }
    /// Append a secret value, shell-quoted; shown as `'*MASKED*'`.
    pub fn secret(mut self, v: &str) -> Self {
        self.raw.push(quote(v));
        self.masked.push(quote("*MASKED*"));
        self.has_secret = true;
        self
    }
    /// Append a secret verbatim; shown as `*MASKED*`.
    pub fn secret_raw(mut self, v: &str) -> Self {
        self.raw.push(v.to_string());
        self.masked.push("*MASKED*".to_string());
        self.has_secret = true;
        self
    }
    /// Finish the command.
    pub fn build(self) -> ShellCommand {
        let raw = self.raw.join(" ");
        let masked = self.has_secret.then(|| self.masked.join(" "));
        ShellCommand { raw, masked }
    }
}

/// Where an upload's data comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadSource {
    /// A file on the controller.
    Path(String),
    /// In-memory contents.
    Contents(String),
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Run a shell command on the host.
    Shell(ShellCommand),
    /// Upload to `dest` on the host (via a temporary name, then rename).
    Upload {
        /// Source on the controller.
        src: UploadSource,
        /// Destination path on the host.
        dest: String,
    },
    /// Download `src` from the host to `dest` on the controller.
    Download {
        /// Path on the host.
        src: String,
        /// Path on the controller.
        dest: String,
    },
    /// Call back into the executor (`python.call`, reboot's reconnect ...).
    Callback {
        /// Callback name.
        name: String,
        /// Positional arguments.
        args: Vec<Value>,
        /// Keyword arguments.
        kwargs: Map<String, Value>,
    },
}

/// The planned effect of one operation on one host.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Commands in order; empty means no change.
    pub commands: Vec<Command>,
    /// Why nothing needs doing (pyinfra's `host.noop`), if said.
    pub noop: Option<String>,
    /// What would change, in words, if said.
    pub changes: Vec<String>,
}

impl Plan {
    /// Whether running the plan changes the host.
    pub fn will_change(&self) -> bool {
        !self.commands.is_empty()
    }

    /// One line for humans: what would change, or why nothing does.
    pub fn description(&self) -> String {
        if !self.will_change() {
            return self.noop.clone().unwrap_or_else(|| "no change".to_string());
        }
        if !self.changes.is_empty() {
            return self.changes.join("; ");
        }
        match self.commands.len() {
            1 => "would run 1 command".to_string(),
            n => format!("would run {n} commands"),
        }
    }
}

/// A Python exception class an operation can raise (the names pyinfra uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorKind {
    /// `OperationError`: the host's state makes the operation impossible.
    OperationError,
    /// `OperationValueError`: an argument has a bad value.
    OperationValueError,
    /// `OperationTypeError`: an argument has a bad type.
    OperationTypeError,
    /// `ValueError`.
    ValueError,
    /// `TypeError`.
    TypeError,
    /// `IOError` / `OSError`: a local file is missing or unreadable.
    IOError,
}

impl ErrorKind {
    /// The Python class name.
    pub fn python_name(&self) -> &'static str {
        match self {
            ErrorKind::OperationError => "OperationError",
            ErrorKind::OperationValueError => "OperationValueError",
            ErrorKind::OperationTypeError => "OperationTypeError",
            ErrorKind::ValueError => "ValueError",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::IOError => "IOError",
        }
    }
}

/// Why an operation could not be planned.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PlanError {
    /// The operation rejects its arguments or the host's state.
    #[error("{message}")]
    Failed {
        /// The Python exception pyinfra raises here.
        kind: ErrorKind,
        /// The message, identical to pyinfra's.
        message: String,
    },
    /// A fact the planner needs is not known (the executor gathers it; the LSP says "unknown").
    #[error("fact {0} is not known")]
    FactMissing(FactKey),
    /// The call's arguments do not fit the signature.
    #[error("{0}")]
    Bind(#[from] BindError),
    /// The operation has no planner yet.
    #[error("operation {0} has no planner yet")]
    NotImplemented(String),
    /// A template failed to render (an `OperationError` in pyinfra).
    #[error("{0}")]
    Template(TemplateFailure),
}

/// A template that failed to render: shown as `file:LINE: message` with the lines around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFailure {
    /// The template's path (or the `StringIO` it came from).
    pub name: String,
    /// 1-based line of the error in the template.
    pub line: usize,
    /// The template engine's message.
    pub message: String,
    /// The failing line with one line either side, trimmed.
    pub context: Vec<String>,
}

impl TemplateFailure {
    /// The message pyinfra's `OperationError` carries (`Error in template: NAME (LN): ...`).
    pub fn pyinfra_message(&self) -> String {
        format!(
            "Error in template: {} (L{}): {}\n...\n{}\n...",
            self.name,
            self.line,
            self.message,
            self.context.join("\n")
        )
    }
}

impl std::fmt::Display for TemplateFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.name, self.line, self.message)?;
        if !self.context.is_empty() {
            write!(f, "\n...\n{}\n...", self.context.join("\n"))?;
        }
        Ok(())
    }
}

impl PlanError {
    /// An `OperationError`.
    pub fn op(message: impl Into<String>) -> Self {
        PlanError::Failed { kind: ErrorKind::OperationError, message: message.into() }
    }
    /// An `OperationValueError`.
    pub fn value(message: impl Into<String>) -> Self {
        PlanError::Failed { kind: ErrorKind::OperationValueError, message: message.into() }
    }
    /// An `OperationTypeError`.
    pub fn type_(message: impl Into<String>) -> Self {
        PlanError::Failed { kind: ErrorKind::OperationTypeError, message: message.into() }
    }
    /// Any kind, with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PlanError::Failed { kind, message: message.into() }
    }
}

/// Everything a planner may read, and where it writes its commands. No I/O happens here.
pub struct Ctx<'a> {
    /// Facts about the host (asked, never fetched).
    pub facts: &'a dyn FactSource,
    /// Read-only view of the controller's files (`files.put`, `template`, `sync`).
    pub local: &'a dyn LocalFiles,
    /// Host name, data, temporary names, timestamp.
    pub env: &'a dyn PlanEnv,
    /// The global arguments of this call, bound with defaults.
    pub globals: Args,
    commands: Vec<Command>,
    noop: Option<String>,
    changes: Vec<String>,
}

impl<'a> Ctx<'a> {
    /// A context with default global arguments.
    pub fn new(facts: &'a dyn FactSource, local: &'a dyn LocalFiles, env: &'a dyn PlanEnv) -> Self {
        let globals = Args::bind(crate::globals::GLOBAL_ARGS, &[], &Map::new()).expect("globals all have defaults");
        Ctx::with_globals(facts, local, env, globals)
    }

    /// A context with these global arguments (bound with their defaults).
    pub fn with_globals(
        facts: &'a dyn FactSource,
        local: &'a dyn LocalFiles,
        env: &'a dyn PlanEnv,
        globals: Args,
    ) -> Self {
        Ctx { facts, local, env, globals, commands: vec![], noop: None, changes: vec![] }
    }

    /// Ask for a fact with keyword arguments. Like pyinfra's `host.get_fact`, the fact's other
    /// parameters are filled with their defaults, so a fact has one key however it is asked for.
    pub fn fact(&self, name: &str, args: &[(&str, Value)]) -> Result<Value, PlanError> {
        let key = self.fact_key(name, args)?;
        self.facts.fact(&key).map_err(|_| PlanError::FactMissing(key))
    }

    /// [`Ctx::fact`], or `None` when the source has not gathered the fact yet and answered a
    /// stand-in (see [`FactSource::knows`]): for questions that depend on the answer.
    pub fn fact_if_known(&self, name: &str, args: &[(&str, Value)]) -> Result<Option<Value>, PlanError> {
        let key = self.fact_key(name, args)?;
        let value = self.facts.fact(&key).map_err(|_| PlanError::FactMissing(key.clone()))?;
        Ok(self.facts.knows(&key).then_some(value))
    }

    /// The key of a fact asked with keyword arguments, its other parameters at their defaults.
    fn fact_key(&self, name: &str, args: &[(&str, Value)]) -> Result<FactKey, PlanError> {
        let given: Map<String, Value> = args.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let values = match crate::schema::catalogue().fact(name) {
            Some((_, fact)) => match Args::bind(fact.args, &[], &given) {
                Ok(bound) => fact
                    .args
                    .iter()
                    .filter(|a| a.kind == crate::schema::ArgKind::Normal)
                    .map(|a| (a.name.to_string(), bound.get(a.name).clone()))
                    .collect(),
                Err(e) => return Err(PlanError::Bind(e)),
            },
            None => given.into_iter().collect(),
        };
        Ok(FactKey::new(name, values))
    }

    /// Append a shell command.
    pub fn shell(&mut self, cmd: impl Into<ShellCommand>) {
        self.commands.push(Command::Shell(cmd.into()));
    }

    /// Append any command.
    pub fn push(&mut self, cmd: Command) {
        self.commands.push(cmd);
    }

    /// Append an upload.
    pub fn upload(&mut self, src: UploadSource, dest: impl Into<String>) {
        self.commands.push(Command::Upload { src, dest: dest.into() });
    }

    /// Append a download.
    pub fn download(&mut self, src: impl Into<String>, dest: impl Into<String>) {
        self.commands.push(Command::Download { src: src.into(), dest: dest.into() });
    }

    /// Append a callback into the executor.
    pub fn callback(&mut self, name: &str, args: Vec<Value>, kwargs: Map<String, Value>) {
        self.commands.push(Command::Callback { name: name.to_string(), args, kwargs });
    }

    /// Say why nothing needs doing (pyinfra's `host.noop`); the last one said wins.
    pub fn noop(&mut self, description: impl Into<String>) {
        self.noop = Some(description.into());
    }

    /// Say, in words, one thing that would change.
    pub fn change(&mut self, description: impl Into<String>) {
        self.changes.push(description.into());
    }

    /// Commands emitted so far (for planners that decide on what a nested call did).
    pub fn commands(&self) -> &[Command] {
        &self.commands
    }

    /// Finish: the plan.
    pub fn finish(self) -> Plan {
        Plan { commands: self.commands, noop: self.noop, changes: self.changes }
    }
}
