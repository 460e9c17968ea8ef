//! `pyinfra.facts.rpm`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// The facts of `rpm`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "RpmPackages",
        doc: "The installed RPM packages, from `rpm -qa`: package name mapped to the set of installed \
              `version-release` strings.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "RpmPackage",
        doc: "Name and `version-release` of one package, as `{\"name\": ..., \"version\": ...}`: the \
              installed package of that name, or else the `.rpm` file at that path. None when neither \
              exists.",
        args: &[arg("package", "str", Dflt::Required, "Installed package name, or path of an `.rpm` file.")],
        returns: "dict[str, str] | None",
        ..Fact::NEW
    },
    Fact {
        name: "RpmPackageProvides",
        doc: "The packages that provide a capability (a command, file or virtual name), from `dnf repoquery \
              --whatprovides`, as `[name, version-release]` pairs. Empty when nothing provides it.",
        args: &[arg("package", "str", Dflt::Required, "Capability to look up, e.g. `/usr/bin/vim` or `vim`.")],
        returns: "list[list[str]]",
        default: "[]",
        ..Fact::NEW
    },
];
