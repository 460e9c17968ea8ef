//! `pyinfra.facts.dnf`: schema only for now.

use crate::schema::Fact;

/// The facts of `dnf`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "DnfRepositories",
        doc: "The repositories configured for dnf, read from `/etc/dnf.conf`, `/etc/dnf.repos.d/*.repo` and \
              `/etc/yum.repos.d/*.repo`: one dict per section with its settings as strings (`repoid`, `name`, \
              `baseurl`, `enabled`, ...) plus the `filename` it came from.",
        returns: "list[dict[str, str]]",
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "DnfEnabledModules",
        doc: "The dnf modules that have a stream enabled (`dnf module list --enabled`), as a mapping of module \
              name to the enabled stream.",
        returns: "dict[str, str]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "DnfDisabledModules",
        doc: "The names of the dnf modules that are explicitly disabled (`dnf module list --disabled`), \
              sorted and without duplicates.",
        returns: "list[str]",
        default: "[]",
        ..Fact::NEW
    },
];
