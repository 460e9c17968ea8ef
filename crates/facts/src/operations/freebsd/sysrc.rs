//! `pyinfra.operations.freebsd.sysrc`: schema only for now.

use crate::schema::{Dflt, Operation, arg, enum_arg};

/// What this module manages.
pub const DOC: &str = "Edit FreeBSD rc configuration variables (`/etc/rc.conf` and friends) with `sysrc(8)`.";

/// The operations of `freebsd.sysrc`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "sysrc",
    doc: "Set, extend, shrink or delete an rc.conf variable through `sysrc`. `set` assigns the value but, \
          unless `overwrite` is true, leaves a variable that already has a value untouched; `del` removes the \
          variable and does nothing when it is not set; `add` and `sub` append or remove a word from the \
          value and run every time. Any other `command` is an error.",
    args: &[
        arg("parameter", "str", Dflt::Required, "Name of the variable, e.g. `sshd_enable`."),
        arg("value", "str", Dflt::Required, "Value to set, add or remove (ignored by `del`, but still required)."),
        arg("jail", "str | None", Dflt::None, "Edit the rc files of this jail (`sysrc -j`)."),
        enum_arg(
            "command",
            "str",
            &["add", "sub", "set", "del"],
            Dflt::Str("set"),
            "What to do with the variable: `set`, `add`, `sub` or `del`.",
        ),
        arg("overwrite", "bool", Dflt::Bool(false), "With `set`: replace a value that is already set."),
    ],
    ..Operation::NEW
}];
