//! The conformance runner: pyinfra's own operation and fact test vectors, run against rinfra.
//!
//! Vectors are data (`operations/<module>.<op>/<case>.json`, `facts/<module>.<Fact>/<case>.json`);
//! see the vectors' README for the format. A case passes on exact equality, fails with a short
//! diff, or is skipped when rinfra does not implement its operation or fact yet. Nothing a vector
//! holds can make the runner panic: a malformed vector is a failed case with the reason.

mod fact_case;
mod fake;
mod op_case;
pub mod report;
mod vectors;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Which kind of vector a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An operation vector.
    Operation,
    /// A fact vector.
    Fact,
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// Matched exactly.
    Passed,
    /// Did not match; a short diff or the reason.
    Failed(String),
    /// Not implemented (or not for this platform).
    Skipped(String),
}

/// One case and its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Operation or fact.
    pub kind: Kind,
    /// pyinfra module (`apt`, `freebsd.pkg`).
    pub module: String,
    /// `module.op` or `module.Fact`.
    pub target: String,
    /// Case file name without extension.
    pub case: String,
    /// What happened.
    pub outcome: Outcome,
}

/// Errors that stop the whole run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The vectors directory is missing or has no `operations/` or `facts/`.
    #[error("{0}: not a pyinfra vectors directory (expected operations/ and facts/ inside)")]
    BadDir(PathBuf),
}

/// The vectors directory: `$RINFRA_VECTORS`, else `../shared/pyinfra-vectors` beside the checkout.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RINFRA_VECTORS") {
        return PathBuf::from(d);
    }
    // From the workspace root (cargo run) or from a crate directory (cargo test).
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.ancestors().nth(2).unwrap_or(here);
    root.join("../shared/pyinfra-vectors")
}

/// Run every vector in `dir` (optionally only those of `module`).
pub fn run(dir: &Path, module: Option<&str>) -> Result<Vec<CaseResult>, RunError> {
    let (ops, facts) = (dir.join("operations"), dir.join("facts"));
    if !ops.is_dir() || !facts.is_dir() {
        return Err(RunError::BadDir(dir.to_path_buf()));
    }
    let mut results = Vec::new();
    for (kind, base) in [(Kind::Operation, ops), (Kind::Fact, facts)] {
        for (target, cases) in vectors::list(&base) {
            let Some((m, _)) = target.rsplit_once('.') else { continue };
            if module.is_some_and(|want| want != m) {
                continue;
            }
            for case in cases {
                let outcome = match vectors::load(&case) {
                    Err(e) => Outcome::Failed(format!("malformed vector: {e}")),
                    Ok(data) => run_case(kind, &target, &data),
                };
                let name = case.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                results.push(CaseResult { kind, module: m.to_string(), target: target.clone(), case: name, outcome });
            }
        }
    }
    Ok(results)
}

/// Run one case; a panic (a bug, never expected) becomes a failed case rather than ending the run.
fn run_case(kind: Kind, target: &str, data: &crate::value::Value) -> Outcome {
    let run = std::panic::AssertUnwindSafe(|| match kind {
        Kind::Operation => op_case::run(target, data),
        Kind::Fact => fact_case::run(target, data),
    });
    std::panic::catch_unwind(run).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Outcome::Failed(format!("{PANICKED}: {msg}"))
    })
}

/// The prefix of a failure caused by a panic.
pub const PANICKED: &str = "panicked";

/// Shorten a value's JSON for a one-line diff.
pub(crate) fn short(v: &impl Serialize) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|e| format!("<{e}>"));
    if s.chars().count() > 300 { format!("{}…", s.chars().take(300).collect::<String>()) } else { s }
}
