//! Running one fact vector.

use super::fake::FakeFacts;
use super::{Outcome, short};
use crate::args::Args;
use crate::fact_source::FactKey;
use crate::schema::{ArgKind, catalogue};
use crate::value::{Map, Value};

/// Run the case `data` of fact `target`.
pub fn run(target: &str, data: &Value) -> Outcome {
    let Some((_, fact)) = catalogue().fact(target) else {
        return Outcome::Skipped(format!("{target} is not in the schema"));
    };
    if !fact.implemented() {
        return Outcome::Skipped("not implemented".into());
    }
    // Bind the vector's `arg` (mapping = keywords, list = positional, scalar = one positional).
    let params = match fact.short {
        Some((parent, _)) => catalogue().fact(parent).map(|(_, p)| p.args).unwrap_or_default(),
        None => fact.args,
    };
    let (positional, keywords) = match data.get("arg") {
        None | Some(Value::Null) => (vec![], Map::new()),
        Some(Value::Object(o)) => (vec![], o.clone()),
        Some(Value::Array(a)) => (a.clone(), Map::new()),
        Some(v) => (vec![v.clone()], Map::new()),
    };
    let bound = match Args::bind(params, &positional, &keywords) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(format!("arguments: {e}")),
    };
    let named: Vec<(String, Value)> = params
        .iter()
        .filter(|p| p.kind == ArgKind::Normal)
        .map(|p| (p.name.to_string(), bound.get(p.name).clone()))
        .collect();
    let key = FactKey::new(target, named);

    let facts = FakeFacts::new(data.get("facts").unwrap_or(&Value::Null));
    if let Some(want) = data.get("command") {
        match crate::fact_command_with(&key, &facts) {
            Err(e) => return Outcome::Failed(format!("command: {e}")),
            Ok(c) => {
                // A command carrying a secret is given as {"raw", "masked"}; facts render the raw one.
                let want = want.get("raw").unwrap_or(want);
                if Some(c.command.as_str()) != want.as_str() {
                    return Outcome::Failed(format!("command {}\n    want    {}", short(&c.command), short(want)));
                }
                if let Some(want) = data.get("requires_command")
                    && c.requires.as_deref() != want.as_str()
                {
                    return Outcome::Failed(format!(
                        "requires_command {}\n    want             {}",
                        short(&c.requires),
                        short(want)
                    ));
                }
            }
        }
    }

    let output: Vec<String> = match data.get("output") {
        None | Some(Value::Null) => vec![],
        Some(Value::String(s)) => s.lines().map(str::to_string).collect(),
        Some(Value::Array(a)) => {
            a.iter().map(|l| l.as_str().map(str::to_string).unwrap_or_else(|| l.to_string())).collect()
        }
        Some(other) => return Outcome::Failed(format!("malformed vector: output is {}", short(other))),
    };
    let got = match crate::parse_fact(&key, &output, &facts) {
        Ok(v) => v,
        Err(e) => return Outcome::Failed(format!("parse: {e}")),
    };
    let want = data.get("fact").cloned().unwrap_or(Value::Null);
    if !json_eq(&got, &want) {
        return Outcome::Failed(format!("fact {}\n    want {}", short(&got), short(&want)));
    }
    Outcome::Passed
}

/// JSON equality where `1` equals `1.0`, as Python compares the decoded values.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}
