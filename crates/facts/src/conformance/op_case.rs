//! Running one operation vector.

use serde_json::json;

use super::fake::{FakeEnv, FakeFacts, FakeLocalFiles};
use super::{Outcome, short};
use crate::plan::{Command, PlanError, UploadSource};
use crate::schema::catalogue;
use crate::value::{Map, Value};

/// Render a planned command the way the vectors write commands.
pub fn vector_form(cmd: &Command) -> Value {
    match cmd {
        Command::Shell(s) => match &s.masked {
            None => Value::String(s.raw.clone()),
            Some(m) => json!({"raw": s.raw, "masked": m}),
        },
        Command::Upload { src, dest } => {
            let src = match src {
                UploadSource::Path(p) | UploadSource::Contents(p) => p,
            };
            json!(["upload", src, dest])
        }
        Command::Download { src, dest } => json!(["download", src, dest]),
        Command::Callback { name, args, kwargs } => json!([name, args, kwargs]),
    }
}

/// Run the case `data` of operation `target`.
pub fn run(target: &str, data: &Value) -> Outcome {
    let Some((_, op)) = catalogue().operation(target) else {
        return Outcome::Skipped(format!("{target} is not in the schema"));
    };
    if op.planner.is_none() {
        return Outcome::Skipped("not implemented".into());
    }
    if let Some(platforms) = data.get("require_platform").and_then(Value::as_array)
        && !platforms.iter().any(|p| p == "Linux")
    {
        return Outcome::Skipped("needs a non-Linux controller".into());
    }
    let positional = match data.get("args") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a.clone(),
        Some(other) => return Outcome::Failed(format!("malformed vector: args is {}", short(other))),
    };
    let keywords = match data.get("kwargs") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(other) => return Outcome::Failed(format!("malformed vector: kwargs is {}", short(other))),
    };
    let facts = FakeFacts::new(data.get("facts").unwrap_or(&Value::Null));
    let local = FakeLocalFiles::new(data.get("local_files").unwrap_or(&Value::Null));
    let result = crate::plan_operation(target, &positional, &keywords, &facts, &local, &FakeEnv);

    if let Some(exc) = data.get("exception") {
        // `names` is a list, or (in a few vectors) a single name like `name`.
        let names: Vec<&str> = match exc.get("names") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(n)) => vec![n.as_str()],
            _ => exc.get("name").and_then(Value::as_str).into_iter().collect(),
        };
        let message = exc.get("message").and_then(Value::as_str).unwrap_or_default();
        let raised = match &result {
            Err(PlanError::Failed { kind, message }) => Some((kind.python_name(), message.clone())),
            Err(PlanError::Template(t)) => Some(("OperationError", t.pyinfra_message())),
            _ => None,
        };
        return match (raised, result) {
            (Some((name, got)), _) => {
                let name_ok = names.contains(&name) || (name == "IOError" && names.contains(&"OSError"));
                if !name_ok {
                    Outcome::Failed(format!("raised {name}, want one of {names:?}"))
                } else if got != message {
                    Outcome::Failed(format!("message {}\n    want    {}", short(&got), short(&message)))
                } else {
                    Outcome::Passed
                }
            }
            (None, Err(e)) => Outcome::Failed(format!("error {e}, want {names:?}: {message}")),
            (None, Ok(plan)) => Outcome::Failed(format!(
                "planned {} (no error), want {names:?}: {message}",
                short(&plan.commands.iter().map(vector_form).collect::<Vec<_>>())
            )),
        };
    }

    let plan = match result {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(format!("error: {e}")),
    };
    let got: Vec<Value> = plan.commands.iter().map(vector_form).collect();
    let want = data.get("commands").cloned().unwrap_or(Value::Array(vec![]));
    if Value::Array(got.clone()) != want {
        return Outcome::Failed(format!("commands {}\n    want     {}", short(&got), short(&want)));
    }
    if let Some(want) = data.get("noop_description").and_then(Value::as_str)
        && plan.noop.as_deref() != Some(want)
    {
        return Outcome::Failed(format!("noop {}\n    want {}", short(&plan.noop), short(&want)));
    }
    Outcome::Passed
}
