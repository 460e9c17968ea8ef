//! `pyinfra.operations.uv`: Python packages, interpreters, tools and venvs managed with uv.

use serde_json::json;

use super::util::packaging::{Ensure, PkgInfo, ensure_packages, packages_from_arg, present_flag};
use crate::args::Args;
use crate::plan::{Ctx, ErrorKind, PlanError};
use crate::quote::quote;
use crate::schema::{Arg, Dflt, Operation, arg, enum_arg};
use crate::value::{Map, Value, py_str, str_or_list, truthy};

/// What this module manages.
pub const DOC: &str = "Use Astral's `uv` to manage Python packages (`uv pip`), Python interpreters, \
                       command line tools (`uv tool`) and virtual environments. Apart from the first \
                       argument, the arguments of these operations are keyword-only.";

/// `extra_args`: appended to the uv command by every operation that takes it.
const EXTRA_ARGS: Arg = arg(
    "extra_args",
    "str | list[str] | None",
    Dflt::None,
    "Extra arguments for `uv`: a string used as is, or a list whose items are each quoted.",
);

/// The operations of `uv`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "packages",
        doc: "Install, uninstall or upgrade Python packages in the active environment with `uv pip`. \
              Package specs are PEP 508 requirements compared case-insensitively against `uv pip list`, \
              so only missing or unwanted packages are touched; with `latest`, installed packages given \
              without a version are reinstalled with `--upgrade` on every run. A `requirements` file is \
              passed with `-r` on every run, as its contents are not checked.",
        args: &[
            arg(
                "packages",
                "str | list[str]",
                Dflt::Required,
                "Package spec(s), e.g. `requests` or `requests==2.32.5`.",
            ),
            arg("requirements", "str | None", Dflt::None, "Path of a requirements file on the host to (un)install."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: uninstall)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed, unpinned packages (and requirements)."),
            EXTRA_ARGS,
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
    Operation {
        name: "pythons",
        doc: "Install or uninstall Python interpreters with `uv python install|uninstall`, one version per \
              command, skipping versions already in the wanted state according to `uv python list \
              --only-installed`. By default only uv-managed interpreters are considered.",
        args: &[
            arg(
                "versions",
                "str | list[str]",
                Dflt::Required,
                "Python version request(s), e.g. `3.13` or `[\"3.12\", \"3.13\"]`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the versions should be installed (False: uninstall)."),
            arg("managed", "bool", Dflt::Bool(true), "Only consider uv-managed interpreters (`--managed-python`)."),
            EXTRA_ARGS,
        ],
        planner: Some(pythons),
        ..Operation::NEW
    },
    Operation {
        name: "tools",
        doc: "Install or uninstall command line tools with `uv tool`, one package per command, comparing \
              case-insensitively against `uv tool list`. Specs may pin a version (`name==version`); with \
              `latest`, installed tools given without a version are reinstalled with `--upgrade` on every \
              run.",
        args: &[
            arg("tools", "str | list[str]", Dflt::Required, "Tool package spec(s), e.g. `ruff` or `ruff==0.6.0`."),
            arg("present", "bool", Dflt::Bool(true), "Whether the tools should be installed (False: uninstall)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed, unpinned tools."),
            EXTRA_ARGS,
        ],
        planner: Some(tools),
        ..Operation::NEW
    },
    Operation {
        name: "tools_upgrade_all",
        doc: "Upgrade every tool installed with uv (`uv tool upgrade --all`). It runs every time.",
        args: &[EXTRA_ARGS],
        planner: Some(tools_upgrade_all),
        ..Operation::NEW
    },
    Operation {
        name: "tools_update_shell",
        doc: "Make sure uv's tool executable directory is on the PATH by running `uv tool update-shell`, \
              unless the directory reported by `uv tool dir` is already one of the PATH entries.",
        args: &[],
        planner: Some(tools_update_shell),
        ..Operation::NEW
    },
    Operation {
        name: "venv",
        doc: "Create a virtual environment with `uv venv <path>`, or remove one. Whether it exists is \
              judged by `<path>/.venv/bin/activate`, and removal deletes the `<path>/.venv` directory, so \
              `path` is best read as the project directory holding `.venv`. An existing environment is \
              never modified. `allow_existing` and `clear_existing` cannot both be set.",
        args: &[
            arg("path", "str", Dflt::Required, "Location of the environment."),
            arg("present", "bool", Dflt::Bool(true), "Whether the environment should exist (False: delete `.venv`)."),
            arg("python", "str | None", Dflt::None, "Interpreter to build it with (`--python`), e.g. `3.12`."),
            arg(
                "allow_existing",
                "bool",
                Dflt::Bool(false),
                "Keep files already in the target directory (`--allow-existing`).",
            ),
            arg("clear_existing", "bool", Dflt::Bool(false), "Empty the target directory first (`--clear`)."),
            enum_arg(
                "link_mode",
                "Literal['clone', 'copy', 'hardlink', 'symlink'] | None",
                &["clone", "copy", "hardlink", "symlink"],
                Dflt::None,
                "How seed packages are installed (`--link-mode`); default depends on the platform.",
            ),
            arg(
                "seed",
                "bool",
                Dflt::Bool(false),
                "Install pip (and setuptools/wheel before 3.12) into it (`--seed`).",
            ),
            arg("site_packages", "bool", Dflt::Bool(false), "Give it access to the system site-packages."),
            EXTRA_ARGS,
        ],
        planner: Some(venv),
        ..Operation::NEW
    },
];

/// pyinfra's `addable_extras`: a space, then the string as is or the quoted list items.
fn addable_extras(extra: &Value) -> String {
    match extra {
        Value::String(s) => format!(" {s}"),
        other => format!(" {}", str_or_list(other).iter().map(|e| quote(e)).collect::<Vec<_>>().join(" ")),
    }
}

/// The installed-packages fact with lower-cased names (PEP 426 compares names that way).
fn lowered_fact(ctx: &Ctx<'_>, name: &str) -> Result<Value, PlanError> {
    let current = ctx.fact(name, &[])?;
    let lowered: Map<String, Value> =
        current.as_object().into_iter().flatten().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
    Ok(Value::Object(lowered))
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let extras = addable_extras(a.get("extra_args"));
    let install = format!("uv pip install --no-progress{extras}");
    let uninstall = format!("uv pip uninstall --no-progress{extras}");
    let upgrade = format!("uv pip install --upgrade --no-progress{extras}");
    let present = a.flag("present");
    let latest = a.flag("latest");
    let requirements = a.flag("requirements");
    if requirements {
        let req = py_str(a.get("requirements"));
        let cmd = match (present, latest) {
            (true, true) => &upgrade,
            (true, false) => &install,
            (false, _) => &uninstall,
        };
        ctx.change(format!("{} requirements {req}", if present { "install" } else { "remove" }));
        ctx.shell(format!("{cmd} -r {req}"));
    }
    let wanted = a.flag("packages");
    if wanted {
        let current = lowered_fact(ctx, "uv.UvPipPackages")?;
        let pkgs = str_or_list(a.get("packages")).iter().map(|p| PkgInfo::from_pep508(p)).collect();
        let mut spec = Ensure::new(pkgs, present_flag(a.get("present")), install, uninstall);
        spec.latest = latest;
        spec.upgrade_command = Some(upgrade);
        ensure_packages(ctx, &current, &spec)?;
    }
    if !requirements && !wanted {
        ctx.noop("neither packages nor requirements requested to be (un)installed");
    }
    Ok(())
}

fn pythons(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let extras = addable_extras(a.get("extra_args"));
    let managed = if a.flag("managed") { "--managed-python" } else { "" };
    let install = format!("uv python install --no-progress {managed}{extras}");
    let uninstall = format!("uv python uninstall --no-progress {managed}{extras}");
    let current = ctx.fact("uv.UvInstalledPythonsByVersion", &[("is_managed", a.get("managed").clone())])?;
    if !a.flag("versions") {
        ctx.noop("no Python versions requested to be (un)installed");
        return Ok(());
    }
    // uv installs one interpreter per command.
    for version in str_or_list(a.get("versions")) {
        let spec = Ensure::new(
            packages_from_arg(&json!([version]), None),
            present_flag(a.get("present")),
            install.clone(),
            uninstall.clone(),
        );
        ensure_packages(ctx, &current, &spec)?;
    }
    Ok(())
}

fn tools(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let extras = addable_extras(a.get("extra_args"));
    let install = format!("uv tool install --no-progress{extras}");
    let uninstall = format!("uv tool uninstall --no-progress{extras}");
    let upgrade = format!("uv tool install --upgrade --no-progress{extras}");
    let current = lowered_fact(ctx, "uv.UvTools")?;
    if !a.flag("tools") {
        ctx.noop("no tools requested to be (un)installed");
        return Ok(());
    }
    // uv installs one tool per command.
    for tool in str_or_list(a.get("tools")) {
        let mut spec = Ensure::new(
            vec![PkgInfo::from_pep508(&tool)],
            present_flag(a.get("present")),
            install.clone(),
            uninstall.clone(),
        );
        spec.latest = a.flag("latest");
        spec.upgrade_command = Some(upgrade.clone());
        ensure_packages(ctx, &current, &spec)?;
    }
    Ok(())
}

fn tools_upgrade_all(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ctx.change("upgrade all uv tools");
    // pyinfra strips yielded command strings.
    ctx.shell(format!("uv tool upgrade --all{}", addable_extras(a.get("extra_args"))).trim().to_string());
    Ok(())
}

fn tools_update_shell(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    let dir = py_str(&ctx.fact("uv.UvToolDir", &[])?);
    let path = py_str(&ctx.fact("server.Path", &[])?);
    if path.split(':').any(|p| p == dir) {
        ctx.noop("uv bin dir is already in the PATH");
    } else {
        ctx.change("add the uv tool dir to the PATH");
        ctx.shell("uv tool update-shell");
    }
    Ok(())
}

fn venv(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = py_str(a.get("path"));
    let exists = truthy(&ctx.fact("files.File", &[("path", json!(format!("{path}/.venv/bin/activate")))])?);
    if !a.flag("present") {
        if !exists {
            ctx.noop(format!("venv does not exist at {path}"));
            return Ok(());
        }
        return crate::nested(
            ctx,
            "files.directory",
            &[("path", json!(format!("{path}/.venv"))), ("present", json!(false))],
        );
    }
    if a.flag("allow_existing") && a.flag("clear_existing") {
        return Err(PlanError::new(ErrorKind::ValueError, "allow_existing and clear_existing cannot both be set"));
    }
    if path.trim().is_empty() {
        return Err(PlanError::new(ErrorKind::ValueError, "must provide path in which .venv is to be created"));
    }
    if exists {
        ctx.noop(format!("venv already exists at {path}"));
        return Ok(());
    }
    let mut words: Vec<String> = vec!["uv".into(), "venv".into()];
    for (flag, word) in [("allow_existing", "--allow-existing"), ("clear_existing", "--clear"), ("seed", "--seed")] {
        if a.flag(flag) {
            words.push(word.into());
        }
    }
    if a.flag("link_mode") {
        words.extend(["--link-mode".into(), quote(&py_str(a.get("link_mode")))]);
    }
    if a.flag("site_packages") {
        words.push("--site-packages".into());
    }
    if a.flag("python") {
        words.extend(["--python".into(), quote(&py_str(a.get("python")))]);
    }
    words.extend(str_or_list(a.get("extra_args")).iter().map(|e| quote(e)));
    words.push(quote(&path));
    ctx.change(format!("create a venv at {path}"));
    ctx.shell(words.join(" "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::addable_extras;
    use serde_json::json;

    #[test]
    fn extras() {
        assert_eq!(addable_extras(&json!(null)), " ");
        assert_eq!(addable_extras(&json!("--a b")), " --a b");
        assert_eq!(addable_extras(&json!(["--x", "a b"])), " --x 'a b'");
    }
}
