//! `pyinfra.operations.docker`: schema only for now.

use crate::schema::{Dflt, Operation, arg, enum_arg};

/// What this module manages.
pub const DOC: &str = "Manage Docker on the host: containers, images, builds, volumes, networks, plugins, \
                       registry logins and Compose stacks, all driven through the `docker` CLI.";

/// The operations of `docker`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "container",
        doc: "Create, start, stop or remove a named container. A missing container is created from the given \
              settings (and started when `start` is true); an existing one is removed when `present=False`, \
              started or stopped to match `start`, and recreated only with `force`. Caveat: changing \
              settings such as ports or volumes of an existing container does not recreate it on its own; \
              use `force=True` for that.",
        args: &[
            arg("container", "str", Dflt::Required, "Name of the container."),
            arg(
                "image",
                "str",
                Dflt::Str(""),
                "Image (and tag) to create from, e.g. `nginx:alpine`; needed whenever the container is created.",
            ),
            arg("ports", "list[str] | None", Dflt::None, "Port publications, each as for `-p`, e.g. `8080:80`."),
            arg("networks", "list[str] | None", Dflt::None, "Networks to attach the container to."),
            arg("volumes", "list[str] | None", Dflt::None, "Volume mappings, each as for `-v`, e.g. `data:/srv`."),
            arg("env_vars", "list[str] | None", Dflt::None, "Environment variables, each `KEY=value`."),
            arg("env_files", "list[str] | None", Dflt::None, "Files of environment variables to load (`--env-file`)."),
            arg("labels", "list[str] | None", Dflt::None, "Labels to attach, each `key=value`."),
            arg("pull_always", "bool", Dflt::Bool(false), "Always pull the image when creating (`--pull always`)."),
            arg("present", "bool", Dflt::Bool(true), "Whether the container should exist."),
            arg("force", "bool", Dflt::Bool(false), "Remove and recreate an existing container of that name."),
            arg(
                "start",
                "bool",
                Dflt::Bool(true),
                "Whether the container should be running (true) or stopped (false).",
            ),
            arg(
                "restart_policy",
                "str | None",
                Dflt::None,
                "Restart policy (`--restart`), e.g. `unless-stopped` or `on-failure:3`.",
            ),
            arg(
                "auto_remove",
                "bool",
                Dflt::Bool(false),
                "Remove the container and its anonymous volumes when it exits (`--rm`).",
            ),
            arg(
                "mounts",
                "list[str] | None",
                Dflt::None,
                "`--mount` specifications, e.g. `type=bind,source=/src,target=/app`.",
            ),
            arg("privileged", "bool", Dflt::Bool(false), "Run the container with extended privileges."),
            arg("hostname", "str | None", Dflt::None, "Hostname inside the container."),
            arg("entrypoint", "str | None", Dflt::None, "Override the image's entrypoint."),
            arg("user", "str | None", Dflt::None, "User name or `UID[:GID]` the container runs as."),
            arg("cpus", "float | None", Dflt::None, "CPU limit, e.g. `1.5`."),
            arg("memory", "str | None", Dflt::None, "Memory limit, e.g. `512m` or `1g`."),
            arg(
                "extra_args",
                "list[str] | None",
                Dflt::None,
                "Further raw arguments for `docker container create`, one token each.",
            ),
            arg("dns", "list[str] | None", Dflt::None, "DNS servers for the container."),
            arg(
                "command",
                "str | None",
                Dflt::None,
                "Command to run in the container instead of the image's default (passed unquoted).",
            ),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "image",
        doc: "Pull or remove a Docker image. A reference pinned by digest or by a tag other than `latest` is \
              only pulled when not already present; an untagged or `latest` reference is pulled on every run \
              so it stays fresh, and `force` always pulls. With `present=False` the image is removed if it \
              exists.",
        args: &[
            arg("image", "str", Dflt::Required, "Image reference, e.g. `nginx:alpine` or `repo@sha256:...`."),
            arg("present", "bool", Dflt::Bool(true), "Whether the image should be present."),
            arg("force", "bool", Dflt::Bool(false), "Pull the image even if it is already present."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "build",
        doc: "Build an image from a context directory or URL with `docker build` (or another builder command). \
              When `tags` are given and all of them already exist on the host, nothing is built unless \
              `force` is set; without tags the build runs every time (Docker's layer cache still applies).",
        args: &[
            arg("path", "str", Dflt::Required, "Build context: a directory on the host or a git/HTTP URL."),
            arg("tags", "str | list[str] | None", Dflt::None, "Tag or tags for the built image (`-t`)."),
            arg("dockerfile", "str | None", Dflt::None, "Dockerfile to use (`-f`), relative to the context."),
            arg("build_args", "dict[str, str] | None", Dflt::None, "Build-time variables (`--build-arg KEY=value`)."),
            arg("labels", "dict[str, str] | None", Dflt::None, "Labels for the image (`--label key=value`)."),
            arg("target", "str | None", Dflt::None, "Stage of a multi-stage Dockerfile to build (`--target`)."),
            arg("platform", "str | None", Dflt::None, "Target platform, e.g. `linux/amd64`."),
            arg("network", "str | None", Dflt::None, "Network mode for RUN steps, e.g. `host`."),
            arg(
                "cache_from",
                "str | list[str] | None",
                Dflt::None,
                "Cache sources (`--cache-from`): image references or backend specs like `type=gha`.",
            ),
            arg("cache_to", "str | list[str] | None", Dflt::None, "Cache exports (`--cache-to`); BuildKit only."),
            arg(
                "secrets",
                "list[str] | None",
                Dflt::None,
                "Build secrets as raw `--secret` specs, e.g. `id=key,src=/run/key`.",
            ),
            arg("pull", "bool", Dflt::Bool(false), "Always try to pull newer base images (`--pull`)."),
            arg("no_cache", "bool", Dflt::Bool(false), "Build without the layer cache (`--no-cache`)."),
            arg("force", "bool", Dflt::Bool(false), "Build even when every tag already exists."),
            arg("builder", "str | None", Dflt::None, "buildx builder instance to use (`--builder`)."),
            arg(
                "build_cmd",
                "str",
                Dflt::Str("docker build"),
                "Command that runs the build, e.g. `docker buildx build` to force BuildKit.",
            ),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "volume",
        doc: "Create or remove a named Docker volume. An existing volume is left as it is (its driver, labels \
              and options are not compared), and removing a volume that does not exist is a no-op.",
        args: &[
            arg("volume", "str", Dflt::Required, "Name of the volume."),
            arg("driver", "str", Dflt::Str(""), "Volume driver (`-d`); empty uses Docker's default."),
            arg("labels", "list[str] | None", Dflt::None, "Labels to attach, each `key=value`."),
            arg("options", "list[str] | None", Dflt::None, "Driver-specific options (`--opt`), each `key=value`."),
            arg("present", "bool", Dflt::Bool(true), "Whether the volume should exist."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "network",
        doc: "Create or remove a Docker network. The network is only created when no network of that name \
              exists (an existing one is not compared with the settings), and only removed when it exists.",
        args: &[
            arg("network", "str", Dflt::Required, "Name of the network."),
            arg("driver", "str", Dflt::Str(""), "Network driver, e.g. `bridge` or `overlay`; empty for the default."),
            arg("gateway", "str", Dflt::Str(""), "IPv4 or IPv6 gateway of the main subnet."),
            arg("ip_range", "str", Dflt::Str(""), "Sub-range of the subnet to allocate container addresses from."),
            arg("ipam_driver", "str", Dflt::Str(""), "IP address management driver."),
            arg("subnet", "str", Dflt::Str(""), "Subnet in CIDR notation."),
            arg("scope", "str", Dflt::Str(""), "Scope of the network, e.g. `local` or `swarm`."),
            arg(
                "aux_addresses",
                "dict[str, str] | None",
                Dflt::None,
                "Auxiliary addresses the driver must not hand out, name mapped to IP.",
            ),
            arg("opts", "list[str] | None", Dflt::None, "Driver-specific options (`--opt`)."),
            arg("ipam_opts", "list[str] | None", Dflt::None, "IPAM driver options (`--ipam-opt`)."),
            arg("labels", "list[str] | None", Dflt::None, "Labels to attach, each `key=value`."),
            arg("ingress", "bool", Dflt::Bool(false), "Create the swarm routing-mesh network."),
            arg("attachable", "bool", Dflt::Bool(false), "Allow standalone containers to attach to it."),
            arg("present", "bool", Dflt::Bool(true), "Whether the network should exist."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "prune",
        doc: "Remove unused Docker data with `docker system prune -f`: stopped containers, unused networks and \
              dangling images, optionally all unused images and anonymous volumes. Runs on every deploy.",
        args: &[
            arg("all", "bool", Dflt::Bool(false), "Remove all unused images, not just dangling ones (`-a`)."),
            arg("volumes", "bool", Dflt::Bool(false), "Also prune anonymous volumes (`--volumes`)."),
            arg("filter", "str", Dflt::Str(""), "Filter expression, e.g. `until=24h` or `label=key=value`."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "plugin",
        doc: "Install, configure, enable, disable or remove a Docker plugin. A missing plugin is installed \
              with all permissions granted. For an installed one, differing `plugin_options` are applied \
              with `docker plugin set` (disabling it meanwhile), otherwise only its enabled state is \
              corrected; nothing runs when it already matches.",
        args: &[
            arg("plugin", "str", Dflt::Required, "Plugin reference, e.g. `vieux/sshfs:latest`."),
            arg("alias", "str | None", Dflt::None, "Local name for the plugin; it is then managed under this name."),
            arg("present", "bool", Dflt::Bool(true), "Whether the plugin should be installed."),
            arg("enabled", "bool", Dflt::Bool(true), "Whether the plugin should be enabled."),
            arg(
                "plugin_options",
                "dict[str, str] | None",
                Dflt::None,
                "Settings for the plugin, name mapped to value.",
            ),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "login",
        doc: "Log in to a container registry with `docker login`. Skipped when the registry already has an \
              entry in the user's Docker `config.json` (unless `force`, e.g. after a password change). The \
              password is fed through standard input and masked in logs.",
        args: &[
            arg("username", "str", Dflt::Required, "User name for the registry."),
            arg("password", "str", Dflt::Required, "Password or access token; kept out of the command line."),
            arg("server", "str | None", Dflt::None, "Registry to log in to; Docker Hub when not given."),
            arg("force", "bool", Dflt::Bool(false), "Log in even if credentials for the registry are already stored."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "logout",
        doc: "Log out of a container registry with `docker logout`. Does nothing when the user's Docker \
              `config.json` holds no entry for that registry.",
        args: &[arg("server", "str | None", Dflt::None, "Registry to log out of; Docker Hub when not given.")],
        ..Operation::NEW
    },
    Operation {
        name: "compose",
        doc: "Bring a Docker Compose project up (`up -d`) or tear it down (`down`). The compose command runs on \
              every deploy; Compose itself leaves unchanged services alone, so repeating it is cheap. The \
              global `_env` and `_chdir` arguments work as usual, e.g. for variable interpolation.",
        args: &[
            arg("project_directory", "str", Dflt::Required, "Project directory on the host (`--project-directory`)."),
            arg(
                "files",
                "str | list[str] | None",
                Dflt::None,
                "Compose file(s) to use (`-f`), replacing the default file discovery.",
            ),
            arg(
                "project_name",
                "str | None",
                Dflt::None,
                "Project name (`--project-name`); Compose's default otherwise.",
            ),
            arg("present", "bool", Dflt::Bool(true), "True runs `up -d`, false runs `down`."),
            enum_arg(
                "pull",
                "str | None",
                &["always", "missing", "never"],
                Dflt::None,
                "Image pull policy for `up` (`--pull`); other values are rejected.",
            ),
            arg("build", "bool", Dflt::Bool(false), "Build images before starting (`--build`)."),
            arg(
                "force_recreate",
                "bool",
                Dflt::Bool(false),
                "Recreate containers even if unchanged (`--force-recreate`).",
            ),
            arg(
                "remove_orphans",
                "bool",
                Dflt::Bool(true),
                "Remove containers of services no longer defined (`--remove-orphans`).",
            ),
            arg("remove_volumes", "bool", Dflt::Bool(false), "Also remove named volumes on `down` (`-v`)."),
            arg(
                "compose_command",
                "str",
                Dflt::Str("docker compose"),
                "Compose command to run, e.g. `docker-compose` for Compose v1.",
            ),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "container_exec",
        doc: "Run a command inside an existing, running container with `docker exec`. A string command goes \
              through the container's `sh -c` (so pipes and redirects work); a list is passed as the argument \
              vector without a shell. Not idempotent: it runs on every deploy.",
        args: &[
            arg("container", "str", Dflt::Required, "Name or ID of the container."),
            arg(
                "command",
                "str | list[str]",
                Dflt::Required,
                "Shell command string, or argument list run without a shell.",
            ),
            arg("user", "str | None", Dflt::None, "User to run the command as (`--user`)."),
            arg("workdir", "str | None", Dflt::None, "Working directory inside the container (`--workdir`)."),
            arg(
                "env",
                "dict[str, str] | None",
                Dflt::None,
                "Environment variables for the command, name mapped to value.",
            ),
            arg("detach", "bool", Dflt::Bool(false), "Run the command in the background (`--detach`)."),
            arg("privileged", "bool", Dflt::Bool(false), "Give the command extended privileges (`--privileged`)."),
            arg("tty", "bool", Dflt::Bool(false), "Allocate a pseudo-terminal (`--tty`)."),
        ],
        ..Operation::NEW
    },
];
