//! `pyinfra.facts.freebsd`: rc scripts, service status, rc.conf variables and packages, on the
//! host or in a jail. These facts keep pyinfra's default parsing: the output lines joined.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::operations::service_control::format_service_command;
use crate::quote::quote;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Value, py_str};

/// Doc of the `jail` argument, shared by every fact.
const JAIL: &str = "Look inside this jail instead of the host.";

/// The facts of `freebsd`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "ServiceScript",
        doc: "The name of the rc(8) script when `service -l` lists one called `srvname`, or an empty string \
              when there is no such service.",
        args: &[
            arg("srvname", "str", Dflt::Required, "Name of the service to look for."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str",
        command: Some(service_script_command),
        parse: Some(joined),
        default: "null",
        ..Fact::NEW
    },
    Fact {
        name: "ServiceStatus",
        doc: "`\"running\"` when the service's status command succeeds, an empty string otherwise (stopped or \
              unknown).",
        args: &[
            arg("srvname", "str", Dflt::Required, "Name of the service to check."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str",
        command: Some(service_status_command),
        parse: Some(joined),
        default: "null",
        ..Fact::NEW
    },
    Fact {
        name: "Sysrc",
        doc: "The current value of an rc.conf variable as `sysrc -in` prints it, or an empty string when the \
              variable is not set.",
        args: &[
            arg("parameter", "str", Dflt::Required, "Name of the rc.conf variable."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str",
        command: Some(sysrc_command),
        parse: Some(joined),
        default: "null",
        ..Fact::NEW
    },
    Fact {
        name: "PkgPackage",
        doc: "The installed package matching `package` as `name-version` (from `pkg info -E`), or an empty \
              string when it is not installed.",
        args: &[
            arg("package", "str", Dflt::Required, "Name of the package."),
            arg("jail", "str | None", Dflt::None, JAIL),
        ],
        returns: "str",
        command: Some(pkg_package_command),
        parse: Some(joined),
        default: "null",
        ..Fact::NEW
    },
];

/// `jail` quoted, an empty word when there is none (service(8) takes `-j ''` as the host).
fn jail_word(a: &Args) -> String {
    match a.get("jail") {
        Value::Null => quote(""),
        jail => quote(&py_str(jail)),
    }
}

/// A command template filled with two quoted words (pyinfra's `make_formatted_string_command`).
fn formatted(template: &str, first: &str, second: &str) -> String {
    // The templates are fixed and well-formed, so formatting cannot fail; fall back to nothing.
    format_service_command(template, first, second).unwrap_or_default()
}

fn service_script_command(a: &Args) -> String {
    formatted(
        "for service in `service -j {0} -l`; do if [ {1} = \\\"$service\\\" ]; then echo \\\"$service\\\"; fi; done",
        &jail_word(a),
        &quote(&py_str(a.get("srvname"))),
    )
}

fn service_status_command(a: &Args) -> String {
    formatted(
        "service -j {0} {1} status > /dev/null 2>&1; if [ $? -eq 0 ]; then echo running; fi",
        &jail_word(a),
        &quote(&py_str(a.get("srvname"))),
    )
}

fn sysrc_command(a: &Args) -> String {
    let parameter = quote(&py_str(a.get("parameter")));
    match a.get("jail") {
        Value::Null => format!("sysrc -in -- {parameter} || true"),
        jail => format!("sysrc -j {} -in -- {parameter} || true", quote(&py_str(jail))),
    }
}

fn pkg_package_command(a: &Args) -> String {
    let package = quote(&py_str(a.get("package")));
    match a.get("jail") {
        Value::Null => format!("pkg info -E -- {package} 2> /dev/null || true"),
        jail => format!("pkg -j {} info -E -- {package} 2> /dev/null || true", quote(&py_str(jail))),
    }
}

/// pyinfra's default `process`: the lines joined with newlines.
fn joined(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::String(f.output.join("\n")))
}
