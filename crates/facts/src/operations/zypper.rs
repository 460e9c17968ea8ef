//! `pyinfra.operations.zypper`: packages, `.rpm` files and repositories with zypper (keys as yum).

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::py_str;

use super::util::packaging::{Ensure, ensure_packages, ensure_rpm, packages_from_arg, present_flag};
use super::yum::plan_repo;

/// zypper without prompts, trusting new repository keys: installs and updates.
const ZYPPER_AUTO: &str = "zypper --non-interactive --gpg-auto-import-keys";

/// What this module manages.
pub const DOC: &str = "Manage packages, `.rpm` files and repositories on openSUSE/SLES with `zypper`.";

/// The operations of `zypper`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "key",
        doc: "The same operation as `yum.key`: import a package signing key with `rpm --import`.",
        alias_of: Some("yum.key"),
        ..Operation::NEW
    },
    Operation {
        name: "yum_key",
        doc: "The same operation as `yum.key`: import a package signing key with `rpm --import`.",
        alias_of: Some("yum.key"),
        ..Operation::NEW
    },
    Operation {
        name: "repo",
        doc: "Add or remove a repository file in `/etc/zypp/repos.d`. When `src` is a URL, the `.repo` \
              file is downloaded unless a file of that name is already there (its content is not \
              compared). Otherwise `src` is the repository id and a `<src>.repo` file is written from \
              `baseurl`, `description`, `enabled`, `gpgcheck`, `gpgkey` and `type`, replaced only when \
              its content differs. `present=False` deletes the file.",
        args: &[
            arg(
                "src",
                "str",
                Dflt::Required,
                "URL of a `.repo` file to download, or the id of a repository to define.",
            ),
            arg("baseurl", "str | None", Dflt::None, "Base URL of the repository (required when `src` is an id)."),
            arg("present", "bool", Dflt::Bool(true), "Whether the repository file should exist."),
            arg("description", "str | None", Dflt::None, "Human-readable name of the repository (default: the id)."),
            arg("enabled", "bool", Dflt::Bool(true), "Whether the repository is enabled."),
            arg("gpgcheck", "bool", Dflt::Bool(true), "Whether packages must have valid signatures."),
            arg(
                "gpgkey",
                "str | None",
                Dflt::None,
                "URL(s) or absolute path(s) of the signing key(s), space-separated.",
            ),
            arg("type", "str", Dflt::Str("rpm-md"), "Repository metadata type written as `type=`."),
        ],
        planner: Some(repo),
        ..Operation::NEW
    },
    Operation {
        name: "rpm",
        doc: "Install or remove the package contained in an `.rpm` file, given as a path on the host or a \
              URL (downloaded to a temporary file first). It is installed with `rpm -i` unless the same \
              name and version are already installed, and removed with `zypper remove`. With a URL that \
              is not downloaded yet, the package is unknown while planning: an install then checks at run \
              time, and a removal cannot be done.",
        args: &[
            arg("src", "str", Dflt::Required, "Path on the host or URL of the `.rpm` file."),
            arg("present", "bool", Dflt::Bool(true), "Whether the package should be installed (False: remove)."),
        ],
        planner: Some(rpm),
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Upgrade all installed packages non-interactively, trusting new repository keys \
              (`zypper update -y`). It runs every time (not idempotent).",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install or remove packages with `zypper --non-interactive`, comparing against the installed \
              RPMs so only what differs is touched; repository keys are trusted automatically on install. \
              A version is pinned as `<pkg>=<version>`. With `latest`, installed packages given without a \
              version are passed to `zypper update -y` on every run. `clean` and `update` run `zypper clean \
              --all` and a full update first; each counts as a change.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package name(s), optionally pinned as `name=version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed, unpinned packages."),
            arg("update", "bool", Dflt::Bool(false), "Upgrade all packages first."),
            arg("clean", "bool", Dflt::Bool(false), "Run `zypper clean --all` first."),
            arg(
                "extra_global_install_args",
                "str | None",
                Dflt::None,
                "Global zypper options for installs, placed before `install`.",
            ),
            arg("extra_install_args", "str | None", Dflt::None, "Extra arguments for `zypper install`, after `-y`."),
            arg(
                "extra_global_uninstall_args",
                "str | None",
                Dflt::None,
                "Global zypper options for removals, placed before `remove`.",
            ),
            arg("extra_uninstall_args", "str | None", Dflt::None, "Extra arguments for `zypper remove`, after `-y`."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

fn repo(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let type_ = a.opt_str("type").filter(|_| a.flag("type"));
    plan_repo(ctx, a, "/etc/zypp/repos.d/", type_.as_deref())
}

fn rpm(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ensure_rpm(ctx, &a.str("src")?, a.flag("present"), "zypper --non-interactive")
}

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update all packages");
    ctx.shell(format!("{ZYPPER_AUTO} update -y"));
    Ok(())
}

/// `zypper [<global>] <subcommand> [<extra>]`: pyinfra inserts the global arguments right after
/// `zypper` and appends the extra ones.
fn zypper_command(a: &Args, subcommand: &str, extra: &str, global: &str) -> String {
    let mut words = vec!["zypper".to_string()];
    if a.flag(global) {
        words.push(py_str(a.get(global)));
    }
    words.push(subcommand.to_string());
    if a.flag(extra) {
        words.push(py_str(a.get(extra)));
    }
    words.join(" ")
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("clean") {
        ctx.change("zypper clean --all");
        ctx.shell("zypper clean --all");
    }
    if a.flag("update") {
        crate::nested(ctx, "zypper.update", &[])?;
    }
    let install = zypper_command(
        a,
        "--non-interactive --gpg-auto-import-keys install -y",
        "extra_install_args",
        "extra_global_install_args",
    );
    let uninstall =
        zypper_command(a, "--non-interactive remove -y", "extra_uninstall_args", "extra_global_uninstall_args");
    let current = ctx.fact("rpm.RpmPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some("=")),
        present_flag(a.get("present")),
        install,
        uninstall,
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some(format!("{ZYPPER_AUTO} update -y"));
    ensure_packages(ctx, &current, &spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn global_args_go_first() {
        let a = Args::from_pairs([("x", json!("--force")), ("g", json!("--quiet")), ("none", json!(null))]);
        assert_eq!(zypper_command(&a, "remove -y", "x", "g"), "zypper --quiet remove -y --force");
        assert_eq!(zypper_command(&a, "remove -y", "none", "none"), "zypper remove -y");
    }
}
