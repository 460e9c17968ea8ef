//! `pyinfra.operations.opkg`: packages on OpenWrt (before 25.12) with opkg.

use crate::args::Args;
use crate::plan::{Ctx, ErrorKind, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str};

use super::util::packaging::{Ensure, PkgInfo, ensure_packages, present_flag};

/// What this module manages.
pub const DOC: &str = "Manage packages with `opkg`, the package manager of OpenWrt before 25.12 (which moved to apk).";

/// The operations of `opkg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "update",
        doc: "Refresh opkg's lists of available packages (`opkg update`). It runs every time (not idempotent). \
              There is deliberately no upgrade-everything operation, as OpenWrt advises against it.",
        args: &[],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install or remove opkg packages, comparing against the installed list (`opkg list-installed`) \
              so only what differs is touched; with `latest`, installed packages are passed to `opkg upgrade` \
              on every run. opkg cannot pin versions: a `name=version` spec raises an error. An empty package \
              list is a no-op. By default the package lists are refreshed first, which counts as a change.",
        args: &[
            arg("packages", "str | list[str]", Dflt::Str(""), "Package name(s) to manage (no version pinning)."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: remove)."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages to the newest version."),
            arg("update", "bool", Dflt::Bool(true), "Run `opkg update` before installing."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

fn update(ctx: &mut Ctx<'_>, _: &Args) -> Result<(), PlanError> {
    ctx.change("update the opkg package lists");
    ctx.shell("opkg update");
    Ok(())
}

/// A package name as pyinfra uses it (`len(p)`, `"=" in p`): anything but a string is a `TypeError`.
fn package_name(v: &Value) -> Result<&str, PlanError> {
    v.as_str().ok_or_else(|| {
        PlanError::new(ErrorKind::TypeError, format!("object of type '{}' has no len()", crate::value::py_type_name(v)))
    })
}

/// pyinfra's check for an empty package list: `""`, `[]` or a list of empty names.
fn is_empty_list(packages: &Value) -> Result<bool, PlanError> {
    if py_str(packages).is_empty() {
        return Ok(true);
    }
    let Value::Array(list) = packages else { return Ok(false) };
    if list.is_empty() {
        return Ok(true);
    }
    for p in list {
        // `all(len(p) < 1 ...)` stops at the first non-empty name.
        if !package_name(p)?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let packages = a.get("packages");
    if is_empty_list(packages)? {
        ctx.noop("empty or invalid package list provided to opkg.packages");
        return Ok(());
    }
    let list = match packages {
        Value::Array(list) => list.clone(),
        other => vec![other.clone()],
    };
    let mut names = Vec::with_capacity(list.len());
    for p in &list {
        names.push(package_name(p).map_err(|_| {
            PlanError::new(
                ErrorKind::TypeError,
                format!("argument of type '{}' is not iterable", crate::value::py_type_name(p)),
            )
        })?);
    }
    let pinned: Vec<&str> =
        names.iter().filter(|n| n.contains('=')).map(|n| n.split('=').next().unwrap_or_default()).collect();
    if !pinned.is_empty() {
        return Err(PlanError::new(
            ErrorKind::ValueError,
            format!("opkg does not support version pinning but found for: '{}'", pinned.join(",")),
        ));
    }
    if a.flag("update") {
        crate::nested(ctx, "opkg.update", &[])?;
    }
    let current = ctx.fact("opkg.OpkgPackages", &[])?;
    let mut spec = Ensure::new(
        names.iter().map(|n| PkgInfo::new(n, "", "", "")).collect(),
        present_flag(a.get("present")),
        "opkg install".into(),
        "opkg remove".into(),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some("opkg upgrade".into());
    ensure_packages(ctx, &current, &spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_package_lists() {
        assert_eq!(is_empty_list(&json!("")), Ok(true));
        assert_eq!(is_empty_list(&json!([])), Ok(true));
        assert_eq!(is_empty_list(&json!(["", ""])), Ok(true));
        assert_eq!(is_empty_list(&json!(["", "a", null])), Ok(false));
        assert_eq!(is_empty_list(&json!(null)), Ok(false));
        let err = is_empty_list(&json!([null])).expect_err("len(None)");
        assert_eq!(err, PlanError::new(ErrorKind::TypeError, "object of type 'NoneType' has no len()"));
    }
}
