//! `textDocument/didChange`: apply the edits (full or incremental) and publish fresh diagnostics.

use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, PublishDiagnosticsParams};

use crate::session::Session;

/// Apply the change; returns the diagnostics to publish, or `None` for a document that is not open.
pub fn did_change(session: &mut Session, params: DidChangeTextDocumentParams) -> Option<PublishDiagnosticsParams> {
    let id = params.text_document;
    let doc = session.change(&id.uri, id.version, params.content_changes)?;
    Some(super::publish(id.uri, doc))
}
