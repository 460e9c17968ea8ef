//! `rinfra-lsp check [PATHS...]`: the server's analysis without a server, for pre-commit and CI.
//!
//! Directories are walked for `*.py` files (hidden directories, virtualenvs and caches skipped); every
//! file, named or found, is checked only if it imports pyinfra. Exit status: 0 clean, 1 problems
//! found, 2 usage or internal error (an unreadable path is reported and also gives 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::analyze_file;
use crate::document::Document;
use crate::output::{FileReport, Format};

/// Usage of the `check` command.
pub const USAGE: &str = "usage: rinfra-lsp check [--output-format text|json|github|sarif] [PATHS...]

Check pyinfra deploy files (every *.py that imports pyinfra, below each PATH; default: .).
Prints `path:line:col: CODE message` per problem.
Exit status: 0 no problems, 1 problems found, 2 usage or internal error.";

/// Parsed command line of `check`.
#[derive(Debug, PartialEq)]
struct Options {
    format: Format,
    paths: Vec<PathBuf>,
}

/// Run `check` with the arguments after the word `check`; returns the exit status.
pub fn run(args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let options = match parse_args(args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            let _ = writeln!(stdout, "{USAGE}");
            return 0;
        }
        Err(message) => {
            let _ = writeln!(stderr, "rinfra-lsp check: {message}\n\n{USAGE}");
            return 2;
        }
    };
    let mut failed = false;
    let mut files = Vec::new();
    for path in &options.paths {
        if let Err(e) = collect(path, true, &mut files) {
            let _ = writeln!(stderr, "rinfra-lsp check: {}: {e}", path.display());
            failed = true;
        }
    }
    files.sort();
    files.dedup();
    let mut reports = Vec::new();
    for file in &files {
        match check_file(file) {
            Ok(Some(report)) => reports.push(report),
            Ok(None) => {}
            Err(e) => {
                let _ = writeln!(stderr, "rinfra-lsp check: {}: {e}", file.display());
                failed = true;
            }
        }
    }
    let problems: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    if let Err(e) = options.format.write(&reports, stdout) {
        let _ = writeln!(stderr, "rinfra-lsp check: cannot write the report: {e}");
        return 2;
    }
    if options.format == Format::Text {
        let _ = writeln!(stderr, "{}", summary(problems, reports.len()));
    }
    if failed { 2 } else { u8::from(problems > 0) }
}

fn summary(problems: usize, files: usize) -> String {
    match problems {
        0 => format!("All checks passed ({files} deploy {}).", plural(files, "file")),
        n => format!("Found {n} {}.", plural(n, "problem")),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut format = Format::Text;
    let mut paths = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--output-format" => {
                let value = iter.next().ok_or("--output-format needs a value")?;
                format = Format::parse(value)?;
            }
            "--" => paths.extend(iter.by_ref().map(PathBuf::from)),
            other if other.starts_with("--output-format=") => {
                format = Format::parse(&other["--output-format=".len()..])?;
            }
            other if other.starts_with('-') && other != "-" => return Err(format!("unknown option '{other}'")),
            other => paths.push(PathBuf::from(other)),
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    Ok(Some(Options { format, paths }))
}

/// Directories never walked into (still checked when named explicitly).
fn skipped_dir(name: &str) -> bool {
    name.starts_with('.')
        || matches!(name, "__pycache__" | "node_modules" | "venv" | "env" | "site-packages" | "target" | "build")
}

/// Add the `.py` files at `path` to `files`; an explicitly named file counts whatever its extension.
fn collect(path: &Path, explicit: bool, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        if explicit || path.extension().is_some_and(|e| e == "py") {
            files.push(path.to_path_buf());
        }
        return Ok(());
    }
    if !meta.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let file_type = entry.file_type()?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Symlinked directories are not followed (no cycles); symlinked files are.
        if file_type.is_dir() {
            if !skipped_dir(&name) {
                collect(&entry.path(), false, files)?;
            }
        } else if name.ends_with(".py") && (file_type.is_file() || entry.path().is_file()) {
            files.push(entry.path());
        }
    }
    Ok(())
}

/// Analyse one file; `None` when it does not import pyinfra.
fn check_file(path: &Path) -> std::io::Result<Option<FileReport>> {
    let bytes = std::fs::read(path)?;
    let text =
        String::from_utf8(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))?;
    // Cheap filter first: a file that never mentions pyinfra cannot import it.
    if !text.contains("pyinfra") {
        return Ok(None);
    }
    let analysis = analyze_file(&text, Some(path));
    if !analysis.imports_pyinfra {
        return Ok(None);
    }
    Ok(Some(FileReport { path: path.to_path_buf(), document: Document::new(text), diagnostics: analysis.diagnostics }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_line() {
        assert_eq!(
            parse_args(&args(&["--output-format", "json", "a", "b"])),
            Ok(Some(Options { format: Format::Json, paths: vec!["a".into(), "b".into()] }))
        );
        assert_eq!(
            parse_args(&args(&["--output-format=github"])),
            Ok(Some(Options { format: Format::Github, paths: vec![".".into()] }))
        );
        assert_eq!(parse_args(&args(&["--help"])), Ok(None));
        assert!(parse_args(&args(&["--output-format", "xml"])).is_err());
        assert!(parse_args(&args(&["--output-format"])).is_err());
        assert!(parse_args(&args(&["--fix"])).is_err());
    }

    #[test]
    fn usage_errors_exit_2_and_missing_paths_too() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(&args(&["--bogus"]), &mut out, &mut err), 2);
        assert_eq!(run(&args(&["/nonexistent/rinfra/path"]), &mut out, &mut err), 2);
        assert!(String::from_utf8_lossy(&err).contains("/nonexistent/rinfra/path"));
    }
}
