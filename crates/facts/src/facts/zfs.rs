//! `pyinfra.facts.zfs`: schema only for now.

use crate::schema::Fact;

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
        ..Fact::NEW
    },
    Fact {
        name: "ZfsDatasets",
        doc: "Every ZFS dataset (filesystems, volumes and snapshots) with all its properties, from \
              `zfs get -H all`: dataset name mapped to property name -> value (as strings; `type` tells the \
              kind). Only gathered when the `zfs` kernel module is loaded.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "ZfsFilesystems",
        doc: "The entries of `ZfsDatasets` whose `type` is `filesystem`, with their properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "ZfsSnapshots",
        doc: "The entries of `ZfsDatasets` whose `type` is `snapshot` (`dataset@name`), with their properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "ZfsVolumes",
        doc: "The entries of `ZfsDatasets` whose `type` is `volume`, with their properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Pools",
        doc: "Old name of `ZfsPools` (same fact): every pool mapped to its properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Datasets",
        doc: "Old name of `ZfsDatasets` (same fact): every dataset mapped to its properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Filesystems",
        doc: "Old name of `ZfsFilesystems` (same fact): the filesystem datasets with their properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Snapshots",
        doc: "Old name of `ZfsSnapshots` (same fact): the snapshots with their properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Volumes",
        doc: "Old name of `ZfsVolumes` (same fact): the volume datasets with their properties.",
        returns: PROPS,
        default: "{}",
        ..Fact::NEW
    },
];
