//! Reading `gpg --with-colons` listings (pyinfra's `GpgFactBase` and `GpgKeyrings`), shared by
//! the gpg facts and `apt.AptKeys`.

use crate::value::{Map, Value};

/// `gpg --with-colons` output as `{key id: {validity, length, subkeys, fingerprint, uid_hash, uid}}`.
///
/// `key_type`/`subkey_type` are the record types of keys and subkeys (`pub`/`sub`, or `sec`/`ssb`
/// for secret keys). As in pyinfra, only the last subkey listed under a key is kept.
pub fn parse_keys(lines: &[String], key_type: &str, subkey_type: &str) -> Result<Value, String> {
    let mut keys: Vec<Map<String, Value>> = Vec::new();
    let mut key: Option<Map<String, Value>> = None;
    let mut subkey: Option<Map<String, Value>> = None;

    for line in lines.iter().filter(|l| !l.is_empty()) {
        let bits: Vec<&str> = line.split(':').collect();
        let field = |i: usize| bits.get(i).copied().ok_or_else(|| "list index out of range".to_string());
        if bits[0] == key_type || bits[0] == subkey_type {
            let mut details = Map::new();
            details.insert("validity".into(), field(1)?.into());
            let length = field(2)?;
            let length: i64 = length.trim().parse().map_err(|_| {
                format!("invalid literal for int() with base 10: {}", crate::value::py_repr_str(length))
            })?;
            details.insert("length".into(), length.into());
            details.insert("id".into(), field(4)?.into());
            if bits[0] == key_type {
                details.insert("subkeys".into(), Value::Array(vec![]));
                if let Some(done) = key.take() {
                    keys.push(with_subkey(done, subkey.take()));
                }
                key = Some(details);
                subkey = None;
            } else if key.is_some() {
                subkey = Some(details);
            }
        } else if let Some(target) = subkey.as_mut().or(key.as_mut()) {
            if bits[0] == "fpr" {
                target.insert("fingerprint".into(), field(9)?.into());
            } else if bits[0] == "uid" {
                target.insert("uid_hash".into(), field(7)?.into());
                target.insert("uid".into(), field(9)?.into());
            }
        }
    }
    if let Some(done) = key.take() {
        keys.push(with_subkey(done, subkey.take()));
    }

    let mut by_id = Map::new();
    for mut k in keys {
        let id = k.shift_remove("id").unwrap_or(Value::Null);
        if let Some(Value::Array(subs)) = k.get_mut("subkeys") {
            let mut subkeys = Map::new();
            for sub in std::mem::take(subs) {
                if let Value::Object(mut s) = sub {
                    let sid = s.shift_remove("id").unwrap_or(Value::Null);
                    subkeys.insert(crate::value::py_str(&sid), Value::Object(s));
                }
            }
            k.insert("subkeys".into(), Value::Object(subkeys));
        }
        by_id.insert(crate::value::py_str(&id), Value::Object(k));
    }
    Ok(Value::Object(by_id))
}

fn with_subkey(mut key: Map<String, Value>, subkey: Option<Map<String, Value>>) -> Map<String, Value> {
    if let (Some(sub), Some(Value::Array(subs))) = (subkey, key.get_mut("subkeys")) {
        subs.push(Value::Object(sub));
    }
    key
}

/// The command listing every keyring (`*.gpg`, `*.kbx`, `*.asc`) in `directories`, each preceded
/// by a `KEYRING:<path>` line.
pub fn keyrings_command(directories: &[String]) -> String {
    // pyinfra wraps the directories in double quotes without escaping them.
    let dirs = directories.iter().map(|d| format!("\"{d}\"")).collect::<Vec<_>>().join(" ");
    format!(
        "find {dirs} -type f \\( -name '*.gpg' -o -name '*.kbx' \\) 2>/dev/null \
         -exec sh -c 'echo \"KEYRING:$1\"; gpg --list-keys --with-colons --keyring \"$1\" --no-default-keyring \
         2>/dev/null || true' _ {{}} \\; ; find {dirs} -type f -name '*.asc' 2>/dev/null \
         -exec sh -c 'echo \"KEYRING:$1\"; gpg --with-colons \"$1\" 2>/dev/null || true' _ {{}} \\;"
    )
}

/// The output of [`keyrings_command`] as `{path: {format, keys}}` (`format`: the file extension).
pub fn parse_keyrings(lines: &[String]) -> Result<Value, String> {
    let mut keyrings = Map::new();
    let mut current: Option<String> = None;
    let mut output: Vec<String> = Vec::new();
    let mut flush = |current: &Option<String>, output: &mut Vec<String>| -> Result<(), String> {
        if let Some(path) = current.as_ref().filter(|_| !output.is_empty()) {
            let format = path.rsplit('.').next().unwrap_or_default().to_lowercase();
            let keys = parse_keys(output, "pub", "sub")?;
            let mut entry = Map::new();
            entry.insert("format".into(), format.into());
            entry.insert("keys".into(), keys);
            keyrings.insert(path.clone(), Value::Object(entry));
        }
        output.clear();
        Ok(())
    };
    for line in lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        match line.strip_prefix("KEYRING:") {
            Some(path) => {
                flush(&current, &mut output)?;
                current = Some(path.to_string()).filter(|p| !p.is_empty());
            }
            None => output.push(line.to_string()),
        }
    }
    flush(&current, &mut output)?;
    Ok(Value::Object(keyrings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn keys_with_subkeys() {
        let out = parse_keys(
            &lines(&[
                "pub:-:4096:1:AAA:1:::-:",
                "fpr:::::::::FPRA:",
                "uid:-::::1::H::Me <m@x>:",
                "sub:-:2048:1:S1:1::",
                "sub:e:2048:1:S2:1::",
                "fpr:::::::::FPRS2:",
            ]),
            "pub",
            "sub",
        )
        .expect("parses");
        assert_eq!(
            out,
            json!({"AAA": {"validity": "-", "length": 4096, "subkeys": {"S2": {"validity": "e", "length": 2048, "fingerprint": "FPRS2"}},
                           "fingerprint": "FPRA", "uid_hash": "H", "uid": "Me <m@x>"}})
        );
        assert!(parse_keys(&lines(&["pub:-:x:1:A"]), "pub", "sub").is_err());
    }

    #[test]
    fn keyrings_by_file() {
        let out =
            parse_keyrings(&lines(&["KEYRING:/k/a.ASC", "pub:-:1:1:A:", "KEYRING:/k/empty.gpg"])).expect("parses");
        assert_eq!(
            out,
            json!({"/k/a.ASC": {"format": "asc", "keys": {"A": {"validity": "-", "length": 1, "subkeys": {}}}}})
        );
    }
}
