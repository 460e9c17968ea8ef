//! Docker helpers: image-reference parsing and the container-create argument list.

use crate::args::Args;
use crate::plan::{CommandBuilder, ErrorKind, PlanError};
use crate::value::{Value, py_str, truthy};

/// The parts of `[HOST[:PORT]/]NAMESPACE/REPOSITORY[:TAG][@DIGEST]` the operations look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    /// The tag (`latest` when neither tag nor digest is given; may be empty for `name:`).
    pub tag: Option<String>,
    /// The digest after `@` (may be empty for `name@`).
    pub digest: Option<String>,
}

fn value_error(message: String) -> PlanError {
    PlanError::new(ErrorKind::ValueError, message)
}

/// Checks the `HOST[:PORT]` part of a reference as pyinfra does (port must be 0..=65535).
fn check_registry(registry: &str) -> Result<(), PlanError> {
    let Some((_, port)) = registry.rsplit_once(':') else {
        return Ok(());
    };
    if port.is_empty() {
        return Err(value_error(format!("Invalid registry format '{registry}': port cannot be empty")));
    }
    let number: i64 = port.trim().parse().map_err(|_| {
        value_error(format!("Invalid port in registry '{registry}': '{port}' is not a valid port number"))
    })?;
    if !(0..=65535).contains(&number) {
        return Err(value_error(format!("Invalid port number: {number}. Port must be between 0 and 65535")));
    }
    Ok(())
}

/// pyinfra's `parse_image_reference`, keeping only tag and digest but raising the same errors.
pub fn parse_image_reference(image: &str) -> Result<ImageReference, PlanError> {
    let mut rest = image.trim();
    if rest.is_empty() {
        return Err(value_error("Image reference cannot be empty".into()));
    }
    let mut digest = None;
    if let Some((name, d)) = rest.rsplit_once('@') {
        rest = name;
        digest = Some(d.to_string());
    }
    let mut tag = None;
    // A colon followed by a `/` belongs to the registry (host:port), not to a tag.
    if let Some((name, t)) = rest.rsplit_once(':')
        && !t.contains('/')
    {
        rest = name;
        tag = Some(t.to_string());
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let repository = match parts.as_slice() {
        [repo] => *repo,
        [first, repo] => {
            if first.contains('.') || first.contains(':') {
                check_registry(first)?;
            }
            *repo
        }
        [first, .., repo] => {
            check_registry(first)?;
            *repo
        }
        [] => "",
    };
    if repository.is_empty() {
        return Err(value_error(format!("Invalid image reference: no repository found in '{image}'")));
    }
    if tag.is_none() && digest.is_none() {
        tag = Some("latest".into());
    }
    Ok(ImageReference { tag, digest })
}

/// Python iteration over a list argument (`x or []`): list items, or the characters of a string.
pub fn items(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(py_str).collect(),
        Value::String(s) => s.chars().map(String::from).collect(),
        Value::Object(o) => o.keys().cloned().collect(),
        _ => vec![],
    }
}

/// `key=value` for each item of a mapping argument (`None`/empty -> nothing).
pub fn pairs(v: &Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.iter().map(|(k, v)| format!("{k}={}", py_str(v))).collect(),
        _ => vec![],
    }
}

/// Appends `flag value` (value quoted) for every item.
pub fn repeated(mut cmd: CommandBuilder, flag: &str, values: &[String]) -> CommandBuilder {
    for v in values {
        cmd = cmd.word(flag).quoted(v);
    }
    cmd
}

/// Appends `flag value` when the argument is not None.
fn when_given(cmd: CommandBuilder, flag: &str, v: &Value) -> CommandBuilder {
    if v.is_null() { cmd } else { cmd.word(flag).quoted(&py_str(v)) }
}

/// `docker container create --name <container> ...` from the `docker.container` arguments.
pub fn create_container(a: &Args, container: &str) -> Result<CommandBuilder, PlanError> {
    let image = a.get("image");
    if !truthy(image) {
        return Err(PlanError::op("Docker image not specified"));
    }
    let mut cmd = CommandBuilder::new().word("docker container create --name").quoted(container);
    for (flag, name) in
        [("--network", "networks"), ("-p", "ports"), ("-v", "volumes"), ("--mount", "mounts"), ("-e", "env_vars")]
    {
        cmd = repeated(cmd, flag, &items(a.get(name)));
    }
    cmd = repeated(cmd, "--env-file", &items(a.get("env_files")));
    cmd = repeated(cmd, "--label", &items(a.get("labels")));
    if a.flag("pull_always") {
        cmd = cmd.word("--pull always");
    }
    if a.flag("restart_policy") {
        cmd = cmd.word("--restart").quoted(&py_str(a.get("restart_policy")));
    }
    if a.flag("auto_remove") {
        cmd = cmd.word("--rm");
    }
    if a.flag("privileged") {
        cmd = cmd.word("--privileged");
    }
    for (flag, name) in
        [("--hostname", "hostname"), ("--entrypoint", "entrypoint"), ("--user", "user"), ("--cpus", "cpus")]
    {
        cmd = when_given(cmd, flag, a.get(name));
    }
    cmd = when_given(cmd, "--memory", a.get("memory"));
    for extra in items(a.get("extra_args")) {
        cmd = cmd.quoted(&extra);
    }
    cmd = repeated(cmd, "--dns", &items(a.get("dns")));
    cmd = cmd.quoted(&py_str(image));
    // The container command is split into argv by Docker, so it goes in unquoted.
    if a.flag("command") {
        cmd = cmd.word(py_str(a.get("command")));
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(image: &str) -> (Option<String>, Option<String>) {
        let r = parse_image_reference(image).expect("valid reference");
        (r.tag, r.digest)
    }

    #[test]
    fn tags_and_digests() {
        assert_eq!(parts("nginx"), (Some("latest".into()), None));
        assert_eq!(parts("registry.io:5000/app"), (Some("latest".into()), None));
        assert_eq!(parts("registry.io:5000/ns/app:1.2"), (Some("1.2".into()), None));
        assert_eq!(parts("nginx:1.21@sha256:abc"), (Some("1.21".into()), Some("sha256:abc".into())));
        assert_eq!(parts("nginx@sha256:abc"), (None, Some("sha256:abc".into())));
    }

    #[test]
    fn bad_references() {
        assert!(parse_image_reference("  ").is_err());
        assert!(parse_image_reference("reg.io:99999/app").is_err());
        assert!(parse_image_reference("reg.io:x/ns/app").is_err());
        assert!(parse_image_reference("ns/").is_err());
    }
}
