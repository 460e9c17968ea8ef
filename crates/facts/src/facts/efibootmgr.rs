//! `pyinfra.facts.efibootmgr`: UEFI boot variables as printed by `efibootmgr`.

use crate::fact_source::FactCtx;
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

/// Python's `int(text, radix)`: surrounding whitespace, a sign, `0x` (base 16) and `_` are allowed.
fn py_int(text: &str, radix: u32) -> Result<i64, String> {
    let invalid = || format!("ValueError: invalid literal for int() with base {radix}: '{text}'");
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = if radix == 16 { t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t) } else { t };
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return Err(invalid());
    }
    let n = i64::from_str_radix(&t.replace('_', ""), radix).map_err(|_| invalid())?;
    Ok(if negative { -n } else { n })
}

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
    use super::{char_slice, py_int};

    #[test]
    fn python_ints_and_slices() {
        assert_eq!(py_int("0006", 16), Ok(6));
        assert_eq!(py_int(" 1_0 ", 10), Ok(10));
        assert!(py_int("zz", 16).is_err());
        assert_eq!(char_slice("Timeout: 2 seconds", 9, Some(-8)), "2");
        assert_eq!(char_slice("Boot", 4, Some(8)), "");
    }
}
