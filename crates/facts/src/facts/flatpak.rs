//! `pyinfra.facts.flatpak`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// The facts of `flatpak`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "FlatpakPackage",
        doc: "Details of one installed Flatpak from `flatpak info`: a dict with its `id`, `ref` (e.g. \
              `app/org.signal.Signal/x86_64/stable`) and `version`, each key only when reported; empty \
              when the package is not installed.",
        args: &[arg("package", "str", Dflt::Required, "Application or runtime ID, e.g. `org.videolan.VLC`.")],
        returns: "dict[str, str]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "FlatpakPackages",
        doc: "The IDs of all installed Flatpak applications and runtimes, as listed by \
              `flatpak list --columns=application`.",
        returns: "list[str]",
        default: "[]",
        ..Fact::NEW
    },
];
