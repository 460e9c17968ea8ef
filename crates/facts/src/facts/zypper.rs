//! `pyinfra.facts.zypper`: schema only for now.

use crate::schema::Fact;

/// The facts of `zypper`.
pub const FACTS: &[Fact] = &[Fact {
    name: "ZypperRepositories",
    doc: "Every repository section of `/etc/zypp/repos.d/*.repo`, in file order: its `key=value` settings \
          as strings, plus `repoid` (the section name), `name` (defaults to the id) and `filename` (the file \
          it came from).",
    returns: "list[dict[str, str]]",
    default: "[]",
    ..Fact::NEW
}];
