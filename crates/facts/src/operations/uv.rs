//! `pyinfra.operations.uv`: schema only for now.

use crate::schema::{Arg, Dflt, Operation, arg, enum_arg};

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
        ..Operation::NEW
    },
    Operation {
        name: "tools_upgrade_all",
        doc: "Upgrade every tool installed with uv (`uv tool upgrade --all`). It runs every time.",
        args: &[EXTRA_ARGS],
        ..Operation::NEW
    },
    Operation {
        name: "tools_update_shell",
        doc: "Make sure uv's tool executable directory is on the PATH by running `uv tool update-shell`, \
              unless the directory reported by `uv tool dir` is already one of the PATH entries.",
        args: &[],
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
        ..Operation::NEW
    },
];
