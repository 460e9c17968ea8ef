//! `pyinfra.operations.yum`: packages, `.rpm` files, repositories and keys with yum. The shared
//! rpm-family planners (key import, `.repo` files, packages) live here and serve dnf and zypper too.

use serde_json::json;

use crate::args::Args;
use crate::plan::{CommandBuilder, Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str};

use super::util::packaging::{
    Ensure, YumRepo, ensure_packages, ensure_rpm, ensure_yum_repo, packages_from_arg, present_flag,
};

/// What this module manages.
pub const DOC: &str = "Manage packages, `.rpm` files, repositories and signing keys on yum-based systems \
                       (older RHEL/CentOS/Fedora). Package names are case-sensitive.";

/// The operations of `yum`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "key",
        doc: "Import a GPG key used to verify packages into the RPM database (`rpm --import`), from a file \
              on the host or a URL. There is no check whether the key is already there: it runs every time.",
        args: &[arg("src", "str", Dflt::Required, "Path on the host or URL of the key.")],
        planner: Some(key),
        ..Operation::NEW
    },
    Operation {
        name: "repo",
        doc: "Add or remove a repository file in `/etc/yum.repos.d`. When `src` is a URL, the `.repo` file \
              is downloaded unless a file of that name is already there (its content is not compared). \
              Otherwise `src` is the repository id and a `<src>.repo` file is written from `baseurl`, \
              `description`, `enabled`, `gpgcheck` and `gpgkey`, replaced only when its content differs. \
              `present=False` deletes the file.",
        args: &[
            arg(
                "src",
                "str",
                Dflt::Required,
                "URL of a `.repo` file to download, or the id of a repository to define.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the repository file should exist."),
            arg("baseurl", "str | None", Dflt::None, "Base URL of the repository (required when `src` is an id)."),
            arg("description", "str | None", Dflt::None, "Human-readable name of the repository (default: the id)."),
            arg("enabled", "bool", Dflt::Bool(true), "Whether the repository is enabled."),
            arg("gpgcheck", "bool", Dflt::Bool(true), "Whether packages must have valid signatures."),
            arg(
                "gpgkey",
                "str | None",
                Dflt::None,
                "URL(s) or absolute path(s) of the signing key(s), space-separated.",
            ),
        ],
        planner: Some(repo),
        ..Operation::NEW
    },
    Operation {
        name: "rpm",
        doc: "Install or remove the package contained in an `.rpm` file, given as a path on the host or a \
              URL (downloaded to a temporary file first). It is installed with `rpm -i` unless the same \
              name and version are already installed, and removed with `yum remove`. With a URL that is \
              not downloaded yet, the package is unknown while planning: an install then checks at run \
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
        doc: "Upgrade all installed packages (`yum update -y`). It runs every time (not idempotent).",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install (`yum install -y`) or remove (`yum remove -y`) packages, comparing against the \
              installed RPMs (a name also matches a package that provides it), so only what differs is \
              touched. A version is pinned as `<pkg>=<version>`. With `latest`, installed packages given \
              without a version are passed to `yum update -y` on every run. `clean` and `update` run \
              `yum clean all` and a full `yum update` first; each counts as a change.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Package name(s), optionally pinned as `name=version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed, unpinned packages."),
            arg("update", "bool", Dflt::Bool(false), "Upgrade all packages (`yum update -y`) first."),
            arg("clean", "bool", Dflt::Bool(false), "Run `yum clean all` first."),
            arg("nobest", "bool", Dflt::Bool(false), "Pass `--nobest` to the install command."),
            arg("extra_install_args", "str | None", Dflt::None, "Extra arguments for `yum install`, inserted as is."),
            arg("extra_uninstall_args", "str | None", Dflt::None, "Extra arguments for `yum remove`, inserted as is."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

/// `rpm --import <src>`: shared by `yum.key`, `dnf.key` and `zypper.key`.
pub(crate) fn key(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let src = a.str("src")?;
    ctx.change(format!("import key {src}"));
    ctx.shell(CommandBuilder::new().word("rpm --import").quoted(&src).build());
    Ok(())
}

/// A yum-style `.repo` file in `repo_directory` from the usual `repo` arguments; `type_` is
/// written as `type=` (zypper).
pub(crate) fn plan_repo(
    ctx: &mut Ctx<'_>,
    a: &Args,
    repo_directory: &str,
    type_: Option<&str>,
) -> Result<(), PlanError> {
    let src = a.str("src")?;
    let (baseurl, description, gpgkey) = (a.opt_str("baseurl"), a.opt_str("description"), a.opt_str("gpgkey"));
    let repo = YumRepo {
        name_or_url: &src,
        baseurl: baseurl.as_deref(),
        present: a.flag("present"),
        description: description.as_deref().filter(|_| a.flag("description")),
        enabled: a.flag("enabled"),
        gpgcheck: a.flag("gpgcheck"),
        gpgkey: gpgkey.as_deref().filter(|_| a.flag("gpgkey")),
        repo_directory,
        type_,
    };
    ensure_yum_repo(ctx, &repo)
}

fn repo(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    plan_repo(ctx, a, "/etc/yum.repos.d/", None)
}

fn rpm(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    ensure_rpm(ctx, &a.str("src")?, a.flag("present"), "yum")
}

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update all packages");
    ctx.shell("yum update -y");
    Ok(())
}

/// The packages that provide `name` (`rpm.RpmPackageProvides`).
fn rpm_provides(ctx: &Ctx<'_>, name: &str) -> Result<Value, PlanError> {
    ctx.fact("rpm.RpmPackageProvides", &[("package", json!(name))])
}

/// `yum.packages` and `dnf.packages`, which differ only in the tool and in whether one provider
/// of a name being installed is enough (`match_any`, dnf).
pub(crate) fn plan_packages(ctx: &mut Ctx<'_>, a: &Args, tool: &str, match_any: bool) -> Result<(), PlanError> {
    if a.flag("clean") {
        ctx.change(format!("{tool} clean all"));
        ctx.shell(format!("{tool} clean all"));
    }
    if a.flag("update") {
        crate::nested(ctx, &format!("{tool}.update"), &[])?;
    }
    let mut install = vec![format!("{tool} install -y")];
    if a.flag("nobest") {
        install.push("--nobest".into());
    }
    if a.flag("extra_install_args") {
        install.push(py_str(a.get("extra_install_args")));
    }
    let mut uninstall = vec![format!("{tool} remove -y")];
    if a.flag("extra_uninstall_args") {
        uninstall.push(py_str(a.get("extra_uninstall_args")));
    }
    let current = ctx.fact("rpm.RpmPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some("=")),
        present_flag(a.get("present")),
        install.join(" "),
        uninstall.join(" "),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some(format!("{tool} update -y"));
    spec.expand = Some(&rpm_provides);
    spec.expand_match_any = match_any;
    ensure_packages(ctx, &current, &spec)
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    plan_packages(ctx, a, "yum", false)
}
