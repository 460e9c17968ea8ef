//! `textDocument/didClose`: forget the document and clear its diagnostics.

use tower_lsp_server::ls_types::{DidCloseTextDocumentParams, PublishDiagnosticsParams};

use crate::session::Session;

/// Close the document; returns the empty diagnostics that clear the client's list, then those of other
/// documents that imported its unsaved text.
pub fn did_close(session: &mut Session, params: DidCloseTextDocumentParams) -> Vec<PublishDiagnosticsParams> {
    let uri = params.text_document.uri;
    session.close(&uri);
    let mut out = vec![PublishDiagnosticsParams { uri, diagnostics: Vec::new(), version: None }];
    out.extend(super::republish(session));
    out
}
