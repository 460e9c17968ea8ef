//! `textDocument/didChange`: apply the edits (full or incremental) and publish fresh diagnostics.

use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, PublishDiagnosticsParams};

use crate::session::Session;

/// Apply the change; returns the diagnostics to publish: the document's, then those of the other open
/// documents when the change touched definitions they may import (empty for a document not open).
pub fn did_change(session: &mut Session, params: DidChangeTextDocumentParams) -> Vec<PublishDiagnosticsParams> {
    let id = params.text_document;
    let uris = session.change_all(&id.uri, id.version, params.content_changes).unwrap_or_default();
    uris.into_iter().filter_map(|uri| session.get(&uri).map(|doc| super::publish(uri.clone(), doc))).collect()
}
