//! `pyinfra.facts.sysvinit`: schema only for now.

use crate::schema::Fact;

/// The facts of `sysvinit`.
pub const FACTS: &[Fact] = &[Fact {
    name: "InitdStatus",
    doc: "Every LSB init script in `/etc/init.d` mapped to the result of its `status` action: True when it \
          exits 0 (running), False for exit codes 1-3 (not running), None for anything else. Scripts that \
          ignore `status` can be reported as running.",
    returns: "dict[str, bool | None]",
    default: "{}",
    ..Fact::NEW
}];
