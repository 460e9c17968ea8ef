//! rinfra's executor: reaches hosts and runs what the planners in `rinfra-facts` decide.
//!
//! - [`connector`]: how a host is reached. [`Connector`] runs shell commands and moves files;
//!   [`LocalConnector`] (`@local`, subprocesses) and [`SshConnector`] (russh: one connection per
//!   host, channels multiplexed, scripts fed to one long-lived shell per privilege level, SFTP)
//!   implement it. Uploads are atomic everywhere (temporary name in the destination's directory,
//!   then rename). Each connector counts its round trips.
//! - [`gather`]: facts in batches: the commands of many facts in one shell script, one round trip,
//!   outputs split by a random delimiter and parsed with `rinfra_facts::parse_fact`; path facts of
//!   a batch share one `stat`; an operation's commands may lead the same script.
//! - [`python`]: the embedded CPython (pyo3, one thread) running deploy scripts against a `pyinfra`
//!   package generated from the schema; operation calls are recorded ([`python::OpCall`]) and
//!   checked against the schema before anything runs; errors name the user's `file:LINE`.
//! - [`run`]: the run: deploy.py once per host, then each recorded call in deploy order across the
//!   hosts, in parallel ([`host_state::HostState`] plans a call with `rinfra_facts::plan_operation`,
//!   gathering the facts the planner asks for in batches, and executes it through the connector),
//!   reporting `Success` / `No change` / `Error`, caching the facts in `.rinfra/facts/` and the
//!   calls in `.rinfra/runs/` (mode 0600).
//! - [`wrap`]: how a planned command reaches the shell, as pyinfra wraps it (sudo / su / doas / dzdo,
//!   chdir, env, stdin, timeout, PTY); [`connector::askpass`] supplies sudo and su passwords through
//!   askpass scripts.
//! - [`password_prompt`]: reading a password on the terminal without echo.
//! - [`localfs`]: the controller's files as planners see them.
//! - [`run_cache`]: `.rinfra/runs/<host>.json`, each host's data and operation calls for the editor.
//!
//! Architecture invariants: this is the only rinfra crate that talks to hosts; it builds no command
//! strings of its own beyond the batch script, the `export` prefix for environment variables, pyinfra's
//! privilege wrapping ([`wrap`]) and the askpass setup (everything else comes from the planners, quoted by `rinfra_facts::quote`); secrets in
//! [`SshConfig`] never reach `Debug` output or error messages.
//!
//! ```
//! use rinfra_exec::gather::{gather, GatherOptions};
//! use rinfra_exec::{Connector, LocalConnector, RemoteCommand};
//! use rinfra_facts::fact_source::{FactKey, NoFacts};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let host = LocalConnector::new();
//! let out = host.run(&RemoteCommand::new("echo hello")).await?;
//! assert_eq!(out.stdout_lines(), vec!["hello"]);
//!
//! let keys = [FactKey::new("server.Kernel", vec![]), FactKey::new("server.Arch", vec![])];
//! let facts = gather(&host, &keys, &NoFacts, &GatherOptions::default()).await?;
//! assert_eq!(facts.round_trips, 1);
//! assert_eq!(host.round_trips().commands, 2);
//! # Ok::<(), rinfra_exec::ConnectorError>(())
//! # }).unwrap();
//! ```

mod batch;
mod call_env;
pub mod call_globals;
pub mod connector;
mod file_diff;
pub mod gather;
pub mod host_state;
pub mod localfs;
pub mod password_prompt;
mod pool;
pub mod python;
mod report;
pub mod run;
pub mod run_cache;
mod schedule;
mod touched;
pub mod wrap;

pub use connector::local::LocalConnector;
pub use connector::ssh::{Negotiated, SshConfig, SshConnector, StrictHostKeyChecking};
pub use connector::{CommandOutput, Connector, ConnectorError, ExitStatus, Payload, RemoteCommand, RoundTrips};
pub use report::print_failure_json;
