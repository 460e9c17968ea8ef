//! `pyinfra.facts.podman`: schema only for now.

use crate::schema::Fact;

/// The facts of `podman`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PodmanSystemInfo",
        doc: "Everything `podman system info` reports (host, store, registries, versions, ...), as the \
              parsed JSON object. None when podman is not installed.",
        returns: "dict[str, Any]",
        ..Fact::NEW
    },
    Fact {
        name: "PodmanPs",
        doc: "One JSON record per container from `podman ps --all`, running or not (with `Names`, `Image`, \
              `State`, ...). None when podman is not installed.",
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
];
