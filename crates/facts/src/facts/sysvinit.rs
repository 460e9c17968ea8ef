//! `pyinfra.facts.sysvinit`: the status of every LSB init script.

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::take_run;
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `sysvinit`.
pub const FACTS: &[Fact] = &[Fact {
    name: "InitdStatus",
    doc: "Every LSB init script in `/etc/init.d` mapped to the result of its `status` action: True when it \
          exits 0 (running), False for exit codes 1-3 (not running), None for anything else. Scripts that \
          ignore `status` can be reported as running.",
    returns: "dict[str, bool | None]",
    command: Some(|_| STATUS_COMMAND.into()),
    parse: Some(parse_status),
    default: "{}",
    ..Fact::NEW
}];

/// Runs `status` of every script that has an LSB header and prints `name=exit code`.
const STATUS_COMMAND: &str = r####"
        for SERVICE in `ls /etc/init.d/`; do
            _=`cat /etc/init.d/$SERVICE | grep "### BEGIN INIT INFO"`

            if [ "$?" = "0" ]; then
                STATUS=`/etc/init.d/$SERVICE status`
                echo "$SERVICE=$?"
            fi
        done
    "####;

/// `name=code` lines (also used by `bsdinit.RcdStatus`). LSB exit codes: 0 running, 1-3 not running, anything else unknown.
pub(crate) fn parse_status(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut services = Map::new();
    for line in f.output {
        let Some((name, rest)) = take_run(line, |c| c.is_ascii_alphanumeric() || c == '-') else { continue };
        let Some((code, _)) = rest.strip_prefix('=').and_then(|r| take_run(r, |c| c.is_ascii_digit())) else {
            continue;
        };
        let status = match code.parse::<u64>() {
            Ok(0) => Value::Bool(true),
            Ok(1..=3) => Value::Bool(false),
            _ => Value::Null,
        };
        services.insert(name.to_string(), status);
    }
    Ok(Value::Object(services))
}
