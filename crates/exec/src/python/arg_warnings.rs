//! Warnings about operation arguments pyinfra accepts but that rarely mean what they say: a string
//! for a `bool` parameter (`present="false"` is a non-empty string, so it counts as true). pyinfra
//! runs such calls; so does rinfra, after saying so once per call site.

use rinfra_facts::args::Args;
use rinfra_facts::schema::catalogue;
use rinfra_facts::value::{Map, Value};

/// A warning for each string given to one of the operation's own `bool` (or `bool | None`) parameters.
pub fn bool_strings(operation: &str, positional: &[Value], keywords: &Map<String, Value>) -> Vec<String> {
    let Some((_, op)) = catalogue().operation(operation) else { return Vec::new() };
    let (own, _) = crate::run::split_globals(operation, keywords);
    let Ok(bound) = Args::bind(op.args, positional, &own) else { return Vec::new() };
    op.args
        .iter()
        .filter(|a| is_bool(a.ty))
        .filter_map(|a| match bound.get(a.name) {
            Value::String(s) => Some(warning(operation, a.name, s)),
            _ => None,
        })
        .collect()
}

/// `bool` or `bool | None`.
fn is_bool(ty: &str) -> bool {
    let members: Vec<&str> = ty.split('|').map(str::trim).filter(|m| *m != "None").collect();
    members == ["bool"]
}

fn warning(operation: &str, name: &str, given: &str) -> String {
    let counts_as = if given.is_empty() { "false" } else { "true" };
    let mut text =
        format!("{operation}: `{name}` expects True or False, not the string {given:?}, which counts as {counts_as}");
    if matches!(given.to_ascii_lowercase().as_str(), "false" | "no" | "off" | "0" | "n") {
        text.push_str(&format!(": write {name}=False"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_for_bool_parameters_are_named() {
        let kw = json!({"path": "/x", "present": "false", "recursive": true, "_sudo": "yes"});
        let kw = kw.as_object().cloned().unwrap_or_default();
        let warnings = bool_strings("files.directory", &[], &kw);
        assert_eq!(
            warnings,
            ["files.directory: `present` expects True or False, not the string \"false\", which counts as true: \
              write present=False"]
        );
        let kw = json!({"present": "yes"}).as_object().cloned().unwrap_or_default();
        let warnings = bool_strings("files.directory", &[Value::from("/x")], &kw);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].ends_with("which counts as true"), "{warnings:?}");
        assert!(bool_strings("files.directory", &[Value::from("/x")], &Map::new()).is_empty());
    }
}
