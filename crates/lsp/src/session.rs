//! The server's state: every open document, owned in one place. The server keeps the session behind
//! one lock and handles one message at a time, so an edit never races a request on the same text.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::analysis::{Module, diagnostics};
use crate::diagnostic::Diagnostic;
use crate::document::{Document, Position};

/// An open document, parsed.
pub struct OpenDocument {
    /// The client's version of the text.
    pub version: i32,
    /// The text and its line index.
    pub document: Document,
    /// The syntax tree and bindings of the current text.
    pub module: Module,
}

impl OpenDocument {
    /// Parse `text` as version `version`.
    pub fn new(version: i32, text: String) -> OpenDocument {
        let module = Module::parse(&text);
        OpenDocument { version, document: Document::new(text), module }
    }

    /// The problems of the current text.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        diagnostics(&self.module)
    }
}

/// All open documents.
#[derive(Default)]
pub struct Session {
    documents: HashMap<Uri, OpenDocument>,
}

impl Session {
    /// Start tracking a document (replacing an older copy).
    pub fn open(&mut self, uri: Uri, version: i32, text: String) -> &OpenDocument {
        self.documents.entry(uri).insert_entry(OpenDocument::new(version, text)).into_mut()
    }

    /// Apply the client's edits in order; `None` when the document is not open.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Option<&OpenDocument> {
        let doc = self.documents.get_mut(uri)?;
        for change in changes {
            let range = change.range.map(|r| (position(r.start), position(r.end)));
            doc.document.edit(range, &change.text);
        }
        doc.version = version;
        doc.module = Module::parse(doc.document.text());
        Some(doc)
    }

    /// Stop tracking a document.
    pub fn close(&mut self, uri: &Uri) {
        self.documents.remove(uri);
    }

    /// An open document.
    pub fn get(&self, uri: &Uri) -> Option<&OpenDocument> {
        self.documents.get(uri)
    }
}

/// An LSP position as the document model's.
pub fn position(p: tower_lsp_server::ls_types::Position) -> Position {
    Position { line: p.line, character: p.character }
}
