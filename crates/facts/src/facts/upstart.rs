//! `pyinfra.facts.upstart`: schema only for now.

use crate::schema::Fact;

/// The facts of `upstart`.
pub const FACTS: &[Fact] = &[Fact {
    name: "UpstartStatus",
    doc: "Every job listed by `initctl list`, mapped to whether its state is `running`.",
    returns: "dict[str, bool]",
    default: "{}",
    ..Fact::NEW
}];
