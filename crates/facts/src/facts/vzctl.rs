//! `pyinfra.facts.vzctl`: schema only for now.

use crate::schema::Fact;

/// The facts of `vzctl`.
pub const FACTS: &[Fact] = &[Fact {
    name: "OpenvzContainers",
    doc: "Every OpenVZ container `vzlist -a` knows, running or not, keyed by its numeric CTID, with the rest \
          of its JSON record (`hostname`, `ip`, `ostemplate`, `status`, ...).",
    returns: "dict[int, dict[str, Any]]",
    default: "{}",
    ..Fact::NEW
}];
