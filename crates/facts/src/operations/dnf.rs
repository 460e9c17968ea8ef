//! `pyinfra.operations.dnf`: packages, `.rpm` files, repositories, keys and module streams with dnf.
//! Most planners are yum's (see `super::yum`), run with `dnf`.

use crate::args::Args;
use crate::plan::{CommandBuilder, Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};

use super::util::packaging::ensure_rpm;
use super::yum::{key, plan_packages, plan_repo};

/// What this module manages.
pub const DOC: &str = "Manage packages, repositories, GPG keys and module streams on dnf-based systems \
                       (Fedora, RHEL 8+, AlmaLinux, Rocky). Package names are case-sensitive.";

/// The operations of `dnf`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "key",
        doc: "Import a GPG key into the RPM database with `rpm --import`, from a local file or a URL. The \
              import is not checked beforehand, so the command runs on every deploy.",
        args: &[arg("src", "str", Dflt::Required, "Path or URL of the GPG key to import.")],
        planner: Some(key),
        ..Operation::NEW
    },
    Operation {
        name: "repo",
        doc: "Add or remove a repository definition in `/etc/yum.repos.d/`. When `src` is a URL, the `.repo` \
              file is downloaded once (only if it is not there yet). Otherwise `src` is the repository id and \
              a `<src>.repo` file is written from `baseurl`, `description`, `enabled`, `gpgcheck` and \
              `gpgkey`; it only changes when its contents differ. With `present=False` the file is deleted.",
        args: &[
            arg(
                "src",
                "str",
                Dflt::Required,
                "URL of a `.repo` file to download, or the id/file name of the repository.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the `.repo` file should exist."),
            arg("baseurl", "str | None", Dflt::None, "Base URL of the repository (when `src` is a name)."),
            arg("description", "str | None", Dflt::None, "Human readable name of the repository; defaults to `src`."),
            arg("enabled", "bool", Dflt::Bool(true), "Write `enabled=1` (true) or `enabled=0` (false)."),
            arg("gpgcheck", "bool", Dflt::Bool(true), "Write `gpgcheck=1` so packages must be signed."),
            arg(
                "gpgkey",
                "str | None",
                Dflt::None,
                "URL(s) or absolute path(s) of the signing key, space separated; other values are rejected.",
            ),
        ],
        planner: Some(repo),
        ..Operation::NEW
    },
    Operation {
        name: "rpm",
        doc: "Install or remove a package from a `.rpm` file. A URL source is first downloaded to a temporary \
              file. The package's name and version are read from the file and compared with what is \
              installed, so it is only installed when missing or at another version, and removed with \
              `dnf remove` when `present=False`. When the file is only downloaded during the deploy, the \
              check happens in the shell command instead; removal then cannot be planned.",
        args: &[
            arg("src", "str", Dflt::Required, "Local path or URL of the `.rpm` file."),
            arg("present", "bool", Dflt::Bool(true), "Whether the package from the file should be installed."),
        ],
        planner: Some(rpm),
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Update every installed package to the newest available version with `dnf update -y`. Not \
              idempotent: the command runs on every deploy.",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Make sure dnf packages are installed or removed. Installed packages come from the RPM database \
              (`rpm.RpmPackages`), and names that are capabilities are resolved through what provides them, \
              so only missing packages are installed and only present ones removed. Pin versions as \
              `name=version`; `latest` upgrades installed packages given without a version. `clean` and \
              `update` run `dnf clean all` / `dnf update -y` first.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package name or list of names, optionally as `name=version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Install the packages when true, remove them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages that were given without a version."),
            arg("update", "bool", Dflt::Bool(false), "Run `dnf update -y` before installing."),
            arg("clean", "bool", Dflt::Bool(false), "Run `dnf clean all` before anything else."),
            arg("nobest", "bool", Dflt::Bool(false), "Pass `--nobest` to `dnf install`."),
            arg("extra_install_args", "str | None", Dflt::None, "Extra arguments appended to `dnf install -y`."),
            arg("extra_uninstall_args", "str | None", Dflt::None, "Extra arguments appended to `dnf remove -y`."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
    Operation {
        name: "module",
        doc: "Enable a stream of a dnf module (application stream), or disable the module. Enabling needs a \
              `stream` and does nothing when that stream is already the enabled one; disabling does nothing \
              when the module is already disabled. dnf refuses to switch streams while packages of the \
              current stream are installed, so remove them (or reset the module) first.",
        args: &[
            arg("module", "str", Dflt::Required, "Name of the dnf module, e.g. `postgresql`."),
            arg(
                "stream",
                "str | None",
                Dflt::None,
                "Stream to enable, e.g. `16`; required when enabling, ignored otherwise.",
            ),
            arg("enabled", "bool", Dflt::Bool(true), "True enables `stream`, false disables the whole module."),
        ],
        planner: Some(module),
        ..Operation::NEW
    },
];

fn repo(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    plan_repo(ctx, a, "/etc/yum.repos.d/", None)
}

fn rpm(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ensure_rpm(ctx, &a.str("src")?, a.flag("present"), "dnf")
}

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update all packages");
    ctx.shell("dnf update -y");
    Ok(())
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    plan_packages(ctx, a, "dnf", true)
}

fn module(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let module = a.str("module")?;
    if a.flag("enabled") {
        let stream = a.opt_str("stream").ok_or_else(|| PlanError::value("stream is required when enabled=True"))?;
        let enabled = ctx.fact("dnf.DnfEnabledModules", &[])?;
        // Python's `==`: the stream is compared as given (a number never equals the fact's string).
        if enabled.get(&module) == Some(a.get("stream")) {
            ctx.noop(format!("dnf module {module}:{stream} is already enabled"));
            return Ok(());
        }
        ctx.change(format!("enable dnf module {module}:{stream}"));
        ctx.shell(CommandBuilder::new().word("dnf module enable -y").quoted(&format!("{module}:{stream}")).build());
        return Ok(());
    }
    let disabled = ctx.fact("dnf.DnfDisabledModules", &[])?;
    if disabled.as_array().is_some_and(|d| d.contains(a.get("module"))) {
        ctx.noop(format!("dnf module {module} is already disabled"));
        return Ok(());
    }
    ctx.change(format!("disable dnf module {module}"));
    ctx.shell(CommandBuilder::new().word("dnf module disable -y").quoted(&module).build());
    Ok(())
}
