//! Notifications from the client, one file each; they change the session and publish diagnostics.

use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticSeverity, DiagnosticTag, NumberOrString, PublishDiagnosticsParams, Uri,
};

use crate::diagnostic::Severity;
use crate::rules::Rule;
use crate::session::{OpenDocument, Session};

pub mod did_change;
pub mod did_close;
pub mod did_open;

/// The `textDocument/publishDiagnostics` parameters for the current text of `doc`.
pub fn publish(uri: Uri, doc: &OpenDocument) -> PublishDiagnosticsParams {
    let diagnostics = doc
        .diagnostics()
        .into_iter()
        .map(|d| {
            let (start, end) = doc.document.range(d.range);
            lsp::Diagnostic {
                range: lsp::Range { start: lsp_position(start), end: lsp_position(end) },
                severity: Some(match d.rule.severity() {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.rule.code().to_string())),
                source: Some("rinfra".to_string()),
                message: d.message,
                tags: (d.rule == Rule::DeprecatedOperation).then(|| vec![DiagnosticTag::DEPRECATED]),
                ..lsp::Diagnostic::default()
            }
        })
        .collect();
    PublishDiagnosticsParams { uri, diagnostics, version: Some(doc.version) }
}

/// The diagnostics of the documents the session parsed again because a module they import changed.
pub fn republish(session: &mut Session) -> Vec<PublishDiagnosticsParams> {
    let uris = session.take_reanalyzed();
    uris.into_iter().filter_map(|uri| session.get(&uri).map(|doc| publish(uri.clone(), doc))).collect()
}

/// The document model's position as LSP's.
pub fn lsp_position(p: crate::document::Position) -> lsp::Position {
    lsp::Position { line: p.line, character: p.character }
}
