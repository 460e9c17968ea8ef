//! `pyinfra.facts.docker`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// The `object_id` argument of the single-object inspect facts.
const OBJECT_ID: &[crate::schema::Arg] =
    &[arg("object_id", "str", Dflt::Required, "Name or ID of the object to inspect.")];
/// The `container_id` argument of the per-container facts.
const CONTAINER_ID: &[crate::schema::Arg] =
    &[arg("container_id", "str", Dflt::Required, "Name or ID of the container.")];

/// The facts of `docker`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "DockerSystemInfo",
        doc: "Everything `docker system info` reports about the daemon (versions, storage driver, counts of \
              containers and images, ...), as the parsed JSON object.",
        returns: "dict[str, Any]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerVersion",
        doc: "The line printed by `docker --version`, e.g. `Docker version 27.0.3, build 7d4bcd8`.",
        returns: "str",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainers",
        doc: "The full `docker container inspect` record of every container on the host, running or not; an \
              empty list when there are none.",
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerImages",
        doc: "The full `docker image inspect` record of every local image; an empty list when there are none.",
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerNetworks",
        doc: "The full `docker network inspect` record of every Docker network on the host.",
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerVolumes",
        doc: "The full `docker volume inspect` record of every Docker volume on the host.",
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerPlugins",
        doc: "The full `docker plugin inspect` record of every installed plugin; an empty list when there are \
              none.",
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerSingleMixin",
        doc: "Shared base of the single-object inspect facts (`DockerContainer`, `DockerImage`, ...). It names \
              no object type, so it is not meant to be requested directly.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainer",
        doc: "The `docker container inspect` output for one container: a list holding its record, or None \
              when no such container exists.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        ..Fact::NEW
    },
    Fact {
        name: "DockerImage",
        doc: "The `docker image inspect` output for one image reference: a list holding its record, or None \
              when the image is not present.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        ..Fact::NEW
    },
    Fact {
        name: "DockerNetwork",
        doc: "The `docker network inspect` output for one network: a list holding its record, or None when \
              it does not exist.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        ..Fact::NEW
    },
    Fact {
        name: "DockerVolume",
        doc: "The `docker volume inspect` output for one volume: a list holding its record, or None when it \
              does not exist.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        ..Fact::NEW
    },
    Fact {
        name: "DockerPlugin",
        doc: "The `docker plugin inspect` output for one plugin: a list holding its record (with `Enabled` \
              and `Settings`), or None when it is not installed.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerEnvs",
        doc: "Derived from `docker.DockerContainers`: each container's environment, keyed by container ID, \
              as a mapping of variable name to value.",
        returns: "dict[str, dict[str, str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerLabels",
        doc: "Derived from `docker.DockerContainers`: each container's labels, keyed by container ID.",
        returns: "dict[str, dict[str, str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerMounts",
        doc: "Derived from `docker.DockerContainers`: each container's list of mount records (type, source, \
              destination, ...), keyed by container ID.",
        returns: "dict[str, list[dict[str, Any]]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerNetworks",
        doc: "Derived from `docker.DockerContainers`: the networks each container is attached to (network name \
              mapped to its endpoint settings), keyed by container ID.",
        returns: "dict[str, dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerPorts",
        doc: "Derived from `docker.DockerContainers`: each container's port bindings (`80/tcp` mapped to its \
              host bindings), keyed by container ID.",
        returns: "dict[str, dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerImageLabels",
        doc: "Derived from `docker.DockerImages`: each image's labels, keyed by image ID.",
        returns: "dict[str, dict[str, str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerImageLayers",
        doc: "Derived from `docker.DockerImages`: the layer digests of each image's root filesystem, keyed by \
              image ID.",
        returns: "dict[str, list[str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerNetworkLabels",
        doc: "Derived from `docker.DockerNetworks`: each network's labels, keyed by network ID.",
        returns: "dict[str, dict[str, str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerVolumeLabels",
        doc: "Derived from `docker.DockerVolumes`: each volume's labels, keyed by volume name.",
        returns: "dict[str, dict[str, str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerFsChanges",
        doc: "The files changed in a container compared with its image (`docker container diff`): a list of \
              `{\"change\": \"A\" | \"C\" | \"D\", \"path\": ...}` entries.",
        args: CONTAINER_ID,
        returns: "list[dict[str, str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerProcesses",
        doc: "The processes running in a container (`docker container top`): one dict per process, keyed by \
              the `ps` column headers (`UID`, `PID`, `CMD`, ...).",
        args: CONTAINER_ID,
        returns: "list[dict[str, str]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerStats",
        doc: "A single snapshot of resource usage of every running container (`docker stats --no-stream`), one \
              dict per container (CPU and memory percentages, I/O, ...).",
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerImageHistory",
        doc: "The build history of an image (`docker image history`), one dict per layer with the step that \
              created it, its size and age.",
        args: &[arg("image_id", "str", Dflt::Required, "Name or ID of the image.")],
        returns: "list[dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "DockerAuths",
        doc: "The registries the connecting user has stored credentials for, i.e. the keys of `auths` in \
              `${DOCKER_CONFIG:-$HOME/.docker}/config.json`; empty when the file is missing or unreadable.",
        returns: "list[str]",
        ..Fact::NEW
    },
];
