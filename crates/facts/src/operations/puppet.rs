//! `pyinfra.operations.puppet`: Puppet agent runs.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::py_str;

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
    planner: Some(plan_agent),
    ..Operation::NEW
}];

fn plan_agent(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut cmd = vec!["puppet agent -t".to_string()];
    for (name, flag) in [("server", "--server"), ("port", "--masterport")] {
        if a.flag(name) {
            cmd.push(quote(&format!("{flag}={}", py_str(a.get(name)))));
        }
    }
    ctx.shell(cmd.join(" "));
    Ok(())
}
