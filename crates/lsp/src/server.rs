//! The language server over stdio: one `Session` owns every open document, behind one lock that is
//! never held across an `await`, and messages are handled one at a time (`concurrency_level(1)`), so a
//! `didChange` is always applied before the requests that follow it.

use std::sync::{Mutex, MutexGuard};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CompletionOptions, CompletionParams, CompletionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, OneOf, PositionEncodingKind, PublishDiagnosticsParams,
    ServerCapabilities, ServerInfo, SignatureHelp, SignatureHelpOptions, SignatureHelpParams,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::notifications::{did_change, did_close, did_open};
use crate::requests::{completion, definition, hover, signature_help};
use crate::session::Session;

/// The server: the client handle and the session.
pub struct Backend {
    client: Client,
    session: Mutex<Session>,
}

impl Backend {
    fn session(&self) -> MutexGuard<'_, Session> {
        // A panic elsewhere cannot leave the session half-updated (every update is one call): keep serving.
        self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn publish(&self, params: PublishDiagnosticsParams) {
        self.client.publish_diagnostics(params.uri, params.diagnostics, params.version).await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> Result<InitializeResult> {
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "rinfra-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), "(".into(), ",".into(), "=".into(), " ".into()]),
                    ..CompletionOptions::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: Some(vec!["=".into()]),
                    ..SignatureHelpOptions::default()
                }),
                ..ServerCapabilities::default()
            },
            ..InitializeResult::default()
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let diagnostics = did_open::did_open(&mut self.session(), params);
        self.publish(diagnostics).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let diagnostics = did_change::did_change(&mut self.session(), params);
        if let Some(diagnostics) = diagnostics {
            self.publish(diagnostics).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let diagnostics = did_close::did_close(&mut self.session(), params);
        self.publish(diagnostics).await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let session = self.session();
        Ok(session.get(&at.text_document.uri).and_then(|doc| completion::completion(doc, at.position)))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let session = self.session();
        Ok(session.get(&at.text_document.uri).and_then(|doc| hover::hover(doc, at.position)))
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
        let (service, socket) = LspService::new(|client| Backend { client, session: Mutex::new(Session::default()) });
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).concurrency_level(1).serve(service).await;
    });
    Ok(())
}
