//! `pyinfra.facts.runit`: supervised services and their `sv status`.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

/// `service` and `svdir`: both runit facts take them.
const ARGS: &[Arg] = &[
    arg("service", "str | None", Dflt::None, "Look at this service only (default: every service in SVDIR)."),
    arg("svdir", "str", Dflt::Str("/var/service"), "Supervised directory (SVDIR) to look in."),
];

/// The facts of `runit`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "RunitStatus",
        doc: "The supervised services with their `sv status`: True when running, False when down, None for \
              any other state (e.g. failing).",
        args: ARGS,
        returns: "dict[str, bool | None]",
        command: Some(status_command),
        requires: Some(|_| Some("sv".into())),
        parse: Some(parse_status),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "RunitManaged",
        doc: "The names of the services runit supervises, i.e. the symlinks in SVDIR (only `service` itself, \
              if given and linked).",
        args: ARGS,
        returns: "set[str]",
        command: Some(managed_command),
        // pyinfra's class has no requires_command of its own, but its vectors expect `sv`.
        requires: Some(|_| Some("sv".into())),
        parse: Some(parse_managed),
        default: "[]",
        ..Fact::NEW
    },
];

fn status_command(a: &Args) -> String {
    let svdir = py_str(a.get("svdir"));
    match a.get("service") {
        Value::Null => format!(
            "export SVDIR=\"{svdir}\" && cd \"$SVDIR\" && find * -maxdepth 0 -exec sv status {{}} + 2>/dev/null"
        ),
        service => format!("SVDIR=\"{svdir}\" sv status \"{}\"", py_str(service)),
    }
}

/// `run: name: ...` lines: run -> True, down -> False, anything else (fail...) -> None.
fn parse_status(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut services = Map::new();
    for line in f.output {
        // pyinfra unpacks exactly three parts of `split(": ", 2)`.
        let mut parts = line.splitn(3, ": ");
        let (Some(state), Some(name), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("unexpected sv status line {line:?}"));
        };
        let status = match state {
            "run" => Value::Bool(true),
            "down" => Value::Bool(false),
            _ => Value::Null,
        };
        services.insert(name.to_string(), status);
    }
    Ok(Value::Object(services))
}

fn managed_command(a: &Args) -> String {
    let svdir = py_str(a.get("svdir"));
    match a.get("service") {
        Value::Null => format!(
            "[ -d \"{svdir}\" ] && cd \"{svdir}\" && find -mindepth 1 -maxdepth 1 -type l -printf \"%f\\n\" || true"
        ),
        service => {
            let service = py_str(service);
            format!("cd \"{svdir}\" && test -h \"{service}\" && echo \"{service}\" || true")
        }
    }
}

/// The set of output lines, as a sorted list.
fn parse_managed(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut names: Vec<&String> = f.output.iter().collect();
    names.sort();
    names.dedup();
    Ok(Value::Array(names.into_iter().map(|n| Value::String(n.clone())).collect()))
}
