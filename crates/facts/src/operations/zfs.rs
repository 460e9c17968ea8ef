//! `pyinfra.operations.zfs`: ZFS datasets, snapshots, volumes and filesystems.

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Arg, ArgKind, Dflt, Operation, arg, var_arg};
use crate::value::{Map, Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Create, destroy and set properties of ZFS datasets: filesystems, volumes and snapshots.";

/// `properties`: the property dict every operation merges with its extra keywords.
const PROPERTIES: Arg = arg(
    "properties",
    "dict[str, str] | None",
    Dflt::None,
    "ZFS properties to set, e.g. `{\"com.sun:auto_snapshot\": \"true\"}`.",
);
/// `**extra_props`: properties given as keywords.
const EXTRA_PROPS: Arg = var_arg(
    "extra_props",
    ArgKind::VarKwargs,
    "More properties as keywords (`compression=\"lz4\"`), merged over `properties`.",
);
/// `present`: whether the dataset should exist.
const PRESENT: Arg = arg("present", "bool", Dflt::Bool(true), "Whether the dataset should exist (False: destroy it).");
/// `recursive`: `-p` on create, `-r` on destroy.
const RECURSIVE: Arg =
    arg("recursive", "bool", Dflt::Bool(false), "Create missing parents (`-p`) / destroy children too (`-r`).");

/// The operations of `zfs`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "dataset",
        doc: "Make a ZFS dataset exist with the given properties, or destroy it. A missing dataset is made \
              with `zfs create` (a volume when `volume_size` is given); for an existing one, `zfs set` is \
              run only for properties whose current value differs (values are compared as the strings ZFS \
              reports). Snapshot names (`pool/fs@snap`) work for setting properties and destroying.",
        args: &[
            arg("dataset_name", "str", Dflt::Required, "Full dataset name, e.g. `tank/srv`."),
            PRESENT,
            RECURSIVE,
            arg("sparse", "bool | None", Dflt::None, "For a new volume: do not reserve its space (`-s`)."),
            arg("volume_size", "str | int | None", Dflt::None, "Create a volume of this size (`-V`, e.g. `32G`)."),
            PROPERTIES,
            EXTRA_PROPS,
        ],
        planner: Some(dataset),
        ..Operation::NEW
    },
    Operation {
        name: "snapshot",
        doc: "Take a ZFS snapshot (`zfs snap`) if it does not exist yet, optionally of all child datasets \
              too. For an existing snapshot, differing properties are set; `present=False` destroys it. \
              Existing snapshots are never retaken.",
        args: &[
            arg("snapshot_name", "str", Dflt::Required, "Snapshot name as `dataset@snapshot`."),
            PRESENT,
            arg("recursive", "bool", Dflt::Bool(false), "Also snapshot all descendant datasets (`-r`) when creating."),
            PROPERTIES,
            EXTRA_PROPS,
        ],
        planner: Some(snapshot),
        ..Operation::NEW
    },
    Operation {
        name: "volume",
        doc: "Make a ZFS volume (block device) of the given size exist, or destroy it; works like \
              `zfs.dataset` with `volume_size`. The size only applies at creation: an existing volume is \
              not resized, only its differing properties are set.",
        args: &[
            arg("volume_name", "str", Dflt::Required, "Full volume name, e.g. `tank/vm-disks/db01`."),
            arg("size", "str | int", Dflt::Required, "Size of a new volume, e.g. `32G`."),
            arg("sparse", "bool", Dflt::Bool(false), "Do not reserve the volume's space (thin provisioning)."),
            PRESENT,
            RECURSIVE,
            PROPERTIES,
            EXTRA_PROPS,
        ],
        planner: Some(volume),
        ..Operation::NEW
    },
    Operation {
        name: "filesystem",
        doc: "Make a ZFS filesystem exist with the given properties (e.g. `mountpoint`, `compression`), or \
              destroy it; works like `zfs.dataset` without a volume size.",
        args: &[
            arg("fs_name", "str", Dflt::Required, "Full filesystem name, e.g. `tank/home`."),
            PRESENT,
            RECURSIVE,
            PROPERTIES,
            EXTRA_PROPS,
        ],
        planner: Some(filesystem),
        ..Operation::NEW
    },
];

/// `{**(properties or {}), **extra_props}`: the properties mapping, then the extra keywords.
fn merged_properties(a: &Args) -> Map<String, Value> {
    let mut props = a.get("properties").as_object().cloned().unwrap_or_default();
    props.extend(a.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    props
}

/// `-o 'prop=value'` pairs for each property.
fn option_words(props: &Map<String, Value>) -> Vec<String> {
    props.iter().flat_map(|(k, v)| ["-o".to_string(), quote(&format!("{k}={}", py_str(v)))]).collect()
}

fn dataset(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = py_str(a.get("dataset_name"));
    let present = a.flag("present");
    let noop_msg = format!("{name} is already {}", if present { "present" } else { "absent" });
    let properties = merged_properties(a);
    let datasets = ctx.fact("zfs.ZfsDatasets", &[])?;
    let existing = datasets.get(&name).filter(|d| truthy(d)).cloned();
    match (present, existing) {
        (true, None) => {
            let mut words = vec!["zfs create".to_string()];
            words.extend(option_words(&properties));
            if a.flag("recursive") {
                words.push("-p".into());
            }
            if a.flag("sparse") {
                words.push("-s".into());
            }
            if a.flag("volume_size") {
                words.extend(["-V".into(), quote(&py_str(a.get("volume_size")))]);
            }
            words.push(quote(&name));
            ctx.change(format!("create {name}"));
            ctx.shell(words.join(" "));
        }
        (true, Some(existing)) => {
            let changed: Vec<String> = properties
                .iter()
                .filter(|(k, v)| existing.get(k.as_str()) != Some(v))
                .map(|(k, v)| quote(&format!("{k}={}", py_str(v))))
                .collect();
            if changed.is_empty() {
                ctx.noop(noop_msg);
            } else {
                ctx.change(format!("set properties of {name}"));
                ctx.shell(format!("zfs set {} {}", changed.join(" "), quote(&name)));
            }
        }
        (false, Some(_)) => {
            let recursive = if a.flag("recursive") { " -r" } else { "" };
            ctx.change(format!("destroy {name}"));
            ctx.shell(format!("zfs destroy{recursive} {}", quote(&name)));
        }
        (false, None) => ctx.noop(noop_msg),
    }
    Ok(())
}

fn snapshot(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = py_str(a.get("snapshot_name"));
    let properties = merged_properties(a);
    let snapshots = ctx.fact("zfs.ZfsSnapshots", &[])?;
    if snapshots.get(&name).is_some() || !a.flag("present") {
        return crate::nested(
            ctx,
            "zfs.dataset",
            &[
                ("dataset_name", json!(name)),
                ("present", a.get("present").clone()),
                ("properties", Value::Object(properties)),
            ],
        );
    }
    let mut words = vec!["zfs snap".to_string()];
    words.extend(option_words(&properties));
    if a.flag("recursive") {
        words.push("-r".into());
    }
    words.push(quote(&name));
    ctx.change(format!("snapshot {name}"));
    ctx.shell(words.join(" "));
    Ok(())
}

fn volume(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    crate::nested(
        ctx,
        "zfs.dataset",
        &[
            ("dataset_name", a.get("volume_name").clone()),
            ("volume_size", a.get("size").clone()),
            ("present", a.get("present").clone()),
            ("sparse", a.get("sparse").clone()),
            ("recursive", a.get("recursive").clone()),
            ("properties", Value::Object(merged_properties(a))),
        ],
    )
}

fn filesystem(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    crate::nested(
        ctx,
        "zfs.dataset",
        &[
            ("dataset_name", a.get("fs_name").clone()),
            ("present", a.get("present").clone()),
            ("recursive", a.get("recursive").clone()),
            ("properties", Value::Object(merged_properties(a))),
        ],
    )
}
