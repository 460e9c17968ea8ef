//! Never panics, never hangs: random and mutated deploy files always get a well-formed analysis,
//! and position conversions stay inside the text.

use proptest::prelude::*;
use ruff_text_size::{TextRange, TextSize};

use rinfra_lsp::analysis::{Module, analyze};
use rinfra_lsp::document::{Document, Position};
use rinfra_lsp::hints::plan::{CachedHost, CachedHosts, call_hints};
use rinfra_lsp::hints::records::{RecordedCall, RunRecord, source_sha1};

/// The valid corpus, as seeds to mutate.
fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

/// Snap `at` down to a character boundary of `text`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Every diagnostic's range lies inside the text, on character boundaries.
fn assert_well_formed(text: &str) {
    let analysis = analyze(text);
    let len = TextSize::of(text);
    for d in &analysis.diagnostics {
        assert!(d.range.end() <= len, "{d:?} past the end of {} bytes", text.len());
        assert!(text.is_char_boundary(d.range.start().to_usize()) && text.is_char_boundary(d.range.end().to_usize()));
        assert!(!d.message.is_empty());
    }
    // Hints over a host with no facts and one with host data and a run record of a call that may be in
    // the text: every call gets a label inside the text.
    let record = |source: &str| RecordedCall {
        operation: "files.directory".into(),
        file: "/nonexistent/deploy.py".into(),
        line: 2,
        source_sha1: source_sha1(source),
        positional: vec![serde_json::json!("*MASKED*")],
        keywords: serde_json::from_str(r#"{"path": 1, "_sudo": "x"}"#).unwrap_or_default(),
    };
    let run = RunRecord {
        data: serde_json::from_str(r#"{"port": 80, "x": [1, "a"]}"#).unwrap_or_default(),
        groups: vec!["web".into()],
        calls: vec![record("files.directory(path=p)"), record("apt.packages()")],
    };
    let hosts = vec![
        CachedHost::new(rinfra_facts::cache::HostFacts { host: "web1".into(), ..Default::default() }),
        CachedHost {
            facts: rinfra_facts::cache::HostFacts { host: "web2".into(), gathered_at: 1, ..Default::default() },
            data: Some(run.data.clone()),
            run: Some(run),
        },
    ];
    let cached = CachedHosts { root: std::path::PathBuf::from("/nonexistent"), hosts };
    for hint in call_hints(&Module::parse(text), &cached, "deploy.py", 1_000_000) {
        assert!(hint.range.end() <= len && !hint.label.is_empty(), "{hint:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_deploy_files(seed in 0usize..64, cut in 0usize..4000, len in 0usize..200, insert in ".{0,12}") {
        let files = corpus();
        let text = &files[seed % files.len()];
        let start = boundary(text, cut);
        let end = boundary(text, start + len);
        let mutated = format!("{}{insert}{}", &text[..start], &text[end..]);
        assert_well_formed(&mutated);
        assert_well_formed(&text[..start]);
    }

    #[test]
    fn random_text(text in "\\PC{0,300}") {
        assert_well_formed(&text);
    }

    #[test]
    fn random_pythonish_tokens(tokens in prop::collection::vec(
        prop::sample::select(vec![
            "apt", "files", ".", "(", ")", "[", "]", "=", ",", "**", "*", "\n", "    ", "from", "import",
            "pyinfra.operations", "packages", "_sudo", "'x'", "True", "f'{x}'", "def", ":", "with", "as",
            "é", "😀", "\r\n", "#", "\"\"\"", "lambda", "@deploy", "python.call", "dnf.key",
            "for", "in", "host.data.x", "host.name", "from pyinfra import host", "files.directory", "+", "R",
            "os.path.join", "{", "}", "files.put", "server.shell", "files.directory(path=p)", "apt.packages()",
            "host.groups",
        ]),
        0..80,
    )) {
        assert_well_formed(&tokens.concat());
    }

    #[test]
    fn positions_round_trip(text in "(\\PC|\n|\r\n|\r){0,200}", line in 0u32..30, character in 0u32..60) {
        let doc = Document::new(text.clone());
        let offset = doc.offset(Position { line, character });
        prop_assert!(offset <= TextSize::of(text.as_str()));
        prop_assert!(text.is_char_boundary(offset.to_usize()));
        let back = doc.position(offset);
        prop_assert_eq!(doc.offset(back), offset);
        let (start, end) = doc.range(TextRange::new(TextSize::new(0), offset));
        prop_assert!(start <= end);
    }
}

/// The valid corpus's user operations module and the deploy that imports it.
fn user_code() -> (String, String) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_default();
    (read("tasks/custom_ops.py"), read("user_operations.py"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A mutated workspace module and a mutated deploy importing it, on disk: analysis and every
    /// request at a random position answer without panicking.
    #[test]
    fn mutated_user_code_on_disk(
        cut in 0usize..2000, len in 0usize..120, insert in ".{0,12}", deploy_cut in 0usize..2000, at in 0u32..60,
    ) {
        use rinfra_lsp::requests::{completion, definition, hover, signature_help};
        use tower_lsp_server::ls_types::Position as LspPosition;
        let (ops, deploy) = user_code();
        let start = boundary(&ops, cut);
        let end = boundary(&ops, start + len);
        let ops = format!("{}{insert}{}", &ops[..start], &ops[end..]);
        let deploy_start = boundary(&deploy, deploy_cut);
        let deploy = format!("{}{insert}{}", &deploy[..deploy_start], &deploy[deploy_start..]);
        let root = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        std::fs::create_dir_all(root.path().join("tasks")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        std::fs::write(root.path().join("tasks/custom_ops.py"), &ops).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = root.path().join("deploy.py");
        let analysis = rinfra_lsp::analysis::analyze_file(&deploy, Some(&path));
        for d in &analysis.diagnostics {
            prop_assert!(d.range.end() <= TextSize::of(deploy.as_str()));
        }
        let doc = rinfra_lsp::session::OpenDocument::new(1, deploy.clone(), Some(&path));
        for line in 0..doc.document.text().lines().count() as u32 {
            let p = LspPosition { line, character: at };
            let _ = completion::completion(&doc, p);
            let _ = hover::hover(&doc, p);
            let _ = definition::definition(&doc, p);
            let _ = signature_help::signature_help(&doc, p);
        }
    }
}
