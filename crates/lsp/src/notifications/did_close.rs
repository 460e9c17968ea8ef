//! `textDocument/didClose`: forget the document and clear its diagnostics.

use tower_lsp_server::ls_types::{DidCloseTextDocumentParams, PublishDiagnosticsParams};

use crate::session::Session;

/// Close the document; returns the empty diagnostics that clear the client's list.
pub fn did_close(session: &mut Session, params: DidCloseTextDocumentParams) -> PublishDiagnosticsParams {
    let uri = params.text_document.uri;
    session.close(&uri);
    PublishDiagnosticsParams { uri, diagnostics: Vec::new(), version: None }
}
