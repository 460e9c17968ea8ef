//! `textDocument/didOpen`: track the document and publish its diagnostics.

use tower_lsp_server::ls_types::{DidOpenTextDocumentParams, PublishDiagnosticsParams};

use crate::session::Session;

/// Open the document; returns the diagnostics to publish: its own, then those of other documents that
/// may import it, when its text differs from the file on disk in what they use.
pub fn did_open(session: &mut Session, params: DidOpenTextDocumentParams) -> Vec<PublishDiagnosticsParams> {
    let item = params.text_document;
    let doc = session.open(item.uri.clone(), item.version, item.text);
    let mut out = vec![super::publish(item.uri, doc)];
    out.extend(super::republish(session));
    out
}
