//! `textDocument/didChange`: apply the edits (full or incremental) and publish fresh diagnostics.

use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, PublishDiagnosticsParams};

use crate::session::Session;

/// Apply the change; returns the diagnostics to publish: the document's, then those of the other open
/// documents when the change touched definitions they may import (empty for a document not open).
pub fn did_change(session: &mut Session, params: DidChangeTextDocumentParams) -> Vec<PublishDiagnosticsParams> {
    let id = params.text_document;
    let mut out: Vec<PublishDiagnosticsParams> = session
        .change(&id.uri, id.version, params.content_changes)
        .map(|doc| super::publish(id.uri, doc))
        .into_iter()
        .collect();
    out.extend(super::republish(session));
    out
}
