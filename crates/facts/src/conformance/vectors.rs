//! Finding and loading vector files (YAML, a superset of the JSON they are written in).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::value::Value;

/// Every `<target>/<case>.{json,yaml,yml}` below `base`, grouped by target, sorted.
pub fn list(base: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let Ok(dirs) = std::fs::read_dir(base) else { return out };
    for dir in dirs.flatten() {
        let path = dir.path();
        if !path.is_dir() {
            continue;
        }
        let target = dir.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(&path) else { continue };
        let mut cases: Vec<PathBuf> = files
            .flatten()
            .map(|f| f.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "yaml" || e == "yml"))
            .collect();
        cases.sort();
        out.insert(target, cases);
    }
    out
}

/// Load one vector as a JSON value.
pub fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    // Most vectors are strict JSON; fall back to YAML for trailing commas and literal tabs.
    if let Ok(v) = serde_json::from_str::<Value>(&text) {
        return Ok(v);
    }
    let y: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
    let v = yaml_to_json(y)?;
    if !v.is_object() {
        return Err("vector is not a mapping".into());
    }
    Ok(v)
}

fn yaml_to_json(y: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => if b { "True" } else { "False" }.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "None".to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value)?,
    })
}
