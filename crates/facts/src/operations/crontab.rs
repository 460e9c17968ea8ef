//! `pyinfra.operations.crontab`: entries of a user's crontab.
//!
//! The crontab is copied to a temporary file, edited there with `echo >>` / `sed`, and installed
//! back with `crontab FILE`.

use serde_json::json;

use crate::args::Args;
use crate::facts::crontab::parse_py_int;
use crate::operations::files::util::{Sed, sed_delete, sed_replace};
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Map, Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Add, change and remove entries of a user's crontab.";

/// The type of the schedule fields.
const FIELD: &str = "list[str | int] | str | int | None";

/// The operations of `crontab`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "crontab",
    doc: "Make sure a command is (or is not) scheduled in a user's crontab, with the given schedule. \
          The entry is found by its command, or, when `cron_name` is given, by a `# pyinfra-name=` \
          comment above it, so a named entry's command can change. An existing entry with a different \
          schedule is rewritten in place. Unset schedule fields mean `*`; `special_time` (`@reboot`, \
          `@daily`...) replaces the five fields.",
    args: &[
        arg("command", "str", Dflt::Required, "The command the entry runs (identifies it unless named)."),
        arg("present", "bool", Dflt::Bool(true), "Whether the entry should exist."),
        arg("user", "str | None", Dflt::None, "Whose crontab to edit (None: the connecting user)."),
        arg("cron_name", "str | None", Dflt::None, "Name that identifies the entry instead of its command."),
        arg("minute", FIELD, Dflt::None, "Minutes to run at (an int, a cron expression or a list)."),
        arg("hour", FIELD, Dflt::None, "Hours to run at."),
        arg("month", FIELD, Dflt::None, "Months to run in."),
        arg("day_of_week", FIELD, Dflt::None, "Days of the week to run on."),
        arg("day_of_month", FIELD, Dflt::None, "Days of the month to run on."),
        arg(
            "special_time",
            "str | None",
            Dflt::None,
            "A cron nickname (`@reboot`, `@daily`...) used instead of the fields.",
        ),
        arg(
            "interpolate_variables",
            "bool",
            Dflt::Bool(false),
            "Let the shell expand variables in the command when editing (double-quoted sed script).",
        ),
    ],
    planner: Some(crontab),
    ..Operation::NEW
}];

/// A schedule field as text: lists are joined with commas.
fn comma_sep(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::String(items.iter().map(py_str).collect::<Vec<_>>().join(",")),
        other => other.clone(),
    }
}

/// pyinfra's `try_int`: `int(value)` when that works, else the value itself.
fn try_int(v: &Value) -> Value {
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.is_finite() => Value::from(f.trunc() as i64),
            _ => v.clone(),
        },
        Value::String(s) => parse_py_int(s).map(Value::from).unwrap_or_else(|| v.clone()),
        Value::Bool(b) => Value::from(*b as i64),
        other => other.clone(),
    }
}

/// Python `==` on decoded JSON values (`1 == 1.0`).
fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The crontab fact's entries: a list of entries, or (as pyinfra's tests give it) a mapping of
/// command to entry.
fn entries(fact: &Value) -> Vec<Map<String, Value>> {
    match fact {
        Value::Array(items) => items.iter().filter_map(|i| i.as_object().cloned()).collect(),
        Value::Object(by_command) => by_command
            .iter()
            .map(|(command, item)| {
                let mut e = item.as_object().cloned().unwrap_or_default();
                e.insert("command".into(), Value::String(command.clone()));
                e
            })
            .collect(),
        _ => vec![],
    }
}

/// The first command entry with this command, or with the `name_comment` among its comments.
fn find_entry<'a>(
    entries: &'a [Map<String, Value>],
    command: Option<&str>,
    name_comment: &str,
) -> Option<&'a Map<String, Value>> {
    entries.iter().filter(|e| e.contains_key("command")).find(|e| {
        (command.is_some() && e.get("command").and_then(Value::as_str) == command) || has_comment(e, name_comment)
    })
}

fn has_comment(entry: &Map<String, Value>, comment: &str) -> bool {
    entry.get("comments").and_then(Value::as_array).is_some_and(|c| c.iter().any(|x| x == comment))
}

/// pyinfra's sed edit options for the crontab's temporary copy (no backup kept).
fn sed_options(ctx: &Ctx<'_>, interpolate: bool) -> Sed<'static> {
    Sed { flags: "", backup: false, interpolate, extended: false, timestamp: ctx.env.timestamp() }
}

fn crontab(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let command = a.str("command")?;
    let present = a.flag("present");
    let user = a.get("user");
    let cron_name = a.get("cron_name");
    let interpolate = a.flag("interpolate_variables");
    let special_time = a.get("special_time");
    let mut fields: Vec<(&str, Value)> =
        ["minute", "hour", "month", "day_of_week", "day_of_month"].iter().map(|f| (*f, comma_sep(a.get(f)))).collect();

    let fact = ctx.fact("crontab.Crontab", &[("user", user.clone())])?;
    let entries = entries(&fact);
    let name_comment = format!("# pyinfra-name={}", py_str(cron_name));
    let by_command = cron_name.is_null().then_some(command.as_str());
    let existing = find_entry(&entries, by_command, &name_comment);
    let existing_command = existing.and_then(|e| e.get("command")).map(py_str).unwrap_or_else(|| command.clone());
    let exists_name = existing.is_some_and(|e| has_comment(e, &name_comment));
    // pyinfra asks for a temporary name without a key; any stable key will do.
    let temp = ctx.env.temp_filename(&format!("crontab {} {command}", py_str(user)));

    let mut new_line = if truthy(special_time) {
        format!("{} {command}", py_str(special_time))
    } else {
        for (_, v) in fields.iter_mut() {
            if v.is_null() {
                *v = json!("*");
            }
        }
        let f = |name: &str| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| py_str(v)).unwrap_or_default();
        format!("{} {} {} {} {} {command}", f("minute"), f("hour"), f("day_of_month"), f("month"), f("day_of_week"))
    };
    let pattern = format!(".*{existing_command}.*");
    let sed = sed_options(ctx, interpolate);

    let mut edits: Vec<String> = Vec::new();
    match (present, existing) {
        (false, Some(_)) => edits.push(sed_delete(&temp, &pattern, &sed)),
        (true, None) => {
            if !entries.is_empty() {
                edits.push(format!("echo '' >> {temp}"));
            }
            if truthy(cron_name) {
                edits.push(format!("echo {} >> {temp}", quote(&name_comment)));
            }
            edits.push(format!("echo {} >> {temp}", quote(&new_line)));
        }
        (true, Some(e)) => {
            let get = |k: &str| e.get(k).cloned().unwrap_or(Value::Null);
            let named = !cron_name.is_null();
            let changed = exists_name != named
                || !py_eq(special_time, &get("special_time"))
                || fields.iter().any(|(k, v)| !py_eq(&try_int(v), &get(k)))
                || existing_command != command;
            if changed {
                if !exists_name && truthy(cron_name) {
                    new_line = format!("{name_comment}\\n{new_line}");
                }
                edits.push(sed_replace(&temp, &pattern, &new_line, &sed));
            }
        }
        (false, None) => {}
    }

    if edits.is_empty() {
        ctx.noop(format!("crontab {command} {}", if present { "exists" } else { "does not exist" }));
        return Ok(());
    }
    let user_flag = if truthy(user) { format!(" -u {}", quote(&py_str(user))) } else { String::new() };
    ctx.change(format!("{} crontab entry {command}", if present { "set" } else { "remove" }));
    if !entries.is_empty() {
        ctx.shell(format!("crontab -l{user_flag} > {}", quote(&temp)));
    }
    for edit in edits {
        ctx.shell(edit);
    }
    ctx.shell(format!("crontab{user_flag} {}", quote(&temp)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_conversion() {
        assert_eq!(try_int(&json!("05")), json!(5));
        assert_eq!(try_int(&json!("*/5")), json!("*/5"));
        assert_eq!(try_int(&json!(2.7)), json!(2));
        assert_eq!(try_int(&json!(null)), json!(null));
    }

    #[test]
    fn legacy_fact_shape() {
        let e = entries(&json!({"cmd": {"minute": 1}}));
        assert_eq!(e[0].get("command"), Some(&json!("cmd")));
    }
}
