//! `rinfra-exec`: runs pyinfra deploy scripts on `@local` and SSH hosts, and serves the catalogue.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use rinfra_exec::run::{RunOptions, Target, run};
use rinfra_exec::{Connector, LocalConnector, SshConfig, SshConnector};
use rinfra_facts::value::{Map, Value};

const HELP: &str = "rinfra-exec - run pyinfra deploy scripts over SSH

usage:
  rinfra-exec HOSTS deploy.py [--dry] [-v|-vv] [--data KEY=VALUE ...]   run a deploy script
  rinfra-exec schema [--json]                    print the operation and fact catalogue
  rinfra-exec --help | --version

HOSTS: @local (or @localhost), @ssh/NAME or NAME (SSH), comma-separated for several.
--dry plans only and shows what would change (-v: and the commands).
--data sets host data for every host (ssh_port, ssh_user, ssh_key, ... as in pyinfra).
Exit status: 0 success or dry run, 1 a host failed or the deploy script raised, 2 usage error.";

fn main() -> ExitCode {
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

fn usage(message: &str) -> ExitCode {
    eprintln!("rinfra-exec: {message}\n\n{HELP}");
    ExitCode::from(2)
}

/// `rinfra-exec HOSTS deploy.py [--dry] [-v]`.
fn deploy(args: &[String]) -> ExitCode {
    let mut options = RunOptions::default();
    let mut positional = Vec::new();
    let mut data = Map::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data" => match it.next().and_then(|kv| kv.split_once('=')) {
                Some((k, v)) => {
                    data.insert(k.to_string(), parse_value(v));
                }
                None => return usage("--data takes KEY=VALUE"),
            },
            "--dry" => options.dry = true,
            "-v" => options.verbose = options.verbose.saturating_add(1),
            "-vv" => options.verbose = options.verbose.saturating_add(2),
            "-vvv" => options.verbose = options.verbose.saturating_add(3),
            "-y" | "--yes" => {}
            flag if flag.starts_with('-') => return usage(&format!("unknown option '{flag}'")),
            _ => positional.push(a.clone()),
        }
    }
    let [hosts, deploy] = positional.as_slice() else {
        return usage("expected HOSTS and one deploy script");
    };
    let deploy = PathBuf::from(deploy);
    if !deploy.is_file() {
        return usage(&format!("no such deploy file: {}", deploy.display()));
    }
    let names: Vec<String> = hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).map(String::from).collect();
    if names.is_empty() {
        return usage("no hosts given");
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rinfra-exec: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let (targets, unreachable) = connect_all(&rt, &names, &data);
    if targets.is_empty() {
        return ExitCode::from(1);
    }
    let code = run(&deploy, targets, &options, &rt);
    ExitCode::from(code.max(u8::from(unreachable)))
}

/// Connect to every host at once; the ones that fail are reported and left out (the others carry on).
fn connect_all(rt: &tokio::runtime::Runtime, names: &[String], data: &Map<String, Value>) -> (Vec<Target>, bool) {
    let results = rt.block_on(futures::future::join_all(names.iter().map(|n| connect(n, data))));
    let mut targets = Vec::new();
    let mut unreachable = false;
    for (name, result) in names.iter().zip(results) {
        match result {
            Ok(connector) => targets.push(Target { name: name.clone(), data: data.clone(), connector }),
            Err(e) => {
                eprintln!("    {name}: Error: {e}");
                unreachable = true;
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
