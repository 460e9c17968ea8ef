//! `rinfra-lsp`: the language server for pyinfra deploy scripts (not built yet: see `--help`).

use std::process::ExitCode;

const HELP: &str = "rinfra-lsp - language server and checker for pyinfra deploy scripts

usage: rinfra-lsp --help | --version

The server (stdio) and `rinfra-lsp check` are not implemented in this version; this binary only
reports its version and the size of the operation catalogue it will serve.";

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
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
            eprintln!("rinfra-lsp: unknown command '{other}' (the server and `check` are not built yet)\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}
