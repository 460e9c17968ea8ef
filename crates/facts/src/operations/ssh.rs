//! `pyinfra.operations.ssh`: from the host, reach a third machine with `ssh` / `scp`.

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::truthy;

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
        planner: Some(keyscan),
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
        planner: Some(command),
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
        planner: Some(upload),
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
        planner: Some(download),
        ..Operation::NEW
    },
];

/// `user@hostname`, or `hostname` when no user is given.
fn target(a: &Args) -> Result<String, PlanError> {
    let host = a.str("hostname")?;
    Ok(match a.opt_str("user").filter(|u| !u.is_empty()) {
        Some(user) => format!("{user}@{host}"),
        None => host,
    })
}

fn port(a: &Args) -> Result<i64, PlanError> {
    Ok(a.opt_int("port")?.unwrap_or(22))
}

fn keyscan(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let hostname = a.str("hostname")?;
    let home = crate::value::py_str(&ctx.fact("server.Home", &[])?);
    crate::nested(ctx, "files.directory", &[("path", json!(format!("{home}/.ssh"))), ("mode", json!(700))])?;
    let known_hosts = format!("{home}/.ssh/known_hosts");
    let present =
        ctx.fact("files.FindInFile", &[("path", json!(known_hosts)), ("pattern", json!(hostname.clone()))])?;
    let scan = format!("ssh-keyscan -p {} {} >> {}/.ssh/known_hosts", port(a)?, quote(&hostname), quote(&home));
    if !truthy(&present) {
        ctx.change(format!("add the host key of {hostname} to {known_hosts}"));
        ctx.shell(scan);
    } else if a.flag("force") {
        ctx.change(format!("rescan the host key of {hostname}"));
        ctx.shell(format!("ssh-keygen -R {}", quote(&hostname)));
        ctx.shell(scan);
    } else {
        ctx.noop(format!("host key for {hostname} already exists"));
    }
    Ok(())
}

fn command(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let cmd = a.str("command")?;
    ctx.change(format!("run `{cmd}` on {}", a.str("hostname")?));
    ctx.shell(format!("ssh -p {} {} {}", port(a)?, quote(&target(a)?), quote(&cmd)));
    Ok(())
}

fn upload(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let filename = a.str("filename")?;
    let remote = a.opt_str("remote_filename").filter(|r| !r.is_empty()).unwrap_or_else(|| filename.clone());
    let (target, port) = (target(a)?, port(a)?);
    if a.flag("ssh_keyscan") {
        crate::nested(ctx, "ssh.keyscan", &[("hostname", a.get("hostname").clone())])?;
    }
    ctx.change(format!("copy {filename} to {target}:{remote}"));
    if !a.flag("use_remote_sudo") {
        ctx.shell(format!("scp -P {port} {} {}:{}", quote(&filename), quote(&target), quote(&remote)));
        return Ok(());
    }
    // Copy to a temporary name first, then move it into place with sudo on the far side.
    let temp = ctx.env.temp_filename(&format!("ssh.upload {target} {remote}"));
    ctx.shell(format!("scp -P {port} {} {}:{}", quote(&filename), quote(&target), quote(&temp)));
    let mv = format!("sudo mv {} {}", quote(&temp), quote(&remote));
    ctx.shell(format!("ssh -p {port} {} {}", quote(&target), quote(&mv)));
    Ok(())
}

fn download(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let filename = a.str("filename")?;
    let local = a.opt_str("local_filename").filter(|l| !l.is_empty()).unwrap_or_else(|| filename.clone());
    let info = ctx.fact("files.File", &[("path", json!(local.clone()))])?;
    if info == json!(false) {
        return Err(PlanError::op(format!("Local destination {local} already exists and is not a file")));
    }
    if truthy(&info) && !a.flag("force") {
        ctx.noop(format!("file {filename} is already downloaded"));
        return Ok(());
    }
    let (target, port) = (target(a)?, port(a)?);
    if a.flag("ssh_keyscan") {
        crate::nested(ctx, "ssh.keyscan", &[("hostname", a.get("hostname").clone())])?;
    }
    ctx.change(format!("copy {target}:{filename} to {local}"));
    ctx.shell(format!("scp -P {port} {}:{} {}", quote(&target), quote(&filename), quote(&local)));
    Ok(())
}
