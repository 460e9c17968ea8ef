//! `pyinfra.operations.freebsd.freebsd_update`: schema only for now.

use crate::schema::Operation;

/// What this module manages.
pub const DOC: &str = "";

/// The operations of `freebsd.freebsd_update`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[];
