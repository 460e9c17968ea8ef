//! The conformance gate: pyinfra's vectors in the core modules pass at 95% or better (operations and
//! facts separately), and no vector of any module makes rinfra panic.

use rinfra_facts::conformance::{self, Outcome, PANICKED, report};

/// The modules whose planners and facts are complete (issue: foundation).
const CORE: &[&str] = &["files", "server", "apt", "deb", "pip", "systemd", "git", "crontab", "python"];

#[test]
fn vectors_pass_in_core_modules_and_never_panic() {
    let dir = conformance::default_dir();
    let results = conformance::run(&dir, None).unwrap_or_else(|e| panic!("{e} (set RINFRA_VECTORS)"));
    assert!(results.len() > 1000, "expected the full vector set, found {} cases in {}", results.len(), dir.display());

    let panics: Vec<String> = results
        .iter()
        .filter(|r| matches!(&r.outcome, Outcome::Failed(m) if m.starts_with(PANICKED)))
        .map(|r| format!("{}/{}", r.target, r.case))
        .collect();
    assert!(panics.is_empty(), "vectors that panic: {panics:?}");

    let summary = report::summarize(&results);
    let mut low = Vec::new();
    for module in CORE {
        let counts = &summary.modules[*module];
        for (what, c) in [("operations", counts.operations), ("facts", counts.facts)] {
            let total = c.passed + c.failed + c.skipped;
            if total > 0 && c.passed * 100 < total * 95 {
                low.push(format!("{module} {what}: {}/{total} pass", c.passed));
            }
        }
    }
    assert!(low.is_empty(), "core modules below 95%:\n{}\n\n{}", low.join("\n"), report::text(&summary));
}
