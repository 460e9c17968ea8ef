//! `rinfra-lsp`: analysis of pyinfra deploy files, for the language server and `rinfra-lsp check`.
//!
//! Invariants: this crate never runs user code and never touches the network; analysis never fails
//! (broken text gives a recovered tree plus syntax-error diagnostics) and never panics.
//!
//! Entry points: [`analysis::analyze`] (text in, diagnostics out), [`check::run`] (the CLI),
//! [`precheck::check_deploys`] (the executor's check before a run).
//! Code map: `document` (text and positions), `resolve` (what names stand for pyinfra), `operation` and `fact`
//! (paths and calls against the schema catalogue), `workspace/` (the user's own operations, deploys and
//! facts, and `host.data` keys, read from the workspace's files), `signature` (a call against a catalogue or
//! user signature), `host_members` (pyinfra's `Host`), `rules/` (one file per diagnostic code),
//! `hints/` ("would change" hints: static evaluation of arguments per host, planning against the fact cache),
//! `check` and `output` (the CLI and its formats), `precheck` (the certain errors `rinfra-exec` refuses
//! a deploy for before connecting), `server` and `session` (the language server and the
//! open documents it owns), `notifications/` and `requests/` (one file per LSP message).

pub mod analysis;
pub mod check;
pub mod diagnostic;
pub mod document;
pub mod fact;
pub mod hints;
pub mod host_members;
pub mod local;
pub mod notifications;
pub mod operation;
pub mod output;
pub mod precheck;
pub mod requests;
pub mod resolve;
pub mod rules;
pub mod server;
pub mod session;
pub mod signature;
pub mod suggest;
pub mod workspace;
