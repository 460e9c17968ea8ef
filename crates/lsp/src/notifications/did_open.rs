//! `textDocument/didOpen`: track the document and publish its diagnostics.

use tower_lsp_server::ls_types::{DidOpenTextDocumentParams, PublishDiagnosticsParams};

use crate::session::Session;

/// Open the document; returns the diagnostics to publish.
pub fn did_open(session: &mut Session, params: DidOpenTextDocumentParams) -> PublishDiagnosticsParams {
    let item = params.text_document;
    let doc = session.open(item.uri.clone(), item.version, item.text);
    super::publish(item.uri, doc)
}
