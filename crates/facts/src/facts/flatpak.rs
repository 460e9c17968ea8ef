//! `pyinfra.facts.flatpak`: installed Flatpaks (`flatpak list`, `flatpak info`).

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::facts::util::packaging::take_run;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

/// The facts of `flatpak`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "FlatpakPackage",
        doc: "Details of one installed Flatpak from `flatpak info`: a dict with its `id`, `ref` (e.g. \
              `app/org.signal.Signal/x86_64/stable`) and `version`, each key only when reported; empty \
              when the package is not installed.",
        args: &[arg("package", "str", Dflt::Required, "Application or runtime ID, e.g. `org.videolan.VLC`.")],
        returns: "dict[str, str]",
        default: "{}",
        command: Some(info_command),
        requires: Some(|_| Some("flatpak".into())),
        parse: Some(parse_info),
        ..Fact::NEW
    },
    Fact {
        name: "FlatpakPackages",
        doc: "The IDs of all installed Flatpak applications and runtimes, as listed by \
              `flatpak list --columns=application`.",
        returns: "list[str]",
        default: "[]",
        command: Some(|_| "flatpak list --columns=application".into()),
        requires: Some(|_| Some("flatpak".into())),
        parse: Some(parse_list),
        ..Fact::NEW
    },
];

fn info_command(a: &Args) -> String {
    // pyinfra puts the name in unquoted.
    format!("flatpak info {}", py_str(a.get("package")))
}

/// The value of an indented `  Key: value` line.
fn field<'l>(line: &'l str, key: &str) -> Option<&'l str> {
    let (_, rest) = take_run(line, |c| c == ' ')?;
    let (_, value) = take_run(rest.strip_prefix(key)?.strip_prefix(':')?, |c| c == ' ')?;
    Some(value.strip_suffix('\n').unwrap_or(value)).filter(|v| !v.contains('\n'))
}

fn parse_info(f: &FactCtx<'_>) -> Result<Value, String> {
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '-');
    let mut data = Map::new();
    for line in f.output {
        let found = [
            ("id", field(line, "ID")),
            ("ref", field(line, "Ref")),
            ("version", field(line, "Version").and_then(|v| take_run(v, is_word).map(|(w, _)| w))),
        ];
        for (key, value) in found {
            if let Some(value) = value {
                data.insert(key.to_string(), Value::String(value.to_string()));
            }
        }
    }
    Ok(Value::Object(data))
}

/// Every line but a leading `Application ID` header (only the first two lines can be one).
fn parse_list(f: &FactCtx<'_>) -> Result<Value, String> {
    let ids = f.output.iter().enumerate().filter(|(i, l)| *i > 1 || l.as_str() != "Application ID");
    Ok(Value::Array(ids.map(|(_, l)| Value::String(l.clone())).collect()))
}
