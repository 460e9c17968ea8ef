//! `pyinfra.operations.iptables`: schema only for now.

use crate::schema::Operation;

/// What this module manages.
pub const DOC: &str = "";

/// The operations of `iptables`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[];
