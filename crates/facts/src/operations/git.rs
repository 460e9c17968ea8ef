//! `pyinfra.operations.git`: schema only for now.

use crate::schema::Operation;

/// What this module manages.
pub const DOC: &str = "";

/// The operations of `git`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[];
