//! `pyinfra.facts.apk`: schema only for now.

use crate::schema::Fact;

/// The facts of `apk`.
pub const FACTS: &[Fact] = &[Fact {
    name: "ApkPackages",
    doc: "The apk packages installed on the host, from `apk list --installed`: a mapping of package name \
          to the set of installed versions (version and `-rN` release together). Empty when apk is absent.",
    returns: "dict[str, set[str]]",
    default: "{}",
    ..Fact::NEW
}];
