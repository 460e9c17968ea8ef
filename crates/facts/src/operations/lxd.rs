//! `pyinfra.operations.lxd`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

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
    ..Operation::NEW
}];
