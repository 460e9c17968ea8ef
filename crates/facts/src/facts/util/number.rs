//! Python's number parsing (`int(text, base)`), for parsers that follow pyinfra's conversions.

/// Python's `int(text, radix)`: surrounding whitespace, a sign, a `0x` prefix (base 16) and single
/// `_` between digits are accepted; anything else is pyinfra's `ValueError`.
pub fn py_int(text: &str, radix: u32) -> Result<i64, String> {
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

#[cfg(test)]
mod tests {
    use super::py_int;

    #[test]
    fn python_ints() {
        assert_eq!(py_int("0006", 16), Ok(6));
        assert_eq!(py_int("0xff", 16), Ok(255));
        assert_eq!(py_int(" 1_0 ", 10), Ok(10));
        assert_eq!(py_int("-3", 10), Ok(-3));
        assert!(py_int("zz", 16).is_err());
        assert!(py_int("1__0", 10).is_err());
        assert!(py_int("", 10).is_err());
    }
}
