//! `pyinfra.facts.launchd`: schema only for now.

use crate::schema::Fact;

/// The facts of `launchd`.
pub const FACTS: &[Fact] = &[Fact {
    name: "LaunchdStatus",
    doc: "Every job listed by `launchctl list`, mapped to whether it is running (it has a PID). Empty when \
          `launchctl` is not available.",
    returns: "dict[str, bool]",
    default: "{}",
    ..Fact::NEW
}];
