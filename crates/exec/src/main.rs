//! `rinfra-exec`: runs pyinfra deploy scripts on `@local` and SSH hosts, and serves the catalogue.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use rinfra_exec::connector::askpass::{Secret, SudoPassword};
use rinfra_exec::password_prompt::read_password;
use rinfra_exec::python::{Interpreter, InventoryHost, OpCall, global_types};
use rinfra_exec::run::{RunOptions, Target, check_call, fact_key, print_facts, run, run_call};
use rinfra_exec::{Connector, LocalConnector, SshConfig, SshConnector, print_failure_json};
use rinfra_facts::fact_source::FactKey;
use rinfra_facts::value::{Map, Value};

const HELP: &str = "rinfra-exec - run pyinfra deploy scripts over SSH

usage:
  rinfra-exec HOSTS deploy.py [--dry] [-v|-vv|-vvv] [--data KEY=VALUE ...]   run a deploy script
  rinfra-exec HOSTS module.op [ARG ...] [KEY=VALUE ...]                 run one operation
  rinfra-exec HOSTS fact server.Os files.File path=/etc                 print facts as JSON
  rinfra-exec HOSTS exec -- CMD ...                                     run a shell command
  rinfra-exec schema [--json]                                           print the catalogue
  rinfra-exec --help | --version

HOSTS: @local (or @localhost), @ssh/NAME or NAME (SSH), comma-separated for several, or an
inventory.py (module-level lists of hosts or (hosts, data) tuples; group_data/*.py beside it).
--dry plans only and shows what would change (-v: and the commands).
-v adds no-change reasons and each host's round trips, -vv the commands run, -vvv how long each
phase of the run took (on stderr).
--diff shows a unified diff of each file that files.put / template / line / block / replace would change.
--json prints one JSON document (operations, per host status, commands, output) instead.
--data sets host data for every host (ssh_port, ssh_user, ssh_key, ... as in pyinfra); so do
--ssh-user/--user, --ssh-port, --ssh-key, --ssh-key-password, --ssh-password (or RINFRA_SSH_PASSWORD).
--sudo, --sudo-user U, --use-sudo-login, --su-user U, --dzdo, --dzdo-user U, --shell-executable SH
(None: unwrapped), --retry N, --retry-delay S: defaults for every operation (as config.py's SUDO, ...).
--use-sudo-password (or --same-sudo-password): sudo with a password, one for every host, read from
RINFRA_SUDO_PASSWORD or asked on the terminal; it reaches the hosts through an askpass helper in a
private file, never on a command line.
--limit / --exclude PATTERN: hosts by name or group (globs, comma-separated). --group-data DIR.
--chdir DIR. --fail-percent N: stop when more than N% of hosts have failed.
--parallel N: at most N hosts at once (default, as pyinfra's: 20 per CPU core). --no-wait: each host goes through all its
operations without waiting for the others at each one. --serial: one host at a time, each through
all its operations. -y is accepted (nothing prompts).
--config FILE runs a pyinfra config file (default: ./config.py if present): SUDO, SUDO_USER, ...
Before connecting, deploy.py and the files it local.include()s by name are checked as `rinfra-lsp
check` does: an unknown operation, module, fact or argument, a missing argument or a literal of the
wrong type for a global argument stops the run (exit 1) with each at deploy.py:LINE:COL.
Exit status: 0 success or dry run, 1 a host failed or the deploy script raised, 2 usage error.";

fn main() -> ExitCode {
    limit_malloc_arenas();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("schema") => schema(&args[1..]),
        Some("--version") | Some("-V") => {
            println!("rinfra-exec {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help") | Some("-h") | None => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(_) => deploy(&args),
    }
}

/// glibc gives each thread that allocates its own malloc arena (up to 8 per core), and each keeps
/// its freed memory: with a worker thread per host that multiplies the controller's resident size.
/// Two arenas are plenty: the threads mostly wait on the network.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called first thing, before other threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("rinfra-exec: {message}\n\n{HELP}");
    ExitCode::from(2)
}

/// Why a run stops before its operations: a usage error (exit 2) or a failure (exit 1).
enum Stop {
    Usage(String),
    Failed(String),
}

impl Stop {
    /// Report it (with `--json`, a failure also as the JSON document on stdout); the exit code.
    fn exit(self, options: &RunOptions) -> ExitCode {
        match self {
            Stop::Usage(m) => usage(&m),
            Stop::Failed(m) => {
                eprintln!("{m}");
                if options.json {
                    print_failure_json(options.dry, Some(&m), &[]);
                }
                ExitCode::from(1)
            }
        }
    }
}

/// Everything the command line says, flags parsed.
#[derive(Default)]
struct Cli {
    options: RunOptions,
    positional: Vec<String>,
    /// `--data` and the SSH flags: host data overrides.
    data: Map<String, Value>,
    config: Option<PathBuf>,
    /// `--sudo`, `--su-user`, `--retry`, ...: `pyinfra.config` attributes and the global argument
    /// each is the default of.
    config_overrides: Vec<ConfigOverride>,
    /// `--use-sudo-password`: the password, read while parsing.
    sudo_password: Option<Secret>,
    group_data: Option<PathBuf>,
    limit: Vec<String>,
    exclude: Vec<String>,
}

/// A command-line default for every operation: the `pyinfra.config` attribute it sets and the
/// global argument it is the default of (`None`: config only).
struct ConfigOverride {
    config: &'static str,
    global: Option<&'static str>,
    value: Value,
}

/// Flags that take a value (`--flag VALUE` or `--flag=VALUE`).
const VALUE_FLAGS: &[&str] = &[
    "--data",
    "--config",
    "--group-data",
    "--limit",
    "--exclude",
    "--chdir",
    "--sudo-user",
    "--su-user",
    "--dzdo-user",
    "--shell-executable",
    "--ssh-user",
    "--user",
    "--ssh-port",
    "--port",
    "--ssh-key",
    "--key",
    "--ssh-key-password",
    "--key-password",
    "--ssh-password",
    "--password",
    "--fail-percent",
    "--parallel",
    "--retry",
    "--retry-delay",
];

fn parse_cli(args: &[String]) -> Result<Cli, String> {
    let mut cli = Cli::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let value = if VALUE_FLAGS.contains(&flag) {
            match inline.or_else(|| it.next().cloned()) {
                Some(v) => v,
                None => return Err(format!("{flag} takes a value")),
            }
        } else {
            String::new()
        };
        let data_key = |key: &str, cli: &mut Cli| {
            cli.data.insert(key.to_string(), parse_value(&value));
        };
        match flag {
            // Everything after `--` is the command of `exec`.
            "--" => {
                cli.positional.push(a.clone());
                cli.positional.extend(it.by_ref().cloned());
            }
            "--data" => match value.split_once('=') {
                Some((k, v)) => {
                    cli.data.insert(k.to_string(), parse_value(v));
                }
                None => return Err("--data takes KEY=VALUE".into()),
            },
            "--config" => cli.config = Some(PathBuf::from(value)),
            "--group-data" => cli.group_data = Some(PathBuf::from(value)),
            "--limit" => cli.limit.extend(value.split(',').map(str::to_string)),
            "--exclude" => cli.exclude.extend(value.split(',').map(str::to_string)),
            "--chdir" => std::env::set_current_dir(&value).map_err(|e| format!("--chdir {value}: {e}"))?,
            "--sudo" => cli.set("SUDO", Some("_sudo"), Value::Bool(true)),
            "--sudo-user" => cli.set("SUDO_USER", Some("_sudo_user"), Value::String(value)),
            "--use-sudo-login" => cli.set("USE_SUDO_LOGIN", Some("_use_sudo_login"), Value::Bool(true)),
            // One password for every host: pyinfra's --same-sudo-password is the same here.
            "--use-sudo-password" | "--same-sudo-password" => {
                if cli.sudo_password.is_none() {
                    cli.sudo_password = Some(sudo_password()?);
                }
                cli.set("USE_SUDO_PASSWORD", None, Value::Bool(true));
            }
            "--su-user" => cli.set("SU_USER", Some("_su_user"), Value::String(value)),
            "--dzdo" => cli.set("DZDO", Some("_dzdo"), Value::Bool(true)),
            "--dzdo-user" => cli.set("DZDO_USER", Some("_dzdo_user"), Value::String(value)),
            // As pyinfra: `None` or `null` runs commands without a wrapping shell.
            "--shell-executable" => {
                let shell = if value == "None" || value == "null" { Value::Null } else { Value::String(value) };
                cli.set("SHELL", Some("_shell_executable"), shell);
            }
            "--retry" => match value.parse::<u32>() {
                Ok(n) => cli.set("RETRY", Some("_retries"), Value::from(n)),
                Err(_) => return Err(format!("--retry takes a whole number of retries, not {value}")),
            },
            "--retry-delay" => match value.parse::<f64>() {
                Ok(d) if d.is_finite() && d >= 0.0 => {
                    let delay = if d.fract() == 0.0 && d <= 1e9 { Value::from(d as u64) } else { Value::from(d) };
                    cli.set("RETRY_DELAY", Some("_retry_delay"), delay);
                }
                _ => return Err(format!("--retry-delay takes a number of seconds, not {value}")),
            },
            "--ssh-user" | "--user" => data_key("ssh_user", &mut cli),
            "--ssh-port" | "--port" => data_key("ssh_port", &mut cli),
            "--ssh-key" | "--key" => data_key("ssh_key", &mut cli),
            "--ssh-key-password" | "--key-password" => {
                cli.data.insert("ssh_key_password".into(), Value::String(value));
            }
            "--ssh-password" | "--password" => {
                cli.data.insert("ssh_password".into(), Value::String(value));
            }
            "--fail-percent" => match value.parse::<u8>() {
                Ok(p) if p <= 100 => cli.options.fail_percent = Some(p),
                _ => return Err(format!("--fail-percent takes 0-100, not {value}")),
            },
            "--parallel" => match value.parse::<usize>() {
                Ok(n) if n > 0 => cli.options.parallel = Some(n),
                _ => return Err(format!("--parallel takes a number of hosts, not {value}")),
            },
            "--serial" => cli.options.serial = true,
            "--no-wait" => cli.options.no_wait = true,
            "--dry" => cli.options.dry = true,
            "--json" => cli.options.json = true,
            "--diff" => cli.options.diff = true,
            "-v" => cli.options.verbose = cli.options.verbose.saturating_add(1),
            "-vv" => cli.options.verbose = cli.options.verbose.saturating_add(2),
            "-vvv" => cli.options.verbose = cli.options.verbose.saturating_add(3),
            "-y" | "--yes" => {}
            other if other.starts_with('-') => return Err(format!("unknown option '{other}'")),
            _ => cli.positional.push(a.clone()),
        }
    }
    // The SSH password may come from the environment instead of the process list.
    if !cli.data.contains_key("ssh_password")
        && let Ok(pw) = std::env::var("RINFRA_SSH_PASSWORD")
    {
        cli.data.insert("ssh_password".into(), Value::String(pw));
    }
    Ok(cli)
}

impl Cli {
    /// Record a command-line default (see [`ConfigOverride`]).
    fn set(&mut self, config: &'static str, global: Option<&'static str>, value: Value) {
        self.config_overrides.push(ConfigOverride { config, global, value });
    }
}

/// The sudo password for `--use-sudo-password`: `RINFRA_SUDO_PASSWORD`, else asked on the terminal.
/// The variable is then removed, so that commands run on `@local` do not inherit it.
fn sudo_password() -> Result<Secret, String> {
    let given = match std::env::var("RINFRA_SUDO_PASSWORD") {
        Ok(pw) => {
            // SAFETY: called while parsing the command line, before the Python interpreter or the
            // async runtime start: no other thread reads the environment.
            unsafe { std::env::remove_var("RINFRA_SUDO_PASSWORD") };
            pw
        }
        Err(_) => read_password("sudo password: ").map_err(|e| {
            format!("--use-sudo-password: set RINFRA_SUDO_PASSWORD or run on a terminal to be asked ({e})")
        })?,
    };
    Secret::new(given).ok_or_else(|| "--use-sudo-password: the password is empty or spans several lines".to_string())
}

/// Shell-style glob (`*`, `?`) match, for `--limit` / `--exclude`.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative matcher with backtracking on the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// Whether a host is selected by `--limit` (any pattern, on its name or a group) and not `--exclude`d.
fn selected(host: &InventoryHost, limit: &[String], exclude: &[String]) -> bool {
    let hit = |pats: &[String]| pats.iter().any(|p| glob(p, &host.name) || host.groups.iter().any(|g| glob(p, g)));
    (limit.is_empty() || hit(limit)) && !hit(exclude)
}

/// `rinfra-exec HOSTS deploy.py|fact ...|exec -- CMD|module.op k=v ... [flags]`.
fn deploy(args: &[String]) -> ExitCode {
    let entered = std::time::Instant::now();
    let cli = match parse_cli(args) {
        Ok(c) => c,
        Err(e) => return usage(&e),
    };
    let Cli { mut options, positional, data, config, config_overrides, sudo_password, group_data, limit, exclude } =
        cli;
    let Some((hosts, rest)) = positional.split_first() else {
        return usage("expected HOSTS and what to run");
    };
    let mut action = match parse_action(rest) {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    // The deploy's certain errors (unknown operation or argument, ...) stop the run before Python
    // starts or anything connects; what only running can tell is checked at each call.
    if let Action::Deploy(path) = &action
        && let Err(stop) = precheck(path)
    {
        return stop.exit(&options);
    }
    if let Action::Call(call) = &mut action {
        // A call from the command line takes the command-line defaults directly (deploy scripts get
        // them through `pyinfra.config`).
        for o in &config_overrides {
            if let Some(global) = o.global {
                call.keywords.entry(global.to_string()).or_insert_with(|| o.value.clone());
            }
        }
        // Checked against the schema before connecting to anything.
        if let Err(e) = check_call(call) {
            return usage(&e);
        }
        if let Err(e) = global_types::check(&call.name, &call.keywords) {
            return usage(&format!("{}: {e}", call.name));
        }
        options.show_output = call.file == EXEC;
    }
    // Python runs the inventory and deploy files; one interpreter for the whole run.
    let python = match (&action, hosts.ends_with(".py")) {
        (Action::Deploy(_), _) | (_, true) => match Interpreter::start(".") {
            Ok(p) => Some(p),
            Err(e) => return Stop::Failed(e).exit(&options),
        },
        _ => None,
    };
    if let Some(py) = &python {
        if options.json
            && let Err(e) = py.print_to_stderr()
        {
            return Stop::Failed(format!("rinfra-exec: {e}")).exit(&options);
        }
        if let Err(stop) = load_config(py, config.as_deref()) {
            return stop.exit(&options);
        }
        run_settings_from_config(py, &mut options);
        // A syntax error in deploy.py is reported before anything connects.
        if let Action::Deploy(path) = &action
            && let Err(e) = py.compile_deploy(&path.to_string_lossy())
        {
            return Stop::Failed(e).exit(&options);
        }
        for o in &config_overrides {
            if let Err(e) = py.set_config(o.config, &o.value) {
                return Stop::Failed(format!("rinfra-exec: {e}")).exit(&options);
            }
        }
    }
    let inventory = match (hosts.ends_with(".py"), &python) {
        (true, Some(py)) => match load_inventory(py, hosts, &data, group_data.as_deref()) {
            Ok(list) => list,
            Err(stop) => return stop.exit(&options),
        },
        _ => {
            let names = hosts.split(',').map(str::trim).filter(|h| !h.is_empty());
            names.map(|n| InventoryHost { name: n.to_string(), data: data.clone(), groups: vec![] }).collect()
        }
    };
    if let Some(h) = inventory.iter().find(|h| h.name.strip_prefix("@ssh/").is_some_and(str::is_empty)) {
        return usage(&format!("'{}' names no host: write @ssh/HOSTNAME", h.name));
    }
    let inventory: Vec<InventoryHost> = inventory.into_iter().filter(|h| selected(h, &limit, &exclude)).collect();
    if inventory.is_empty() {
        return usage("no hosts given (or none left after --limit / --exclude)");
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return Stop::Failed(format!("rinfra-exec: cannot start the async runtime: {e}")).exit(&options),
    };
    let started = std::time::Instant::now();
    let cpu_at_start = rinfra_exec::run::cpu_secs();
    if options.verbose >= 3 {
        eprintln!(
            "rinfra: start-up (checks, Python, config, inventory): {:.3} s, controller CPU {:.3} s",
            entered.elapsed().as_secs_f64(),
            cpu_at_start
        );
    }
    let at_once = options.workers(inventory.len());
    let (targets, unreachable) = connect_all(&rt, inventory, sudo_password.as_ref(), at_once);
    if options.verbose >= 3 {
        eprintln!(
            "rinfra: connect: {:.3} s, controller CPU {:.3} s (peak RSS so far {})",
            started.elapsed().as_secs_f64(),
            rinfra_exec::run::cpu_secs() - cpu_at_start,
            rinfra_exec::run::peak_rss()
        );
    }
    if targets.is_empty() {
        if options.json {
            print_failure_json(options.dry, None, &unreachable);
        }
        return ExitCode::from(1);
    }
    // Hosts that could not be reached are part of the run's report (`--json` lists them).
    options.unreachable = unreachable.clone();
    let code = match (action, &python) {
        (Action::Deploy(path), Some(py)) => run(py, &path, targets, &options, &rt),
        (Action::Deploy(_), None) => 1,
        (Action::Call(call), _) => run_call(*call, targets, &options, &rt),
        (Action::Facts(keys), _) => print_facts(&keys, targets, &rt),
    };
    ExitCode::from(code.max(u8::from(!unreachable.is_empty())))
}

/// The deploy file's certain errors (see [`rinfra_lsp::precheck`]), each as `deploy.py:LINE:COL: CODE message`.
fn precheck(deploy: &std::path::Path) -> Result<(), Stop> {
    let blocked = rinfra_lsp::precheck::check_deploys(&[deploy.to_path_buf()]);
    if blocked.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = blocked.iter().map(ToString::to_string).collect();
    let n = lines.len();
    lines.push(format!(
        "rinfra-exec: {n} {} in the deploy: nothing was run and no host contacted",
        if n == 1 { "error" } else { "errors" }
    ));
    Err(Stop::Failed(lines.join("\n")))
}

/// Run `--config FILE`, else `config.py` in the working directory if there is one (as pyinfra does).
fn load_config(python: &Interpreter, given: Option<&std::path::Path>) -> Result<(), Stop> {
    let path = match given {
        Some(p) if !p.is_file() => return Err(Stop::Usage(format!("no such config file: {}", p.display()))),
        Some(p) => p.to_path_buf(),
        None if std::path::Path::new("config.py").is_file() => PathBuf::from("config.py"),
        None => return Ok(()),
    };
    python.load_config(&path.to_string_lossy()).map_err(Stop::Failed)
}

/// config.py's run-wide settings that the command line did not give (it wins, as in pyinfra):
/// `PARALLEL` and `FAIL_PERCENT`.
fn run_settings_from_config(python: &Interpreter, options: &mut RunOptions) {
    let int = |name: &str| python.config_value(name).as_u64();
    if options.parallel.is_none() {
        options.parallel = int("PARALLEL").filter(|&n| n > 0).and_then(|n| usize::try_from(n).ok());
    }
    if options.fail_percent.is_none() {
        options.fail_percent = int("FAIL_PERCENT").filter(|&p| p <= 100).and_then(|p| u8::try_from(p).ok());
    }
}

/// The hosts of an inventory file; exit 2 when it is missing, 1 when it raised.
fn load_inventory(
    python: &Interpreter,
    path: &str,
    data: &Map<String, Value>,
    group_data: Option<&std::path::Path>,
) -> Result<Vec<InventoryHost>, Stop> {
    let file = PathBuf::from(path);
    if !file.is_file() {
        return Err(Stop::Usage(format!("no such inventory file: {path}")));
    }
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let group_data = group_data.map_or_else(|| dir.join("group_data"), std::path::Path::to_path_buf);
    match python.load_inventory(path, &group_data.to_string_lossy(), data) {
        Ok(hosts) if hosts.is_empty() => Err(Stop::Usage(format!("{path} defines no hosts"))),
        Ok(hosts) => Ok(hosts),
        Err(e) => Err(Stop::Failed(e)),
    }
}

/// The source "file" of `exec -- CMD`, whose output is shown.
const EXEC: &str = "<exec>";

/// What the command line asks to run.
enum Action {
    Deploy(PathBuf),
    Call(Box<OpCall>),
    Facts(Vec<FactKey>),
}

/// `deploy.py`, `fact NAME [k=v ...] ...`, `exec -- CMD ...` or `module.op [arg] [k=v ...]`.
fn parse_action(rest: &[String]) -> Result<Action, String> {
    let Some((first, args)) = rest.split_first() else {
        return Err("expected a deploy script, an operation, `fact` or `exec` after HOSTS".into());
    };
    match first.as_str() {
        "fact" => parse_facts(args).map(Action::Facts),
        "exec" => {
            let command: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a != "--").collect();
            if command.is_empty() {
                return Err("exec needs a command: rinfra-exec HOSTS exec -- CMD ...".into());
            }
            let mut keywords = Map::new();
            keywords.insert("commands".into(), Value::Array(vec![Value::String(command.join(" "))]));
            Ok(Action::Call(Box::new(OpCall {
                name: "server.shell".into(),
                positional: vec![],
                keywords,
                file: EXEC.into(),
                line: 0,
                order: vec![],
                source: String::new(),
                planned: None,
                rendered: None,
                globals_memo: Default::default(),
            })))
        }
        path if path.ends_with(".py") => {
            if !args.is_empty() {
                return Err("one deploy script at a time in this version".into());
            }
            let path = PathBuf::from(path);
            if !path.is_file() {
                return Err(format!("no such deploy file: {}", path.display()));
            }
            Ok(Action::Deploy(path))
        }
        op if rinfra_facts::schema::catalogue().operation(op).is_some() => {
            let (positional, keywords) = split_args(args);
            Ok(Action::Call(Box::new(OpCall {
                name: op.into(),
                positional,
                keywords,
                file: "<command line>".into(),
                line: 0,
                order: vec![],
                source: String::new(),
                planned: None,
                rendered: None,
                globals_memo: Default::default(),
            })))
        }
        other => Err(format!("'{other}' is neither a deploy script (.py), an operation, `fact` nor `exec`")),
    }
}

/// Positional values and `key=value` keywords, each value parsed as pyinfra does.
fn split_args(args: &[String]) -> (Vec<Value>, Map<String, Value>) {
    let mut positional = Vec::new();
    let mut keywords = Map::new();
    for a in args {
        match a.split_once('=') {
            Some((k, v)) if !k.is_empty() && !k.contains(' ') => {
                keywords.insert(k.to_string(), parse_value(v));
            }
            _ => positional.push(parse_value(a)),
        }
    }
    (positional, keywords)
}

/// `server.Os files.File path=/etc`: each fact name followed by its own `key=value` arguments.
fn parse_facts(args: &[String]) -> Result<Vec<FactKey>, String> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for a in args {
        match (a.contains('='), groups.last_mut()) {
            (true, Some((_, kv))) => kv.push(a.clone()),
            (true, None) => return Err(format!("'{a}': a fact argument must follow a fact name")),
            (false, _) => groups.push((a.clone(), Vec::new())),
        }
    }
    if groups.is_empty() {
        return Err("fact needs at least one fact name, e.g. server.Os".into());
    }
    groups
        .iter()
        .map(|(name, kv)| {
            let (positional, keywords) = split_args(kv);
            fact_key(name, &positional, &keywords)
        })
        .collect()
}

/// Connect to every host, `at_once` at a time; the ones that fail are reported and left out (the
/// others carry on): the targets, and each unreachable host with its error.
fn connect_all(
    rt: &tokio::runtime::Runtime,
    hosts: Vec<InventoryHost>,
    sudo_password: Option<&Secret>,
    at_once: usize,
) -> (Vec<Target>, Vec<(String, String)>) {
    use futures::StreamExt;
    // As pyinfra connects through its pool of `PARALLEL` greenlets: with every host at once, the
    // key exchanges in flight raise the peak (exec -- true at N=100: 30.1 -> 28.6-29.0 MB), and
    // they are no faster (the CPU, on both ends, is the limit).
    let connecting = futures::stream::iter(hosts.iter().map(|h| connect(&h.name, &h.data))).buffered(at_once);
    let results: Vec<_> = rt.block_on(connecting.collect());
    // Every host's commands go through the sudo password handling (which also explains a missing one).
    let results = results
        .into_iter()
        .map(|r| r.map(|c| Arc::new(SudoPassword::new(c, sudo_password.cloned())) as Arc<dyn Connector>));
    let mut targets = Vec::new();
    let mut unreachable = Vec::new();
    for (host, result) in hosts.into_iter().zip(results) {
        match result {
            Ok(connector) => targets.push(Target { name: host.name, data: host.data, groups: host.groups, connector }),
            Err(e) => {
                // Connector errors start with the host's name already.
                let reason = e.strip_prefix(&format!("{}: ", host.name)).unwrap_or(&e);
                eprintln!("    {}: Error: {reason}", host.name);
                unreachable.push((host.name, reason.to_string()));
            }
        }
    }
    (targets, unreachable)
}

async fn connect(name: &str, data: &Map<String, Value>) -> Result<Arc<dyn Connector>, String> {
    if name == "@local" || name == "@localhost" {
        return Ok(Arc::new(LocalConnector::named(name)));
    }
    let config = SshConfig::from_host_data(name, data).map_err(|e| e.to_string())?;
    let conn = SshConnector::connect(name, &config).await.map_err(|e| e.to_string())?;
    Ok(Arc::new(conn))
}

/// A `--data` value as pyinfra reads it: true/false, integers, JSON, else the string itself.
fn parse_value(text: &str) -> Value {
    match text {
        "true" | "True" => Value::Bool(true),
        "false" | "False" => Value::Bool(false),
        _ => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())),
    }
}

/// `rinfra-exec schema [--json]`.
fn schema(rest: &[String]) -> ExitCode {
    let cat = rinfra_facts::schema::catalogue();
    match rest.first().map(String::as_str) {
        Some("--json") => match serde_json::to_string_pretty(cat) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("rinfra-exec: cannot serialize the schema: {e}");
                ExitCode::from(1)
            }
        },
        None => {
            for (name, op) in cat.all_operations() {
                let summary = op.doc.split(". ").next().unwrap_or("");
                println!("{name:<36} {summary}");
            }
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("rinfra-exec schema: unknown option '{other}'");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_the_shell() {
        assert!(glob("web*", "web1") && glob("*", "") && glob("w?b", "web") && glob("*.example.*", "a.example.com"));
        assert!(!glob("web", "web1") && !glob("w?b", "wb") && !glob("*x", "abc"));
    }

    #[test]
    fn values_parse_as_pyinfra_does() {
        assert_eq!(parse_value("true"), Value::Bool(true));
        assert_eq!(parse_value("22"), serde_json::json!(22));
        assert_eq!(parse_value("[1, \"a\"]"), serde_json::json!([1, "a"]));
        assert_eq!(parse_value("nginx"), Value::String("nginx".into()));
    }
}
