//! `pyinfra.operations.ssh`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Work from the host towards a third machine over SSH: record its host key, run commands \
                       on it, and copy files to or from it with `scp`. The host needs working SSH access \
                       (keys or agent) to that machine.";

/// The operations of `ssh`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "keyscan",
        doc: "Make sure `~/.ssh/known_hosts` of the connecting user holds a key for `hostname`, appending \
              the output of `ssh-keyscan` when the name is not found in it (creating `~/.ssh` with mode \
              700 if needed). With `force`, an existing entry is removed with `ssh-keygen -R` and scanned \
              again.",
        args: &[
            arg("hostname", "str", Dflt::Required, "Host whose key should be known."),
            arg("force", "bool", Dflt::Bool(false), "Remove and rescan the key even if one is present."),
            arg("port", "int", Dflt::Int(22), "SSH port to scan."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "command",
        doc: "Run a command on another machine by calling `ssh` from the host. It runs every time (not \
              idempotent); the remote host key must already be known (see `ssh.keyscan`).",
        args: &[
            arg("hostname", "str", Dflt::Required, "Machine to connect to."),
            arg("command", "str", Dflt::Required, "Shell command to run there."),
            arg("user", "str | None", Dflt::None, "User to connect as (default: ssh's choice)."),
            arg("port", "int", Dflt::Int(22), "SSH port to connect to."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "upload",
        doc: "Copy a file from the host to another machine with `scp`, on every run (not idempotent). With \
              `use_remote_sudo`, the file is copied to a temporary path and then moved into place with \
              `sudo mv` over ssh, for destinations the remote user cannot write.",
        args: &[
            arg("hostname", "str", Dflt::Required, "Machine to copy the file to."),
            arg("filename", "str", Dflt::Required, "Path of the file on the host to send."),
            arg("remote_filename", "str | None", Dflt::None, "Destination path there (default: same as `filename`)."),
            arg("port", "int", Dflt::Int(22), "SSH port to connect to."),
            arg("user", "str | None", Dflt::None, "User to connect as."),
            arg(
                "use_remote_sudo",
                "bool",
                Dflt::Bool(false),
                "Upload to a temporary file, then `sudo mv` it into place.",
            ),
            arg("ssh_keyscan", "bool", Dflt::Bool(false), "Run `ssh.keyscan` for the machine first."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "download",
        doc: "Copy a file from another machine onto the host with `scp`. Nothing happens when the \
              destination already exists, unless `force` is set; it is an error when the destination \
              exists but is not a regular file.",
        args: &[
            arg("hostname", "str", Dflt::Required, "Machine to copy the file from."),
            arg("filename", "str", Dflt::Required, "Path of the file on that machine."),
            arg(
                "local_filename",
                "str | None",
                Dflt::None,
                "Destination path on the host (default: same as `filename`).",
            ),
            arg("force", "bool", Dflt::Bool(false), "Download again even when the destination exists."),
            arg("port", "int", Dflt::Int(22), "SSH port to connect to."),
            arg("user", "str | None", Dflt::None, "User to connect as."),
            arg("ssh_keyscan", "bool", Dflt::Bool(false), "Run `ssh.keyscan` for the machine first."),
        ],
        ..Operation::NEW
    },
];
