//! `pyinfra.operations.brew`: schema only for now.

use crate::schema::{Dflt, Operation, arg, enum_arg};

/// What this module manages.
pub const DOC: &str = "Manage Homebrew on macOS: formulae, casks, taps and which of them are trusted.";

/// The operations of `brew`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "update",
        doc: "Fetch the newest Homebrew and formula definitions with `brew update`. Runs on every deploy \
              and always counts as a change.",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "upgrade",
        doc: "Upgrade every outdated formula with `brew upgrade`. Not idempotent: the command runs on \
              every deploy.",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Make sure Homebrew formulae are installed or uninstalled. The wanted names are compared with \
              the installed formulae (`brew.BrewPackages`) and only the missing or unwanted ones are passed \
              to `brew install` / `brew uninstall`. Versions are pinned as `name@version`; `latest` also \
              upgrades installed formulae given without a version. `update`/`upgrade` run first when set.",
        args: &[
            arg(
                "packages",
                "str | list[str] | None",
                Dflt::None,
                "Formula name or list of names, optionally as `name@version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Install the formulae when true, uninstall them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed formulae that were given without a version."),
            arg("update", "bool", Dflt::Bool(false), "Run `brew update` first."),
            arg("upgrade", "bool", Dflt::Bool(false), "Run `brew upgrade` first."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "cask_upgrade",
        doc: "Upgrade every installed cask. Uses `brew upgrade --cask` on Homebrew 2.6 and later and the \
              old `brew cask upgrade` before that (decided from `brew.BrewVersion`). Runs on every deploy.",
        args: &[],
        ..Operation::NEW
    },
    Operation {
        name: "casks",
        doc: "Make sure Homebrew casks (macOS applications) are installed or uninstalled. Only casks that \
              differ from the installed set (`brew.BrewCasks`) are acted on, so repeated runs are no-ops. \
              Versions are pinned as `name@version`; `latest` upgrades installed casks given without a \
              version. The cask command syntax follows the installed Homebrew version.",
        args: &[
            arg(
                "casks",
                "str | list[str] | None",
                Dflt::None,
                "Cask name or list of names, optionally as `name@version`.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Install the casks when true, uninstall them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed casks that were given without a version."),
            arg("upgrade", "bool", Dflt::Bool(false), "Upgrade all casks before installing."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "tap",
        doc: "Add or remove a Homebrew tap (a third-party formula repository), and keep its trust state in \
              line. The tap is named by `src` (`user/repo`); if only `url` is given the name is taken from \
              the URL's path. Names that are not exactly two `/`-separated parts are skipped with no change. \
              Nothing runs when the tap is already in the wanted state, except a `brew trust`/`untrust` \
              when an existing tap's trust differs from `trusted`.",
        args: &[
            arg("src", "str | None", Dflt::None, "Tap name, `user/repo`."),
            arg("present", "bool", Dflt::Bool(true), "Whether the tap should be added (true) or removed (false)."),
            arg("trusted", "bool | None", Dflt::Bool(false), "Whether the tap should be marked as trusted."),
            arg("url", "str | None", Dflt::None, "Clone URL of the tap, for taps not hosted at the default location."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "trust",
        doc: "Mark Homebrew casks, commands, formulae or taps as trusted or untrusted (`brew trust` / \
              `brew untrust`). The current trust list (`brew.BrewTrusted`) is consulted and only items whose \
              state differs get a command; the rest are reported as already done. Empty item names are \
              rejected.",
        args: &[
            arg("items", "str | list[str]", Dflt::Required, "Name or list of names of the items to (un)trust."),
            enum_arg(
                "kind",
                "BrewItemKind",
                &["casks", "commands", "formulae", "taps"],
                Dflt::Required,
                "What the items are: a `BrewItemKind` (CASK, COMMAND, FORMULA or TAP).",
            ),
            arg("trusted", "bool", Dflt::Required, "True to trust the items, false to untrust them."),
        ],
        ..Operation::NEW
    },
];
