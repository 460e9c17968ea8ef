//! `pyinfra.operations.lxd`: LXD containers.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Create and remove LXD containers through the `lxc` command line client.";

/// The operations of `lxd`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "container",
    doc: "Make sure an LXD container with the given name exists (`lxc launch <image> <id>`) or is gone \
          (a running container is stopped first, then `lxc delete`d). The existing containers come from \
          `lxc list`, so nothing happens when the container is already in the wanted state. An existing \
          container is only matched by name: it is not checked against `image` nor rebuilt.",
    args: &[
        arg("id", "str", Dflt::Required, "Name of the container."),
        arg("present", "bool", Dflt::Bool(true), "Whether the container should exist (False: stop and delete it)."),
        arg("image", "str", Dflt::Str("ubuntu:16.04"), "Image to launch a new container from (`remote:alias`)."),
    ],
    planner: Some(plan_container),
    ..Operation::NEW
}];

/// The record of the container called `name`, if any.
fn container_named<'v>(name: &str, containers: &'v Value) -> Option<&'v Value> {
    containers.as_array()?.iter().find(|c| c.get("name").and_then(Value::as_str) == Some(name))
}

fn plan_container(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let containers = ctx.fact("lxd.LxdContainers", &[])?;
    let id = py_str(a.get("id"));
    let container = container_named(&id, &containers).filter(|c| truthy(c));
    if !a.flag("present") {
        match container {
            Some(c) => {
                if c.get("status").and_then(Value::as_str) == Some("Running") {
                    ctx.shell(format!("lxc stop {}", quote(&id)));
                }
                ctx.shell(format!("lxc delete {}", quote(&id)));
            }
            None => ctx.noop(format!("container {id} does not exist")),
        }
        return Ok(());
    }
    match container {
        None => ctx.shell(format!("lxc launch {} {} < /dev/null", quote(&py_str(a.get("image"))), quote(&id))),
        Some(_) => ctx.noop(format!("container {id} exists")),
    }
    Ok(())
}
