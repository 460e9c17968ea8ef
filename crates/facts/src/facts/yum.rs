//! `pyinfra.facts.yum`: schema only for now.

use crate::schema::Fact;

/// The facts of `yum`.
pub const FACTS: &[Fact] = &[Fact {
    name: "YumRepositories",
    doc: "Every repository section of `/etc/yum.conf` and `/etc/yum.repos.d/*.repo`, in file order: its \
          `key=value` settings as strings, plus `repoid` (the section name), `name` (defaults to the id) and \
          `filename` (the file it came from).",
    returns: "list[dict[str, str]]",
    default: "[]",
    ..Fact::NEW
}];
