//! `pyinfra.facts.lxd`: LXD containers from `lxc list`.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::Value;

/// The facts of `lxd`.
pub const FACTS: &[Fact] = &[Fact {
    name: "LxdContainers",
    doc: "All LXD instances known to `lxc list`, running or not, as the decoded JSON records (with `name`, \
          `status`, `config`, ...). Empty when `lxc` is not installed.",
    returns: "list[dict[str, Any]]",
    default: "[]",
    command: Some(|_: &Args| "lxc list --format json --fast".to_string()),
    requires: Some(|_: &Args| Some("lxc".to_string())),
    parse: Some(parse_containers),
    ..Fact::NEW
}];

/// `lxc list --format json` prints its JSON on one line.
fn parse_containers(ctx: &FactCtx) -> Result<Value, String> {
    match ctx.output {
        [line] => serde_json::from_str(line).map_err(|e| e.to_string()),
        _ => Err(format!("expected one line of JSON, got {} lines", ctx.output.len())),
    }
}
