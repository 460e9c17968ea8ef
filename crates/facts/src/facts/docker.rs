//! `pyinfra.facts.docker`: Docker daemon, objects and per-container details.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

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
        command: Some(|_| "docker system info --format=\"{{json .}}\"".into()),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerVersion",
        doc: "The line printed by `docker --version`, e.g. `Docker version 27.0.3, build 7d4bcd8`.",
        returns: "str",
        command: Some(|_| "docker --version".into()),
        requires: Some(requires_docker),
        parse: Some(parse_version),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainers",
        doc: "The full `docker container inspect` record of every container on the host, running or not; an \
              empty list when there are none.",
        returns: "list[dict[str, Any]]",
        command: Some(|_| {
            "ids=$(docker ps -qa) && [ -n \"$ids\" ] && docker container inspect $ids || echo \"[]\"".into()
        }),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerImages",
        doc: "The full `docker image inspect` record of every local image; an empty list when there are none.",
        returns: "list[dict[str, Any]]",
        command: Some(|_| {
            "ids=$(docker images -q) && [ -n \"$ids\" ] && docker image inspect $ids || echo \"[]\"".into()
        }),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerNetworks",
        doc: "The full `docker network inspect` record of every Docker network on the host.",
        returns: "list[dict[str, Any]]",
        command: Some(|_| "docker network inspect `docker network ls -q`".into()),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerVolumes",
        doc: "The full `docker volume inspect` record of every Docker volume on the host.",
        returns: "list[dict[str, Any]]",
        command: Some(|_| "docker volume inspect `docker volume ls -q`".into()),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerPlugins",
        doc: "The full `docker plugin inspect` record of every installed plugin; an empty list when there are \
              none.",
        returns: "list[dict[str, Any]]",
        command: Some(|_| {
            "ids=$(docker plugin ls -q) && [ -n \"$ids\" ] && docker plugin inspect $ids || echo \"[]\"".into()
        }),
        requires: Some(requires_docker),
        parse: Some(parse_json),
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
        command: Some(|a| inspect_command("container", a)),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerImage",
        doc: "The `docker image inspect` output for one image reference: a list holding its record, or None \
              when the image is not present.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        command: Some(|a| inspect_command("image", a)),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerNetwork",
        doc: "The `docker network inspect` output for one network: a list holding its record, or None when \
              it does not exist.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        command: Some(|a| inspect_command("network", a)),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerVolume",
        doc: "The `docker volume inspect` output for one volume: a list holding its record, or None when it \
              does not exist.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        command: Some(|a| inspect_command("volume", a)),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerPlugin",
        doc: "The `docker plugin inspect` output for one plugin: a list holding its record (with `Enabled` \
              and `Settings`), or None when it is not installed.",
        args: OBJECT_ID,
        returns: "list[dict[str, Any]] | None",
        command: Some(|a| inspect_command("plugin", a)),
        requires: Some(requires_docker),
        parse: Some(parse_json),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerEnvs",
        doc: "Derived from `docker.DockerContainers`: each container's environment, keyed by container ID, \
              as a mapping of variable name to value.",
        returns: "dict[str, dict[str, str]]",
        short: Some(("docker.DockerContainers", container_envs)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerLabels",
        doc: "Derived from `docker.DockerContainers`: each container's labels, keyed by container ID.",
        returns: "dict[str, dict[str, str]]",
        short: Some(("docker.DockerContainers", container_labels)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerMounts",
        doc: "Derived from `docker.DockerContainers`: each container's list of mount records (type, source, \
              destination, ...), keyed by container ID.",
        returns: "dict[str, list[dict[str, Any]]]",
        short: Some(("docker.DockerContainers", container_mounts)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerNetworks",
        doc: "Derived from `docker.DockerContainers`: the networks each container is attached to (network name \
              mapped to its endpoint settings), keyed by container ID.",
        returns: "dict[str, dict[str, Any]]",
        short: Some(("docker.DockerContainers", container_networks)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerPorts",
        doc: "Derived from `docker.DockerContainers`: each container's port bindings (`80/tcp` mapped to its \
              host bindings), keyed by container ID.",
        returns: "dict[str, dict[str, Any]]",
        short: Some(("docker.DockerContainers", container_ports)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerImageLabels",
        doc: "Derived from `docker.DockerImages`: each image's labels, keyed by image ID.",
        returns: "dict[str, dict[str, str]]",
        short: Some(("docker.DockerImages", image_labels)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerImageLayers",
        doc: "Derived from `docker.DockerImages`: the layer digests of each image's root filesystem, keyed by \
              image ID.",
        returns: "dict[str, list[str]]",
        short: Some(("docker.DockerImages", image_layers)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerNetworkLabels",
        doc: "Derived from `docker.DockerNetworks`: each network's labels, keyed by network ID.",
        returns: "dict[str, dict[str, str]]",
        short: Some(("docker.DockerNetworks", network_labels)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerVolumeLabels",
        doc: "Derived from `docker.DockerVolumes`: each volume's labels, keyed by volume name.",
        returns: "dict[str, dict[str, str]]",
        short: Some(("docker.DockerVolumes", volume_labels)),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerFsChanges",
        doc: "The files changed in a container compared with its image (`docker container diff`): a list of \
              `{\"change\": \"A\" | \"C\" | \"D\", \"path\": ...}` entries.",
        args: CONTAINER_ID,
        returns: "list[dict[str, str]]",
        command: Some(|a| format!("docker container diff {} 2>&- || true", py_str(a.get("container_id")))),
        requires: Some(requires_docker),
        parse: Some(parse_fs_changes),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerProcesses",
        doc: "The processes running in a container (`docker container top`): one dict per process, keyed by \
              the `ps` column headers (`UID`, `PID`, `CMD`, ...).",
        args: CONTAINER_ID,
        returns: "list[dict[str, str]]",
        command: Some(|a| format!("docker container top {} 2>&- || true", py_str(a.get("container_id")))),
        requires: Some(requires_docker),
        parse: Some(parse_processes),
        ..Fact::NEW
    },
    Fact {
        name: "DockerContainerStats",
        doc: "A single snapshot of resource usage of every running container (`docker stats --no-stream`), one \
              dict per container (CPU and memory percentages, I/O, ...).",
        returns: "list[dict[str, Any]]",
        command: Some(|_| "docker stats --no-stream --format '{{json .}}'".into()),
        requires: Some(requires_docker),
        parse: Some(parse_json_lines),
        ..Fact::NEW
    },
    Fact {
        name: "DockerImageHistory",
        doc: "The build history of an image (`docker image history`), one dict per layer with the step that \
              created it, its size and age.",
        args: &[arg("image_id", "str", Dflt::Required, "Name or ID of the image.")],
        returns: "list[dict[str, Any]]",
        command: Some(|a| {
            format!(
                "docker image history --no-trunc --format '{{{{json .}}}}' {} 2>&- || true",
                py_str(a.get("image_id"))
            )
        }),
        requires: Some(requires_docker),
        parse: Some(parse_json_lines),
        ..Fact::NEW
    },
    Fact {
        name: "DockerAuths",
        doc: "The registries the connecting user has stored credentials for, i.e. the keys of `auths` in \
              `${DOCKER_CONFIG:-$HOME/.docker}/config.json`; empty when the file is missing or unreadable.",
        returns: "list[str]",
        command: Some(|_| {
            "config=\"${DOCKER_CONFIG:-$HOME/.docker}/config.json\"; [ -r \"$config\" ] && cat \"$config\" || echo \"{}\""
                .into()
        }),
        parse: Some(parse_auths),
        ..Fact::NEW
    },
];

/// Every docker fact needs the `docker` CLI.
fn requires_docker(_: &Args) -> Option<String> {
    Some("docker".into())
}

/// `docker <type> inspect <id>`, silenced so a missing object yields no output.
fn inspect_command(docker_type: &str, a: &Args) -> String {
    // pyinfra interpolates the id without quoting; kept for identical commands.
    format!("docker {docker_type} inspect {} 2>&- || true", py_str(a.get("object_id")))
}

/// Python's `json.loads("".join(output))`.
fn parse_json(f: &FactCtx<'_>) -> Result<Value, String> {
    serde_json::from_str(&f.output.concat()).map_err(|e| format!("JSONDecodeError: {e}"))
}

/// One JSON document per non-blank line.
fn parse_json_lines(f: &FactCtx<'_>) -> Result<Value, String> {
    f.output
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("JSONDecodeError: {e}")))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// The version line, newlines removed.
fn parse_version(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::String(f.output.concat().replace('\n', "")))
}

/// `C /path` lines of `docker container diff`.
fn parse_fs_changes(f: &FactCtx<'_>) -> Result<Value, String> {
    let changes = f
        .output
        .iter()
        .filter_map(|line| line.trim_end_matches('\n').split_once(' '))
        .map(|(change, path)| {
            let mut entry = Map::new();
            entry.insert("change".into(), Value::String(change.into()));
            entry.insert("path".into(), Value::String(path.into()));
            Value::Object(entry)
        })
        .collect();
    Ok(Value::Array(changes))
}

/// The `ps` table of `docker container top`: header words become the keys, and the last column
/// takes the rest of the line.
fn parse_processes(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut lines = f.output.iter().map(|l| l.trim_end_matches('\n')).filter(|l| !l.is_empty());
    let Some(header) = lines.next() else {
        return Ok(Value::Array(vec![]));
    };
    let header = py_split(header, None);
    let processes = lines
        .map(|line| {
            let mut fields = py_split(line, Some(header.len().saturating_sub(1)));
            fields.resize(fields.len().max(header.len()), "");
            // Python's zip stops at the shorter side, and later duplicate keys win.
            let mut row = Map::new();
            for (key, value) in header.iter().zip(fields) {
                row.insert((*key).to_string(), Value::String(value.to_string()));
            }
            Value::Object(row)
        })
        .collect();
    Ok(Value::Array(processes))
}

/// Python's `str.split(None, maxsplit)`: whitespace runs separate fields; once `maxsplit` splits
/// are done the remainder (leading whitespace dropped) is the last field.
fn py_split(s: &str, maxsplit: Option<usize>) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if maxsplit.is_some_and(|m| fields.len() == m) {
            fields.push(rest);
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        fields.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    fields
}

/// Registries with stored credentials: the keys of `auths` in the Docker config.
fn parse_auths(f: &FactCtx<'_>) -> Result<Value, String> {
    let Ok(data) = serde_json::from_str::<Value>(&f.output.concat()) else {
        return Ok(Value::Array(vec![]));
    };
    let Value::Object(data) = data else {
        return Err("AttributeError: config is not a JSON object".into());
    };
    match data.get("auths") {
        None => Ok(Value::Array(vec![])),
        Some(Value::Object(auths)) => Ok(Value::Array(auths.keys().map(|k| Value::String(k.clone())).collect())),
        Some(_) => Err("AttributeError: 'auths' is not a JSON object".into()),
    }
}

/// Python's `(obj.get(key) or {})`-style lookup: the value when truthy, else None.
fn get_truthy<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| crate::value::truthy(v))
}

/// `obj.get(a) or {}).get(b) or <empty>`, with `empty` the fallback.
fn nested_or(obj: &Value, outer: &str, inner: &str, empty: Value) -> Value {
    get_truthy(obj, outer).and_then(|o| get_truthy(o, inner)).cloned().unwrap_or(empty)
}

/// Builds `{item[id_key]: slice(item)}` over the parent's list (None ids become `null` keys).
fn keyed(data: &Value, id_key: &str, slice: impl Fn(&Value) -> Value) -> Value {
    let mut out = Map::new();
    for item in data.as_array().map(Vec::as_slice).unwrap_or_default() {
        let id = match item.get(id_key) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => py_str(other),
            None => "None".into(),
        };
        out.insert(id, slice(item));
    }
    Value::Object(out)
}

fn empty_map() -> Value {
    Value::Object(Map::new())
}

/// `KEY=value` environment entries of each container.
fn container_envs(data: &Value) -> Value {
    keyed(data, "Id", |c| {
        let mut env = Map::new();
        let entries = nested_or(c, "Config", "Env", Value::Array(vec![]));
        for entry in entries.as_array().map(Vec::as_slice).unwrap_or_default() {
            let entry = entry.as_str().unwrap_or_default();
            let (key, value) = entry.split_once('=').unwrap_or((entry, ""));
            env.insert(key.to_string(), Value::String(value.to_string()));
        }
        Value::Object(env)
    })
}

fn container_labels(data: &Value) -> Value {
    keyed(data, "Id", |c| nested_or(c, "Config", "Labels", empty_map()))
}

fn container_mounts(data: &Value) -> Value {
    keyed(data, "Id", |c| get_truthy(c, "Mounts").cloned().unwrap_or(Value::Array(vec![])))
}

fn container_networks(data: &Value) -> Value {
    keyed(data, "Id", |c| nested_or(c, "NetworkSettings", "Networks", empty_map()))
}

fn container_ports(data: &Value) -> Value {
    keyed(data, "Id", |c| nested_or(c, "NetworkSettings", "Ports", empty_map()))
}

/// Image labels, falling back to the legacy `ContainerConfig` labels.
fn image_labels(data: &Value) -> Value {
    keyed(data, "Id", |i| {
        let labels = nested_or(i, "Config", "Labels", Value::Null);
        if crate::value::truthy(&labels) { labels } else { nested_or(i, "ContainerConfig", "Labels", empty_map()) }
    })
}

fn image_layers(data: &Value) -> Value {
    keyed(data, "Id", |i| nested_or(i, "RootFS", "Layers", Value::Array(vec![])))
}

fn network_labels(data: &Value) -> Value {
    keyed(data, "Id", |n| get_truthy(n, "Labels").cloned().unwrap_or_else(empty_map))
}

fn volume_labels(data: &Value) -> Value {
    keyed(data, "Name", |v| get_truthy(v, "Labels").cloned().unwrap_or_else(empty_map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_python() {
        assert_eq!(py_split("  a  b c ", None), vec!["a", "b", "c"]);
        assert_eq!(py_split("a  b c d", Some(2)), vec!["a", "b", "c d"]);
        assert!(py_split("   ", Some(1)).is_empty());
    }

    #[test]
    fn short_process_rows_are_padded() {
        let output = vec!["UID PID CMD".to_string(), "root 1".to_string(), "".to_string()];
        let facts = crate::fact_source::NoFacts;
        let args = Args::default();
        let f = FactCtx { args: &args, output: &output, facts: &facts };
        let want = serde_json::json!([{"UID": "root", "PID": "1", "CMD": ""}]);
        assert_eq!(parse_processes(&f), Ok(want));
    }

    #[test]
    fn env_without_equals_is_empty_value() {
        let data = serde_json::json!([{"Id": "x", "Config": {"Env": ["A=1=2", "B"]}}]);
        assert_eq!(container_envs(&data), serde_json::json!({"x": {"A": "1=2", "B": ""}}));
    }
}
