//! `pyinfra.operations.pkg`: BSD packages (`pkg` on FreeBSD, `pkg_add`/`pkg_delete` elsewhere).

use serde_json::json;

use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Install and remove BSD binary packages with `pkg` (FreeBSD) or `pkg_add`/`pkg_delete` \
                       (OpenBSD and others). Package names are case-sensitive.";

/// The operations of `pkg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[Operation {
    name: "packages",
    doc: "Install or remove BSD packages, comparing against the installed list so only what differs is \
          touched. Hosts with a `pkg` binary use `pkg install -y`/`pkg delete -y`, others \
          `pkg_add`/`pkg_delete`. When installing and neither `pkg_path` nor `/etc/installurl` exists, \
          `PKG_PATH` is set to `http://ftp.<os>.org/pub/<OS>/<version>/packages/<arch>/`, a layout that \
          fits OpenBSD mirrors only.",
    args: &[
        arg("packages", "str | list[str] | None", Dflt::None, "Package name(s) to manage."),
        arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed (False: delete)."),
        arg(
            "pkg_path",
            "str | None",
            Dflt::None,
            "Value of `PKG_PATH` for installs (default: derived OpenBSD mirror).",
        ),
    ],
    planner: Some(packages),
    ..Operation::NEW
}];

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut pkg_path = a.opt_str("pkg_path").filter(|p| !p.is_empty());
    if *a.get("present") == Value::Bool(true)
        && pkg_path.is_none()
        && !truthy(&ctx.fact("files.File", &[("path", json!("/etc/installurl"))])?)
    {
        // The OpenBSD mirror layout; other BSDs lay their mirrors out differently.
        let os = match ctx.fact("server.Os", &[])? {
            v if truthy(&v) => py_str(&v),
            _ => String::new(),
        };
        let version = py_str(&ctx.fact("server.OsVersion", &[])?);
        let arch = py_str(&ctx.fact("server.Arch", &[])?);
        pkg_path = Some(format!("http://ftp.{}.org/pub/{os}/{version}/packages/{arch}/", os.to_lowercase()));
    }
    let is_pkg = truthy(&ctx.fact("server.Which", &[("command", json!("pkg"))])?);
    let (mut install, uninstall) =
        if is_pkg { ("pkg install -y".to_string(), "pkg delete -y") } else { ("pkg_add".to_string(), "pkg_delete") };
    if let Some(path) = pkg_path {
        install = format!("PKG_PATH={path} {install}");
    }
    let current = ctx.fact("pkg.PkgPackages", &[])?;
    let spec = Ensure::new(
        packages_from_arg(a.get("packages"), None),
        present_flag(a.get("present")),
        install,
        uninstall.into(),
    );
    ensure_packages(ctx, &current, &spec)
}
