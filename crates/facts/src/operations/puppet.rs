//! `pyinfra.operations.puppet`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Trigger Puppet agent runs on the host.";

/// The operations of `puppet`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "agent",
    doc: "Run one Puppet agent pass in the foreground (`puppet agent -t`), optionally against a given \
          master. It runs every time (not idempotent). With `-t`, puppet exits with 2 when it applied \
          changes, so pass `_success_exit_codes=[0, 2]` to treat that as success; `puppet` is often only \
          on the PATH of a login shell (`_use_sudo_login`/`_use_su_login`).",
    args: &[
        arg("server", "str | None", Dflt::None, "Puppet master to contact (`--server`)."),
        arg("port", "int | None", Dflt::None, "Port of the Puppet master (`--masterport`)."),
    ],
    ..Operation::NEW
}];
