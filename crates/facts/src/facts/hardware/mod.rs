//! `pyinfra.facts.hardware`: CPUs, memory, block devices and network interfaces.

mod network;

use crate::fact_source::FactCtx;
use crate::facts::util::number::py_int;
use crate::facts::util::packaging::{is_space, take_run};
use crate::schema::Fact;
use crate::value::{Map, Value, truthy};

/// The facts of `hardware`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "CpuInfo",
        doc: "The CPU description from `lscpu`, field name mapped to its text value (e.g. `Architecture`, \
              `Model name`, `CPU(s)`); the `Flags` field is split into a list of flag names.",
        returns: "dict[str, str | list[str]] | None",
        command: Some(|_| "LANG=C lscpu".into()),
        requires: Some(|_| Some("lscpu".into())),
        parse: Some(parse_cpu_info),
        ..Fact::NEW
    },
    Fact {
        name: "Cpus",
        doc: "The number of online processors, from `getconf NPROCESSORS_ONLN`; None when it cannot be read.",
        returns: "int",
        command: Some(|_| "getconf NPROCESSORS_ONLN 2> /dev/null || getconf _NPROCESSORS_ONLN".into()),
        parse: Some(parse_cpus),
        ..Fact::NEW
    },
    Fact {
        name: "Memory",
        doc: "Total installed memory in MB, computed from `vmstat -s` (directly on Linux, from page counts \
              and page size on the BSDs); None when it cannot be determined.",
        returns: "int | None",
        command: Some(|_| "LANG=C vmstat -s".into()),
        requires: Some(|_| Some("vmstat".into())),
        parse: Some(parse_memory),
        ..Fact::NEW
    },
    Fact {
        name: "BlockDevices",
        doc: "The mounted filesystems reported by `df`, keyed by device: each with `blocks`, `used`, \
              `available`, `used_percent` and `mount`, all as strings.",
        returns: "dict[str, dict[str, str]]",
        default: "{}",
        command: Some(|_| "df".into()),
        parse: Some(parse_block_devices),
        ..Fact::NEW
    },
    Fact {
        name: "NetworkDevices",
        doc: "The network interfaces, keyed by name, from `ip` (JSON or text) or `ifconfig`. Each has a \
              `state` and, when known, `ether` (MAC address), `mtu`, and `ipv4`/`ipv6` dicts with `address`, \
              `mask_bits`, `netmask`/`broadcast` and any further addresses under `additional_ips`.",
        returns: "dict[str, dict[str, Any]]",
        default: "{}",
        command: Some(|_| "ip -j addr show 2> /dev/null || ip addr show 2> /dev/null || ifconfig -a".into()),
        parse: Some(network::parse),
        ..Fact::NEW
    },
    Fact {
        name: "Ipv4Addrs",
        doc: "Derived from `hardware.NetworkDevices`: every IPv4 address of each interface, interface name \
              mapped to a list; interfaces without IPv4 are left out.",
        returns: "dict[str, list[str]]",
        short: Some(("hardware.NetworkDevices", ipv4_addrs)),
        ..Fact::NEW
    },
    Fact {
        name: "Ipv6Addrs",
        doc: "Derived from `hardware.NetworkDevices`: every IPv6 address of each interface, interface name \
              mapped to a list; interfaces without IPv6 are left out.",
        returns: "dict[str, list[str]]",
        short: Some(("hardware.NetworkDevices", ipv6_addrs)),
        ..Fact::NEW
    },
    Fact {
        name: "Ipv4Addresses",
        doc: "Derived from `hardware.NetworkDevices`: the primary IPv4 address of each interface that has \
              one. Legacy (only one address per interface); prefer `hardware.Ipv4Addrs`.",
        returns: "dict[str, str]",
        short: Some(("hardware.NetworkDevices", ipv4_addresses)),
        ..Fact::NEW
    },
    Fact {
        name: "Ipv6Addresses",
        doc: "Derived from `hardware.NetworkDevices`: the primary IPv6 address of each interface that has \
              one. Legacy (only one address per interface); prefer `hardware.Ipv6Addrs`.",
        returns: "dict[str, str]",
        short: Some(("hardware.NetworkDevices", ipv6_addresses)),
        ..Fact::NEW
    },
];

/// `Field: value` lines of `lscpu`; fields whose name contains `flag` are split into lists.
fn parse_cpu_info(f: &FactCtx<'_>) -> Result<Value, String> {
    if f.output.is_empty() {
        return Ok(Value::Null);
    }
    let mut info = Map::new();
    for line in f.output {
        let mut parts = line.split(':');
        let key = parts.next().unwrap_or("").trim();
        // Only the text up to a second `:` is kept, as pyinfra does.
        let value = parts.next().ok_or("IndexError: list index out of range")?.trim();
        let data = if key.to_lowercase().contains("flag") {
            Value::Array(value.split_whitespace().map(Value::from).collect())
        } else {
            Value::from(value)
        };
        info.insert(key.to_string(), data);
    }
    Ok(Value::Object(info))
}

/// The first line as an integer, or None.
fn parse_cpus(f: &FactCtx<'_>) -> Result<Value, String> {
    let first = f.output.first().ok_or("IndexError: list index out of range")?;
    Ok(py_int(first, 10).map_or(Value::Null, Value::from))
}

/// Python's `float()` of a `vmstat -s` number.
fn py_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let plain = !t.is_empty() && !t.starts_with('_') && !t.ends_with('_') && !t.contains("__");
    plain.then(|| t.replace('_', "").parse().ok()).flatten()
}

/// `vmstat -s`: `NUMBER description` lines to description -> number.
fn vmstat_numbers(output: &[String]) -> Result<Map<String, Value>, String> {
    let mut data = Map::new();
    for line in output {
        let line = line.trim();
        let (value, key) = line.split_once(' ').ok_or("ValueError: not enough values to unpack")?;
        if let Some(n) = py_float(value) {
            data.insert(key.trim().to_string(), Value::from(n));
        }
    }
    Ok(data)
}

/// Total memory in MB: Linux reports it; the BSDs give pages and the page size.
fn parse_memory(f: &FactCtx<'_>) -> Result<Value, String> {
    let data = vmstat_numbers(f.output)?;
    let num = |k: &str| data.get(k).and_then(Value::as_f64);
    let mut total =
        num("K total memory").or_else(|| if data.contains_key("K total memory") { None } else { num("total memory") });
    if !total.is_some_and(|t| t != 0.0) {
        let bytes_per_page = num("bytes per page");
        let mut pages = num("pages managed");
        // FreeBSD has no "pages managed": add up the page categories instead.
        if !pages.is_some_and(|p| p != 0.0) {
            let keys =
                ["pages active", "pages inactive", "pages wired down", "pages free", "pages in the laundry queue"];
            let counts: Vec<f64> = keys.iter().map(|k| num(k).unwrap_or(0.0)).collect();
            if counts.iter().any(|c| *c != 0.0) {
                pages = Some(counts.iter().sum());
            }
        }
        if let (Some(b), Some(p)) = (bytes_per_page.filter(|b| *b != 0.0), pages.filter(|p| *p != 0.0)) {
            total = Some(p * b / 1024.0);
        }
    }
    match total.filter(|t| *t != 0.0) {
        // Python's round() rounds halves to even.
        Some(t) if (t / 1024.0).is_finite() => Ok(Value::from((t / 1024.0).round_ties_even() as i64)),
        Some(_) => Err("ValueError: cannot convert float to integer".into()),
        None => Ok(Value::Null),
    }
}

/// pyinfra's `df` line pattern: device, blocks, used, available, use% and mount point.
fn df_line(line: &str) -> Option<[&str; 6]> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_');
    let (device, rest) = take_run(line, path_char)?;
    let mut rest = rest;
    let mut numbers = [""; 4];
    for slot in &mut numbers {
        let (_, r) = take_run(rest, is_space)?;
        let (n, r) = take_run(r, |c| c.is_ascii_digit())?;
        *slot = n;
        rest = r;
    }
    let [blocks, used, available, percent] = numbers;
    let rest = rest.strip_prefix('%').filter(|_| percent.len() <= 3)?;
    let (_, rest) = take_run(rest, is_space)?;
    let (mount, _) = take_run(rest, path_char)?;
    Some([device, blocks, used, available, percent, mount])
}

/// The mounted filesystems of `df` (devices named `none` are skipped).
fn parse_block_devices(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut devices = Map::new();
    for line in f.output {
        let Some([device, blocks, used, available, percent, mount]) = df_line(line) else { continue };
        if device == "none" {
            continue;
        }
        let mut info = Map::new();
        for (k, v) in
            [("blocks", blocks), ("used", used), ("available", available), ("used_percent", percent), ("mount", mount)]
        {
            info.insert(k.into(), v.into());
        }
        devices.insert(device.to_string(), Value::Object(info));
    }
    Ok(Value::Object(devices))
}

/// The interfaces having an address of `family`, with that family's details.
fn with_family<'a>(data: &'a Value, family: &'a str) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
    data.as_object().into_iter().flatten().filter_map(move |(name, details)| {
        let ip = details.get(family).filter(|ip| truthy(ip))?;
        ip.get("address").filter(|a| truthy(a)).map(|_| (name, ip))
    })
}

/// Interface -> every address of `family` (main one first).
fn all_addrs(data: &Value, family: &str) -> Value {
    let mut result = Map::new();
    for (name, ip) in with_family(data, family) {
        let mut ips = vec![ip.get("address").cloned().unwrap_or(Value::Null)];
        if let Some(extra) = ip.get("additional_ips") {
            ips.extend(
                extra.as_array().into_iter().flatten().map(|e| e.get("address").cloned().unwrap_or(Value::Null)),
            );
        }
        result.insert(name.clone(), Value::Array(ips));
    }
    Value::Object(result)
}

/// Interface -> main address of `family`.
fn main_addr(data: &Value, family: &str) -> Value {
    Value::Object(
        with_family(data, family)
            .map(|(name, ip)| (name.clone(), ip.get("address").cloned().unwrap_or(Value::Null)))
            .collect(),
    )
}

fn ipv4_addrs(data: &Value) -> Value {
    all_addrs(data, "ipv4")
}

fn ipv6_addrs(data: &Value) -> Value {
    all_addrs(data, "ipv6")
}

fn ipv4_addresses(data: &Value) -> Value {
    main_addr(data, "ipv4")
}

fn ipv6_addresses(data: &Value) -> Value {
    main_addr(data, "ipv6")
}

#[cfg(test)]
mod tests {
    use super::{df_line, py_float};

    #[test]
    fn df_lines() {
        assert_eq!(df_line("/dev/sda1 500 100 400  36% /"), Some(["/dev/sda1", "500", "100", "400", "36", "/"]));
        assert_eq!(df_line("Filesystem 1K-blocks Used Available Use% Mounted on"), None);
        assert_eq!(df_line("/dev/x 1 2 3 1000% /"), None);
    }

    #[test]
    fn floats() {
        assert_eq!(py_float("4096"), Some(4096.0));
        assert_eq!(py_float("cache"), None);
    }
}
