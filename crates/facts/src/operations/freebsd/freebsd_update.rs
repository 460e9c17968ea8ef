//! `pyinfra.operations.freebsd.freebsd_update`: binary updates of the base system.

use super::push_opt;
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Apply FreeBSD base system binary updates with `freebsd-update`.";

/// The operations of `freebsd.freebsd_update`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "update",
    doc: "Fetch and install all available binary updates of the FreeBSD base system (`freebsd-update fetch \
          install`, without a pager). The command runs on every deploy; freebsd-update itself does nothing \
          when the system is current. Each option maps to the matching `freebsd-update(8)` flag. Caveat: \
          `currently_running` is accepted but pyinfra 3.10 does not pass it on.",
    args: &[
        arg("force", "bool", Dflt::Bool(false), "Force the fetch even if the system looks unchanged (`-F`)."),
        arg("basedir", "str | None", Dflt::None, "Operate on the system installed under this directory (`-b`)."),
        arg("workdir", "str | None", Dflt::None, "Working directory for downloads and state (`-d`)."),
        arg("conffile", "str | None", Dflt::None, "Configuration file to read instead of the default (`-f`)."),
        arg("jail", "str | None", Dflt::None, "Update the given jail instead of the host (`-j`)."),
        arg("key", "str | None", Dflt::None, "SHA256 hash of the trusted public key (`-k`)."),
        arg(
            "currently_running",
            "str | None",
            Dflt::None,
            "Release to assume is running (`--currently-running`); currently ignored.",
        ),
        arg("server", "str | None", Dflt::None, "Update server to fetch from (`-s`)."),
    ],
    planner: Some(update),
    ..Operation::NEW
}];

fn update(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut words: Vec<String> = ["PAGER=cat", "freebsd-update", "--not-running-from-cron"].map(String::from).into();
    if a.flag("force") {
        words.push("-F".into());
    }
    // `currently_running` is not passed on, as in pyinfra 3.10.
    for (name, flag) in
        [("basedir", "-b"), ("workdir", "-d"), ("conffile", "-f"), ("jail", "-j"), ("key", "-k"), ("server", "-s")]
    {
        push_opt(&mut words, a, name, flag);
    }
    words.extend(["fetch".to_string(), "install".to_string()]);
    ctx.change("fetch and install FreeBSD updates");
    ctx.shell(words.join(" "));
    Ok(())
}
