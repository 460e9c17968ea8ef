//! `pyinfra.facts.bsdinit`: schema only for now.

use crate::schema::Fact;

/// The facts of `bsdinit`.
pub const FACTS: &[Fact] = &[Fact {
    name: "RcdStatus",
    doc: "The status of every rc.d script in `/etc/rc.d` and `/usr/local/etc/rc.d`, keyed by script name: \
          true when its status check exits 0 (running), false for exit codes 1-3 (stopped), None for any \
          other code.",
    returns: "dict[str, bool | None]",
    default: "{}",
    ..Fact::NEW
}];
