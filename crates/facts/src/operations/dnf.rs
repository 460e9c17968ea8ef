//! `pyinfra.operations.dnf`: schema only for now.

use crate::schema::Operation;

/// What this module manages.
pub const DOC: &str = "";

/// The operations of `dnf`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[];
