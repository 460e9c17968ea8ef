//! `pyinfra.facts.go`: schema only for now.

use crate::schema::Fact;

/// The facts of `go`.
pub const FACTS: &[Fact] = &[Fact {
    name: "GoPackages",
    doc: "The programs installed with `go install` in the Go binary directory, read with `go version -m`: \
          package import path mapped to the set of module versions (development builds are left out).",
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
