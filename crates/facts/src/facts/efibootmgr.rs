//! `pyinfra.facts.efibootmgr`: UEFI boot variables as printed by `efibootmgr`.

use crate::fact_source::FactCtx;
use crate::facts::util::number::py_int;
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `efibootmgr`.
pub const FACTS: &[Fact] = &[Fact {
    name: "EFIBootMgr",
    doc: "The UEFI boot configuration as shown by `efibootmgr`: a dict with `BootNext`, `BootCurrent` and \
          `Timeout` (ints or None), `BootOrder` (list of entry numbers) and `Entries` (entry number mapped to \
          an `(active, description)` pair). None on systems without UEFI variables.",
    returns: "dict[str, int | list[int] | dict[int, tuple[bool, str]] | None] | None",
    command: Some(|_| "efibootmgr || true".into()),
    requires: Some(|_| Some("efibootmgr".into())),
    parse: Some(parse),
    ..Fact::NEW
}];

/// Python's `s[start:end]` on characters (`end` None: to the end; negative: from the end).
fn char_slice(s: &str, start: usize, end: Option<isize>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as isize;
    let stop = match end {
        None => len,
        Some(e) if e < 0 => (len + e).max(0),
        Some(e) => e.min(len),
    } as usize;
    chars.get(start.min(stop)..stop).map(|c| c.iter().collect()).unwrap_or_default()
}

/// Follows efibootmgr's print order: BootNext, BootCurrent, Timeout, BootOrder, then `BootXXXX` entries.
fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut lines = f.output.iter().map(String::as_str);
    // No output: not a UEFI system (efibootmgr complained on stderr).
    let Some(first) = lines.next() else { return Ok(Value::Null) };
    let mut line = Some(first);
    let mut info = Map::new();
    for key in ["BootNext", "BootCurrent"] {
        let mut value = Value::Null;
        if let Some(rest) = line.and_then(|l| l.strip_prefix(&format!("{key}: ") as &str)) {
            value = Value::from(py_int(rest, 16)?);
            line = lines.next();
        }
        info.insert(key.into(), value);
    }
    let mut timeout = Value::Null;
    if let Some(l) = line.filter(|l| l.starts_with("Timeout: ")) {
        timeout = Value::from(py_int(&char_slice(l, "Timeout: ".len(), Some(-(" seconds".len() as isize))), 10)?);
        line = lines.next();
    }
    info.insert("Timeout".into(), timeout);
    let mut order = Vec::new();
    if let Some(rest) = line.and_then(|l| l.strip_prefix("BootOrder: ")) {
        for n in rest.split(',') {
            order.push(Value::from(py_int(n, 16)?));
        }
        line = lines.next();
    }
    info.insert("BootOrder".into(), Value::Array(order));
    let mut entries = Map::new();
    while let Some(l) = line.filter(|l| l.starts_with("Boot")) {
        let number = py_int(&char_slice(l, 4, Some(8)), 16)?;
        let active = char_slice(l, 8, Some(9)) == "*";
        entries.insert(
            number.to_string(),
            Value::Array(vec![Value::Bool(active), Value::String(char_slice(l, 10, None))]),
        );
        line = lines.next();
    }
    info.insert("Entries".into(), Value::Object(entries));
    match line {
        Some(l) => Err(format!("ValueError: Unexpected line '{l}' while parsing")),
        None => Ok(Value::Object(info)),
    }
}

#[cfg(test)]
mod tests {
    use super::char_slice;

    #[test]
    fn python_slices() {
        assert_eq!(char_slice("Timeout: 2 seconds", 9, Some(-8)), "2");
        assert_eq!(char_slice("Boot", 4, Some(8)), "");
    }
}
