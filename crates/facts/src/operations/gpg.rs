//! `pyinfra.operations.gpg`: GPG keys and keyring files (the building block of `apt.key`).

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Map, Value, py_repr_str, py_str, str_or_list, truthy};

use super::util::packaging::present_flag;
use super::util::url::urlparse;

/// What this module manages.
pub const DOC: &str = "Install and remove GPG keys and keyring files, e.g. the signing keys of package \
                       repositories under `/etc/apt/keyrings`.";

/// The operations of `gpg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "key",
        doc: "Install a GPG key into a keyring file, or remove keys or keyring files. Installing takes the key \
              from `src` (a local file or an http(s) URL, downloaded first; ASCII-armored keys are converted \
              to binary unless `dearmor=False`) or fetches `keyid` from a `keyserver`, then sets `mode` on \
              `dest`. It is skipped (only the mode is enforced) when `dest` already exists, or, with `keyid`, \
              when all those keys are already in `dest`. Removal (`present=False`) deletes `dest`, or just \
              the keys matching `keyid` from `dest` or from every keyring found in `working_dirs`; an \
              armored `.asc` keyring can only be removed as a whole.",
        args: &[
            arg(
                "src",
                "str | None",
                Dflt::None,
                "Local path or http(s) URL of the key (armored `.asc` or binary `.gpg`).",
            ),
            arg("dest", "str | None", Dflt::None, "Keyring file to write; required to install, optional to remove."),
            arg(
                "keyserver",
                "str | None",
                Dflt::None,
                "Keyserver to fetch `keyid` from, e.g. `hkps://keyserver.ubuntu.com`.",
            ),
            arg(
                "keyid",
                "str | list[str] | None",
                Dflt::None,
                "Key ID(s) or fingerprint(s): needed with `keyserver`, selects keys to remove.",
            ),
            arg("dearmor", "bool", Dflt::Bool(true), "Convert an ASCII-armored `src` key to binary format."),
            arg("mode", "str", Dflt::Str("0644"), "File mode of the installed keyring."),
            arg("present", "bool", Dflt::Bool(true), "Install the key when true, remove it when false."),
            arg(
                "working_dirs",
                "list[str] | None",
                Dflt::None,
                "Directories whose keyrings are searched when removing `keyid` without a `dest`.",
            ),
        ],
        planner: Some(key),
        ..Operation::NEW
    },
    Operation {
        name: "dearmor",
        doc: "Convert an ASCII-armored key file on the host to a binary keyring with `gpg --dearmor`, creating \
              the destination directory and setting the file mode. The conversion runs on every deploy.",
        args: &[
            arg("src", "str", Dflt::Required, "ASCII-armored key file on the host."),
            arg("dest", "str", Dflt::Required, "Binary keyring file to write."),
            arg("mode", "str", Dflt::Str("0644"), "File mode of the written keyring."),
        ],
        planner: Some(dearmor),
        ..Operation::NEW
    },
];

/// `str(PurePosixPath(p).parent)`.
fn parent(p: &str) -> String {
    let absolute = p.starts_with('/');
    // POSIX keeps exactly two leading slashes; any other number means one.
    let root = if absolute && p.starts_with("//") && !p.starts_with("///") {
        "//"
    } else if absolute {
        "/"
    } else {
        ""
    };
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    match parts.split_last() {
        Some((_, rest)) if !rest.is_empty() => format!("{root}{}", rest.join("/")),
        _ if absolute => root.to_string(),
        _ => ".".to_string(),
    }
}

/// Whether an existing key ID matches a wanted one (no `0x`, upper-case): short and long IDs
/// match as suffixes or prefixes, a full fingerprint matches the key ID it ends with.
fn matches_keyid(existing: &str, clean: &str) -> bool {
    let existing = existing.to_uppercase();
    clean == existing || existing.ends_with(clean) || existing.starts_with(clean) || clean.ends_with(&existing)
}

/// A key ID as compared: without `0x`/`0X`, upper-cased.
fn clean_keyid(kid: &str) -> String {
    kid.replace("0x", "").replace("0X", "").to_uppercase()
}

/// Ensure `path` exists as a file with `mode` (files.file).
fn ensure_file_mode(ctx: &mut Ctx<'_>, path: &str, mode: &Value) -> Result<(), PlanError> {
    crate::nested(ctx, "files.file", &[("path", json!(path)), ("mode", mode.clone()), ("present", json!(true))])
}

fn remove_file(ctx: &mut Ctx<'_>, path: &str) -> Result<(), PlanError> {
    crate::nested(ctx, "files.file", &[("path", json!(path)), ("present", json!(false))])
}

/// Delete the keys matching `keyids` from one keyring (its fact entry `data`): key by key with gpg,
/// then the file if no key is left; an armored file only as a whole.
fn remove_keys_from(ctx: &mut Ctx<'_>, path: &str, data: &Value, keyids: &[String]) -> Result<(), PlanError> {
    let format = data.get("format").and_then(Value::as_str).unwrap_or("gpg");
    let empty = Map::new();
    let keys = data.get("keys").and_then(Value::as_object).unwrap_or(&empty);
    let mut fingerprints: Vec<String> = Vec::new();
    for kid in keyids {
        let clean = clean_keyid(kid);
        for (id, info) in keys {
            if matches_keyid(id, &clean) {
                let fp = info.get("fingerprint").map(py_str).unwrap_or_else(|| id.clone());
                if !fingerprints.contains(&fp) {
                    fingerprints.push(fp);
                }
            }
        }
    }
    if fingerprints.is_empty() {
        return Ok(());
    }
    if format == "asc" {
        if fingerprints.len() < keys.len() {
            return Err(PlanError::op(format!(
                "Cannot remove individual keys from armored keyring {}: the file contains other keys and cannot be \
                 edited in-place. Remove the file explicitly with present=False and no keyid.",
                py_repr_str(path)
            )));
        }
        return remove_file(ctx, path);
    }
    ctx.change(format!("remove keys {} from {path}", fingerprints.join(" ")));
    ctx.shell(format!(
        "gpg --batch --yes --no-default-keyring --keyring \"{path}\" --delete-keys {}",
        fingerprints.join(" ")
    ));
    ctx.shell(format!(
        "gpg --batch --no-default-keyring --keyring \"{path}\" --list-keys 2>/dev/null | grep -q \"^pub\" || rm -f \"{path}\""
    ));
    Ok(())
}

fn keyrings(ctx: &Ctx<'_>, dirs: Value) -> Result<Value, PlanError> {
    ctx.fact("gpg.GpgKeyrings", &[("directories", dirs)])
}

fn remove(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (dest, keyid, dirs) = (a.get("dest"), a.get("keyid"), a.get("working_dirs"));
    if !(truthy(dest) || (truthy(keyid) && truthy(dirs))) {
        return Err(PlanError::op("For removal, either `dest` or both `keyid` and `working_dirs` must be provided"));
    }
    let keyids = str_or_list(keyid);
    if !truthy(dest) && truthy(keyid) {
        let all = keyrings(ctx, dirs.clone())?;
        for (path, data) in all.as_object().into_iter().flatten() {
            remove_keys_from(ctx, path, data, &keyids)?;
        }
        return Ok(());
    }
    let dest = py_str(dest);
    if !truthy(keyid) {
        return remove_file(ctx, &dest);
    }
    let all = keyrings(ctx, json!([parent(&dest)]))?;
    match all.get(&dest) {
        Some(data) => remove_keys_from(ctx, &dest, data, &keyids),
        None => Ok(()),
    }
}

/// Copy (or, for an armored key, dearmor) `src` on the host to `dest` and set its mode.
fn install_key_file(ctx: &mut Ctx<'_>, src: &str, dest: &str, dearmor: bool, mode: &Value) -> Result<(), PlanError> {
    ctx.change(format!("install key {dest}"));
    if dearmor {
        ctx.shell(format!(
            "if grep -q \"BEGIN PGP PUBLIC KEY BLOCK\" \"{src}\"; then gpg --batch --dearmor -o \"{dest}\" \"{src}\"; \
             else cp \"{src}\" \"{dest}\"; fi"
        ));
    } else {
        ctx.shell(format!("cp \"{src}\" \"{dest}\""));
    }
    ensure_file_mode(ctx, dest, mode)
}

fn install_from_src(ctx: &mut Ctx<'_>, src: &str, dest: &str, dearmor: bool, mode: &Value) -> Result<(), PlanError> {
    if !matches!(urlparse(src).scheme.as_str(), "http" | "https") {
        return install_key_file(ctx, src, dest, dearmor, mode);
    }
    let temp = ctx.env.temp_filename(src);
    crate::nested(ctx, "files.download", &[("src", json!(src)), ("dest", json!(temp))])?;
    install_key_file(ctx, &temp, dest, dearmor, mode)?;
    remove_file(ctx, &temp)
}

fn install_from_keyserver(
    ctx: &mut Ctx<'_>,
    keyserver: &str,
    keyids: &[String],
    dest: &str,
    mode: &Value,
) -> Result<(), PlanError> {
    let joined = keyids.join(" ");
    // A throw-away GNUPGHOME keeps the user's keyring untouched.
    let home = ctx.env.temp_filename(&format!("gpg-keyserver-{joined}"));
    crate::nested(ctx, "files.directory", &[("path", json!(home)), ("mode", json!("0700")), ("present", json!(true))])?;
    ctx.change(format!("fetch keys {joined} into {dest}"));
    ctx.shell(format!("export GNUPGHOME=\"{home}\" && gpg --batch --keyserver \"{keyserver}\" --recv-keys {joined}"));
    ctx.shell(format!("export GNUPGHOME=\"{home}\" && gpg --batch --export {joined} > \"{dest}\""));
    crate::nested(ctx, "files.directory", &[("path", json!(home)), ("present", json!(false))])?;
    ensure_file_mode(ctx, dest, mode)
}

/// Whether every wanted key is already in the keyring `dest`; `None` when that cannot be told
/// (pyinfra then installs).
fn keys_present(ctx: &Ctx<'_>, dest: &str, keyid: &Value) -> Result<bool, PlanError> {
    // pyinfra wraps this check in `except (KeyError, AttributeError)` and installs when it fails,
    // a fact its harness cannot answer included: an unknown keyring fact means "install" here too.
    // (The executor never sees this: it answers unknown facts while probing which ones to gather.)
    let all = match keyrings(ctx, json!([parent(dest)])) {
        Err(PlanError::FactMissing(_)) => return Ok(false),
        other => other?,
    };
    let Some(info) = all.get(dest).filter(|i| truthy(i)) else { return Ok(false) };
    let Some(existing) = info.get("keys").and_then(Value::as_object) else { return Ok(false) };
    let wanted: Vec<&Value> = match keyid {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    // A key ID that is not a string makes pyinfra's check fail, and it installs.
    let Some(wanted) = wanted.iter().map(|k| k.as_str()).collect::<Option<Vec<&str>>>() else { return Ok(false) };
    Ok(wanted.iter().all(|kid| {
        let clean = clean_keyid(kid);
        existing.keys().any(|id| matches_keyid(id, &clean))
    }))
}

fn key(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if present_flag(a.get("present")) == Some(false) {
        return remove(ctx, a);
    }
    let (src, keyserver, keyid) = (a.get("src"), a.get("keyserver"), a.get("keyid"));
    if !truthy(src) && !truthy(keyserver) {
        return Err(PlanError::op("Either `src` or `keyserver` must be provided for installation"));
    }
    if truthy(keyserver) && !truthy(keyid) {
        return Err(PlanError::op("`keyid` must be provided with `keyserver`"));
    }
    if truthy(keyid) && !truthy(keyserver) && !truthy(src) {
        return Err(PlanError::op("When using `keyid` for installation, either `keyserver` or `src` must be provided"));
    }
    let Some(dest) = a.opt_str("dest") else {
        return Err(PlanError::op("`dest` must be provided for installation"));
    };
    let mode = a.get("mode").clone();
    if truthy(keyid) {
        if keys_present(ctx, &dest, keyid)? {
            ensure_file_mode(ctx, &dest, &mode)?;
            ctx.noop(format!("GPG keys {} already exist in {dest}", py_str(keyid)));
            return Ok(());
        }
    } else if truthy(&ctx.fact("files.File", &[("path", dest.clone().into())])?) {
        ensure_file_mode(ctx, &dest, &mode)?;
        ctx.noop(format!("GPG keyring {dest} already exists"));
        return Ok(());
    }
    crate::nested(
        ctx,
        "files.directory",
        &[("path", json!(parent(&dest))), ("mode", json!("0755")), ("present", json!(true))],
    )?;
    if truthy(src) {
        install_from_src(ctx, &py_str(src), &dest, a.flag("dearmor"), &mode)?;
    }
    if truthy(keyserver) {
        install_from_keyserver(ctx, &py_str(keyserver), &str_or_list(keyid), &dest, &mode)?;
    }
    Ok(())
}

fn dearmor(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (src, dest) = (a.str("src")?, a.str("dest")?);
    crate::nested(
        ctx,
        "files.directory",
        &[("path", json!(parent(&dest))), ("mode", json!("0755")), ("present", json!(true))],
    )?;
    ctx.change(format!("dearmor {src} into {dest}"));
    ctx.shell(format!("gpg --batch --dearmor -o \"{dest}\" \"{src}\""));
    ensure_file_mode(ctx, &dest, a.get("mode"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_parent() {
        assert_eq!(parent("/etc/apt/keyrings/a.gpg"), "/etc/apt/keyrings");
        assert_eq!(parent("/a.gpg"), "/");
        assert_eq!(parent("a.gpg"), ".");
        assert_eq!(parent("a/b/"), "a");
        assert_eq!(parent("//x/y"), "//x");
    }

    #[test]
    fn keyid_matching() {
        assert!(matches_keyid("8D81803C0EBFCD88", &clean_keyid("0x0EBFCD88")));
        assert!(matches_keyid("8D81803C0EBFCD88", "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"));
        assert!(!matches_keyid("AAAA", "BBBB"));
    }
}
