//! `pyinfra.facts.podman`: podman system information and containers.

use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::Value;

/// The facts of `podman`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PodmanSystemInfo",
        doc: "Everything `podman system info` reports (host, store, registries, versions, ...), as the \
              parsed JSON object. None when podman is not installed.",
        returns: "dict[str, Any]",
        command: Some(|_| "podman system info --format=json".into()),
        requires: Some(|_| Some("podman".into())),
        parse: Some(|f| parse_json(f, Value::is_object, "dict")),
        ..Fact::NEW
    },
    Fact {
        name: "PodmanPs",
        doc: "One JSON record per container from `podman ps --all`, running or not (with `Names`, `Image`, \
              `State`, ...). None when podman is not installed.",
        returns: "list[dict[str, Any]]",
        command: Some(|_| "podman ps --format=json --all".into()),
        requires: Some(|_| Some("podman".into())),
        parse: Some(|f| parse_json(f, Value::is_array, "list")),
        ..Fact::NEW
    },
];

/// The joined output as JSON, which must be of the expected kind (pyinfra asserts it).
fn parse_json(f: &FactCtx<'_>, is_kind: fn(&Value) -> bool, kind: &str) -> Result<Value, String> {
    let data: Value = serde_json::from_str(&f.output.concat()).map_err(|e| format!("JSONDecodeError: {e}"))?;
    if is_kind(&data) { Ok(data) } else { Err(format!("AssertionError: podman output is not a {kind}")) }
}
