//! The language server over stdio: one `Session` owns every open document, behind one lock that is
//! never held across an `await`, and messages are handled one at a time (`concurrency_level(1)`), so a
//! `didChange` is always applied before the requests that follow it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeLens, CodeLensOptions, CodeLensParams, CompletionOptions, CompletionParams, CompletionResponse,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    InitializedParams, InlayHint, InlayHintParams, OneOf, PositionEncodingKind, PublishDiagnosticsParams, Registration,
    ServerCapabilities, ServerInfo, SignatureHelp, SignatureHelpOptions, SignatureHelpParams,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::hints::HintMode;
use crate::notifications::{did_change, did_close, did_open};
use crate::requests::{code_lens, completion, definition, hover, inlay_hints, signature_help};
use crate::session::Session;

/// The server: the client handle and the session.
pub struct Backend {
    client: Client,
    session: Mutex<Session>,
    /// The client can register file watchers at run time (for `.rinfra/`).
    watch_files: AtomicBool,
    /// The client re-asks inlay hints when told to.
    refresh_inlay: AtomicBool,
    /// The client re-asks code lenses when told to.
    refresh_lens: AtomicBool,
}

impl Backend {
    fn session(&self) -> MutexGuard<'_, Session> {
        // A panic elsewhere cannot leave the session half-updated (every update is one call): keep serving.
        self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn publish(&self, mut params: PublishDiagnosticsParams) {
        {
            let mut session = self.session();
            if session.hint_mode == HintMode::Diagnostic {
                let hints = session.hints(&params.uri);
                if let Some(doc) = session.get(&params.uri) {
                    params.diagnostics.extend(inlay_hints::diagnostics(doc, &hints));
                }
            }
        }
        self.client.publish_diagnostics(params.uri, params.diagnostics, params.version).await;
    }

    /// Remember what the client can do and how it wants hints.
    fn configure(&self, params: &InitializeParams) {
        self.session().hint_mode = HintMode::from_options(params.initialization_options.as_ref());
        let workspace = params.capabilities.workspace.as_ref();
        let watch = workspace.and_then(|w| w.did_change_watched_files.as_ref()).and_then(|w| w.dynamic_registration);
        self.watch_files.store(watch == Some(true), Ordering::Relaxed);
        let inlay = workspace.and_then(|w| w.inlay_hint.as_ref()).and_then(|i| i.refresh_support);
        self.refresh_inlay.store(inlay == Some(true), Ordering::Relaxed);
        let lens = workspace.and_then(|w| w.code_lens.as_ref()).and_then(|c| c.refresh_support);
        self.refresh_lens.store(lens == Some(true), Ordering::Relaxed);
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.configure(&params);
        let code_lens = self.session().hint_mode == HintMode::CodeLens;
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "rinfra-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![
                        ".".into(),
                        "(".into(),
                        ",".into(),
                        "=".into(),
                        " ".into(),
                        "\"".into(),
                        "'".into(),
                    ]),
                    ..CompletionOptions::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: Some(vec!["=".into()]),
                    ..SignatureHelpOptions::default()
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: code_lens.then_some(CodeLensOptions { resolve_provider: Some(false) }),
                ..ServerCapabilities::default()
            },
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.watch_files.load(Ordering::Relaxed) {
            return;
        }
        // A new `rinfra-exec` run rewrites `.rinfra/`: hear of it to refresh the hints. A saved Python
        // module may hold the user operations, facts or host data that open deploys use.
        let watch = |glob: &str| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.into()), kind: None };
        let options =
            DidChangeWatchedFilesRegistrationOptions { watchers: vec![watch("**/.rinfra/**"), watch("**/*.py")] };
        let registration = Registration {
            id: "rinfra-cache".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        // A client that refuses still gets fresh hints: the cache is re-read when its files change.
        let _ = self.client.register_capability(vec![registration]).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<String> = params.changes.iter().map(|c| c.uri.path().to_string()).collect();
        let cache_changed = paths.iter().any(|p| p.contains("/.rinfra/"));
        // A saved workspace module may define the user operations an open deploy calls.
        let python_changed = paths.iter().any(|p| p.ends_with(".py") && !p.contains("/.rinfra/"));
        let (uris, mode) = {
            let mut session = self.session();
            if cache_changed {
                session.hint_cache.clear();
            }
            if python_changed {
                session.reanalyze();
            }
            (session.uris(), session.hint_mode)
        };
        if python_changed || (cache_changed && mode == HintMode::Diagnostic) {
            for uri in uris {
                let params = self.session().get(&uri).map(|doc| crate::notifications::publish(uri.clone(), doc));
                if let Some(params) = params {
                    self.publish(params).await;
                }
            }
        }
        if !cache_changed {
            return;
        }
        match mode {
            HintMode::Inlay if self.refresh_inlay.load(Ordering::Relaxed) => {
                let _ = self.client.inlay_hint_refresh().await;
            }
            HintMode::CodeLens if self.refresh_lens.load(Ordering::Relaxed) => {
                let _ = self.client.code_lens_refresh().await;
            }
            _ => {}
        }
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let mut session = self.session();
        if session.hint_mode != HintMode::Inlay {
            return Ok(None);
        }
        let uri = params.text_document.uri;
        let hints = session.hints(&uri);
        Ok(session.get(&uri).map(|doc| inlay_hints::inlay_hints(doc, &hints, params.range)))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let mut session = self.session();
        let uri = params.text_document.uri;
        let hints = session.hints(&uri);
        Ok(session.get(&uri).map(|doc| code_lens::code_lenses(doc, &hints)))
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let diagnostics = did_open::did_open(&mut self.session(), params);
        for diagnostics in diagnostics {
            self.publish(diagnostics).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let diagnostics = did_change::did_change(&mut self.session(), params);
        for diagnostics in diagnostics {
            self.publish(diagnostics).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let diagnostics = did_close::did_close(&mut self.session(), params);
        for diagnostics in diagnostics {
            self.publish(diagnostics).await;
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let session = self.session();
        Ok(session.get(&at.text_document.uri).and_then(|doc| completion::completion(doc, at.position)))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let mut session = self.session();
        let hints = session.hints(&at.text_document.uri);
        let Some(doc) = session.get(&at.text_document.uri) else { return Ok(None) };
        let offset = doc.document.offset(crate::session::position(at.position));
        let hint = inlay_hints::hint_at(&hints, offset).map(|h| h.markdown());
        Ok(hover::with_hint(hover::hover(doc, at.position), hint))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let session = self.session();
        Ok(session.get(&at.text_document.uri).and_then(|doc| definition::definition(doc, at.position)))
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let at = params.text_document_position_params;
        let session = self.session();
        Ok(session.get(&at.text_document.uri).and_then(|doc| signature_help::signature_help(doc, at.position)))
    }
}

/// Serve LSP on stdin/stdout until the client exits.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            session: Mutex::new(Session::default()),
            watch_files: AtomicBool::new(false),
            refresh_inlay: AtomicBool::new(false),
            refresh_lens: AtomicBool::new(false),
        });
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).concurrency_level(1).serve(service).await;
    });
    Ok(())
}
