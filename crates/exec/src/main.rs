//! `rinfra-exec`: runs pyinfra deploy scripts. This version serves the catalogue only.

use std::process::ExitCode;

const HELP: &str = "rinfra-exec - run pyinfra deploy scripts over SSH

usage:
  rinfra-exec schema [--json]   print the operation and fact catalogue
  rinfra-exec --help | --version

Running deploys (rinfra-exec INVENTORY deploy.py) is not implemented in this version.";

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
        Some(other) => {
            eprintln!("rinfra-exec: '{other}': running deploys is not implemented yet\n\n{HELP}");
            ExitCode::from(2)
        }
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
