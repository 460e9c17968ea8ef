//! `pyinfra.facts.hardware`: schema only for now.

use crate::schema::Fact;

/// The facts of `hardware`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "CpuInfo",
        doc: "The CPU description from `lscpu`, field name mapped to its text value (e.g. `Architecture`, \
              `Model name`, `CPU(s)`); the `Flags` field is split into a list of flag names.",
        returns: "dict[str, str | list[str]] | None",
        ..Fact::NEW
    },
    Fact {
        name: "Cpus",
        doc: "The number of online processors, from `getconf NPROCESSORS_ONLN`; None when it cannot be read.",
        returns: "int",
        ..Fact::NEW
    },
    Fact {
        name: "Memory",
        doc: "Total installed memory in MB, computed from `vmstat -s` (directly on Linux, from page counts \
              and page size on the BSDs); None when it cannot be determined.",
        returns: "int | None",
        ..Fact::NEW
    },
    Fact {
        name: "BlockDevices",
        doc: "The mounted filesystems reported by `df`, keyed by device: each with `blocks`, `used`, \
              `available`, `used_percent` and `mount`, all as strings.",
        returns: "dict[str, dict[str, str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "NetworkDevices",
        doc: "The network interfaces, keyed by name, from `ip` (JSON or text) or `ifconfig`. Each has a \
              `state` and, when known, `ether` (MAC address), `mtu`, and `ipv4`/`ipv6` dicts with `address`, \
              `mask_bits`, `netmask`/`broadcast` and any further addresses under `additional_ips`.",
        returns: "dict[str, dict[str, Any]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Ipv4Addrs",
        doc: "Derived from `hardware.NetworkDevices`: every IPv4 address of each interface, interface name \
              mapped to a list; interfaces without IPv4 are left out.",
        returns: "dict[str, list[str]]",
        ..Fact::NEW
    },
    Fact {
        name: "Ipv6Addrs",
        doc: "Derived from `hardware.NetworkDevices`: every IPv6 address of each interface, interface name \
              mapped to a list; interfaces without IPv6 are left out.",
        returns: "dict[str, list[str]]",
        ..Fact::NEW
    },
    Fact {
        name: "Ipv4Addresses",
        doc: "Derived from `hardware.NetworkDevices`: the primary IPv4 address of each interface that has \
              one. Legacy (only one address per interface); prefer `hardware.Ipv4Addrs`.",
        returns: "dict[str, str]",
        ..Fact::NEW
    },
    Fact {
        name: "Ipv6Addresses",
        doc: "Derived from `hardware.NetworkDevices`: the primary IPv6 address of each interface that has \
              one. Legacy (only one address per interface); prefer `hardware.Ipv6Addrs`.",
        returns: "dict[str, str]",
        ..Fact::NEW
    },
];
