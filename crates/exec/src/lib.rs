//! rinfra's executor: reaches hosts and runs what the planners in `rinfra-facts` decide.
//!
//! - [`connector`]: how a host is reached (`@local` subprocesses, SSH via russh), with atomic
//!   uploads and round-trip counts.
//! - [`gather`]: fact gathering in batches, many facts in one round trip.
//!
//! This crate is the only one in rinfra that talks to hosts.

pub mod connector;
pub mod gather;

pub use connector::local::LocalConnector;
pub use connector::ssh::{Negotiated, SshConfig, SshConnector, StrictHostKeyChecking};
pub use connector::{CommandOutput, Connector, ConnectorError, ExitStatus, Payload, RemoteCommand, RoundTrips};
