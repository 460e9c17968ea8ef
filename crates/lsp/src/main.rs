//! `rinfra-lsp`: language server and checker for pyinfra deploy scripts.

use std::process::ExitCode;

const HELP: &str = "rinfra-lsp - language server and checker for pyinfra deploy scripts

usage:
  rinfra-lsp server            serve the Language Server Protocol on stdin/stdout (also: --stdio)
  rinfra-lsp check [--output-format text|json|github|sarif] [PATHS...]
  rinfra-lsp --help | --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => {
            let code = rinfra_lsp::check::run(&args[1..], &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
            ExitCode::from(code)
        }
        Some("server") | Some("--stdio") => match rinfra_lsp::server::run_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("rinfra-lsp server: {e}");
                ExitCode::from(2)
            }
        },
        Some("--version") | Some("-V") => {
            println!("rinfra-lsp {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help") | Some("-h") | None => {
            let ops = rinfra_facts::schema::catalogue().all_operations().count();
            println!("{HELP}\n\ncatalogue: {ops} operations");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("rinfra-lsp: unknown command '{other}'\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}
