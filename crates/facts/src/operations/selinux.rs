//! `pyinfra.operations.selinux`: schema only for now.

use crate::schema::{Dflt, Operation, arg, enum_arg};

/// What this module manages.
pub const DOC: &str = "Set SELinux booleans, file contexts, file context mappings and port types. These \
                       operations need root privileges.";

/// The operations of `selinux`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "boolean",
        doc: "Switch an SELinux boolean on or off with `setsebool`, only when its current value \
              (`getsebool`) differs. Without `persistent` the change lasts until reboot; with it the \
              policy on disk is rewritten too (`-P`), which is slow.",
        args: &[
            arg("bool_name", "str", Dflt::Required, "Name of the SELinux boolean, e.g. `httpd_can_network_connect`."),
            enum_arg(
                "value",
                "Boolean",
                &["on", "off"],
                Dflt::Required,
                "Wanted state: `Boolean.ON`/`Boolean.OFF` or the strings `on`/`off`.",
            ),
            arg(
                "persistent",
                "bool",
                Dflt::Bool(false),
                "Also write the value into the policy so it survives reboots.",
            ),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "file_context",
        doc: "Give an existing file or directory the SELinux type `se_type` with `chcon -t`, only when its \
              current type differs. The change is not recorded in the policy, so a relabel \
              (`restorecon`) reverts it; use `file_context_mapping` for a lasting rule.",
        args: &[
            arg("path", "str", Dflt::Required, "Path of the file or directory to relabel."),
            arg("se_type", "str", Dflt::Required, "SELinux type to set, e.g. `httpd_sys_content_t`."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "file_context_mapping",
        doc: "Add, change or delete a persistent file context rule (`semanage fcontext`) mapping paths that \
              match `target` to `se_type`; nothing runs when the rule is already as wanted. Existing files \
              are not relabelled: run `restorecon` for them. `se_type` is required when `present`.",
        args: &[
            arg("target", "str", Dflt::Required, "Path expression the rule matches, e.g. `/web(/.*)?`."),
            arg("se_type", "str | None", Dflt::None, "SELinux type for matching paths (required when present)."),
            arg("present", "bool", Dflt::Bool(true), "Whether the rule should exist (False: delete it)."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "port",
        doc: "Add, change or delete the SELinux type of a network port (`semanage port`), only when it \
              differs from the current assignment (read with `sepolicy` when available, otherwise from \
              `semanage port -l`). `se_type` is required when `present`.",
        args: &[
            enum_arg(
                "protocol",
                "Protocol | str",
                &["udp", "tcp", "sctp", "dccp"],
                Dflt::Required,
                "Protocol of the port: a `Protocol` member or its name.",
            ),
            arg("port_num", "int", Dflt::Required, "Port number."),
            arg(
                "se_type",
                "str | None",
                Dflt::None,
                "SELinux type for the port, e.g. `http_port_t` (required when present).",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the port should carry the type (False: remove it)."),
        ],
        ..Operation::NEW
    },
];
