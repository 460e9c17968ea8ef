//! `pyinfra.facts.selinux`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// The facts of `selinux`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "SEBoolean",
        doc: "The current value of an SELinux boolean as reported by `getsebool`: `on` or `off`; an empty \
              string when the boolean does not exist.",
        args: &[arg("boolean", "str", Dflt::Required, "Name of the SELinux boolean.")],
        returns: "str",
        default: "\"\"",
        ..Fact::NEW
    },
    Fact {
        name: "FileContext",
        doc: "The SELinux label of a file, split into `{\"user\", \"role\", \"type\", \"level\"}` (e.g. \
              `system_u`, `object_r`, `etc_t`, `s0`). None when the file does not exist.",
        args: &[arg("path", "str", Dflt::Required, "Path of the file or directory.")],
        returns: "dict[str, str] | None",
        ..Fact::NEW
    },
    Fact {
        name: "FileContextMapping",
        doc: "The persistent file context rule (`semanage fcontext`) for a path expression, split like \
              `FileContext` into user, role, type and level. Empty when there is no single matching rule. \
              Needs root.",
        args: &[arg("target", "str", Dflt::Required, "Path expression of the rule, e.g. `/web(/.*)?`.")],
        returns: "dict[str, str]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "SEPorts",
        doc: "The SELinux types assigned to network ports (`semanage port -l`): protocol (`tcp`, `udp`, \
              `sctp`, `dccp`) mapped to port number -> type, with ranges expanded and the catch-all \
              `unreserved_port_t` left out. Needs root.",
        returns: "dict[str, dict[int, str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "SEPort",
        doc: "The SELinux type specifically assigned to one protocol/port, read with `sepolicy network` \
              (needs policycoreutils-dev); an empty string when only a generic range type applies.",
        args: &[
            arg("protocol", "str", Dflt::Required, "Protocol: `tcp`, `udp`, `sctp` or `dccp`."),
            arg("port", "int", Dflt::Required, "Port number."),
        ],
        returns: "str",
        default: "\"\"",
        ..Fact::NEW
    },
];
