//! `pyinfra.facts.upstart`: job states from `initctl list`.

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::take_run;
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `upstart`.
pub const FACTS: &[Fact] = &[Fact {
    name: "UpstartStatus",
    doc: "Every job listed by `initctl list`, mapped to whether its state is `running`.",
    returns: "dict[str, bool]",
    command: Some(|_| "initctl list".into()),
    requires: Some(|_| Some("initctl".into())),
    parse: Some(parse_status),
    default: "{}",
    ..Fact::NEW
}];

/// `name goal/state...` lines: whether the state is `running`.
fn parse_status(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut services = Map::new();
    for line in f.output {
        if let Some((name, state)) = status_line(line) {
            services.insert(name.to_string(), Value::Bool(state == "running"));
        }
    }
    Ok(Value::Object(services))
}

fn status_line(line: &str) -> Option<(&str, &str)> {
    let lower = |c: char| c.is_ascii_lowercase();
    let (name, rest) = take_run(line, |c| lower(c) || c == '-')?;
    let (_, rest) = take_run(rest.strip_prefix(' ')?, lower)?;
    let (state, _) = take_run(rest.strip_prefix('/')?, lower)?;
    Some((name, state))
}
