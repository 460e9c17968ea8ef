//! `pyinfra.facts.opkg`: schema only for now.

use crate::schema::Fact;

/// The facts of `opkg`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "OpkgConf",
        doc: "The settings of `/etc/opkg.conf` as a named tuple `(paths, list_dir, options, arch_cfg)`: \
              install destinations by name (`dest` lines), the package-list directory (`lists_dir`), \
              `option` lines (a bare option is True), and architecture priorities (`arch` lines).",
        returns: "tuple[dict[str, str], str, dict[str, str | bool], dict[str, int]]",
        default: "[{}, \"\", {}, {}]",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgFeeds",
        doc: "The package feeds configured in `/etc/opkg/distfeeds.conf` and `customfeeds.conf`: feed name \
              mapped to a named tuple `(url, fmt, kind)`, where `fmt` is e.g. `src/gz` and `kind` is \
              `distribution` or `custom` depending on the file.",
        returns: "dict[str, tuple[str, str, str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgInstallableArchitectures",
        doc: "The architectures `opkg print-architecture` accepts packages for, each mapped to its priority.",
        returns: "dict[str, int]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgPackages",
        doc: "The installed packages, from `opkg list-installed`: package name mapped to the set of installed \
              versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "OpkgUpgradeablePackages",
        doc: "The installed packages that have a newer version available (`opkg list-upgradable`): name \
              mapped to a named tuple `(installed, available)` of versions. Empty when the command fails.",
        returns: "dict[str, tuple[str, str]]",
        default: "{}",
        ..Fact::NEW
    },
];
