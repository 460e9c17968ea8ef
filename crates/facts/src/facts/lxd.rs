//! `pyinfra.facts.lxd`: schema only for now.

use crate::schema::Fact;

/// The facts of `lxd`.
pub const FACTS: &[Fact] = &[Fact {
    name: "LxdContainers",
    doc: "All LXD instances known to `lxc list`, running or not, as the decoded JSON records (with `name`, \
          `status`, `config`, ...). Empty when `lxc` is not installed.",
    returns: "list[dict[str, Any]]",
    default: "[]",
    ..Fact::NEW
}];
