//! `pyinfra.facts.npm`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// The facts of `npm`.
pub const FACTS: &[Fact] = &[Fact {
    name: "NpmPackages",
    doc: "Top-level npm packages, from `npm list -g --depth=0` (run inside `directory` when given): package \
          name mapped to the set of installed versions. Empty when the directory does not exist.",
    args: &[arg("directory", "str | None", Dflt::None, "Project directory to list from (default: global packages).")],
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
