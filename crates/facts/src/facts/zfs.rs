//! `pyinfra.facts.zfs`: ZFS pools and datasets from `zpool get`/`zfs get`.

use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::{Map, Value};

/// Shape of every ZFS fact: object name -> property -> value.
const PROPS: &str = "dict[str, dict[str, str]]";

/// The facts of `zfs`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "ZfsPools",
        doc: "Every ZFS pool with all its properties, from `zpool get -H all`: pool name mapped to property \
              name -> value (as strings).",
        returns: PROPS,
        default: "{}",
        command: Some(|_| "zpool get -H all".into()),
        requires: Some(|_| Some("zpool".into())),
        parse: Some(parse_props),
        ..Fact::NEW
    },
    Fact {
        name: "ZfsDatasets",
        doc: "Every ZFS dataset (filesystems, volumes and snapshots) with all its properties, from \
              `zfs get -H all`: dataset name mapped to property name -> value (as strings; `type` tells the \
              kind). Only gathered when the `zfs` kernel module is loaded.",
        returns: PROPS,
        default: "{}",
        command: Some(|_| "zfs get -H all".into()),
        requires: Some(|_| Some("zfs".into())),
        parse: Some(parse_props),
        ..Fact::NEW
    },
    Fact {
        name: "ZfsFilesystems",
        doc: "The entries of `ZfsDatasets` whose `type` is `filesystem`, with their properties.",
        returns: PROPS,
        default: "{}",
        short: Some(("zfs.ZfsDatasets", filesystems)),
        ..Fact::NEW
    },
    Fact {
        name: "ZfsSnapshots",
        doc: "The entries of `ZfsDatasets` whose `type` is `snapshot` (`dataset@name`), with their properties.",
        returns: PROPS,
        default: "{}",
        short: Some(("zfs.ZfsDatasets", snapshots)),
        ..Fact::NEW
    },
    Fact {
        name: "ZfsVolumes",
        doc: "The entries of `ZfsDatasets` whose `type` is `volume`, with their properties.",
        returns: PROPS,
        default: "{}",
        short: Some(("zfs.ZfsDatasets", volumes)),
        ..Fact::NEW
    },
    Fact {
        name: "Pools",
        doc: "Old name of `ZfsPools` (same fact): every pool mapped to its properties.",
        returns: PROPS,
        default: "{}",
        command: Some(|_| "zpool get -H all".into()),
        requires: Some(|_| Some("zpool".into())),
        parse: Some(parse_props),
        ..Fact::NEW
    },
    Fact {
        name: "Datasets",
        doc: "Old name of `ZfsDatasets` (same fact): every dataset mapped to its properties.",
        returns: PROPS,
        default: "{}",
        command: Some(|_| "zfs get -H all".into()),
        requires: Some(|_| Some("zfs".into())),
        parse: Some(parse_props),
        ..Fact::NEW
    },
    Fact {
        name: "Filesystems",
        doc: "Old name of `ZfsFilesystems` (same fact): the filesystem datasets with their properties.",
        returns: PROPS,
        default: "{}",
        short: Some(("zfs.ZfsDatasets", filesystems)),
        ..Fact::NEW
    },
    Fact {
        name: "Snapshots",
        doc: "Old name of `ZfsSnapshots` (same fact): the snapshots with their properties.",
        returns: PROPS,
        default: "{}",
        short: Some(("zfs.ZfsDatasets", snapshots)),
        ..Fact::NEW
    },
    Fact {
        name: "Volumes",
        doc: "Old name of `ZfsVolumes` (same fact): the volume datasets with their properties.",
        returns: PROPS,
        default: "{}",
        short: Some(("zfs.ZfsDatasets", volumes)),
        ..Fact::NEW
    },
];

/// `name<TAB>property<TAB>value<TAB>source` lines to name -> property -> value.
fn parse_props(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut objects: Map<String, Value> = Map::new();
    for line in f.output {
        let [name, property, value, _source] = line.split('\t').collect::<Vec<_>>()[..] else {
            return Err(format!("ValueError: expected 4 tab-separated fields in {line:?}"));
        };
        if let Value::Object(props) = objects.entry(name).or_insert_with(|| Value::Object(Map::new())) {
            props.insert(property.to_string(), Value::String(value.to_string()));
        }
    }
    Ok(Value::Object(objects))
}

/// The datasets whose `type` property is `kind`.
fn of_type(data: &Value, kind: &str) -> Value {
    let picked = data
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, props)| props.get("type").and_then(Value::as_str) == Some(kind))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(picked)
}

fn filesystems(data: &Value) -> Value {
    of_type(data, "filesystem")
}

fn snapshots(data: &Value) -> Value {
    of_type(data, "snapshot")
}

fn volumes(data: &Value) -> Value {
    of_type(data, "volume")
}

#[cfg(test)]
mod tests {
    use super::{of_type, parse_props};
    use crate::args::Args;
    use crate::fact_source::{FactCtx, NoFacts};
    use serde_json::json;

    #[test]
    fn props_and_types() {
        let args = Args::default();
        let output = vec!["tank\ttype\tfilesystem\t-".to_string(), "tank@s\ttype\tsnapshot\t-".to_string()];
        let f = FactCtx { args: &args, output: &output, facts: &NoFacts };
        let data = parse_props(&f).unwrap_or_default();
        assert_eq!(of_type(&data, "snapshot"), json!({"tank@s": {"type": "snapshot"}}));
        let bad = vec!["tank\ttype".to_string()];
        assert!(parse_props(&FactCtx { args: &args, output: &bad, facts: &NoFacts }).is_err());
    }
}
