//! `pyinfra.operations.docker`: containers, images, volumes, networks, plugins, logins and Compose.

use crate::args::Args;
use crate::operations::util::docker::{create_container, items, pairs, parse_image_reference, repeated};
use crate::plan::{CommandBuilder, Ctx, ErrorKind, PlanError};
use crate::schema::{Dflt, Operation, arg, enum_arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Manage Docker on the host: containers, images, builds, volumes, networks, plugins, \
                       registry logins and Compose stacks, all driven through the `docker` CLI.";

/// The operations of `docker`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "container",
        doc: "Create, start, stop or remove a named container. A missing container is created from the given \
              settings (and started when `start` is true); an existing one is removed when `present=False`, \
              started or stopped to match `start`, and recreated only with `force`. Caveats: changing \
              settings such as ports or volumes of an existing container does not recreate it on its own \
              (use `force=True`), and as `start` defaults to true, removing a stopped or missing container \
              also emits `docker container start`; pass `start=False` with `present=False`.",
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
        planner: Some(container),
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
        planner: Some(image),
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
        planner: Some(build),
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
        planner: Some(volume),
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
        planner: Some(network),
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
        planner: Some(prune),
        ..Operation::NEW
    },
    Operation {
        name: "plugin",
        doc: "Install, configure, enable, disable or remove a Docker plugin. A missing plugin is installed \
              with all permissions granted. For an installed one, `plugin_options` that differ from the \
              plugin's `Settings.Env` are applied with `docker plugin set` (disabling it meanwhile); as \
              Docker reports `Env` as a list, given options practically always count as different. \
              Otherwise only the enabled state is corrected, and nothing runs when it already matches.",
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
        planner: Some(plugin),
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
        planner: Some(login),
        ..Operation::NEW
    },
    Operation {
        name: "logout",
        doc: "Log out of a container registry with `docker logout`. Does nothing when the user's Docker \
              `config.json` holds no entry for that registry.",
        args: &[arg("server", "str | None", Dflt::None, "Registry to log out of; Docker Hub when not given.")],
        planner: Some(logout),
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
        planner: Some(compose),
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
        planner: Some(container_exec),
        ..Operation::NEW
    },
];

/// Registry `docker login`/`logout` use when no server is given.
const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";

/// Emits a built command.
fn emit(ctx: &mut Ctx<'_>, cmd: CommandBuilder) {
    ctx.shell(cmd.build());
}

/// `<words> <quoted value>`, the shape of most docker commands; also said as the change.
fn simple(ctx: &mut Ctx<'_>, words: &str, value: &str) {
    ctx.change(format!("{} {value}", words.trim_start_matches("docker ")));
    emit(ctx, CommandBuilder::new().word(words).quoted(value));
}

/// The single-object inspect fact for `object_id`.
fn inspect(ctx: &Ctx<'_>, fact: &str, object_id: &str) -> Result<Value, PlanError> {
    ctx.fact(fact, &[("object_id", Value::String(object_id.into()))])
}

/// `data[key]`, failing like Python's KeyError/TypeError on a missing key.
fn index<'v>(data: &'v Value, key: &str) -> Result<&'v Value, PlanError> {
    data.get(key).ok_or_else(|| PlanError::new(ErrorKind::TypeError, format!("KeyError: '{key}'")))
}

fn container(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = a.str("container")?;
    let existent = inspect(ctx, "docker.DockerContainer", &name)?;
    let first = existent.get(0).filter(|c| truthy(c));
    let is_running = match first {
        Some(c) => index(index(c, "State")?, "Status")? == "running",
        None => false,
    };
    let exists = truthy(&existent);
    let present = a.flag("present");
    let start = a.flag("start");
    // pyinfra never diffs the spec against the running container, so only `force` recreates.
    let recreating = exists && a.flag("force");
    let removing = exists && !present;

    if recreating || removing {
        simple(ctx, "docker container rm -f", &name);
    }
    if (present && !exists) || recreating {
        let cmd = create_container(a, &name)?;
        ctx.change(format!("create container {name}"));
        emit(ctx, cmd);
    }
    if start && (recreating || !is_running) {
        simple(ctx, "docker container start", &name);
    }
    if !start && !removing && is_running {
        simple(ctx, "docker container stop", &name);
    }
    Ok(())
}

fn image(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let image = a.str("image")?;
    let info = parse_image_reference(&image)?;
    if !a.flag("present") {
        if truthy(&inspect(ctx, "docker.DockerImage", &image)?) {
            simple(ctx, "docker image rm", &image);
        } else {
            ctx.noop(format!("There is no {image} image!"));
        }
        return Ok(());
    }
    if a.flag("force") {
        simple(ctx, "docker image pull", &image);
        return Ok(());
    }
    let exists = truthy(&inspect(ctx, "docker.DockerImage", &image)?);
    let digest = info.digest.filter(|d| !d.is_empty());
    let tag = info.tag.unwrap_or_default();
    if let Some(digest) = digest {
        if exists {
            ctx.noop(format!("Image with digest {digest} already exists!"));
            return Ok(());
        }
    } else if tag != "latest" && !tag.is_empty() && exists {
        ctx.noop(format!("Image with tag {tag} already exists!"));
        return Ok(());
    }
    // Untagged and `latest` references are pulled every time to stay fresh.
    simple(ctx, "docker image pull", &image);
    Ok(())
}

fn build(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if !a.flag("path") {
        return Err(PlanError::op("docker.build requires a context path"));
    }
    let tags = a.list("tags");
    if !tags.is_empty() && !a.flag("force") {
        let mut missing = false;
        for tag in &tags {
            missing |= !truthy(&inspect(ctx, "docker.DockerImage", tag)?);
        }
        if !missing {
            ctx.noop(format!("Image(s) {} already exist!", tags.join(", ")));
            return Ok(());
        }
    }
    let mut cmd = CommandBuilder::new().word(py_str(a.get("build_cmd")));
    if a.flag("builder") {
        cmd = cmd.word("--builder").quoted(&py_str(a.get("builder")));
    }
    cmd = repeated(cmd, "-t", &tags);
    if a.flag("dockerfile") {
        cmd = cmd.word("-f").quoted(&py_str(a.get("dockerfile")));
    }
    cmd = repeated(cmd, "--build-arg", &pairs(a.get("build_args")));
    cmd = repeated(cmd, "--label", &pairs(a.get("labels")));
    for (flag, name) in [("--target", "target"), ("--platform", "platform"), ("--network", "network")] {
        if a.flag(name) {
            cmd = cmd.word(flag).quoted(&py_str(a.get(name)));
        }
    }
    cmd = repeated(cmd, "--cache-from", &a.list("cache_from"));
    cmd = repeated(cmd, "--cache-to", &a.list("cache_to"));
    cmd = repeated(cmd, "--secret", &items(a.get("secrets")));
    if a.flag("pull") {
        cmd = cmd.word("--pull");
    }
    if a.flag("no_cache") {
        cmd = cmd.word("--no-cache");
    }
    cmd = cmd.quoted(&py_str(a.get("path")));
    emit(ctx, cmd);
    Ok(())
}

/// Python's `value != ""` on a string argument.
fn non_empty(a: &Args, name: &str) -> bool {
    a.get(name).as_str() != Some("")
}

fn volume(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = a.str("volume")?;
    let existent = inspect(ctx, "docker.DockerVolume", &name)?;
    if a.flag("present") {
        if truthy(&existent) {
            ctx.noop("Volume already exists!");
            return Ok(());
        }
        let mut cmd = CommandBuilder::new().word("docker volume create").quoted(&name);
        if non_empty(a, "driver") {
            cmd = cmd.word("-d").quoted(&py_str(a.get("driver")));
        }
        cmd = repeated(cmd, "--label", &items(a.get("labels")));
        cmd = repeated(cmd, "--opt", &items(a.get("options")));
        ctx.change(format!("create volume {name}"));
        emit(ctx, cmd);
    } else if existent.is_null() {
        ctx.noop(format!("There is no {name} volume!"));
    } else {
        simple(ctx, "docker volume rm", &name);
    }
    Ok(())
}

fn network(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = a.str("network")?;
    let existent = inspect(ctx, "docker.DockerNetwork", &name)?;
    if !a.flag("present") {
        if existent.is_null() {
            ctx.noop(format!("Network {name} does not exist!"));
        } else {
            simple(ctx, "docker network rm", &name);
        }
        return Ok(());
    }
    if truthy(&existent) {
        ctx.noop(format!("Network {name} already exists!"));
        return Ok(());
    }
    let mut cmd = CommandBuilder::new().word("docker network create").quoted(&name);
    for (flag, arg) in [
        ("-d", "driver"),
        ("--gateway", "gateway"),
        ("--ip-range", "ip_range"),
        ("--ipam-driver", "ipam_driver"),
        ("--subnet", "subnet"),
        ("--scope", "scope"),
    ] {
        if non_empty(a, arg) {
            cmd = cmd.word(flag).quoted(&py_str(a.get(arg)));
        }
    }
    if a.flag("ingress") {
        cmd = cmd.word("--ingress");
    }
    if a.flag("attachable") {
        cmd = cmd.word("--attachable");
    }
    cmd = repeated(cmd, "--aux-address", &pairs(a.get("aux_addresses")));
    cmd = repeated(cmd, "--opt", &items(a.get("opts")));
    cmd = repeated(cmd, "--ipam-opt", &items(a.get("ipam_opts")));
    cmd = repeated(cmd, "--label", &items(a.get("labels")));
    ctx.change(format!("create network {name}"));
    emit(ctx, cmd);
    Ok(())
}

fn prune(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut cmd = CommandBuilder::new().word("docker system prune");
    if a.flag("all") {
        cmd = cmd.word("-a");
    }
    if non_empty(a, "filter") {
        cmd = cmd.quoted(&format!("--filter={}", py_str(a.get("filter"))));
    }
    if a.flag("volumes") {
        cmd = cmd.word("--volumes");
    }
    emit(ctx, cmd.word("-f"));
    Ok(())
}

/// Python `==` between a fact value and an argument (`True == 1`).
fn py_eq(x: &Value, y: &Value) -> bool {
    let num = |v: &Value| match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    match (num(x), num(y)) {
        (Some(p), Some(q)) => p == q,
        _ => x == y,
    }
}

fn plugin(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let plugin = a.str("plugin")?;
    let name = if a.flag("alias") { py_str(a.get("alias")) } else { plugin.clone() };
    let fact = inspect(ctx, "docker.DockerPlugin", &name)?;
    let existent = if truthy(&fact) { fact.get(0).cloned().unwrap_or(Value::Null) } else { fact };
    let enabled = a.flag("enabled");
    let options = a.get("plugin_options");

    if !a.flag("present") {
        if truthy(&existent) {
            simple(ctx, "docker plugin rm -f", &name);
        } else {
            ctx.noop(format!("Plugin '{name}' is not installed."));
        }
        return Ok(());
    }
    if !truthy(&existent) {
        let mut cmd =
            CommandBuilder::new().word("docker plugin install").quoted(&plugin).word("--grant-all-permissions");
        if a.flag("alias") {
            cmd = cmd.word("--alias").quoted(&py_str(a.get("alias")));
        }
        if !enabled {
            cmd = cmd.word("--disable");
        }
        for option in pairs(options) {
            cmd = cmd.quoted(&option);
        }
        ctx.change(format!("install plugin {plugin}"));
        emit(ctx, cmd);
        return Ok(());
    }
    let options_differ = truthy(options) && index(index(&existent, "Settings")?, "Env")? != options;
    if options_differ {
        if truthy(index(&existent, "Enabled")?) {
            simple(ctx, "docker plugin disable", &name);
        }
        // pyinfra passes the current settings under a name its helper never reads, so only the
        // requested options are set.
        let mut cmd = CommandBuilder::new().word("docker plugin set").quoted(&name);
        for option in pairs(options) {
            cmd = cmd.quoted(&option);
        }
        emit(ctx, cmd);
        if enabled {
            simple(ctx, "docker plugin enable", &name);
        }
    } else if py_eq(index(&existent, "Enabled")?, a.get("enabled")) {
        let state = if enabled { "enabled" } else { "disabled" };
        ctx.noop(format!("Plugin '{name}' is already installed with the same options and {state}."));
    } else {
        simple(ctx, if enabled { "docker plugin enable" } else { "docker plugin disable" }, &name);
    }
    Ok(())
}

/// Whether `server` is among the registries of the `docker.DockerAuths` fact.
fn logged_in(ctx: &Ctx<'_>, server: &str) -> Result<bool, PlanError> {
    match ctx.fact("docker.DockerAuths", &[])? {
        Value::Array(auths) => Ok(auths.iter().any(|s| s.as_str() == Some(server))),
        Value::Object(auths) => Ok(auths.contains_key(server)),
        Value::String(s) => Ok(s.contains(server)),
        other => Err(PlanError::new(
            ErrorKind::TypeError,
            format!("argument of type '{}' is not iterable", crate::value::py_type_name(&other)),
        )),
    }
}

/// The `server` argument, or Docker Hub.
fn target_server(a: &Args) -> String {
    if a.flag("server") { py_str(a.get("server")) } else { DOCKER_HUB_SERVER.to_string() }
}

fn login(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if !a.flag("username") {
        return Err(PlanError::op("docker.login requires a username"));
    }
    if !a.flag("password") {
        return Err(PlanError::op("docker.login requires a password"));
    }
    let server = target_server(a);
    if !a.flag("force") && logged_in(ctx, &server)? {
        ctx.noop(format!("Already logged in to Docker registry {server}"));
        return Ok(());
    }
    let mut cmd = CommandBuilder::new()
        .word("printf '%s'")
        .secret(&py_str(a.get("password")))
        .word("| docker login --username")
        .quoted(&py_str(a.get("username")))
        .word("--password-stdin");
    if a.flag("server") {
        cmd = cmd.quoted(&server);
    }
    ctx.change(format!("log in to {server}"));
    emit(ctx, cmd);
    Ok(())
}

fn logout(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let server = target_server(a);
    if !logged_in(ctx, &server)? {
        ctx.noop(format!("Not logged in to Docker registry {server}"));
        return Ok(());
    }
    let mut cmd = CommandBuilder::new().word("docker logout");
    if a.flag("server") {
        cmd = cmd.quoted(&server);
    }
    emit(ctx, cmd);
    Ok(())
}

fn compose(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if !a.flag("project_directory") {
        return Err(PlanError::op("docker.compose requires a project_directory"));
    }
    let pull = a.get("pull");
    if !pull.is_null() && !matches!(pull.as_str(), Some("always" | "missing" | "never")) {
        return Err(PlanError::op(r#"docker.compose pull must be one of None, "always", "missing", "never""#));
    }
    let mut cmd = CommandBuilder::new()
        .word(py_str(a.get("compose_command")))
        .word("--project-directory")
        .quoted(&py_str(a.get("project_directory")));
    if a.flag("project_name") {
        cmd = cmd.word("--project-name").quoted(&py_str(a.get("project_name")));
    }
    cmd = repeated(cmd, "-f", &a.list("files"));
    if a.flag("present") {
        cmd = cmd.word("up -d");
        if truthy(pull) {
            cmd = cmd.word("--pull").word(py_str(pull));
        }
        if a.flag("build") {
            cmd = cmd.word("--build");
        }
        if a.flag("force_recreate") {
            cmd = cmd.word("--force-recreate");
        }
    } else {
        cmd = cmd.word("down");
        if a.flag("remove_volumes") {
            cmd = cmd.word("-v");
        }
    }
    if a.flag("remove_orphans") {
        cmd = cmd.word("--remove-orphans");
    }
    emit(ctx, cmd);
    Ok(())
}

fn container_exec(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if !a.flag("container") {
        return Err(PlanError::op("docker.container_exec requires a container"));
    }
    let command = a.get("command");
    if !truthy(command) {
        return Err(PlanError::op("docker.container_exec requires a command"));
    }
    let mut cmd = CommandBuilder::new().word("docker exec");
    for flag in ["detach", "privileged", "tty"] {
        if a.flag(flag) {
            cmd = cmd.word(format!("--{flag}"));
        }
    }
    for (flag, name) in [("--user", "user"), ("--workdir", "workdir")] {
        if !a.get(name).is_null() {
            cmd = cmd.word(flag).quoted(&py_str(a.get(name)));
        }
    }
    cmd = repeated(cmd, "--env", &pairs(a.get("env")));
    cmd = cmd.quoted(&py_str(a.get("container")));
    match command {
        Value::Array(argv) => {
            for word in argv {
                cmd = cmd.quoted(&py_str(word));
            }
        }
        other => cmd = cmd.word("sh -c").quoted(&py_str(other)),
    }
    emit(ctx, cmd);
    Ok(())
}
