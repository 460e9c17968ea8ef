//! `pyinfra.operations.yum`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

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
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Upgrade all installed packages (`yum update -y`). It runs every time (not idempotent).",
        args: &[],
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
        ..Operation::NEW
    },
];
