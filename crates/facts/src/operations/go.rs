//! `pyinfra.operations.go`: Go programs installed with `go install`.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, str_or_list};

/// What this module manages.
pub const DOC: &str = "Install and remove Go programs with `go install`.";

/// The operations of `go`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Make sure Go programs, given by import path, are installed in the Go binary directory (`GOBIN`, \
          else `$GOPATH/bin`) or removed from it. Installed programs and their module versions come from \
          `go.GoPackages`. A pinned `path@version` is installed when that version is missing; an unpinned \
          (or `@latest`) path only when absent, or on every run with `latest` since there is nothing to \
          compare against. Removal deletes the binary, named after the last path element (ignoring a \
          `/vN` suffix).",
    args: &[
        arg(
            "packages",
            "str | list[str] | None",
            Dflt::None,
            "Import path or list of paths, optionally as `path@version`.",
        ),
        arg("present", "bool", Dflt::Bool(true), "Install the programs when true, remove their binaries when false."),
        arg("latest", "bool", Dflt::Bool(false), "Reinstall installed unpinned programs at `@latest` on every run."),
    ],
    planner: Some(packages),
    ..Operation::NEW
}];

/// The binary `go install <path>` produces: the last path element, or the one before a
/// semantic-import-versioning `/vN` suffix.
fn binary_name(path: &str) -> &str {
    let parts: Vec<&str> = path.split('/').collect();
    let is_major =
        |p: &str| p.strip_prefix('v').is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
    match parts.as_slice() {
        [.., name, last] if is_major(last) => name,
        [.., last] => last,
        [] => path,
    }
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.get("packages").is_null() {
        return Ok(());
    }
    let current = ctx.fact("go.GoPackages", &[])?;
    let (present, latest) = (a.flag("present"), a.flag("latest"));
    let (mut install, mut upgrade, mut remove) = (Vec::new(), Vec::new(), Vec::new());
    for pkg in str_or_list(a.get("packages")) {
        let (name, version) = pkg.split_once('@').unwrap_or((&pkg, ""));
        let installed: Vec<String> = match current.get(name) {
            Some(Value::Array(vs)) => vs.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => vec![],
        };
        // `@latest` is what go installs by, not a version a binary records.
        let unversioned = version.is_empty() || version == "latest";
        if !present {
            if installed.is_empty() {
                ctx.noop(format!("package {name} is not installed"));
            } else {
                remove.push(name.to_string());
            }
        } else if unversioned {
            if installed.is_empty() {
                install.push(format!("{name}@latest"));
            } else if latest {
                upgrade.push(format!("{name}@latest"));
            } else {
                let mut shown = installed.clone();
                shown.sort();
                ctx.noop(format!("package {name} is installed ({})", shown.join(",")));
            }
        } else if !installed.iter().any(|v| v == version) {
            install.push(format!("{name}@{version}"));
        } else {
            ctx.noop(format!("package {name}@{version} is installed"));
        }
    }
    for (list, verb) in [(&install, "install"), (&upgrade, "upgrade")] {
        if !list.is_empty() {
            ctx.change(format!("{verb} {}", list.join(" ")));
            let quoted: Vec<String> = list.iter().map(|p| quote(p)).collect();
            ctx.shell(format!("go install {}", quoted.join(" ")));
        }
    }
    if !remove.is_empty() {
        ctx.change(format!("remove {}", remove.join(" ")));
        let files: Vec<String> = remove.iter().map(|n| format!("\"$BINDIR\"/{}", quote(binary_name(n)))).collect();
        ctx.shell(format!(
            "BINDIR=$(go env GOBIN); [ -z \"$BINDIR\" ] && BINDIR=\"$(go env GOPATH)/bin\"; rm -f {}",
            files.join(" ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::binary_name;

    #[test]
    fn binary_names() {
        assert_eq!(binary_name("github.com/foo/bar/v2"), "bar");
        assert_eq!(binary_name("honnef.co/go/tools/cmd/staticcheck"), "staticcheck");
        assert_eq!(binary_name("v2"), "v2");
        assert_eq!(binary_name("a/vx"), "vx");
    }
}
