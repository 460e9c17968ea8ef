//! `pyinfra.facts.vzctl`: OpenVZ containers from `vzlist`.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `vzctl`.
pub const FACTS: &[Fact] = &[Fact {
    name: "OpenvzContainers",
    doc: "Every OpenVZ container `vzlist -a` knows, running or not, keyed by its numeric CTID, with the rest \
          of its JSON record (`hostname`, `ip`, `ostemplate`, `status`, ...).",
    returns: "dict[int, dict[str, Any]]",
    default: "{}",
    command: Some(|_: &Args| "vzlist -a -j".to_string()),
    requires: Some(|_: &Args| Some("vzlist".to_string())),
    parse: Some(parse_containers),
    ..Fact::NEW
}];

/// The JSON list of `vzlist -j`, keyed by each record's integer `ctid` (removed from the record).
fn parse_containers(ctx: &FactCtx) -> Result<Value, String> {
    let data: Value = serde_json::from_str(&ctx.output.concat()).map_err(|e| e.to_string())?;
    let Value::Array(records) = data else {
        return Err("vzlist output is not a JSON list".into());
    };
    let mut out = Map::new();
    for record in records {
        let Value::Object(mut record) = record else {
            return Err("vzlist record is not an object".into());
        };
        let ctid = match record.remove("ctid") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
        .ok_or("vzlist record without an integer ctid")?;
        out.insert(ctid.to_string(), Value::Object(record));
    }
    Ok(Value::Object(out))
}
