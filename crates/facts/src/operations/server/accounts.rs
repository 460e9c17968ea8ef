//! Planners for groups, users and their `authorized_keys`.

use serde_json::json;

use super::py::{or, py_eq, str_in, str_list};
use crate::args::Args;
use crate::plan::{Ctx, ErrorKind, PlanError};
use crate::quote::quote;
use crate::value::{Value, py_str, truthy};

/// `pw` does the work on FreeBSD; the shadow tools everywhere else.
fn is_freebsd(os: &Value) -> bool {
    os.as_str() == Some("FreeBSD")
}

/// Whether the `Os` fact names a BSD (where system accounts do not exist).
fn is_bsd(os: &Value) -> bool {
    py_str(os).contains("BSD")
}

/// Fail like pyinfra when a Linux host lacks one of the shadow tools.
fn require_tool(ctx: &Ctx<'_>, os: &Value, tool: &str) -> Result<(), PlanError> {
    if os.as_str() != Some("Linux") || truthy(&ctx.fact("server.Which", &[("command", json!(tool))])?) {
        return Ok(());
    }
    if ctx.fact("server.LinuxName", &[])?.as_str() == Some("Alpine") {
        return Err(PlanError::op(format!("{tool} is not installed (install the shadow package)")));
    }
    Err(PlanError::op(format!("{tool} is not installed")))
}

/// Add or delete a group (`groupadd`/`groupdel`, or `pw` on FreeBSD).
pub fn group(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = py_str(a.get("group"));
    let groups = ctx.fact("server.Groups", &[])?;
    let os = ctx.fact("server.Os", &[])?;
    let exists = str_in(&name, &groups);
    let present = a.flag("present");
    if !present && exists {
        ctx.change(format!("delete group {name}"));
        let cmd = if is_freebsd(&os) { "pw groupdel -n" } else { "groupdel" };
        ctx.shell(format!("{cmd} {}", quote(&name)));
    } else if present && !exists {
        let mut words = vec![if is_freebsd(&os) { "pw groupadd" } else { "groupadd" }.to_string()];
        if a.flag("system") && !is_bsd(&os) {
            words.push("-r".into());
        }
        if is_freebsd(&os) {
            words.push("-n".into());
        }
        words.push(quote(&name));
        if a.flag("gid") {
            words.push(if is_freebsd(&os) { "-g" } else { "--gid" }.into());
            words.push(quote(&py_str(a.get("gid"))));
        }
        ctx.change(format!("add group {name}"));
        ctx.shell(words.join(" "));
    }
    Ok(())
}

/// Keys given inline or as files on the controller (one key per line), as pyinfra reads them.
fn expand_key_files(ctx: &Ctx<'_>, keys: &[String]) -> Result<Vec<String>, PlanError> {
    let cwd = ctx.local.cwd();
    let mut out = Vec::new();
    for key in keys {
        let path = if key.starts_with('/') || cwd.is_empty() {
            key.clone()
        } else {
            format!("{}/{key}", cwd.trim_end_matches('/'))
        };
        if !(ctx.local.is_file(&path) || ctx.local.is_dir(&path)) {
            out.push(key.trim().to_string());
            continue;
        }
        let text = ctx
            .local
            .read(&path)
            .ok_or_else(|| PlanError::new(ErrorKind::IOError, format!("[Errno 21] Is a directory: '{path}'")))?;
        // Text mode reads any newline convention as `\n`.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        out.extend(text.split_inclusive('\n').map(|l| l.trim().to_string()));
    }
    Ok(out)
}

/// Ensure `~/.ssh` and `authorized_keys` with the right owner and mode, then append missing keys
/// (or, with `delete_keys`, replace the file when it differs).
pub fn user_authorized_keys(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let user = a.get("user").clone();
    let group = or(a.get("group"), &user).clone();
    let dir = match a.get("authorized_key_directory") {
        d if truthy(d) => py_str(d),
        _ => format!("{}/.ssh", py_str(&ctx.fact("server.Home", &[("user", user.clone())])?)),
    };
    let filename = match a.get("authorized_key_filename") {
        f if truthy(f) => py_str(f),
        _ => "authorized_keys".to_string(),
    };
    let keys = expand_key_files(ctx, &str_list(a.get("public_keys")))?;

    crate::nested(
        ctx,
        "files.directory",
        &[("path", json!(dir)), ("user", user.clone()), ("group", group.clone()), ("mode", json!(700))],
    )?;
    let file = format!("{dir}/{filename}");
    let current = ctx.fact("server.AuthorizedKeys", &[("user", user.clone()), ("path", json!(file))])?;
    let current_keys: Vec<String> = str_list(&current);
    let owner = [("user", user.clone()), ("group", group.clone()), ("mode", json!(600))];

    if a.flag("delete_keys") {
        if current_keys == keys {
            // Still keep the file's owner and mode right.
            crate::nested(ctx, "files.file", &[&[("path", json!(file))][..], &owner].concat())?;
        } else {
            let contents = format!("io:{}\n", keys.join("\n"));
            ctx.change(format!("replace the keys in {file}"));
            let put = [&[("src", json!(contents)), ("dest", json!(file))][..], &owner].concat();
            crate::nested(ctx, "files.put", &put)?;
        }
        return Ok(());
    }
    crate::nested(ctx, "files.file", &[&[("path", json!(file))][..], &owner].concat())?;
    for key in keys.iter().filter(|k| !current_keys.contains(k)) {
        crate::nested(
            ctx,
            "files.line",
            &[("path", json!(file)), ("line", json!(key)), ("ensure_newline", json!(true))],
        )?;
    }
    Ok(())
}

/// `-G a,b` with each group quoted.
fn group_list(groups: &[String]) -> String {
    groups.iter().map(|g| quote(g)).collect::<Vec<_>>().join(",")
}

/// Add, modify or delete a user; then its home directory and keys.
pub fn user(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let name = py_str(a.get("user"));
    let users = ctx.fact("server.Users", &[])?;
    let existing_groups = ctx.fact("server.Groups", &[])?;
    let existing = users.get(&name).cloned().unwrap_or(Value::Null);
    let os = ctx.fact("server.Os", &[])?;
    let groups = str_list(a.get("groups"));

    let mut home = a.get("home").clone();
    if home.is_null() {
        home = json!(format!("/home/{name}"));
        if truthy(&existing)
            && let Some(h) = existing.get("home")
        {
            home = h.clone();
        }
    }

    if !a.flag("present") {
        if truthy(&existing) {
            ctx.change(format!("delete user {name}"));
            if is_freebsd(&os) {
                ctx.shell(format!("pw userdel -n {}", quote(&name)));
            } else {
                require_tool(ctx, &os, "userdel")?;
                ctx.shell(format!("userdel {}", quote(&name)));
            }
        }
        return Ok(());
    }

    let mut group = a.get("group").clone();
    if existing.is_null() {
        // A group named after the user already exists: make it the primary group instead of
        // letting useradd fail creating it.
        if !truthy(&group) && str_in(&name, &existing_groups) {
            group = json!(name);
        }
        add_user(ctx, a, &name, &os, &home, &group, &groups)?;
    } else {
        modify_user(ctx, a, &name, &os, &existing, &home, &group, &groups)?;
    }

    if a.flag("ensure_home") && truthy(&home) {
        crate::nested(
            ctx,
            "files.directory",
            &[
                ("path", home.clone()),
                ("user", json!(name)),
                ("group", or(&group, &json!(name)).clone()),
                // A home that is a link to a directory is fine.
                ("_no_fail_on_link", json!(true)),
            ],
        )?;
    }
    if !a.get("public_keys").is_null() {
        crate::nested(
            ctx,
            "server.user_authorized_keys",
            &[
                ("user", json!(name)),
                ("public_keys", a.get("public_keys").clone()),
                ("group", group.clone()),
                ("delete_keys", a.get("delete_keys").clone()),
                ("authorized_key_directory", json!(format!("{}/.ssh", py_str(&home)))),
                ("authorized_key_filename", Value::Null),
            ],
        )?;
    }
    Ok(())
}

/// `useradd` (or `pw useradd`) with the requested settings.
fn add_user(
    ctx: &mut Ctx<'_>,
    a: &Args,
    name: &str,
    os: &Value,
    home: &Value,
    group: &Value,
    groups: &[String],
) -> Result<(), PlanError> {
    let freebsd = is_freebsd(os);
    let mut args: Vec<String> = Vec::new();
    let mut opt = |flag: &str, v: &Value| {
        if truthy(v) {
            args.push(flag.to_string());
            args.push(quote(&py_str(v)));
        }
    };
    opt("-d", home);
    opt("-s", a.get("shell"));
    opt("-g", group);
    if !groups.is_empty() {
        args.extend(["-G".to_string(), group_list(groups)]);
    }
    if a.flag("system") && !is_bsd(&ctx.fact("server.Os", &[])?) {
        args.push("-r".into());
    }
    if a.flag("uid") {
        args.extend([if freebsd { "-u" } else { "--uid" }.to_string(), quote(&py_str(a.get("uid")))]);
    }
    if a.flag("comment") {
        args.extend(["-c".to_string(), quote(&py_str(a.get("comment")))]);
    }
    if !a.flag("unique") {
        args.push("-o".into());
    }
    if a.flag("create_home") {
        args.push("-m".into());
    } else if !matches!(os.as_str(), Some("FreeBSD" | "OpenBSD")) {
        args.push("-M".into());
    }
    let password = a.get("password");
    if truthy(password) && !freebsd {
        args.extend(["-p".to_string(), quote(&py_str(password))]);
    }

    ctx.change(format!("add user {name}"));
    let args = args.join(" ");
    let cmd = if freebsd {
        let head = if truthy(password) {
            format!("echo {} | pw useradd -n {} -H 0", quote(&py_str(password)), quote(name))
        } else {
            format!("pw useradd -n {}", quote(name))
        };
        [head, args].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
    } else {
        require_tool(ctx, os, "useradd")?;
        [String::from("useradd"), args, quote(name)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
    };
    ctx.shell(cmd);
    Ok(())
}

/// `usermod` (or `pw usermod`) for whatever differs from the existing user.
#[allow(clippy::too_many_arguments)]
fn modify_user(
    ctx: &mut Ctx<'_>,
    a: &Args,
    name: &str,
    os: &Value,
    existing: &Value,
    home: &Value,
    group: &Value,
    groups: &[String],
) -> Result<(), PlanError> {
    let freebsd = is_freebsd(os);
    let current = |k: &str| existing.get(k).cloned().unwrap_or(Value::Null);
    let mut args: Vec<String> = Vec::new();
    for (flag, want, key) in [("-d", home, "home"), ("-s", a.get("shell"), "shell"), ("-g", group, "group")] {
        if truthy(want) && !py_eq(&current(key), want) {
            args.extend([flag.to_string(), quote(&py_str(want))]);
        }
    }
    if !groups.is_empty() {
        let have = current("groups");
        if a.flag("append") {
            if !groups.iter().all(|g| str_in(g, &have)) {
                args.extend(["-a".to_string(), "-G".to_string(), group_list(groups)]);
            }
        } else {
            let have_set: std::collections::BTreeSet<String> = str_list(&have).into_iter().collect();
            let want_set: std::collections::BTreeSet<String> = groups.iter().cloned().collect();
            if have_set != want_set {
                args.extend(["-G".to_string(), group_list(groups)]);
            }
        }
    }
    let comment = a.get("comment");
    if truthy(comment) && !py_eq(&current("comment"), comment) {
        args.extend(["-c".to_string(), quote(&py_str(comment))]);
    }
    let password = a.get("password");
    if truthy(password) && !py_eq(&current("password"), password) {
        if freebsd {
            ctx.change(format!("set the password of {name}"));
            ctx.shell(format!("echo {} | pw usermod -n {} -H 0", quote(&py_str(password)), quote(name)));
        } else {
            args.extend(["-p".to_string(), quote(&py_str(password))]);
        }
    }
    if args.is_empty() {
        return Ok(());
    }
    ctx.change(format!("modify user {name}"));
    if freebsd {
        ctx.shell(format!("pw usermod -n {} {}", quote(name), args.join(" ")));
    } else {
        require_tool(ctx, os, "usermod")?;
        ctx.shell(format!("usermod {} {}", args.join(" "), quote(name)));
    }
    Ok(())
}
