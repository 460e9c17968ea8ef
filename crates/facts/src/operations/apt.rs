//! `pyinfra.operations.apt`: packages, repositories and keys on Debian and Ubuntu hosts.

use serde_json::json;

use crate::args::Args;
use crate::facts::apt::{APT_KEYRING_DIRS, SourcesEntry, noninteractive_apt, parse_apt_repo, repo_in};
use crate::plan::{CommandBuilder, Ctx, ErrorKind, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, str_or_list, truthy};

use super::files::time::DateTime;
use super::util::packaging::{Ensure, ensure_packages, packages_from_arg, present_flag};
use super::util::url::urlparse;

/// What this module manages.
pub const DOC: &str = "Install and remove apt packages, keep the package index fresh, and manage apt \
                       repositories and their signing keys on Debian-family hosts.";

/// The stamp file apt (or rinfra, after `apt-get update`) touches, read for `cache_time`.
const APT_UPDATE_FILENAME: &str = "/var/lib/apt/periodic/update-success-stamp";

/// The operations of `apt`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "key",
        doc: "Install or remove a GPG key apt uses to check repositories, the modern way: keys live as \
              keyring files in `/etc/apt/keyrings/` (referenced from sources with `signed-by=`), never \
              through the deprecated `apt-key`. A key comes from a local file or URL (ASCII-armored keys \
              are converted to binary) or from a keyserver by key ID. Without `dest` the keyring's name \
              is derived from the URL or the key IDs. Removing with only `keyid` deletes those keys from \
              every apt keyring directory; removing with `dest` and no `keyid` deletes the whole file. \
              Nothing is done when the keyring (or the keys in it) already exists.",
        args: &[
            arg("src", "str | None", Dflt::None, "Path or URL of the key file (`.asc` armored or binary `.gpg`)."),
            arg("keyserver", "str | None", Dflt::None, "Keyserver to fetch the keys in `keyid` from."),
            arg(
                "keyid",
                "str | list[str] | None",
                Dflt::None,
                "Key ID or IDs: needed with `keyserver`, optional when removing.",
            ),
            arg(
                "dest",
                "str | None",
                Dflt::None,
                "Keyring file; a bare name is placed in `/etc/apt/keyrings/`. Derived when omitted.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the key should be installed or removed."),
        ],
        planner: Some(key),
        ..Operation::NEW
    },
    Operation {
        name: "repo",
        doc: "Add or remove a one-line apt source (`deb http://host/debian bookworm main`). The line is \
              compared with the repositories apt already knows (from every sources file), so an existing \
              repository is left alone; otherwise the line is appended to, or deleted from, \
              `/etc/apt/sources.list` or the named file in `/etc/apt/sources.list.d/`.",
        args: &[
            arg("src", "str", Dflt::Required, "The source line, e.g. `deb http://host/debian bookworm main`."),
            arg("present", "bool", Dflt::Bool(true), "Whether the repository should be configured."),
            arg(
                "filename",
                "str | None",
                Dflt::None,
                "Write to `/etc/apt/sources.list.d/<filename>.list` instead of `/etc/apt/sources.list`.",
            ),
        ],
        planner: Some(repo),
        ..Operation::NEW
    },
    Operation {
        name: "sources_file",
        doc: "Create or delete a deb822-style `/etc/apt/sources.list.d/<filename>.sources` file. Each \
              multi-valued field takes a list or a space-separated string. The file is only written when \
              some repository it describes (every combination of type, URI and suite) is not already \
              configured on the host. At least one URI and one suite are required.",
        args: &[
            arg("filename", "str", Dflt::Required, "Base name of the file, without the `.sources` extension."),
            arg("types", "list[str] | str", Dflt::Str("deb"), "Repository types: `deb`, `deb-src` or both."),
            arg("uris", "list[str] | str | None", Dflt::None, "Repository URLs."),
            arg("suites", "list[str] | str | None", Dflt::None, "Suites or distributions, e.g. `bookworm`."),
            arg("components", "list[str] | str | None", Dflt::None, "Components, e.g. `main contrib`."),
            arg("architectures", "list[str] | str | None", Dflt::None, "Only use these architectures."),
            arg("signed_by", "str | None", Dflt::None, "Path of the keyring that signs the repository."),
            arg("present", "bool", Dflt::Bool(true), "Whether the sources file should exist."),
        ],
        planner: Some(sources_file),
        ..Operation::NEW
    },
    Operation {
        name: "ppa",
        doc: "Add or remove an Ubuntu PPA (`ppa:user/repo`) with `apt-add-repository`, which must be \
              installed on the host. Runs every time: there is no check whether the PPA is already there.",
        args: &[
            arg("src", "str", Dflt::Required, "The PPA, as `ppa:user/repo`."),
            arg("present", "bool", Dflt::Bool(true), "Whether the PPA should be added or removed."),
        ],
        planner: Some(ppa),
        ..Operation::NEW
    },
    Operation {
        name: "deb",
        doc: "Install or remove a package from a `.deb` file on the host or at a URL (downloaded to a \
              temporary file first). The archive's name and version are compared with the installed \
              packages. Installing runs `dpkg -i`, lets apt fetch missing dependencies, then runs \
              `dpkg -i` again so the package is configured. A URL that has not been downloaded yet \
              cannot be inspected, so removal by URL only works once the file is on the host.",
        args: &[
            arg("src", "str", Dflt::Required, "Path on the host or URL of the `.deb` file."),
            arg("present", "bool", Dflt::Bool(true), "Whether the package should be installed or removed."),
            arg("force", "bool", Dflt::Bool(false), "Pass `--force-yes` to apt."),
        ],
        planner: Some(deb),
        ..Operation::NEW
    },
    Operation {
        name: "update",
        doc: "Refresh apt's package index (`apt-get update`). Runs every time unless `cache_time` is set: \
              then it is skipped while the last successful update is younger than that many seconds \
              (judged by apt's update-success stamp file, which is touched after updating).",
        args: &[arg(
            "cache_time",
            "int | None",
            Dflt::None,
            "Skip the update if the index was refreshed less than this many seconds ago.",
        )],
        planner: Some(update),
        ..Operation::NEW
    },
    Operation {
        name: "upgrade",
        doc: "Upgrade every installed package (`apt-get upgrade`). A dry run decides first: when apt \
              would change nothing the operation does nothing.",
        args: &[arg("auto_remove", "bool", Dflt::Bool(false), "Also remove dependencies no longer needed.")],
        planner: Some(upgrade),
        ..Operation::NEW
    },
    Operation {
        name: "dist_upgrade",
        doc: "Upgrade every installed package with `apt-get dist-upgrade`, which may also install or \
              remove packages to satisfy changed dependencies. A dry run decides first: when apt would \
              change nothing the operation does nothing.",
        args: &[arg("auto_remove", "bool", Dflt::Bool(false), "Also remove dependencies no longer needed.")],
        planner: Some(dist_upgrade),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Make sure apt packages are installed or removed. Only the packages not already in the wanted \
              state (per `deb.DebPackages`) are passed to a single `apt-get install` or `remove`/`purge`, \
              so a second run changes nothing. Pin a version as `name=version`. With `latest`, installed \
              packages given without a version are upgraded as well. `update` (optionally cached with \
              `cache_time`) and `upgrade` refresh the index or upgrade everything first.",
        args: &[
            arg("packages", "str | list[str] | None", Dflt::None, "Package or packages, optionally `name=version`."),
            arg("present", "bool", Dflt::Bool(true), "Install the packages when true, remove them when false."),
            arg("latest", "bool", Dflt::Bool(false), "Upgrade installed packages that were given without a version."),
            arg("update", "bool", Dflt::Bool(false), "Run `apt-get update` first."),
            arg(
                "cache_time",
                "int | None",
                Dflt::None,
                "With `update`: skip it if the index is younger than this (seconds).",
            ),
            arg("upgrade", "bool", Dflt::Bool(false), "Run `apt-get upgrade` first."),
            arg("force", "bool", Dflt::Bool(false), "Pass `--force-yes` to apt."),
            arg("no_recommends", "bool", Dflt::Bool(false), "Do not install recommended packages."),
            arg("allow_downgrades", "bool", Dflt::Bool(false), "Allow installing an older pinned version."),
            arg("purge", "bool", Dflt::Bool(false), "When removing, purge configuration files too."),
            arg("extra_install_args", "str | None", Dflt::None, "Extra arguments for `apt-get install`."),
            arg("extra_uninstall_args", "str | None", Dflt::None, "Extra arguments for `apt-get remove`/`purge`."),
        ],
        planner: Some(packages),
        ..Operation::NEW
    },
];

/// A filesystem-friendly piece of a keyring name (from a host, a file name or key IDs).
fn sanitize_keyring_part(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let mut out = String::with_capacity(lower.len());
    // `[^\w.-]+` -> `_`, then `_+` -> `_`.
    for c in lower.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '_' | '.' | '-');
        let c = if keep { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let out = out.trim_matches(|c| c == '_' || c == '.');
    if out.is_empty() { "apt-keyring".to_string() } else { out.to_string() }
}

/// `name.asc`/`name.gpg` -> `name` (pyinfra removes those substrings anywhere, not only at the end).
fn strip_key_ext(name: &str) -> String {
    name.replace(".asc", "").replace(".gpg", "")
}

/// The keyring path `apt.key` uses when no `dest` is given: from the source's host and file name,
/// else from the key IDs.
fn derive_keyring_dest(src: Option<&str>, keyids: &[String]) -> String {
    let base = match src.filter(|s| !s.is_empty()) {
        Some(src) => {
            let url = urlparse(src);
            if !url.scheme.is_empty() && !url.netloc.is_empty() {
                let domain = sanitize_keyring_part(&url.netloc.replace(':', "_"));
                let last = url.path.rsplit('/').next().unwrap_or_default();
                let file = sanitize_keyring_part(&strip_key_ext(if last.is_empty() { "key" } else { last }));
                format!("{domain}-{file}")
            } else {
                let file = sanitize_keyring_part(&strip_key_ext(src.rsplit('/').next().unwrap_or_default()));
                if file.is_empty() { "key".to_string() } else { file }
            }
        }
        None if !keyids.is_empty() => format!("keyserver-{}", sanitize_keyring_part(&keyids.join("-"))),
        None => "apt-keyring".to_string(),
    };
    format!("/etc/apt/keyrings/{base}.gpg")
}

fn key(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let present = a.flag("present");
    let (src, keyserver, keyid) = (a.get("src"), a.get("keyserver"), a.get("keyid"));
    let dirs: Value = APT_KEYRING_DIRS.iter().map(|d| Value::from(*d)).collect();
    if !present && truthy(keyid) && !a.flag("dest") && !truthy(src) && !truthy(keyserver) {
        return crate::nested(
            ctx,
            "gpg.key",
            &[("keyid", keyid.clone()), ("present", json!(false)), ("working_dirs", dirs)],
        );
    }
    let dest = match a.opt_str("dest").filter(|d| !d.is_empty()) {
        Some(d) if !d.starts_with('/') => format!("/etc/apt/keyrings/{d}"),
        Some(d) => d,
        None if truthy(src) => derive_keyring_dest(Some(&py_str(src)), &[]),
        None if truthy(keyserver) && truthy(keyid) => derive_keyring_dest(None, &str_or_list(keyid)),
        None => "/etc/apt/keyrings/apt-key.gpg".to_string(),
    };
    crate::nested(
        ctx,
        "gpg.key",
        &[
            ("src", src.clone()),
            ("dest", json!(dest)),
            ("keyserver", keyserver.clone()),
            ("keyid", keyid.clone()),
            ("present", a.get("present").clone()),
            ("dearmor", json!(true)),
            ("mode", json!("0644")),
        ],
    )
}

fn repo(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let src = a.str("src")?;
    let present = a.flag("present");
    let filename = match a.opt_str("filename").filter(|f| !f.is_empty()) {
        Some(f) => format!("/etc/apt/sources.list.d/{f}.list"),
        None => "/etc/apt/sources.list".to_string(),
    };
    let sources = ctx.fact("apt.AptSources", &[])?;
    let parsed = parse_apt_repo(&src).map_err(|e| PlanError::new(ErrorKind::ValueError, e))?;
    let is_present = parsed.is_some_and(|r| repo_in(&r, &sources));
    let line = |present: bool| {
        let mut kw = vec![("path", json!(filename)), ("line", json!(src))];
        if !present {
            kw.push(("present", json!(false)));
        }
        kw.push(("escape_regex_characters", json!(true)));
        kw
    };
    if !is_present && present {
        crate::nested(ctx, "files.line", &line(true))
    } else if is_present && !present {
        crate::nested(ctx, "files.line", &line(false))
    } else {
        ctx.noop(format!("apt repo \"{src}\" {}", if present { "exists" } else { "does not exist" }));
        Ok(())
    }
}

/// A deb822 field argument: a space-separated string or a list.
fn field_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        other => str_or_list(other),
    }
}

fn sources_file(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let dest = format!("/etc/apt/sources.list.d/{}.sources", a.str("filename")?);
    if !a.flag("present") {
        if truthy(&ctx.fact("files.File", &[("path", json!(dest))])?) {
            return crate::nested(ctx, "files.file", &[("path", json!(dest)), ("present", json!(false))]);
        }
        ctx.noop(format!("apt sources file \"{dest}\" does not exist"));
        return Ok(());
    }
    let mut types = field_list(a.get("types"));
    if types.is_empty() {
        types = vec!["deb".to_string()];
    }
    let signed_by = a.opt_str("signed_by").filter(|_| truthy(a.get("signed_by")));
    let entry = SourcesEntry {
        types,
        uris: field_list(a.get("uris")),
        suites: field_list(a.get("suites")),
        components: field_list(a.get("components")),
        architectures: field_list(a.get("architectures")),
        signed_by: signed_by.iter().cloned().collect(),
        trusted: None,
    };
    if entry.uris.is_empty() || entry.suites.is_empty() {
        return Err(PlanError::op("apt.sources_file requires at least one URI and one suite"));
    }
    let desired = entry.expand_to_repos();
    let existing = ctx.fact("apt.AptSources", &[])?;
    if !desired.is_empty() && desired.iter().all(|r| repo_in(r, &existing)) {
        ctx.noop(format!("apt sources file \"{dest}\" is already configured"));
        return Ok(());
    }
    let mut lines = vec![
        format!("Types: {}", entry.types.join(" ")),
        format!("URIs: {}", entry.uris.join(" ")),
        format!("Suites: {}", entry.suites.join(" ")),
    ];
    if !entry.components.is_empty() {
        lines.push(format!("Components: {}", entry.components.join(" ")));
    }
    if !entry.architectures.is_empty() {
        lines.push(format!("Architectures: {}", entry.architectures.join(" ")));
    }
    if let Some(s) = &signed_by {
        lines.push(format!("Signed-By: {s}"));
    }
    let content = format!("{}\n", lines.join("\n"));
    crate::nested(
        ctx,
        "files.put",
        &[("src", json!(format!("io:{content}"))), ("dest", json!(dest)), ("mode", json!("0644"))],
    )
}

fn ppa(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let src = a.str("src")?;
    let present = a.flag("present");
    let prefix = if present { "apt-add-repository -y" } else { "apt-add-repository -y --remove" };
    ctx.change(format!("{} PPA {src}", if present { "add" } else { "remove" }));
    ctx.shell(CommandBuilder::new().word(prefix).quoted(&src).build());
    Ok(())
}

/// Python's `==` between two JSON values (numbers compare by value).
fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Bool(x), Value::Number(y)) | (Value::Number(y), Value::Bool(x)) => y.as_f64() == Some(*x as i64 as f64),
        _ => a == b,
    }
}

fn deb(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let original = a.str("src")?;
    let present = a.flag("present");
    let force = a.flag("force");
    let mut src = original.clone();
    if !urlparse(&src).scheme.is_empty() {
        let temp = ctx.env.temp_filename(&src);
        crate::nested(ctx, "files.download", &[("src", json!(src)), ("dest", json!(temp))])?;
        src = temp;
    }
    let info = ctx.fact("deb.DebPackage", &[("package", json!(src))])?;
    let current = ctx.fact("deb.DebPackages", &[])?;
    let info = info.as_object().filter(|i| !i.is_empty());
    let exists = info.is_some_and(|i| {
        let version = i.get("version").unwrap_or(&Value::Null);
        let name = py_str(i.get("name").unwrap_or(&Value::Null));
        current.get(&name).and_then(Value::as_array).is_some_and(|vs| vs.iter().any(|v| py_eq(v, version)))
    });
    if present {
        if exists {
            ctx.noop(format!("deb {original} is installed"));
            return Ok(());
        }
        ctx.change(format!("install {original}"));
        // The first install may fail on missing dependencies; apt then fetches them and the second
        // install configures the package (and fails for real if something is still missing).
        let dpkg = || CommandBuilder::new().word("dpkg --force-confdef --force-confold -i").quoted(&src);
        ctx.shell(dpkg().word("2> /dev/null || true").build());
        ctx.shell(format!("{} -f", noninteractive_apt("install", force)));
        ctx.shell(dpkg().build());
        return Ok(());
    }
    match info.filter(|_| exists) {
        Some(i) => {
            let name = py_str(i.get("name").unwrap_or(&Value::Null));
            ctx.change(format!("remove {name}"));
            ctx.shell(CommandBuilder::new().word(noninteractive_apt("remove", force)).quoted(&name).build());
        }
        None => ctx.noop(format!("deb {original} is not installed")),
    }
    Ok(())
}

fn parse_fact_datetime(v: &Value, what: &str) -> Result<DateTime, PlanError> {
    v.as_str().and_then(DateTime::parse).ok_or_else(|| PlanError::type_(format!("{what} is not a datetime")))
}

fn update(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let cache_time = a.get("cache_time");
    if truthy(cache_time) {
        let info = ctx.fact("files.File", &[("path", json!(APT_UPDATE_FILENAME))])?;
        let mtime = info.get("mtime").filter(|m| truthy(m));
        if let Some(mtime) = mtime.filter(|_| truthy(&info)) {
            // Like pyinfra: the host's current time in UTC (a naive `Date` counts as UTC) against
            // the stamp's mtime taken as UTC too.
            let now_utc = parse_fact_datetime(&ctx.fact("server.Date", &[])?, "server.Date")?.utc();
            let seconds = cache_time.as_f64().ok_or_else(|| PlanError::type_("cache_time must be a number"))?;
            let mtime = parse_fact_datetime(mtime, "mtime")?.wall;
            if mtime > now_utc - (seconds * 1e6).round() as i128 {
                ctx.noop("apt is already up to date");
                return Ok(());
            }
        }
    }
    ctx.change("update the apt package index");
    ctx.shell("apt-get update");
    // Debian does not touch the stamp itself; doing it makes `cache_time` work there too.
    if truthy(cache_time) {
        ctx.shell(format!("touch {APT_UPDATE_FILENAME}"));
    }
    Ok(())
}

/// Run `command` through apt-get unless a dry run shows it would change nothing.
fn simulate_then_perform(ctx: &mut Ctx<'_>, command: &str) -> Result<(), PlanError> {
    let changes = ctx.fact("apt.SimulateOperationWillChange", &[("command", json!(command))])?;
    let unchanged = truthy(&changes)
        && ["upgraded", "newly_installed", "removed", "not_upgraded"]
            .iter()
            .all(|k| changes.get(k).is_some_and(|v| py_eq(v, &json!(0))));
    if unchanged {
        ctx.noop(format!("{command} skipped, no changes would be performed"));
    } else {
        // Also when the dry run failed: the real command will then report the problem.
        ctx.change(format!("apt-get {command}"));
        ctx.shell(noninteractive_apt(command, false));
    }
    Ok(())
}

fn upgrade_command(name: &str, a: &Args) -> String {
    if a.flag("auto_remove") { format!("{name} --autoremove") } else { name.to_string() }
}

fn upgrade(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    simulate_then_perform(ctx, &upgrade_command("upgrade", a))
}

fn dist_upgrade(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    simulate_then_perform(ctx, &upgrade_command("dist-upgrade", a))
}

fn packages(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    if a.flag("update") {
        crate::nested(ctx, "apt.update", &[("cache_time", a.get("cache_time").clone())])?;
    }
    if a.flag("upgrade") {
        crate::nested(ctx, "apt.upgrade", &[])?;
    }
    let mut install = vec!["install".to_string()];
    // pyinfra checks `no_recommends is True`.
    if a.get("no_recommends") == &Value::Bool(true) {
        install.push("--no-install-recommends".into());
    }
    if a.flag("allow_downgrades") {
        install.push("--allow-downgrades".into());
    }
    let upgrade = install.join(" ");
    if a.flag("extra_install_args") {
        install.push(py_str(a.get("extra_install_args")));
    }
    let mut uninstall = vec![if a.flag("purge") { "purge" } else { "remove" }.to_string()];
    if a.flag("extra_uninstall_args") {
        uninstall.push(py_str(a.get("extra_uninstall_args")));
    }
    let force = a.flag("force");
    let current = ctx.fact("deb.DebPackages", &[])?;
    let mut spec = Ensure::new(
        packages_from_arg(a.get("packages"), Some("=")),
        present_flag(a.get("present")),
        noninteractive_apt(&install.join(" "), force),
        noninteractive_apt(&uninstall.join(" "), force),
    );
    spec.latest = a.flag("latest");
    spec.upgrade_command = Some(noninteractive_apt(&upgrade, force));
    ensure_packages(ctx, &current, &spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_names() {
        assert_eq!(derive_keyring_dest(Some("http://mykey"), &[]), "/etc/apt/keyrings/mykey-key.gpg");
        assert_eq!(
            derive_keyring_dest(Some("https://download.docker.com:443/linux/debian/gpg"), &[]),
            "/etc/apt/keyrings/download.docker.com_443-gpg.gpg"
        );
        assert_eq!(derive_keyring_dest(Some("./keys/Vendor Key.asc"), &[]), "/etc/apt/keyrings/vendor_key.gpg");
        assert_eq!(derive_keyring_dest(None, &["0xAB".into(), "cd".into()]), "/etc/apt/keyrings/keyserver-0xab-cd.gpg");
        assert_eq!(sanitize_keyring_part(" __..!!__ "), "apt-keyring");
    }
}
