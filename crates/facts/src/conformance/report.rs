//! Presenting conformance results: failing cases, a per-module table, the totals.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::{CaseResult, Kind, Outcome};

/// Counts for one module and kind.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Cases that matched.
    pub passed: usize,
    /// Cases that did not.
    pub failed: usize,
    /// Cases not implemented.
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Skipped(_) => self.skipped += 1,
        }
    }
}

/// Per-module counts of operation and fact cases.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ModuleCounts {
    /// Operation vectors.
    pub operations: Counts,
    /// Fact vectors.
    pub facts: Counts,
}

/// The whole run, summarised.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Counts by module.
    pub modules: BTreeMap<String, ModuleCounts>,
    /// Totals.
    pub total: Counts,
    /// Every failing case.
    pub failures: Vec<CaseResult>,
}

/// Summarise results.
pub fn summarize(results: &[CaseResult]) -> Summary {
    let mut modules: BTreeMap<String, ModuleCounts> = BTreeMap::new();
    let mut total = Counts::default();
    for r in results {
        let m = modules.entry(r.module.clone()).or_default();
        match r.kind {
            Kind::Operation => m.operations.add(&r.outcome),
            Kind::Fact => m.facts.add(&r.outcome),
        }
        total.add(&r.outcome);
    }
    let failures = results.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_))).cloned().collect();
    Summary { modules, total, failures }
}

/// The text report: one line per failure (with its diff indented below), the table, the totals.
pub fn text(summary: &Summary) -> String {
    let mut out = String::new();
    for f in &summary.failures {
        if let Outcome::Failed(why) = &f.outcome {
            let _ = writeln!(out, "FAIL {}/{}: {}", f.target, f.case, why.replace('\n', "\n  "));
        }
    }
    if !summary.failures.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{:<24} {:>18} {:>18}", "module", "operations p/f/s", "facts p/f/s");
    for (name, c) in &summary.modules {
        let cell = |c: &Counts| format!("{}/{}/{}", c.passed, c.failed, c.skipped);
        let _ = writeln!(out, "{:<24} {:>18} {:>18}", name, cell(&c.operations), cell(&c.facts));
    }
    let t = summary.total;
    let _ = writeln!(out, "{} passed, {} failed, {} skipped", t.passed, t.failed, t.skipped);
    out
}

/// The per-module table as Markdown (for the README's status table).
pub fn markdown(summary: &Summary) -> String {
    let mut out = String::from(
        "| module | operations passed / failed / not implemented | facts passed / failed / not implemented |\n|---|---|---|\n",
    );
    for (name, c) in &summary.modules {
        let cell = |c: &Counts| {
            let total = c.passed + c.failed + c.skipped;
            if total == 0 {
                "-".to_string()
            } else if c.skipped == total {
                format!("schema only ({total} cases)")
            } else {
                format!("{} / {} / {}", c.passed, c.failed, c.skipped)
            }
        };
        let _ = writeln!(out, "| {} | {} | {} |", name, cell(&c.operations), cell(&c.facts));
    }
    let t = summary.total;
    let _ = writeln!(out, "\n{} passed, {} failed, {} skipped", t.passed, t.failed, t.skipped);
    out
}
