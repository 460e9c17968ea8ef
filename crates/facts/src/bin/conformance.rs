//! `rinfra-conformance [DIR] [--module M] [--json]`: run pyinfra's test vectors against rinfra.
//!
//! Exit 0 when every implemented case passes, 1 when one fails, 2 on bad usage or a bad DIR.

use std::path::PathBuf;
use std::process::ExitCode;

use rinfra_facts::conformance::{self, report};

const USAGE: &str = "usage: rinfra-conformance [DIR] [--module MODULE] [--json | --markdown]

Runs pyinfra's operation and fact test vectors against rinfra's planners and fact parsers.
DIR defaults to $RINFRA_VECTORS, else ../shared/pyinfra-vectors.";

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut module = None;
    let mut json = false;
    let mut markdown = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--markdown" => markdown = true,
            "--module" | "-m" => match args.next() {
                Some(m) => module = Some(m),
                None => return usage("--module needs a value"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with("--module=") => module = Some(s["--module=".len()..].to_string()),
            s if s.starts_with('-') => return usage(&format!("unknown option {s}")),
            s if dir.is_none() => dir = Some(PathBuf::from(s)),
            s => return usage(&format!("unexpected argument {s}")),
        }
    }
    let dir = dir.unwrap_or_else(conformance::default_dir);
    let results = match conformance::run(&dir, module.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rinfra-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let summary = report::summarize(&results);
    if json {
        match serde_json::to_string_pretty(&summary) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("rinfra-conformance: {e}");
                return ExitCode::from(2);
            }
        }
    } else if markdown {
        print!("{}", report::markdown(&summary));
    } else {
        print!("{}", report::text(&summary));
    }
    if summary.total.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("rinfra-conformance: {msg}\n{USAGE}");
    ExitCode::from(2)
}
