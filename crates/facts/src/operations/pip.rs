//! `pyinfra.operations.pip`: Python packages and virtual environments.

use serde_json::json;

use crate::args::Args;
use crate::plan::{CommandBuilder, Ctx, ErrorKind, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Map, Value, py_str, str_or_list, truthy};

use super::util::packaging::{Ensure, PkgInfo, ensure_packages, present_flag};

/// What this module manages.
pub const DOC: &str = "Install and remove Python packages with pip, system-wide or inside a virtualenv, \
                       and create or delete virtualenvs.";

/// The operations of `pip`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "virtualenv",
        doc: "Create or delete a Python virtual environment at `path`, with the `virtualenv` tool or the \
              standard library's `venv` module. A directory counts as a virtualenv only when it has \
              `bin/activate`, so an empty directory is turned into one. An existing virtualenv is not \
              changed to match the other options.",
        args: &[
            arg("path", "str", Dflt::Required, "Directory of the virtualenv."),
            arg("python", "str | None", Dflt::None, "Python interpreter to build the virtualenv with."),
            arg("venv", "bool", Dflt::Bool(false), "Use `python -m venv` instead of the `virtualenv` tool."),
            arg("site_packages", "bool", Dflt::Bool(false), "Let the virtualenv see the system's site-packages."),
            arg("always_copy", "bool", Dflt::Bool(false), "Copy files into the virtualenv instead of symlinking."),
            arg("present", "bool", Dflt::Bool(true), "Whether the virtualenv should exist."),
        ],
        planner: Some(virtualenv),
        ..Operation::NEW
    },
    Operation {
        name: "venv",
        doc: "Create or delete a Python virtual environment with the standard library's `venv` module: \
              `pip.virtualenv` with `venv` set.",
        args: &[
            arg("path", "str", Dflt::Required, "Directory of the virtualenv."),
            arg("python", "str | None", Dflt::None, "Python interpreter that runs `-m venv`."),
            arg("site_packages", "bool", Dflt::Bool(false), "Let the virtualenv see the system's site-packages."),
            arg("always_copy", "bool", Dflt::Bool(false), "Copy files into the virtualenv instead of symlinking."),
            arg("present", "bool", Dflt::Bool(true), "Whether the virtualenv should exist."),
        ],
        planner: Some(venv),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install, remove or upgrade pip packages, given as PEP 508 requirements (`flask`, \
              `flask==2.0`, `name @ url`). Names are compared case-insensitively with what `pip freeze` \
              lists, and only missing (or, when removing, present) packages are passed to pip. A \
              requirements file is installed or uninstalled on every run. With `virtualenv`, that \
              virtualenv is created first if needed and its own pip is used.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Requirement or requirements to ensure."),
            arg("present", "bool", Dflt::Bool(true), "Install the packages when true, uninstall them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages that were given without a version."),
            arg("requirements", "str | None", Dflt::None, "Path of a requirements file on the host to (un)install."),
            arg("pip", "str", Dflt::Str("pip"), "The pip command, or its name inside the virtualenv's `bin/`."),
            arg("virtualenv", "str | None", Dflt::None, "Virtualenv to work in (created when missing)."),
            arg(
                "virtualenv_kwargs",
                "dict | None",
                Dflt::None,
                "Options for creating the virtualenv (as `pip.virtualenv`).",
            ),
            arg("extra_install_args", "str | None", Dflt::None, "Extra arguments for `pip install`."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

fn virtualenv(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = a.str("path")?;
    // An empty directory is not a virtualenv: look for its activate script.
    let activate = format!("{path}/bin/activate");
    if present_flag(a.get("present")) == Some(false) {
        if truthy(&ctx.fact("files.File", &[("path", json!(activate))])?) {
            crate::nested(ctx, "files.directory", &[("path", json!(path)), ("present", json!(false))])?;
        } else {
            ctx.noop(format!("virtualenv {path} does not exist"));
        }
    }
    if !a.flag("present") {
        return Ok(());
    }
    if truthy(&ctx.fact("files.File", &[("path", json!(activate))])?) {
        ctx.noop(format!("virtualenv {path} exists"));
        return Ok(());
    }
    let python = a.opt_str("python").filter(|_| a.flag("python"));
    let venv = a.flag("venv");
    let mut cmd = CommandBuilder::new();
    if venv {
        cmd = cmd.word(python.as_deref().map_or_else(|| "python".to_string(), quote)).word("-m venv");
    } else {
        cmd = cmd.word("virtualenv");
        if let Some(p) = &python {
            cmd = cmd.word("-p").quoted(p);
        }
    }
    if a.flag("site_packages") {
        cmd = cmd.word("--system-site-packages");
    }
    if a.flag("always_copy") {
        cmd = cmd.word(if venv { "--copies" } else { "--always-copy" });
    }
    ctx.change(format!("create virtualenv {path}"));
    ctx.shell(cmd.quoted(&path).build());
    Ok(())
}

fn venv(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let pass = |k: &'static str| (k, a.get(k).clone());
    crate::nested(
        ctx,
        "pip.virtualenv",
        &[
            ("venv", json!(true)),
            pass("path"),
            pass("python"),
            pass("site_packages"),
            pass("always_copy"),
            pass("present"),
        ],
    )
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut pip = py_str(a.get("pip"));
    if a.flag("virtualenv") {
        let env = py_str(a.get("virtualenv"));
        let kwargs: Map<String, Value> = match a.get("virtualenv_kwargs") {
            Value::Object(m) => m.clone(),
            v if !truthy(v) => Map::new(),
            _ => return Err(PlanError::new(ErrorKind::TypeError, "virtualenv_kwargs must be a mapping")),
        };
        if kwargs.contains_key("path") {
            return Err(PlanError::new(ErrorKind::TypeError, "virtualenv() got multiple values for argument 'path'"));
        }
        let mut kw: Vec<(&str, Value)> = vec![("path", json!(env))];
        kw.extend(kwargs.iter().map(|(k, v)| (k.as_str(), v.clone())));
        crate::nested(ctx, "pip.virtualenv", &kw)?;
        pip = format!("{}/bin/{pip}", quote(env.trim_end_matches('/')));
    }
    let mut install = format!("{pip} install");
    if a.flag("extra_install_args") {
        install = format!("{install} {}", py_str(a.get("extra_install_args")));
    }
    let upgrade = format!("{install} --upgrade");
    let uninstall = format!("{pip} uninstall --yes");

    if let Some(req) = a.opt_str("requirements") {
        let prefix = match (a.flag("present"), a.flag("latest")) {
            (true, true) => &upgrade,
            (true, false) => &install,
            (false, _) => &uninstall,
        };
        ctx.change(format!("pip requirements {req}"));
        ctx.shell(CommandBuilder::new().word(prefix.as_str()).word("-r").quoted(&req).build());
    }

    if a.flag("packages") {
        // PEP 426: package names compare case-insensitively.
        let current = ctx.fact("pip.PipPackages", &[("pip", json!(pip))])?;
        let current: Map<String, Value> =
            current.as_object().into_iter().flatten().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
        let wanted = str_or_list(a.get("packages")).iter().map(|p| PkgInfo::from_pep508(p)).collect();
        let mut spec = Ensure::new(wanted, present_flag(a.get("present")), install.clone(), uninstall);
        spec.latest = a.flag("latest");
        spec.upgrade_command = Some(upgrade);
        ensure_packages(ctx, &Value::Object(current), &spec)?;
    }
    Ok(())
}
