//! The embedded CPython (pyo3) that runs deploy scripts against rinfra's own `pyinfra` package.
//!
//! The package is generated from the schema at start-up: one module per operations module (each
//! operation a function that records its call) and per facts module (each fact a class), registered
//! in `sys.modules`, so real pyinfra is never imported. The hand-written part (`host`, `@deploy`,
//! `local`, `@operation()` / `FactBase` for user-defined operations and facts, the runner that
//! reports the user's frames) is `runtime.py`. Python is driven from one thread only; while Rust
//! gathers facts or runs commands the GIL is released.
//!
//! Known limits of this version: user-defined operations are planned when deploy.py calls them
//! (pyinfra 3 plans them again at execution); `_if` callables cannot ask for facts.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::CString;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use rinfra_facts::globals::GLOBAL_ARGS;
use rinfra_facts::operations::files::jinja::TemplateError;
use rinfra_facts::plan::{Command, ShellCommand, UploadSource};
use rinfra_facts::schema::{ArgKind, catalogue};
use rinfra_facts::value::{Map, Value};

pub mod arg_warnings;
pub mod global_types;

const RUNTIME: &str = include_str!("runtime.py");

/// One recorded operation call from a deploy script.
#[derive(Debug, Clone, PartialEq)]
pub struct OpCall {
    /// `module.op`, as the catalogue names it.
    pub name: String,
    /// Positional arguments.
    pub positional: Vec<Value>,
    /// Keyword arguments, global arguments (`_sudo`, `name`) included.
    pub keywords: Map<String, Value>,
    /// The user's file that made the call.
    pub file: String,
    /// Its line.
    pub line: u32,
    /// Line numbers of the user's frames at the call, outermost first: its place in deploy order
    /// (pyinfra's op order), which lines up the same call across hosts.
    pub order: Vec<u32>,
    /// The call expression's source text (empty when unknown), hashed in the run cache.
    pub source: String,
    /// A user-defined operation's commands, planned when deploy.py called it (`None`: a builtin).
    pub planned: Option<Vec<Command>>,
    /// A template operation's output, rendered with the real jinja2 when deploy.py called it
    /// (`None`: jinja2 is not importable, or not a template operation; the planner renders then).
    pub rendered: Option<Box<Result<String, TemplateError>>>,
    /// Its global arguments once resolved (see [`crate::call_globals`]).
    pub globals_memo: crate::call_globals::GlobalsMemo,
}

/// What the Python side asks of the executor while a deploy script runs for one host.
pub trait Bridge: Any + Send {
    /// Check and keep an operation call; its index, or the message of the `TypeError` to raise.
    fn record(&mut self, call: OpCall) -> Result<usize, String>;
    /// A fact's value (`host.get_fact(Fact, *args, **kwargs)`), gathering it if needed.
    fn get_fact(&mut self, fact: &str, positional: &[Value], keywords: &Map<String, Value>) -> Result<Value, String>;
    /// Whether the recorded call `index` would change the host now.
    fn will_change(&mut self, index: usize) -> Result<bool, String>;
    /// Run a user-defined fact's command: (exit 0, stdout lines, stderr lines).
    fn run_command(&mut self, command: &str) -> Result<(bool, Vec<String>, Vec<String>), String>;
    /// The commands of a builtin operation planned now (`yield from op._inner(...)`), with its
    /// template already rendered by jinja2 if it has one.
    fn plan_inner(
        &mut self,
        name: &str,
        positional: &[Value],
        keywords: &Map<String, Value>,
        rendered: Option<Box<Result<String, TemplateError>>>,
    ) -> Result<Vec<Command>, String>;
}

thread_local! {
    static BRIDGE: RefCell<Option<Box<dyn Bridge>>> = const { RefCell::new(None) };
}

/// Take the bridge for a call, run `f` with the GIL released, put it back. The outer error: no host
/// is being deployed; the inner one is `f`'s, for the caller to raise as the right exception.
fn with_bridge<T: Send>(
    py: Python<'_>,
    f: impl FnOnce(&mut dyn Bridge) -> Result<T, String> + Send,
) -> PyResult<Result<T, String>> {
    let bridge = BRIDGE
        .with(|b| b.borrow_mut().take())
        .ok_or_else(|| PyRuntimeError::new_err("rinfra: no host is being deployed"))?;
    let (bridge, result) = py.detach(move || {
        let mut bridge = bridge;
        let r = f(bridge.as_mut());
        (bridge, r)
    });
    BRIDGE.with(|b| *b.borrow_mut() = Some(bridge));
    Ok(result)
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> PyResult<T> {
    serde_json::from_str(text).map_err(|e| PyTypeError::new_err(format!("rinfra: bad argument value: {e}")))
}

/// Where a call was made, as the Python side reports it.
#[derive(serde::Deserialize)]
struct Place {
    file: String,
    line: u32,
    order: Vec<u32>,
    source: String,
    /// Commands of a user-defined operation, planned as deploy.py called it.
    #[serde(default)]
    planned: Option<Vec<Value>>,
    /// A template operation's output as jinja2 rendered it.
    #[serde(default)]
    rendered: Option<Rendered>,
}

/// What jinja2 made of a template: its output, or the error and the template line it names.
#[derive(serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Rendered {
    Text(String),
    Error { line: usize, message: String },
}

impl From<Rendered> for Result<String, TemplateError> {
    fn from(r: Rendered) -> Self {
        match r {
            Rendered::Text(t) => Ok(t),
            Rendered::Error { line, message } => Err(TemplateError { message, line }),
        }
    }
}

#[pyfunction]
fn record(py: Python<'_>, name: &str, args: &str, kwargs: &str, place: &str) -> PyResult<usize> {
    let place: Place = parse_json(place)?;
    let keywords: Map<String, Value> = parse_json(kwargs)?;
    global_types::check(name, &keywords).map_err(|e| PyTypeError::new_err(format!("{name}: {e}")))?;
    let positional: Vec<Value> = parse_json(args)?;
    warn_once(&place, arg_warnings::bool_strings(name, &positional, &keywords));
    let call = OpCall {
        name: name.to_string(),
        positional,
        keywords,
        file: place.file,
        line: place.line,
        order: place.order,
        source: place.source,
        planned: match place.planned {
            Some(list) => {
                Some(list.iter().map(command_from_json).collect::<Result<_, _>>().map_err(PyTypeError::new_err)?)
            }
            None => None,
        },
        rendered: place.rendered.map(|r| Box::new(r.into())),
        globals_memo: Default::default(),
    };
    with_bridge(py, move |b| b.record(call))?.map_err(PyTypeError::new_err)
}

thread_local! {
    /// Warnings already shown, by call site: deploy.py runs once per host, the warning shows once.
    static WARNED: RefCell<std::collections::HashSet<(String, u32, String)>> = RefCell::default();
}

/// Print each warning about the call at `place` on stderr as `file:LINE: warning: ...`, once.
fn warn_once(place: &Place, warnings: Vec<String>) {
    for w in warnings {
        let fresh = WARNED.with(|seen| seen.borrow_mut().insert((place.file.clone(), place.line, w.clone())));
        if fresh {
            eprintln!("{}:{}: warning: {w}", shown_path(&place.file), place.line);
        }
    }
}

/// A user file as output shows it: relative to the working directory when it lies below it.
fn shown_path(file: &str) -> String {
    let path = std::path::Path::new(file);
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path.strip_prefix(&cwd).unwrap_or(path).to_string_lossy().into_owned(),
        _ => file.to_string(),
    }
}

/// A command as `rinfra_facts::plan::Command` serializes it, read back.
pub fn command_from_json(v: &Value) -> Result<Command, String> {
    let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let bad = || format!("rinfra: not a command: {v}");
    match v.get("type").and_then(Value::as_str) {
        Some("shell") => Ok(Command::Shell(ShellCommand { raw: text("raw").ok_or_else(bad)?, masked: text("masked") })),
        Some("upload") => {
            let src = v.get("src").ok_or_else(bad)?;
            let src = match (src.get("path").and_then(Value::as_str), src.get("contents").and_then(Value::as_str)) {
                (Some(p), _) => UploadSource::Path(p.to_string()),
                (None, Some(c)) => UploadSource::Contents(c.to_string()),
                _ => return Err(bad()),
            };
            Ok(Command::Upload { src, dest: text("dest").ok_or_else(bad)? })
        }
        Some("download") => {
            Ok(Command::Download { src: text("src").ok_or_else(bad)?, dest: text("dest").ok_or_else(bad)? })
        }
        _ => Err(bad()),
    }
}

#[pyfunction]
#[pyo3(signature = (name, args, kwargs, rendered=None))]
fn plan_inner(py: Python<'_>, name: &str, args: &str, kwargs: &str, rendered: Option<&str>) -> PyResult<String> {
    let positional: Vec<Value> = parse_json(args)?;
    let keywords: Map<String, Value> = parse_json(kwargs)?;
    let rendered = match rendered {
        Some(text) => Some(Box::new(parse_json::<Rendered>(text)?.into())),
        None => None,
    };
    let commands = with_bridge(py, move |b| b.plan_inner(name, &positional, &keywords, rendered))?
        .map_err(PyRuntimeError::new_err)?;
    serde_json::to_string(&commands).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

#[pyfunction]
fn run_command(py: Python<'_>, command: &str) -> PyResult<String> {
    let command = command.to_string();
    let (ok, stdout, stderr) = with_bridge(py, move |b| b.run_command(&command))?.map_err(PyRuntimeError::new_err)?;
    serde_json::to_string(&(ok, stdout, stderr)).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

#[pyfunction]
fn get_fact(py: Python<'_>, name: &str, args: &str, kwargs: &str) -> PyResult<String> {
    let positional: Vec<Value> = parse_json(args)?;
    let keywords: Map<String, Value> = parse_json(kwargs)?;
    let value = with_bridge(py, move |b| b.get_fact(name, &positional, &keywords))?.map_err(PyRuntimeError::new_err)?;
    serde_json::to_string(&value).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

#[pyfunction]
fn will_change(py: Python<'_>, index: usize) -> PyResult<bool> {
    with_bridge(py, move |b| b.will_change(index))?.map_err(PyRuntimeError::new_err)
}

/// Python identifier-safe check for generated names (schema names are identifiers; be defensive).
fn is_identifier(name: &str) -> bool {
    let mut c = name.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_') && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// Python string literal for `s` (JSON strings are valid Python literals).
fn py_literal(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "''".to_string())
}

/// The generated modules of the `pyinfra` package, parents before children: (name, source,
/// eager). The API modules are eager (installed at start-up); the operation and fact modules are
/// compiled on first import.
pub fn package_sources() -> Vec<(String, String, bool)> {
    let cat = catalogue();
    let mut out: Vec<(String, String)> = vec![
        (
            "pyinfra".into(),
            // `logger` is looked up on use: importing `logging` is left to the deploys that log.
            "from _rinfra_rt import host, inventory, config, state, local\n\n\
             def __getattr__(name):\n    if name == \"logger\":\n        import _rinfra_rt\n\n        return _rinfra_rt.logger\n    \
             raise AttributeError(f\"module 'pyinfra' has no attribute {name!r}\")\n"
                .into(),
        ),
        (
            "pyinfra.api".into(),
            "from _rinfra_rt import deploy, operation, FactBase, ShortFactBase, OperationError, DeployError, \
             StringCommand, QuoteString\n"
                .into(),
        ),
        ("pyinfra.api.exceptions".into(), "from _rinfra_rt import OperationError, DeployError\n".into()),
        ("pyinfra.api.deploy".into(), "from _rinfra_rt import deploy\n".into()),
        ("pyinfra.api.operation".into(), "from _rinfra_rt import operation\n".into()),
        ("pyinfra.api.command".into(), "from _rinfra_rt import StringCommand, QuoteString\n".into()),
        ("pyinfra.api.facts".into(), "from _rinfra_rt import FactBase, ShortFactBase\n".into()),
        ("pyinfra.operations".into(), String::new()),
        ("pyinfra.operations.util".into(), "from _rinfra_rt import any_changed, all_changed\n".into()),
        ("pyinfra.facts".into(), String::new()),
    ];
    let eager = out.len();
    let push_parents = |out: &mut Vec<(String, String)>, full: &str| {
        let parts: Vec<&str> = full.split('.').collect();
        for end in 3..parts.len() {
            let parent = parts[..end].join(".");
            if !out.iter().any(|(n, _)| *n == parent) {
                out.push((parent, String::new()));
            }
        }
    };
    for module in cat.operations {
        let full = format!("pyinfra.operations.{}", module.name);
        push_parents(&mut out, &full);
        let mut src = format!(
            "from _rinfra_rt import op as _op\n__doc__ = {}\n\ndef __getattr__(name):\n    raise AttributeError({})\n",
            py_literal(module.doc),
            py_literal(&format!("pyinfra.operations.{} has no operation '{{name}}'", module.name))
                .replacen('"', "f\"", 1),
        );
        for o in module.operations.iter().filter(|o| is_identifier(o.name)) {
            src.push_str(&format!(
                "globals()[{0}] = _op({1})\n",
                py_literal(o.name),
                py_literal(&format!("{}.{}", module.name, o.name))
            ));
        }
        upsert(&mut out, full, src);
    }
    for module in cat.facts {
        let full = format!("pyinfra.facts.{}", module.name);
        push_parents(&mut out, &full);
        let mut src = String::from("from _rinfra_rt import FactBase as _FactBase\n");
        for f in module.facts.iter().filter(|f| is_identifier(f.name)) {
            src.push_str(&format!(
                "class {0}(_FactBase):\n    _rinfra_name = {1}\n",
                f.name,
                py_literal(&format!("{}.{}", module.name, f.name))
            ));
        }
        upsert(&mut out, full, src);
    }
    out.into_iter().enumerate().map(|(i, (name, src))| (name, src, i < eager)).collect()
}

/// Operations that render a template, each with its own (non-data) argument names in signature
/// order: the runtime renders them with the real jinja2 as deploy.py calls them.
pub fn template_operations() -> Vec<(String, Vec<String>)> {
    ["files.template", "server.script_template"]
        .iter()
        .filter_map(|name| catalogue().operation(name))
        .map(|(m, o)| {
            let own = o.args.iter().filter(|a| a.kind == ArgKind::Normal).map(|a| a.name.to_string()).collect();
            (format!("{}.{}", m.name, o.name), own)
        })
        .collect()
}

/// Set a module's source, keeping its place when a parent placeholder already holds the name.
fn upsert(out: &mut Vec<(String, String)>, name: String, src: String) {
    match out.iter_mut().find(|(n, _)| *n == name) {
        Some(entry) => entry.1.push_str(&src),
        None => out.push((name, src)),
    }
}

/// The embedded interpreter with rinfra's `pyinfra` package installed. Use from one thread.
pub struct Interpreter {
    runtime: Py<PyModule>,
}

/// Prepend an active virtualenv's site-packages to `sys.path` (an embedded interpreter ignores it).
fn add_virtualenv(py: Python<'_>) -> PyResult<()> {
    let Ok(venv) = std::env::var("VIRTUAL_ENV") else { return Ok(()) };
    let site = py.import("site")?;
    let version = py.version_info();
    let dir = format!("{venv}/lib/python{}.{}/site-packages", version.major, version.minor);
    if std::path::Path::new(&dir).is_dir() {
        site.call_method1("addsitedir", (dir,))?;
    }
    Ok(())
}

fn cstring(s: &str) -> PyResult<CString> {
    CString::new(s).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

impl Interpreter {
    /// Start Python and install the generated package. `search_dir` (the deploy's directory) goes
    /// first on `sys.path` so the user's own modules import.
    pub fn start(search_dir: &str) -> Result<Interpreter, String> {
        Python::attach(|py| -> PyResult<Interpreter> {
            add_virtualenv(py)?;
            let sys = py.import("sys")?;
            let path = sys.getattr("path")?.cast_into::<PyList>()?;
            path.insert(0, search_dir)?;
            let native = PyModule::new(py, "_rinfra")?;
            native.add_function(wrap_pyfunction!(record, &native)?)?;
            native.add_function(wrap_pyfunction!(get_fact, &native)?)?;
            native.add_function(wrap_pyfunction!(will_change, &native)?)?;
            native.add_function(wrap_pyfunction!(plan_inner, &native)?)?;
            native.add_function(wrap_pyfunction!(run_command, &native)?)?;
            sys.getattr("modules")?.set_item("_rinfra", &native)?;
            let runtime =
                PyModule::from_code(py, &cstring(RUNTIME)?, &cstring("<rinfra:runtime.py>")?, &cstring("_rinfra_rt")?)?;
            sys.getattr("modules")?.set_item("_rinfra_rt", &runtime)?;
            let globals: Vec<&str> = GLOBAL_ARGS.iter().map(|a| a.name).collect();
            runtime.call_method1("install", (package_sources(), template_operations(), globals))?;
            Ok(Interpreter { runtime: runtime.unbind() })
        })
        .map_err(|e| Python::attach(|py| format!("rinfra: cannot start Python: {}", describe(py, &e))))
    }

    /// Run `config.py`: its upper-case names set `pyinfra.config` (defaults for `_sudo` and others).
    pub fn load_config(&self, path: &str) -> Result<(), String> {
        let error = Python::attach(|py| -> PyResult<Option<String>> {
            self.runtime.bind(py).call_method1("load_config", (path,))?.extract()
        })
        .map_err(|e| Python::attach(|py| format!("{path}: {}", describe(py, &e))))?;
        error.map_or(Ok(()), Err)
    }

    /// The unified diff of `old` and `new` (Python's difflib), as lines.
    pub fn unified_diff(&self, old: &str, new: &str, name: &str) -> Result<Vec<String>, String> {
        Python::attach(|py| -> PyResult<Vec<String>> {
            self.runtime.bind(py).call_method1("unified_diff", (old, new, name))?.extract()
        })
        .map_err(|e| Python::attach(|py| describe(py, &e)))
    }

    /// Set one `pyinfra.config` attribute (`--sudo` sets `SUDO`).
    pub fn set_config(&self, name: &str, value: &Value) -> Result<(), String> {
        Python::attach(|py| -> PyResult<()> {
            let text = serde_json::to_string(value).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            let value = py.import("json")?.call_method1("loads", (text,))?;
            self.runtime.bind(py).getattr("config")?.setattr(name, value)
        })
        .map_err(|e| Python::attach(|py| describe(py, &e)))
    }

    /// A `pyinfra.config` setting as JSON (`null` when unset or not representable).
    pub fn config_value(&self, name: &str) -> Value {
        let text = Python::attach(|py| -> PyResult<String> {
            let runtime = self.runtime.bind(py);
            let value = runtime.getattr("config")?.getattr(name)?;
            runtime.call_method1("to_json", (value,))?.extract()
        });
        text.ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
    }

    /// Send what user code prints to standard error (`--json` keeps standard output for its document).
    pub fn print_to_stderr(&self) -> Result<(), String> {
        Python::attach(|py| -> PyResult<()> {
            let sys = py.import("sys")?;
            sys.setattr("stdout", sys.getattr("stderr")?)
        })
        .map_err(|e| Python::attach(|py| describe(py, &e)))
    }

    /// Put `dir` first on `sys.path` (the deploy's directory, so its own modules import).
    pub fn add_path(&self, dir: &str) -> Result<(), String> {
        Python::attach(|py| -> PyResult<()> {
            let path = py.import("sys")?.getattr("path")?.cast_into::<PyList>()?;
            if !path.contains(dir)? {
                path.insert(0, dir)?;
            }
            Ok(())
        })
        .map_err(|e| Python::attach(|py| describe(py, &e)))
    }

    /// The hosts of `inventory.py` with their data (group_data files from `group_data_dir`,
    /// `overrides` on top) and groups; the error names the user's `file:LINE`.
    pub fn load_inventory(
        &self,
        path: &str,
        group_data_dir: &str,
        overrides: &Map<String, Value>,
    ) -> Result<Vec<InventoryHost>, String> {
        let loaded = Python::attach(|py| -> PyResult<(Option<String>, Option<String>)> {
            let json = py.import("json")?;
            let text = serde_json::to_string(overrides).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            let overrides = json.call_method1("loads", (text,))?;
            self.runtime.bind(py).call_method1("load_inventory", (path, group_data_dir, overrides))?.extract()
        })
        .map_err(|e| Python::attach(|py| format!("{path}: {}", describe(py, &e))))?;
        match loaded {
            (_, Some(error)) => Err(error),
            (Some(text), None) => serde_json::from_str::<Vec<(String, Map<String, Value>, Vec<String>)>>(&text)
                .map(|hosts| {
                    hosts.into_iter().map(|(name, data, groups)| InventoryHost { name, data, groups }).collect()
                })
                .map_err(|e| format!("{path}: host data must be plain values (str, int, list, dict...): {e}")),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// Compile the deploy script `path` (kept for the run); its syntax error as
    /// `deploy.py:LINE: SyntaxError: ...`, found before any host is contacted.
    pub fn compile_deploy(&self, path: &str) -> Result<(), String> {
        let outcome = Python::attach(|py| -> PyResult<Option<String>> {
            self.runtime.bind(py).call_method1("compile_deploy", (path,))?.extract()
        });
        match outcome {
            Ok(None) => Ok(()),
            Ok(Some(error)) => Err(error),
            Err(e) => Err(Python::attach(|py| format!("{path}: {}", describe(py, &e)))),
        }
    }

    /// Run the deploy script `path` for one host through `bridge`; the bridge comes back with
    /// what it recorded, and an error text (`deploy.py:LINE: ...`) if the script failed.
    pub fn run_deploy<B: Bridge + 'static>(
        &self,
        path: &str,
        host: &str,
        data: &Map<String, Value>,
        groups: &[String],
        hosts: &[String],
        bridge: B,
    ) -> Result<(B, Option<String>), String> {
        BRIDGE.with(|b| *b.borrow_mut() = Some(Box::new(bridge)));
        let outcome = Python::attach(|py| -> PyResult<Option<String>> {
            let json = py.import("json")?;
            let data_text = serde_json::to_string(data).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            let data_obj = json.call_method1("loads", (data_text,))?;
            let r = self
                .runtime
                .bind(py)
                .call_method1("run_deploy", (path, host, data_obj, groups.to_vec(), hosts.to_vec()))?;
            r.extract::<Option<String>>()
        });
        let error = match outcome {
            Ok(e) => e,
            Err(e) => Some(Python::attach(|py| format!("{path}: {}", describe(py, &e)))),
        };
        let bridge: Box<dyn Any> = BRIDGE.with(|b| b.borrow_mut().take()).ok_or("rinfra: the host state was lost")?;
        let bridge = bridge.downcast::<B>().map_err(|_| "rinfra: the host state was lost".to_string())?;
        Ok((*bridge, error))
    }
}

impl Interpreter {
    /// Whether the `_if` callables of call `index` on `host` all hold now; the error text (user
    /// frames, `file:LINE`) when one raised.
    pub fn check_if(&self, host: &str, index: usize) -> Result<bool, String> {
        Python::attach(|py| -> PyResult<(bool, Option<String>)> {
            self.runtime.bind(py).call_method1("check_if", (host, index))?.extract()
        })
        .map_err(|e| Python::attach(|py| describe(py, &e)))
        .and_then(|(ok, error)| error.map_or(Ok(ok), Err))
    }

    /// [`Interpreter::check_if`] with `bridge` answering the callables' `host.get_fact` calls
    /// (and `host` set to this host, as pyinfra's context does while an operation runs).
    pub fn check_if_with<B: Bridge + 'static>(&self, host: &str, index: usize, bridge: B) -> Result<bool, String> {
        BRIDGE.with(|b| *b.borrow_mut() = Some(Box::new(bridge)));
        let verdict = self.check_if(host, index);
        BRIDGE.with(|b| b.borrow_mut().take());
        verdict
    }

    /// Whether call `index` on `host` should run again: its `_retry_until` callable's verdict on
    /// `data` (pyinfra's output dictionary), with `bridge` answering the callable's
    /// `host.get_fact` calls; the error text when it raised.
    pub fn retry_until_with<B: Bridge + 'static>(
        &self,
        host: &str,
        index: usize,
        data: &Value,
        bridge: B,
    ) -> Result<bool, String> {
        BRIDGE.with(|b| *b.borrow_mut() = Some(Box::new(bridge)));
        let text = serde_json::to_string(data).map_err(|e| e.to_string());
        let verdict = text.and_then(|text| {
            Python::attach(|py| -> PyResult<(bool, Option<String>)> {
                self.runtime.bind(py).call_method1("retry_until", (host, index, text))?.extract()
            })
            .map_err(|e| Python::attach(|py| describe(py, &e)))
            .and_then(|(again, error)| error.map_or(Ok(again), Err))
        });
        BRIDGE.with(|b| b.borrow_mut().take());
        verdict
    }

    /// Tell the deploy's `OperationMeta` objects how call `index` on `host` ended.
    pub fn set_result(&self, host: &str, index: usize, result: &CallResult) {
        // Only fails if Python itself is broken; the run's own report already has the outcome.
        let _ = Python::attach(|py| {
            self.runtime
                .bind(py)
                .call_method1(
                    "set_result",
                    (host, index, result.changed, result.success, result.stdout.clone(), result.stderr.clone()),
                )
                .map(|_| ())
        });
    }
}

/// One host of an inventory file.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryHost {
    /// Its name (`web1`, `@local`, `@ssh/web1`).
    pub name: String,
    /// Its data, all levels merged.
    pub data: Map<String, Value>,
    /// Its groups (the inventory file's name last).
    pub groups: Vec<String>,
}

/// How one call ended on one host, as `OperationMeta` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallResult {
    /// It changed the host.
    pub changed: bool,
    /// It did not fail.
    pub success: bool,
    /// Output lines of its commands.
    pub stdout: Vec<String>,
    /// Error lines of its commands.
    pub stderr: Vec<String>,
}

fn describe(py: Python<'_>, e: &PyErr) -> String {
    e.value(py).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operations_and_facts_module_is_generated_after_its_parent() {
        let sources = package_sources();
        for (i, (name, _, eager)) in sources.iter().enumerate() {
            if let Some((parent, _)) = name.rsplit_once('.') {
                let parent_at = sources[..i].iter().find(|(n, _, _)| n == parent);
                assert!(parent_at.is_some(), "{name} before {parent}");
                // An eager module's parent is in sys.modules before it.
                assert!(!eager || parent_at.is_some_and(|p| p.2), "{name}'s parent {parent} is eager too");
            }
        }
        let source = |name: &str| sources.iter().find(|(n, _, _)| n == name).map(|(_, s, eager)| (s.as_str(), *eager));
        assert!(
            source("pyinfra.operations.files").is_some_and(|(s, eager)| s.contains("_op(\"files.put\")") && !eager)
        );
        assert!(source("pyinfra.facts.server").is_some_and(|(s, eager)| s.contains("class Os(_FactBase)") && !eager));
        assert!(source("pyinfra.api").is_some_and(|(_, eager)| eager));
    }
}
