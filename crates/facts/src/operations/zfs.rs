//! `pyinfra.operations.zfs`: schema only for now.

use crate::schema::{Arg, ArgKind, Dflt, Operation, arg, var_arg};

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
        ..Operation::NEW
    },
];
