//! The server's state: every open document, owned in one place. The server keeps the session behind
//! one lock and handles one message at a time, so an edit never races a request on the same text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::analysis::{Module, diagnostics};
use crate::diagnostic::Diagnostic;
use crate::document::{Document, Position};
use crate::hints::{HintCache, HintMode};
use crate::local::LocalFiles;
use crate::workspace::{FileDefs, files};

/// An open document, parsed.
pub struct OpenDocument {
    /// The client's version of the text.
    pub version: i32,
    /// The text and its line index.
    pub document: Document,
    /// The syntax tree and bindings of the current text.
    pub module: Module,
    /// Where the deploy's local files are looked up (documents that are files on disk only).
    local: Option<LocalFiles>,
    /// The file on disk, if the document is one.
    path: Option<PathBuf>,
}

impl OpenDocument {
    /// Parse `text` as version `version`; `path` is the file on disk, if it is one.
    pub fn new(version: i32, text: String, path: Option<&Path>) -> OpenDocument {
        let module = Module::parse_at(&text, path);
        OpenDocument {
            version,
            document: Document::new(text),
            module,
            local: path.map(LocalFiles::for_deploy),
            path: path.map(Path::to_path_buf),
        }
    }

    /// Where the deploy's local files are looked up, for a document on disk.
    pub fn local(&self) -> Option<&LocalFiles> {
        self.local.as_ref()
    }

    /// The file on disk, if the document is one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The problems of the current text.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        diagnostics(&self.module, self.local.as_ref())
    }
}

/// All open documents.
#[derive(Default)]
pub struct Session {
    documents: HashMap<Uri, OpenDocument>,
    /// The fact caches of the workspaces of open documents.
    pub hint_cache: HintCache,
    /// How hints reach the client.
    pub hint_mode: HintMode,
    /// Documents parsed again because a module they may import changed, to publish again.
    reanalyzed: Vec<Uri>,
}

impl Session {
    /// Start tracking a document (replacing an older copy).
    pub fn open(&mut self, uri: Uri, version: i32, text: String) -> &OpenDocument {
        let doc = OpenDocument::new(version, text, file_path(&uri).as_deref());
        self.share(&doc);
        self.documents.entry(uri).insert_entry(doc).into_mut()
    }

    /// Let other documents' imports of `doc` see its current text; returns whether what they see
    /// changed (then they are parsed again).
    fn share(&mut self, doc: &OpenDocument) -> bool {
        let Some(path) = doc.path() else { return false };
        let defs = FileDefs { defs: doc.module.defs.clone(), bindings: doc.module.bindings.clone() };
        let defs = std::sync::Arc::new(defs);
        // What importers saw until now: the editor's previous text, or the file on disk.
        let before = files::file_defs(path);
        files::set_open(path, Some(defs.clone()));
        let changed = before.map_or(!defs.defs.is_empty(), |old| !old.same_signatures(&defs));
        if changed {
            self.reanalyze_except(path);
        }
        changed
    }

    /// Parse every open document but the one at `except` again: a module they may import changed.
    /// They are remembered for [`Session::take_reanalyzed`].
    fn reanalyze_except(&mut self, except: &Path) {
        for (uri, doc) in self.documents.iter_mut().filter(|(_, d)| d.path() != Some(except)) {
            doc.module = Module::parse_at(doc.document.text(), doc.path.as_deref());
            if !self.reanalyzed.contains(uri) {
                self.reanalyzed.push(uri.clone());
            }
        }
    }

    /// The other documents parsed again since the last call, whose diagnostics are to be published again.
    pub fn take_reanalyzed(&mut self) -> Vec<Uri> {
        std::mem::take(&mut self.reanalyzed)
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
        doc.module = Module::parse_at(doc.document.text(), doc.path.as_deref());
        // Share the new text with importers (the document is taken out meanwhile to lend both).
        let doc = self.documents.remove(uri)?;
        self.share(&doc);
        Some(self.documents.entry(uri.clone()).insert_entry(doc).into_mut())
    }

    /// Parse every open document again: files they import changed on disk.
    pub fn reanalyze(&mut self) {
        for doc in self.documents.values_mut() {
            doc.module = Module::parse_at(doc.document.text(), doc.path.as_deref());
        }
    }

    /// Stop tracking a document.
    pub fn close(&mut self, uri: &Uri) {
        if let Some(path) = self.documents.remove(uri).and_then(|d| d.path.clone()) {
            // Back to the file on disk, which may differ from the text the editor discarded.
            if files::set_open(&path, None).is_some_and(|old| !old.defs.is_empty()) {
                self.reanalyze_except(&path);
            }
        }
    }

    /// An open document.
    pub fn get(&self, uri: &Uri) -> Option<&OpenDocument> {
        self.documents.get(uri)
    }

    /// The hints of an open document (empty when it is not open or not on disk).
    pub fn hints(&mut self, uri: &Uri) -> Vec<crate::hints::plan::CallHint> {
        match self.documents.get(uri) {
            Some(doc) => crate::hints::document_hints(&mut self.hint_cache, doc),
            None => Vec::new(),
        }
    }

    /// Every open document's URI.
    pub fn uris(&self) -> Vec<Uri> {
        self.documents.keys().cloned().collect()
    }
}

/// The path of a `file:` URI.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// An LSP position as the document model's.
pub fn position(p: tower_lsp_server::ls_types::Position) -> Position {
    Position { line: p.line, character: p.character }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;

    fn codes(doc: &OpenDocument) -> Vec<Rule> {
        doc.diagnostics().iter().map(|d| d.rule).collect()
    }

    #[test]
    fn local_files_are_checked_for_documents_on_disk_only() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let text = "from pyinfra.operations import files\nfiles.put(src='files/nope', dest='/x')\n".to_string();
        let on_disk = Uri::from_file_path(dir.path().join("deploy.py")).ok_or("no file URI")?;
        let untitled: Uri = "untitled:Untitled-1".parse()?;
        let mut session = Session::default();
        assert_eq!(codes(session.open(on_disk, 1, text.clone())), [Rule::MissingLocalFile]);
        assert!(codes(session.open(untitled, 1, text)).is_empty());
        Ok(())
    }

    #[test]
    fn unsaved_edits_of_an_imported_module_are_seen_by_the_deploy() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("tasks"))?;
        let ops = |params: &str| {
            format!("from pyinfra.api import operation\n@operation()\ndef my_op({params}):\n    yield 'x'\n")
        };
        std::fs::write(dir.path().join("tasks/ops.py"), ops("path"))?;
        let deploy = Uri::from_file_path(dir.path().join("deploy.py")).ok_or("no file URI")?;
        let module = Uri::from_file_path(dir.path().join("tasks/ops.py")).ok_or("no file URI")?;
        let mut session = Session::default();
        session.open(deploy.clone(), 1, "from tasks.ops import my_op\nmy_op(path='/a', mode='1')\n".into());
        let deploy_codes = |s: &Session| s.get(&deploy).map(codes).unwrap_or_default();
        assert_eq!(deploy_codes(&session), [Rule::UnknownArgument]);
        // Opened with an unsaved edit that adds `mode`: the deploy is judged against the editor's text.
        session.open(module.clone(), 1, ops("path, mode=None"));
        assert!(deploy_codes(&session).is_empty());
        // Edited back: the deploy is among the documents to publish again.
        let full = |text: String| TextDocumentContentChangeEvent { range: None, range_length: None, text };
        assert_eq!(session.take_reanalyzed(), std::slice::from_ref(&deploy));
        session.change(&module, 2, vec![full(ops("path"))]).ok_or("not open")?;
        assert_eq!(session.take_reanalyzed(), std::slice::from_ref(&deploy));
        assert_eq!(deploy_codes(&session), [Rule::UnknownArgument]);
        // A change elsewhere in the module, not to its signatures, leaves the deploy alone.
        session.change(&module, 3, vec![full(format!("{}x = 1\n", ops("path")))]).ok_or("not open")?;
        assert!(session.take_reanalyzed().is_empty());
        // Closed without saving an edit that added `mode`: back to the file on disk.
        session.change(&module, 4, vec![full(ops("path, mode=None"))]);
        assert!(deploy_codes(&session).is_empty());
        session.close(&module);
        assert_eq!(deploy_codes(&session), [Rule::UnknownArgument]);
        assert_eq!(session.take_reanalyzed(), std::slice::from_ref(&deploy));
        Ok(())
    }

    #[test]
    fn edits_are_applied_in_order_and_reparsed() -> Result<(), Box<dyn std::error::Error>> {
        let uri: Uri = "untitled:a".parse()?;
        let mut session = Session::default();
        session.open(uri.clone(), 1, "from pyinfra.operations import dnf\ndnf.key()\n".into());
        let edit = |line, from, to, text: &str| TextDocumentContentChangeEvent {
            range: Some(tower_lsp_server::ls_types::Range {
                start: tower_lsp_server::ls_types::Position { line, character: from },
                end: tower_lsp_server::ls_types::Position { line, character: to },
            }),
            range_length: None,
            text: text.into(),
        };
        let doc = session.change(&uri, 2, vec![edit(1, 8, 8, "'k'"), edit(1, 0, 3, "dnf")]).ok_or("not open")?;
        assert_eq!(doc.document.text(), "from pyinfra.operations import dnf\ndnf.key('k')\n");
        assert!(codes(doc).is_empty());
        session.close(&uri);
        assert!(session.get(&uri).is_none());
        assert!(session.change(&uri, 3, Vec::new()).is_none());
        Ok(())
    }
}
