//! `hardware.NetworkDevices`: interfaces from `ip -j addr`, `ip addr` or `ifconfig -a`, following
//! pyinfra's regular expressions by hand (scanning the text in the same order they would).

use crate::fact_source::FactCtx;
use crate::facts::util::number::py_int;
use crate::facts::util::packaging::{is_space, take_run};
use crate::value::{Map, Value, py_str, truthy};

/// The `NetworkDevices` parser: JSON when the output starts with `[{`, else text.
pub fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    let head: String = f.output.iter().take(2).map(|l| l.trim()).collect();
    if head.starts_with("[{") {
        return from_json(f.output);
    }
    let text = f.output.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
    let mut devices = Map::new();
    for section in split_sections(&text) {
        if let Some(name) = device_name(section) {
            devices.insert(name.to_string(), Value::Object(section_info(section)?));
        }
    }
    Ok(Value::Object(devices))
}

/// pyinfra's `mask`: prefix length (decimal or `0x` hex mask) or dotted netmask -> (bits, netmask).
pub fn mask(value: &str) -> Result<(i64, String), String> {
    let bits =
        if value.starts_with("0x") { py_int(value, 16).map(|n| i64::from(n.count_ones())) } else { py_int(value, 10) };
    match bits {
        // Python raises ValueError on a negative shift, which sends it down the dotted path.
        Ok(bits) if bits >= 0 => {
            let octet = |b: u32| {
                let shifted = 0xFFFF_FFFF_u128 << (32 - b);
                let shifted = u32::try_from(bits).ok().and_then(|n| shifted.checked_shr(n)).unwrap_or(0);
                (shifted & 0xFF).to_string()
            };
            Ok((bits, [24, 16, 8, 0].map(octet).join(".")))
        }
        _ => {
            let mut total = 0;
            for part in value.split('.') {
                total += i64::from(py_int(part, 10)?.unsigned_abs().count_ones());
            }
            Ok((total, value.to_string()))
        }
    }
}

/// `ip -j addr show`: a JSON list of interfaces; undecodable output gives `{}`.
fn from_json(output: &[String]) -> Result<Value, String> {
    let decoded: Value = serde_json::from_str(&output.join("\n")).unwrap_or(Value::Array(Vec::new()));
    let mut result = Map::new();
    let interfaces: Vec<Value> = match decoded {
        Value::Array(items) => items,
        Value::Object(map) if map.is_empty() => Vec::new(),
        _ => return Err("AttributeError: decoded interface is not a dict".into()),
    };
    for info in &interfaces {
        let info = info.as_object().ok_or("AttributeError: decoded interface is not a dict")?;
        let state = info.get("operstate").filter(|s| truthy(s)).cloned().unwrap_or_else(|| "UNKNOWN".into());
        let mut device = Map::new();
        device.insert("state".into(), state);
        if let Some(ether) = info.get("address") {
            device.insert("ether".into(), ether.clone());
        }
        if let Some(mtu) = info.get("mtu") {
            device.insert("mtu".into(), mtu.clone());
        }
        let addrs = match info.get("addr_info") {
            None => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => return Err("TypeError: addr_info is not iterable".into()),
        };
        for addr in &addrs {
            let addr = addr.as_object().ok_or("TypeError: addr_info entry is not a dict")?;
            let family = match addr.get("family").and_then(Value::as_str) {
                Some("inet") => "ipv4",
                Some("inet6") => "ipv6",
                _ => continue,
            };
            let Some(local) = addr.get("local") else { continue };
            let mut block = Map::new();
            block.insert("address".into(), local.clone());
            if family == "ipv4" {
                block.insert("broadcast".into(), addr.get("broadcast").cloned().unwrap_or(Value::Null));
            }
            if let Some(prefix) = addr.get("prefixlen") {
                block.insert("mask_bits".into(), prefix.clone());
                if family == "ipv4" {
                    block.insert("netmask".into(), Value::String(mask(&py_str(prefix))?.1));
                }
            }
            add_address(&mut device, family, Value::Object(block));
        }
        if let Some(name) = info.get("ifname") {
            result.insert(py_str(name), Value::Object(device));
        }
    }
    Ok(Value::Object(result))
}

/// The first address of a family is the main one; later ones go under its `additional_ips`.
fn add_address(device: &mut Map<String, Value>, family: &str, block: Value) {
    match device.get_mut(family) {
        Some(Value::Object(main)) => {
            if let Value::Array(extra) = main.entry("additional_ips").or_insert_with(|| Value::Array(Vec::new())) {
                extra.push(block);
            }
        }
        _ => {
            device.insert(family.into(), block);
        }
    }
}

/// Python's `[^\s/:]`.
fn name_char(c: char) -> bool {
    !c.is_whitespace() && c != '/' && c != ':'
}

/// `\d+: [^\s/:]` or `[^\s/:]+:.*mtu ` at the start of a line: a new interface begins there.
fn starts_device(line: &str) -> bool {
    if let Some((_, rest)) = take_run(line, |c| c.is_ascii_digit())
        && let Some(rest) = rest.strip_prefix(": ")
        && rest.starts_with(name_char)
    {
        return true;
    }
    match take_run(line, name_char).and_then(|(_, rest)| rest.strip_prefix(':')) {
        Some(rest) => rest.split('\n').next().unwrap_or("").contains("mtu "),
        None => false,
    }
}

/// Splits the text at each newline that starts a new interface.
fn split_sections(text: &str) -> Vec<&str> {
    let mut sections = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        if starts_device(&text[i + 1..]) {
            sections.push(&text[start..i]);
            start = i + 1;
        }
    }
    sections.push(&text[start..]);
    sections
}

/// `^(?:\d+: )?([^\s/:]+):`.
fn device_name(section: &str) -> Option<&str> {
    let prefixed = take_run(section, |c| c.is_ascii_digit()).and_then(|(_, rest)| rest.strip_prefix(": "));
    prefixed.and_then(name_before_colon).or_else(|| name_before_colon(section))
}

/// `([^\s/:]+):` at the start of `s`.
fn name_before_colon(s: &str) -> Option<&str> {
    take_run(s, name_char).filter(|(_, rest)| rest.starts_with(':')).map(|(name, _)| name)
}

/// One address found by the ip/ifconfig patterns.
struct Found<'a> {
    address: &'a str,
    mask: &'a str,
    broadcast: Option<&'a str>,
}

/// A pattern tried at a position: the bytes it consumed and what it captured.
type Matcher = for<'a> fn(&'a str) -> Option<(usize, Found<'a>)>;

/// `\d+`.
fn digits(s: &str) -> Option<(&str, &str)> {
    take_run(s, |c| c.is_ascii_digit())
}

/// `\s+` (the rest after it).
fn spaces(s: &str) -> Option<&str> {
    take_run(s, is_space).map(|(_, rest)| rest)
}

/// `\d+\.\d+\.\d+\.\d+`.
fn quad(s: &str) -> Option<(&str, &str)> {
    let mut rest = s;
    for i in 0..4 {
        rest = digits(rest)?.1;
        if i < 3 {
            rest = rest.strip_prefix('.')?;
        }
    }
    Some((&s[..s.len() - rest.len()], rest))
}

/// `inet A/MASK(?: metric \d+)?(?: brd B)?` (ip addr).
fn ipv4_ip(s: &str) -> Option<(usize, Found<'_>)> {
    let (address, rest) = quad(s.strip_prefix("inet ")?)?;
    let (mask, mut rest) = digits(rest.strip_prefix('/')?)?;
    if let Some((_, r)) = rest.strip_prefix(" metric ").and_then(digits) {
        rest = r;
    }
    let mut broadcast = None;
    if let Some((b, r)) = rest.strip_prefix(" brd ").and_then(quad) {
        broadcast = Some(b);
        rest = r;
    }
    Some((s.len() - rest.len(), Found { address, mask, broadcast }))
}

/// `inet A\s+netmask\s+(QUAD|[0-9a-fA-FxX]+)(?:\s+broadcast\s+B)?` (ifconfig).
fn ipv4_ifconfig(s: &str) -> Option<(usize, Found<'_>)> {
    let (address, rest) = quad(s.strip_prefix("inet ")?)?;
    let rest = spaces(spaces(rest)?.strip_prefix("netmask")?)?;
    let (mask, mut rest) = quad(rest).or_else(|| take_run(rest, |c| c.is_ascii_hexdigit() || c == 'x' || c == 'X'))?;
    let mut broadcast = None;
    if let Some((b, r)) = spaces(rest).and_then(|r| r.strip_prefix("broadcast")).and_then(spaces).and_then(quad) {
        broadcast = Some(b);
        rest = r;
    }
    Some((s.len() - rest.len(), Found { address, mask, broadcast }))
}

/// `[0-9a-fA-F:]+`.
fn ipv6_address(s: &str) -> Option<(&str, &str)> {
    take_run(s, |c| c.is_ascii_hexdigit() || c == ':')
}

/// `inet6\s+A/MASK` (ip addr).
fn ipv6_ip(s: &str) -> Option<(usize, Found<'_>)> {
    let (address, rest) = ipv6_address(spaces(s.strip_prefix("inet6")?)?)?;
    let (mask, rest) = digits(rest.strip_prefix('/')?)?;
    Some((s.len() - rest.len(), Found { address, mask, broadcast: None }))
}

/// `inet6\s+A\s+prefixlen\s+MASK` (ifconfig).
fn ipv6_ifconfig(s: &str) -> Option<(usize, Found<'_>)> {
    let (address, rest) = ipv6_address(spaces(s.strip_prefix("inet6")?)?)?;
    let (mask, rest) = digits(spaces(spaces(rest)?.strip_prefix("prefixlen")?)?)?;
    Some((s.len() - rest.len(), Found { address, mask, broadcast: None }))
}

/// Python's `finditer`: every non-overlapping match, scanning left to right.
fn find_all(text: &str, matcher: Matcher) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        match matcher(&text[pos..]) {
            Some((len, m)) if len > 0 => {
                found.push(m);
                pos += len;
            }
            _ => pos += text[pos..].chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

/// The matches of the first pattern that matches at all.
fn first_matching<'a>(text: &'a str, matchers: &[Matcher]) -> Vec<Found<'a>> {
    matchers.iter().map(|m| find_all(text, *m)).find(|f| !f.is_empty()).unwrap_or_default()
}

/// `ether` followed by 17 MAC address characters.
fn find_ether(section: &str) -> Option<&str> {
    section.match_indices("ether ").find_map(|(i, m)| {
        let rest = &section[i + m.len()..];
        let len: usize =
            rest.chars().take(17).take_while(|c| c.is_ascii_hexdigit() || *c == ':').map(char::len_utf8).sum();
        (len == 17).then(|| &rest[..17])
    })
}

/// `mtu` followed by a number.
fn find_mtu(section: &str) -> Option<&str> {
    section.match_indices("mtu ").find_map(|(i, m)| digits(&section[i + m.len()..]).map(|(d, _)| d))
}

/// Main address with the others under `additional_ips`.
fn with_additional(mut blocks: Vec<Map<String, Value>>) -> Option<Value> {
    if blocks.is_empty() {
        return None;
    }
    let mut main = blocks.remove(0);
    if !blocks.is_empty() {
        main.insert("additional_ips".into(), Value::Array(blocks.into_iter().map(Value::Object).collect()));
    }
    Some(Value::Object(main))
}

/// Everything pyinfra reads from one interface's text block.
fn section_info(section: &str) -> Result<Map<String, Value>, String> {
    let state = if section.contains("UP") {
        "UP"
    } else if section.contains("DOWN") {
        "DOWN"
    } else {
        "UNKNOWN"
    };
    let mut info = Map::new();
    info.insert("state".into(), state.into());
    if let Some(ether) = find_ether(section) {
        info.insert("ether".into(), ether.into());
    }
    if let Some(mtu) = find_mtu(section) {
        info.insert("mtu".into(), py_int(mtu, 10)?.into());
    }
    let mut v4 = Vec::new();
    for m in first_matching(section, &[ipv4_ip, ipv4_ifconfig]) {
        let (bits, netmask) = mask(m.mask)?;
        let mut block = Map::new();
        block.insert("address".into(), m.address.into());
        block.insert("mask_bits".into(), bits.into());
        block.insert("netmask".into(), netmask.into());
        block.insert("broadcast".into(), m.broadcast.map_or(Value::Null, Value::from));
        v4.push(block);
    }
    if let Some(v) = with_additional(v4) {
        info.insert("ipv4".into(), v);
    }
    let mut v6 = Vec::new();
    for m in first_matching(section, &[ipv6_ip, ipv6_ifconfig]) {
        let mut block = Map::new();
        block.insert("address".into(), m.address.into());
        block.insert("mask_bits".into(), py_int(m.mask, 10)?.into());
        v6.push(block);
    }
    if let Some(v) = with_additional(v6) {
        info.insert("ipv6".into(), v);
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::{device_name, mask, split_sections};

    #[test]
    fn masks() {
        assert_eq!(mask("24"), Ok((24, "255.255.255.0".into())));
        assert_eq!(mask("0xffffff00"), Ok((24, "255.255.255.0".into())));
        assert_eq!(mask("255.255.0.0"), Ok((16, "255.255.0.0".into())));
        assert!(mask("ffffff00").is_err());
    }

    #[test]
    fn sections_and_names() {
        let text = "1: lo: <LOOPBACK,UP> mtu 65536\ninet 127.0.0.1/8\n2: eth0: <UP> mtu 1500\nlink/ether x";
        let sections = split_sections(text);
        assert_eq!(sections.len(), 2);
        assert_eq!(device_name(sections[1]), Some("eth0"));
        assert_eq!(device_name("en0: flags=8863<UP> mtu 1500"), Some("en0"));
        assert_eq!(device_name("[%^&"), None);
    }
}
