//! `pyinfra.operations.brew`: Homebrew formulae, casks, taps and trust.

use std::collections::BTreeSet;

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use super::util::url::urlparse;
use crate::args::Args;
use crate::nested;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg, enum_arg};
use crate::value::{Value, py_str, str_or_list, truthy};

/// What this module manages.
pub const DOC: &str = "Manage Homebrew on macOS: formulae, casks, taps and which of them are trusted.";

/// The operations of `brew`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "update",
        doc: "Fetch the newest Homebrew and formula definitions with `brew update`. Runs on every deploy \
              and always counts as a change.",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "upgrade",
        doc: "Upgrade every outdated formula with `brew upgrade`. Not idempotent: the command runs on \
              every deploy.",
        args: &[],
        planner: Some(upgrade),
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
        planner: Some(packages),
        ..Operation::NEW
    },
    Operation {
        name: "cask_upgrade",
        doc: "Upgrade every installed cask. Uses `brew upgrade --cask` on Homebrew 2.6 and later and the \
              old `brew cask upgrade` before that (decided from `brew.BrewVersion`). Runs on every deploy.",
        args: &[],
        planner: Some(cask_upgrade),
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
        planner: Some(casks),
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
        planner: Some(tap),
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
        planner: Some(trust),
        ..Operation::NEW
    },
];

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update brew");
    ctx.shell("brew update");
    Ok(())
}

fn upgrade(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("upgrade brew packages");
    ctx.shell("brew upgrade");
    Ok(())
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("update") {
        nested(ctx, "brew.update", &[])?;
    }
    if a.flag("upgrade") {
        nested(ctx, "brew.upgrade", &[])?;
    }
    let current = ctx.fact("brew.BrewPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some("@")),
        present_flag(a.get("present")),
        "brew install".into(),
        "brew uninstall".into(),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some("brew upgrade".into());
    ensure_packages(ctx, &current, &spec)
}

/// `brew <verb>` for casks: `brew <verb> --cask` from Homebrew 2.6, `brew cask <verb>` before.
fn cask_command(ctx: &Ctx<'_>, verb: &str) -> Result<String, PlanError> {
    let version = ctx.fact("brew.BrewVersion", &[])?;
    let part = |i: usize| {
        version
            .get(i)
            .and_then(Value::as_i64)
            .ok_or_else(|| PlanError::value(format!("unexpected brew version {version}")))
    };
    let (major, minor) = (part(0)?, part(1)?);
    let new_cli = major >= 3 || (major >= 2 && minor >= 6);
    Ok(if new_cli { format!("brew {verb} --cask") } else { format!("brew cask {verb}") })
}

fn cask_upgrade(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    let command = cask_command(ctx, "upgrade")?;
    ctx.change("upgrade brew casks");
    ctx.shell(command);
    Ok(())
}

fn casks(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("upgrade") {
        nested(ctx, "brew.cask_upgrade", &[])?;
    }
    let (install, uninstall, upgrade) =
        (cask_command(ctx, "install")?, cask_command(ctx, "uninstall")?, cask_command(ctx, "upgrade")?);
    let current = ctx.fact("brew.BrewCasks", &[])?;
    let mut spec =
        Ensure::new(packages_from_arg(a.get("casks"), Some("@")), present_flag(a.get("present")), install, uninstall);
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some(upgrade);
    ensure_packages(ctx, &current, &spec)
}

/// `brew trust|untrust --tap <tap>`.
fn trust_tap(ctx: &mut Ctx<'_>, tap: &str, trust: bool) {
    let verb = if trust { "trust" } else { "untrust" };
    ctx.change(format!("{verb} tap {tap}"));
    ctx.shell(format!("brew {verb} --tap {}", quote(tap)));
}

/// Whether a list-valued fact (or fact entry) holds `name`.
fn holds(list: Option<&Value>, name: &str) -> bool {
    list.and_then(Value::as_array).is_some_and(|l| l.iter().any(|v| v.as_str() == Some(name)))
}

fn tap(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let trusted = a.flag("trusted");
    let present = a.flag("present");
    if !a.flag("src") && !a.flag("url") {
        ctx.noop("no tap was specified");
        return Ok(());
    }
    let src = if a.flag("src") {
        py_str(a.get("src"))
    } else {
        urlparse(&py_str(a.get("url"))).path.trim_matches('/').to_string()
    };
    if src.split('/').count() != 2 {
        ctx.noop(format!("src '{src}' doesn't have two components."));
        return Ok(());
    }
    let taps = ctx.fact("brew.BrewTaps", &[])?;
    let already_tapped = holds(Some(&taps), &src);
    if present && already_tapped {
        ctx.noop(format!("tap {src} already exists"));
        let trusted_now = ctx.fact("brew.BrewTrusted", &[])?;
        let is_trusted = holds(trusted_now.get("taps"), &src);
        if trusted != is_trusted {
            trust_tap(ctx, &src, trusted);
        }
        return Ok(());
    }
    if already_tapped {
        ctx.change(format!("untap {src}"));
        ctx.shell(format!("brew untap {}", quote(&src)));
        return Ok(());
    }
    if !present {
        ctx.noop(format!("tap {src} does not exist"));
        return Ok(());
    }
    let mut command = format!("brew tap {}", quote(&src));
    if !a.get("url").is_null() {
        command = format!("{command} {}", quote(&py_str(a.get("url"))));
    }
    ctx.change(format!("tap {src}"));
    ctx.shell(command);
    // A new tap cannot be trusted yet.
    if trusted {
        trust_tap(ctx, &src, true);
    }
    Ok(())
}

/// A `BrewItemKind` given by value (`casks`) or member name (`CASK`, `BrewItemKind.CASK`):
/// its value and its `brew trust` option.
fn item_kind(v: &Value) -> Result<(&'static str, &'static str), PlanError> {
    let s = py_str(v);
    let s = s.strip_prefix("BrewItemKind.").unwrap_or(&s);
    match s {
        "casks" | "CASK" => Ok(("casks", "--cask")),
        "commands" | "COMMAND" => Ok(("commands", "--command")),
        "formulae" | "FORMULA" => Ok(("formulae", "--formula")),
        "taps" | "TAP" => Ok(("taps", "--tap")),
        _ => Err(PlanError::value(format!("'{s}' is not a valid BrewItemKind"))),
    }
}

fn trust(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let items: BTreeSet<String> = str_or_list(a.get("items")).into_iter().collect();
    if items.iter().any(String::is_empty) {
        return Err(PlanError::value("all items must have non-zero length names"));
    }
    let (kind, option) = item_kind(a.get("kind"))?;
    let trusted = truthy(a.get("trusted"));
    let verb = if trusted { "trust" } else { "untrust" };
    let current = ctx.fact("brew.BrewTrusted", &[])?;
    let (mut change, mut ok) = (Vec::new(), Vec::new());
    for item in &items {
        // Trusting changes what is not yet trusted; untrusting what is.
        if holds(current.get(kind), item) != trusted {
            change.push(item.as_str());
        } else {
            ok.push(item.as_str());
        }
    }
    for item in change {
        ctx.change(format!("{verb} {item}"));
        ctx.shell(format!("brew {verb} {option} {}", quote(item)));
    }
    if !ok.is_empty() {
        ctx.noop(format!("{} {kind} already {verb}ed", ok.join(", ")));
    }
    Ok(())
}
