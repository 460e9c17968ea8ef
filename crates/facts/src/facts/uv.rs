//! `pyinfra.facts.uv`: what uv reports about packages, interpreters, tools and itself.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value, py_str, truthy};

/// `is_managed`: restricts the Python listings to uv-managed interpreters.
const IS_MANAGED: &[Arg] =
    &[arg("is_managed", "bool", Dflt::Bool(true), "Only list interpreters managed by uv (`--managed-python`).")];

/// The facts of `uv`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "UvPipPackages",
        doc: "The Python packages installed in the environment `uv pip` targets, from `uv pip list`: package \
              name mapped to the set of installed versions. Empty when uv is missing or its output is not \
              valid JSON.",
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|_| "uv pip list --format json".into()),
        requires: Some(|_| Some("uv".into())),
        parse: Some(parse_pip),
        ..Fact::NEW
    },
    Fact {
        name: "UvAvailablePythonsByImplementation",
        doc: "The Python interpreters uv can install or already has, from `uv python list`: the interpreter \
              key (e.g. `cpython-3.13.4-linux-x86_64-gnu`) mapped to the set of its versions.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|a| python_list(a, false)),
        requires: Some(|_| Some("uv".into())),
        parse: Some(by_key),
        ..Fact::NEW
    },
    Fact {
        name: "UvAvailablePythonsByVersion",
        doc: "The Python interpreters uv can install or already has, by version: each version (e.g. \
              `3.13.4`) mapped to the set of interpreter keys providing it.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|a| python_list(a, false)),
        requires: Some(|_| Some("uv".into())),
        parse: Some(by_version),
        ..Fact::NEW
    },
    Fact {
        name: "UvInstalledPythonsByImplementation",
        doc: "The installed Python interpreters (`uv python list --only-installed`): interpreter key mapped \
              to the set of its versions.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|a| python_list(a, true)),
        requires: Some(|_| Some("uv".into())),
        parse: Some(by_key),
        ..Fact::NEW
    },
    Fact {
        name: "UvInstalledPythonsByVersion",
        doc: "The installed Python interpreters by version: each installed version mapped to the set of \
              interpreter keys providing it.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|a| python_list(a, true)),
        requires: Some(|_| Some("uv".into())),
        parse: Some(by_version),
        ..Fact::NEW
    },
    Fact {
        name: "UvPythonDir",
        doc: "The directory uv installs Python interpreters into (`uv python dir`); an empty string when it \
              cannot be determined.",
        returns: "str",
        default: "\"\"",
        command: Some(|_| "uv python dir 2>/dev/null".into()),
        requires: Some(|_| Some("uv".into())),
        parse: Some(single_line),
        ..Fact::NEW
    },
    Fact {
        name: "UvToolDir",
        doc: "The directory uv installs tools into (`uv tool dir`); an empty string when it cannot be \
              determined.",
        returns: "str",
        default: "\"\"",
        command: Some(|_| "uv tool dir 2>/dev/null".into()),
        requires: Some(|_| Some("uv".into())),
        parse: Some(single_line),
        ..Fact::NEW
    },
    Fact {
        name: "UvTools",
        doc: "The tools installed with `uv tool`: package name mapped to the set holding its version (without \
              the leading `v`).",
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|_| "uv tool list 2>/dev/null".into()),
        requires: Some(|_| Some("uv".into())),
        parse: Some(parse_tools),
        ..Fact::NEW
    },
    Fact {
        name: "UvVersion",
        doc: "The line printed by `uv --version`, e.g. `uv 0.8.5`; an empty string when uv is missing.",
        returns: "str",
        default: "\"\"",
        command: Some(|_| "uv --version".into()),
        requires: Some(|_| Some("uv".into())),
        parse: Some(single_line),
        ..Fact::NEW
    },
];

/// `uv python list`, restricted to managed and/or installed interpreters.
fn python_list(a: &Args, installed: bool) -> String {
    let managed = if truthy(a.get("is_managed")) { "--managed-python" } else { "" };
    let installed = if installed { "--only-installed" } else { "" };
    format!("uv python list {managed} {installed} --output-format=json")
}

/// pyinfra's `process_json`: a JSON list of objects to `{obj[key]: {obj[value]}}`, sorted by key;
/// output that is not a JSON list gives an empty mapping.
fn process_json(output: &[String], key: &str, value: &str) -> Result<Value, String> {
    let info: Value = serde_json::from_str(&output.join("\n")).unwrap_or(Value::Array(Vec::new()));
    let Value::Array(mut items) = info else { return Ok(Value::Object(Map::new())) };
    let field = |v: &Value, k: &str| v.get(k).cloned().ok_or_else(|| format!("KeyError: '{k}'"));
    for item in &items {
        field(item, key)?;
        field(item, value)?;
    }
    items.sort_by_key(|v| py_str(v.get(key).unwrap_or(&Value::Null)));
    let mut result = Map::new();
    for item in &items {
        result.insert(py_str(&field(item, key)?), Value::Array(vec![field(item, value)?]));
    }
    Ok(Value::Object(result))
}

fn parse_pip(f: &FactCtx<'_>) -> Result<Value, String> {
    process_json(f.output, "name", "version")
}

fn by_key(f: &FactCtx<'_>) -> Result<Value, String> {
    process_json(f.output, "key", "version")
}

fn by_version(f: &FactCtx<'_>) -> Result<Value, String> {
    process_json(f.output, "version", "key")
}

/// Exactly one line of output, else an empty string.
fn single_line(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::String(match f.output {
        [line] => line.clone(),
        _ => String::new(),
    }))
}

/// `name vX.Y` lines, each followed by `- command` lines that are skipped.
fn parse_tools(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut tools = Map::new();
    for line in f.output.iter().filter(|l| !l.starts_with("- ")) {
        let pieces: Vec<&str> = line.split(' ').collect();
        if let [name, version, ..] = pieces[..] {
            let version = version.strip_prefix('v').unwrap_or(version);
            tools.insert(name.to_string(), Value::Array(vec![Value::String(version.to_string())]));
        }
    }
    Ok(Value::Object(tools))
}

#[cfg(test)]
mod tests {
    use super::process_json;
    use serde_json::json;

    #[test]
    fn json_listing() {
        let out = vec![r#"[{"key": "b", "version": "2"}, {"key": "a", "version": "1"}]"#.to_string()];
        assert_eq!(process_json(&out, "version", "key").ok(), Some(json!({"1": ["a"], "2": ["b"]})));
        assert_eq!(process_json(&["{}".to_string()], "key", "version").ok(), Some(json!({})));
        assert_eq!(process_json(&["not json".to_string()], "key", "version").ok(), Some(json!({})));
        assert!(process_json(&[r#"[{"key": "a"}]"#.to_string()], "key", "version").is_err());
    }
}
