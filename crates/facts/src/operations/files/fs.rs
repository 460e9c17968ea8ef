//! `files.file`, `directory`, `link`, `flags`, `move` and `copy`: filesystem entries on the host.

use serde_json::json;

use super::util::{
    Mode, chmod, chown, dirname, ensure_mode, field, fspath, opt, path_fact, path_fact_if_known, path_name, path_str,
    posix_join,
};
use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::value::{Value, str_or_list, truthy};

/// Make sure the parent directory of `path` exists (pyinfra's `_create_remote_dir`), without
/// touching an existing one's owner or mode and accepting a link in its place.
pub fn create_remote_dir(ctx: &mut Ctx<'_>, path: &str, user: &Value, group: &Value) -> Result<(), PlanError> {
    let parent = dirname(path);
    if parent.is_empty() {
        return Ok(());
    }
    crate::nested(
        ctx,
        "files.directory",
        &[
            ("path", json!(parent)),
            ("user", user.clone()),
            ("group", group.clone()),
            ("_no_check_owner_mode", json!(true)),
            ("_no_fail_on_link", json!(true)),
        ],
    )
}

/// Something of the wrong type is at `path`: move it aside or delete it with `force`, else fail.
fn raise_or_remove(ctx: &mut Ctx<'_>, kind: &str, path: &str, a: &Args) -> Result<(), PlanError> {
    if !a.flag("force") {
        return Err(PlanError::op(format!("{path} exists and is not a {kind}")));
    }
    if a.flag("force_backup") {
        let mut backup = format!("{path}.{}", ctx.env.timestamp());
        if let Some(dir) = opt(a, "force_backup_dir") {
            backup = format!("{dir}/{}", path_name(&backup));
        }
        ctx.shell(format!("mv {} {}", quote(path), quote(&backup)));
    } else {
        ctx.shell(format!("rm -rf {}", quote(path)));
    }
    Ok(())
}

/// The owner change needed when `user`/`group` differ from the fact's, if any.
fn owner_change(info: &Value, user: Option<&str>, group: Option<&str>) -> bool {
    let differs = |want: Option<&str>, key: &str| want.is_some_and(|w| field(info, key).as_str() != Some(w));
    differs(user, "user") || differs(group, "group")
}

/// Whether the existing entry's mode must change to `mode`.
fn mode_change(info: &Value, mode: &Option<Mode>) -> bool {
    mode.as_ref().is_some_and(|m| !truthy(info) || !m.matches(field(info, "mode")))
}

/// `files.file`.
pub fn file(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = fspath(a.get("path"))?;
    let mode = ensure_mode(a.get("mode"))?;
    let (user, group) = (opt(a, "user"), opt(a, "group"));
    let mut info = path_fact(ctx, "files.File", &path)?;
    if info == json!(false) {
        raise_or_remove(ctx, "file", &path, a)?;
        info = Value::Null;
    }
    if !a.flag("present") {
        if truthy(&info) {
            ctx.shell(format!("rm -f {}", quote(&path)));
        } else {
            ctx.noop("file {0} does not exist");
        }
        return Ok(());
    }
    if info.is_null() {
        if a.flag("create_remote_dir") {
            create_remote_dir(ctx, &path, a.get("user"), a.get("group"))?;
        }
        ctx.shell(format!("touch {}", quote(&path)));
        if let Some(m) = &mode {
            ctx.shell(chmod(&path, m, false));
        }
        if user.is_some() || group.is_some() {
            ctx.shell(chown(&path, user.as_deref(), group.as_deref(), false, true)?);
        }
        ctx.change(format!("create file {path}"));
        return Ok(());
    }
    let mut changed = false;
    if a.flag("touch") {
        changed = true;
        ctx.shell(format!("touch {}", quote(&path)));
    }
    if mode_change(&info, &mode)
        && let Some(m) = &mode
    {
        ctx.shell(chmod(&path, m, false));
        changed = true;
    }
    if owner_change(&info, user.as_deref(), group.as_deref()) {
        ctx.shell(chown(&path, user.as_deref(), group.as_deref(), false, true)?);
        changed = true;
    }
    if !changed {
        ctx.noop(format!("file {path} already exists"));
    }
    Ok(())
}

/// `files.directory`.
pub fn directory(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = fspath(a.get("path"))?;
    let mode = ensure_mode(a.get("mode"))?;
    let (user, group) = (opt(a, "user"), opt(a, "group"));
    let recursive = a.flag("recursive");
    let mut info = path_fact(ctx, "files.Directory", &path)?;
    if info == json!(false) {
        if a.flag("_no_fail_on_link") && truthy(&path_fact(ctx, "files.Link", &path)?) {
            ctx.noop(format!("directory {path} already exists (as a link)"));
            return Ok(());
        }
        raise_or_remove(ctx, "directory", &path, a)?;
        info = Value::Null;
    }
    if !a.flag("present") {
        if truthy(&info) {
            ctx.shell(format!("rm -rf {}", quote(&path)));
        } else {
            ctx.noop("directory {0} does not exist");
        }
        return Ok(());
    }
    if info.is_null() {
        ctx.shell(format!("mkdir -p {}", quote(&path)));
        if let Some(m) = &mode {
            ctx.shell(chmod(&path, m, recursive));
        }
        if user.is_some() || group.is_some() {
            ctx.shell(chown(&path, user.as_deref(), group.as_deref(), recursive, true)?);
        }
        ctx.change(format!("create directory {path}"));
        return Ok(());
    }
    if a.flag("_no_check_owner_mode") {
        return Ok(());
    }
    let mut changed = false;
    if mode_change(&info, &mode)
        && let Some(m) = &mode
    {
        ctx.shell(chmod(&path, m, recursive));
        changed = true;
    }
    if owner_change(&info, user.as_deref(), group.as_deref()) {
        ctx.shell(chown(&path, user.as_deref(), group.as_deref(), recursive, true)?);
        changed = true;
    }
    if !changed {
        ctx.noop(format!("directory {path} already exists"));
    }
    Ok(())
}

/// `files.link`.
pub fn link(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = fspath(a.get("path"))?;
    let present = a.flag("present");
    if present && !truthy(a.get("target")) {
        return Err(PlanError::op("If present is True target must be provided"));
    }
    let (user, group) = (opt(a, "user"), opt(a, "group"));
    let mut info = path_fact(ctx, "files.Link", &path)?;
    if info == json!(false) {
        raise_or_remove(ctx, "link", &path, a)?;
        info = Value::Null;
    }
    let remove = format!("rm -f {}", quote(&path));
    if !present {
        if truthy(&info) {
            ctx.shell(remove);
        } else {
            // pyinfra's message is not a format string; it is kept verbatim.
            ctx.noop("link {link} does not exist");
        }
        return Ok(());
    }
    let target = path_str(a.get("target"));
    let ln = if a.flag("symbolic") { "ln -s" } else { "ln" };
    let add = format!("{ln} {} {}", quote(&target), quote(&path));
    if info.is_null() {
        if a.flag("create_remote_dir") {
            create_remote_dir(ctx, &path, a.get("user"), a.get("group"))?;
        }
        ctx.shell(add);
        if user.is_some() || group.is_some() {
            ctx.shell(chown(&path, user.as_deref(), group.as_deref(), false, false)?);
        }
        ctx.change(format!("link {path} -> {target}"));
        return Ok(());
    }
    let mut changed = false;
    if !truthy(&info) || field(&info, "link_target").as_str() != Some(target.as_str()) {
        changed = true;
        ctx.shell(remove);
        ctx.shell(add);
    }
    if owner_change(&info, user.as_deref(), group.as_deref()) {
        ctx.shell(chown(&path, user.as_deref(), group.as_deref(), false, false)?);
        changed = true;
    }
    if !changed {
        ctx.noop(format!("link {path} already exists"));
    }
    Ok(())
}

/// `files.flags`.
pub fn flags(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = path_str(a.get("path"));
    let wanted: Vec<String> = if truthy(a.get("flags")) { str_or_list(a.get("flags")) } else { vec![] };
    if wanted.is_empty() {
        ctx.noop(format!("no changes requested to flags for '{path}'"));
        return Ok(());
    }
    let current = str_or_list(&path_fact(ctx, "files.Flags", &path)?);
    let present = a.flag("present");
    let mut to_change: Vec<&String> = wanted.iter().filter(|f| current.contains(f) != present).collect();
    to_change.sort();
    to_change.dedup();
    if to_change.is_empty() {
        let state = if present { "set" } else { "clear" };
        ctx.noop(format!("'{path}' already has '{}' {state}", wanted.join(",")));
        return Ok(());
    }
    let prefix = if present { "" } else { "no" };
    let new: Vec<String> = to_change.iter().map(|f| format!("{prefix}{f}")).collect();
    ctx.shell(format!("chflags {} {}", new.join(","), quote(&path)));
    Ok(())
}

/// `files.move`.
pub fn move_(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (src, dest) = (path_str(a.get("src")), path_str(a.get("dest")));
    if path_fact(ctx, "files.File", &src)?.is_null() {
        return Err(PlanError::op(format!("src {src} does not exist")));
    }
    if !truthy(&path_fact(ctx, "files.Directory", &dest)?) {
        return Err(PlanError::op(format!("dest {dest} is not an existing directory")));
    }
    let full = posix_join(&dest, &path_name(&src));
    if !path_fact(ctx, "files.File", &full)?.is_null() {
        if !a.flag("overwrite") {
            return Err(PlanError::op(format!("dest {full} already exists and `overwrite` is unset")));
        }
        ctx.shell(format!("rm -rf {}", quote(&full)));
    }
    ctx.shell(format!("mv {} {}", quote(&src), quote(&dest)));
    Ok(())
}

/// Whether two files on the host have the same checksum (the first hash both sides know).
fn remote_files_equal(ctx: &Ctx<'_>, a: &str, b: &str) -> Result<bool, PlanError> {
    for f in ["files.Sha1File", "files.Md5File", "files.Sha256File"] {
        // The next hash only once this one is known to be missing (see `transfer.rs`).
        let (Some(x), Some(y)) = (path_fact_if_known(ctx, f, a)?, path_fact_if_known(ctx, f, b)?) else {
            return Ok(false);
        };
        if truthy(&x) && truthy(&y) {
            return Ok(x == y);
        }
    }
    Ok(false)
}

/// `files.copy`.
pub fn copy(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (src, dest) = (path_str(a.get("src")), path_str(a.get("dest")));
    let src_is_dir = truthy(&path_fact(ctx, "files.Directory", &src)?);
    if !truthy(&path_fact(ctx, "files.File", &src)?) && !src_is_dir {
        return Err(PlanError::op(format!("src {src} does not exist")));
    }
    if !truthy(&path_fact(ctx, "files.Directory", &dest)?) {
        return Err(PlanError::op(format!("dest {dest} is not an existing directory")));
    }
    let target = posix_join(&dest, &path_name(&src));
    let overwrite = a.flag("overwrite");
    if truthy(&path_fact(ctx, "files.File", &target)?) && !overwrite {
        if remote_files_equal(ctx, &src, &target)? {
            ctx.noop(format!("{target} already exists"));
            return Ok(());
        }
        return Err(PlanError::op(format!("{target} already exists and is different than src")));
    }
    let f = if overwrite { " -f" } else { "" };
    ctx.shell(format!("cp -r{f} {} {}", quote(&src), quote(&dest)));
    Ok(())
}
