//! `files.download`, `get`, `put`, `sync`, `rsync` and `unarchive`: moving data between the
//! controller, the network and the host.

use serde_json::json;

use super::fs::create_remote_dir;
use super::time::DateTime;
use super::util::{
    TimeField, chmod, chown, ensure_mode, fact, field, fnmatch, global_temp_dir, local_join, opt, path_fact,
    path_fact_if_known, path_name, path_str, pure_path, temp_filename, touch, unix_path_join,
};
use crate::args::Args;
use crate::plan::{Ctx, ErrorKind, PlanError, UploadSource};
use crate::quote::quote;
use crate::value::{Map, Value, as_io, py_str, str_or_list, truthy};

/// `files.download`.
pub fn download(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (src, dest) = (path_str(a.get("src")), path_str(a.get("dest")));
    let mode = ensure_mode(a.get("mode"))?;
    let (user, group) = (opt(a, "user"), opt(a, "group"));
    let info = path_fact(ctx, "files.File", &dest)?;
    if info == json!(false) {
        return Err(PlanError::op(format!("Destination {dest} already exists and is not a file")));
    }
    let sums = [
        ("sha1sum", "files.Sha1File"),
        ("sha256sum", "files.Sha256File"),
        ("sha384sum", "files.Sha384File"),
        ("md5sum", "files.Md5File"),
    ];
    let mut fetch = a.flag("force") || info.is_null();
    if !info.is_null() {
        if let Some(cache_time) = a.opt_int("cache_time")?.filter(|t| *t != 0) {
            fetch |= cache_expired(ctx, &info, cache_time)?;
        }
        for (arg, f) in sums {
            if let Some(want) = opt(a, arg) {
                fetch |= path_fact(ctx, f, &dest)?.as_str() != Some(want.as_str());
            }
        }
    }
    if !fetch {
        let mut changed = false;
        if (user.is_some() && field(&info, "user").as_str() != user.as_deref())
            || (group.is_some() && field(&info, "group").as_str() != group.as_deref())
        {
            ctx.shell(chown(&dest, user.as_deref(), group.as_deref(), false, true)?);
            changed = true;
        }
        if let Some(m) = mode.as_ref().filter(|m| !m.matches(field(&info, "mode"))) {
            ctx.shell(chmod(&dest, m, false));
            changed = true;
        }
        if !changed {
            ctx.noop(format!("file {dest} has already been downloaded"));
        }
        return Ok(());
    }

    let dir = opt(a, "temp_dir").map(|d| path_str(&json!(d))).or_else(|| global_temp_dir(ctx));
    let temp = temp_filename(ctx, &dest, dir.as_deref());
    let (curl, wget) = fetch_commands(a, &src, &temp);
    if truthy(&fact(ctx, "server.Which", &[("command", json!("curl"))])?) {
        ctx.shell(curl);
    } else if truthy(&fact(ctx, "server.Which", &[("command", json!("wget"))])?) {
        ctx.shell(wget);
    } else {
        ctx.shell(format!("( {curl} ) || ( {wget} )"));
    }
    ctx.change(format!("download {src} to {dest}"));
    ctx.shell(format!("mv {} {}", quote(&temp), quote(&dest)));
    if user.is_some() || group.is_some() {
        ctx.shell(chown(&dest, user.as_deref(), group.as_deref(), false, true)?);
    }
    if let Some(m) = &mode {
        ctx.shell(chmod(&dest, m, false));
    }
    let d = quote(&dest);
    let checks = [
        ("sha1sum", format!("sha1sum {d} 2> /dev/null || shasum {d} || sha1 {d}"), "SHA1"),
        ("sha256sum", format!("sha256sum {d} 2> /dev/null || shasum -a 256 {d} || sha256 {d}"), "SHA256"),
        ("sha384sum", format!("sha384sum {d} 2> /dev/null || shasum -a 384 {d}"), "SHA384"),
        ("md5sum", format!("md5sum {d} 2> /dev/null || md5 {d}"), "MD5"),
    ];
    for (arg, tools, name) in checks {
        if let Some(sum) = opt(a, arg) {
            let msg = quote(&format!("{name} did not match!"));
            ctx.shell(format!("(( {tools} ) | grep {sum} ) || ( echo {msg} && exit 1 )"));
        }
    }
    Ok(())
}

/// Whether the existing file's mtime is older than `cache_time` seconds before the host's date.
fn cache_expired(ctx: &Ctx<'_>, info: &Value, cache_time: i64) -> Result<bool, PlanError> {
    let date = fact(ctx, "server.Date", &[])?;
    let now = DateTime::parse(&py_str(&date))
        .ok_or_else(|| PlanError::new(ErrorKind::ValueError, format!("bad server.Date value {}", py_str(&date))))?;
    // The file's times are naive in the host's clock: compare wall clocks.
    let limit = match now.minus_seconds(i128::from(cache_time)) {
        Some(d) => d.wall,
        None if cache_time > 0 => i128::MIN,
        None => i128::MAX,
    };
    Ok(match field(info, "mtime") {
        Value::Null => false,
        m => DateTime::parse(&py_str(m)).is_some_and(|m| m.wall < limit),
    })
}

/// The curl and wget commands fetching `src` into `temp`.
fn fetch_commands(a: &Args, src: &str, temp: &str) -> (String, String) {
    let mut curl = vec!["-sSLf".to_string()];
    let mut wget = vec!["-q".to_string()];
    let pairs = |name: &str| -> Vec<String> {
        a.get(name)
            .as_object()
            .map(|m| m.iter().map(|(k, v)| format!("{k} {}", quote(&py_str(v)))).collect())
            .unwrap_or_default()
    };
    curl.extend(pairs("extra_curl_args"));
    wget.extend(pairs("extra_wget_args"));
    if let Some(proxy) = opt(a, "proxy") {
        curl.push(format!("--proxy {proxy}"));
        wget.push("-e use_proxy=yes".into());
        wget.push(format!("-e http_proxy={proxy}"));
    }
    if a.flag("insecure") {
        curl.push("--insecure".into());
        wget.push("--no-check-certificate".into());
    }
    if let Some(rate) = opt(a, "limit_rate") {
        let r = format!("--limit-rate {}", quote(&rate));
        curl.push(r.clone());
        wget.push(r);
    }
    if let Some(headers) = a.get("headers").as_object().filter(|h| !h.is_empty()) {
        for (k, v) in headers {
            let h = format!("--header {}", quote(&format!("{k}: {}", py_str(v))));
            curl.push(h.clone());
            wget.push(h);
        }
    }
    let (s, t) = (quote(src), quote(temp));
    (
        format!("curl {} {s} -o {t}", curl.join(" ")),
        format!("wget {} {s} -O {t} || ( rm -f {t} ; exit 1 )", wget.join(" ")),
    )
}

/// What a planner knows of the local side of a transfer.
enum Local {
    /// A file on the controller.
    Path(String),
    /// In-memory contents (a file-like object).
    Contents(String),
}

/// Whether the local file (or contents) equals the remote file, by the first hash the host has.
fn local_equals_remote(ctx: &Ctx<'_>, local: Option<&Local>, remote: &str) -> Result<bool, PlanError> {
    let Some(local) = local else { return Ok(false) };
    for (f, algo) in [("files.Sha1File", "sha1"), ("files.Md5File", "md5"), ("files.Sha256File", "sha256")] {
        // The next hash only once this one is known to be missing: each reads the whole file on
        // the host.
        let Some(remote_sum) = path_fact_if_known(ctx, f, remote)? else { return Ok(false) };
        if truthy(&remote_sum) {
            let local_sum = match local {
                Local::Path(p) => match algo {
                    "sha1" => ctx.local.sha1(p),
                    "md5" => ctx.local.md5(p),
                    _ => ctx.local.sha256(p),
                },
                Local::Contents(c) => Some(digest(algo, c)),
            };
            return Ok(local_sum.as_deref() == remote_sum.as_str());
        }
    }
    Ok(false)
}

fn digest(algo: &str, data: &str) -> String {
    use sha1::Digest;
    let bytes: Vec<u8> = match algo {
        "sha1" => sha1::Sha1::digest(data.as_bytes()).to_vec(),
        "md5" => md5::Md5::digest(data.as_bytes()).to_vec(),
        _ => sha2::Sha256::digest(data.as_bytes()).to_vec(),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `files.get`.
pub fn get(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let src = path_str(a.get("src"));
    let mut dest = path_str(a.get("dest"));
    if a.flag("add_deploy_dir") {
        dest = local_join(&ctx.local.cwd(), &dest);
    }
    let remote = path_fact(ctx, "files.File", &src)?;
    let local_exists = ctx.local.is_file(&dest) || ctx.local.is_dir(&dest);
    // Download blind when the remote file is unknown, when forced, or when there is no local copy.
    let blind = !truthy(&remote) || a.flag("force") || !local_exists;
    if blind || !local_equals_remote(ctx, Some(&Local::Path(dest.clone())), &src)? {
        ctx.change(format!("download {src} to {dest}"));
        ctx.download(src, dest);
    } else {
        ctx.noop(format!("file {dest} has already been downloaded"));
    }
    Ok(())
}

/// A wanted atime/mtime, resolved to an aware datetime (pyinfra's `_canonicalize_timespec`).
fn canonical_time(ctx: &Ctx<'_>, field_: TimeField, local: &Local, spec: &Value) -> Result<DateTime, PlanError> {
    let bad = || PlanError::new(ErrorKind::ValueError, format!("Bad argument for `timesspec`: {}", py_str(spec)));
    let host_tz = |dt: DateTime| -> Result<DateTime, PlanError> {
        if dt.offset.is_some() {
            return Ok(dt);
        }
        let date = fact(ctx, "server.Date", &[])?;
        let offset = DateTime::parse(&py_str(&date)).and_then(|d| d.offset);
        Ok(DateTime { offset: Some(offset.unwrap_or(0)), ..dt })
    };
    match spec {
        Value::Bool(true) => {
            let Local::Path(p) = local else { return Err(bad()) };
            let t = if field_ == TimeField::Atime { ctx.local.atime(p) } else { ctx.local.mtime(p) };
            let dt = t.as_deref().and_then(DateTime::parse).ok_or_else(bad)?;
            Ok(DateTime { offset: Some(dt.offset.unwrap_or(0)), ..dt })
        }
        Value::Number(n) => n.as_f64().and_then(DateTime::from_timestamp).ok_or_else(bad),
        other => {
            let text = py_str(other);
            if let Some(dt) = DateTime::parse(&text) {
                return host_tz(dt);
            }
            if let Some(dt) = text.trim().parse::<f64>().ok().and_then(DateTime::from_timestamp) {
                return Ok(dt);
            }
            // A reference file on the host: take its time (naive, read as UTC).
            let reference = path_fact(ctx, "files.File", &text)?;
            if !truthy(&reference) {
                return Err(bad());
            }
            let key = if field_ == TimeField::Atime { "atime" } else { "mtime" };
            let dt = DateTime::parse(&py_str(field(&reference, key))).ok_or_else(bad)?;
            Ok(DateTime { offset: Some(0), ..dt })
        }
    }
}

/// `_times_differ_in_s`: a visible difference in seconds between two aware times, in `want`'s zone.
fn times_differ(want: &DateTime, have: &DateTime) -> bool {
    let have = have.at_offset(want.offset.unwrap_or(0));
    (have.utc() - want.utc()).abs() >= 1_000_000 || want.second() != have.second()
}

/// `files.put`.
pub fn put(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let src_value = a.get("src");
    let (local, local_sum) = match as_io(src_value) {
        Some(contents) => (Local::Contents(contents.to_string()), true),
        None => {
            let mut src = path_str(src_value);
            if a.flag("add_deploy_dir") {
                src = local_join(&ctx.local.cwd(), &src);
            }
            let exists = ctx.local.is_file(&src);
            // pyinfra says "No such file" here too; a directory is a common mistake, so name the fix.
            if !exists && ctx.local.is_dir(&src) {
                return Err(PlanError::new(
                    ErrorKind::IOError,
                    format!("{src} is a directory: files.put uploads one file; use files.sync to upload a directory"),
                ));
            }
            if !exists && !a.flag("assume_exists") {
                return Err(PlanError::new(ErrorKind::IOError, format!("No such file: {src}")));
            }
            (Local::Path(src), exists)
        }
    };
    let mode = match (a.get("mode"), &local) {
        // `mode=True` copies the local file's permissions (left as `True` for in-memory sources).
        (Value::Bool(true), Local::Path(p)) if ctx.local.is_file(p) => {
            ctx.local.mode(p).map(|m| super::util::Mode::Int(i64::from(m)))
        }
        (v, _) => ensure_mode(v)?,
    };
    let (user, group) = (opt(a, "user"), opt(a, "group"));
    let mut dest = path_str(a.get("dest"));
    let mut remote = path_fact(ctx, "files.File", &dest)?;
    if !truthy(&remote) && truthy(&path_fact(ctx, "files.Directory", &dest)?) {
        let Local::Path(p) = &local else {
            return Err(PlanError::type_(
                "When `src` is a file-like object, `dest` must be a full file path, not a directory",
            ));
        };
        dest = unix_path_join(&[&dest, &path_name(p)]);
        remote = path_fact(ctx, "files.File", &dest)?;
    }
    if a.flag("create_remote_dir") {
        create_remote_dir(ctx, &dest, a.get("user"), a.get("group"))?;
    }
    let times = [(TimeField::Mtime, a.get("mtime")), (TimeField::Atime, a.get("atime"))];
    let upload = !truthy(&remote) || a.flag("force") || !local_equals_remote(ctx, local_sum.then_some(&local), &dest)?;
    if upload {
        let src = match &local {
            Local::Path(p) => UploadSource::Path(p.clone()),
            Local::Contents(c) => UploadSource::Contents(c.clone()),
        };
        ctx.change(format!("upload {dest}"));
        ctx.upload(src, dest.clone());
        if user.is_some() || group.is_some() {
            ctx.shell(chown(&dest, user.as_deref(), group.as_deref(), false, true)?);
        }
        if let Some(m) = &mode {
            ctx.shell(chmod(&dest, m, false));
        }
        // mtime before atime, so setting the mtime does not undo the atime.
        for (f, spec) in times {
            if truthy(spec) {
                let t = canonical_time(ctx, f, &local, spec)?;
                ctx.shell(touch(&dest, f, &t));
            }
        }
        return Ok(());
    }
    let mut changed = false;
    if let Some(m) = mode.as_ref().filter(|m| !m.matches(field(&remote, "mode"))) {
        ctx.shell(chmod(&dest, m, false));
        changed = true;
    }
    if (user.is_some() && field(&remote, "user").as_str() != user.as_deref())
        || (group.is_some() && field(&remote, "group").as_str() != group.as_deref())
    {
        ctx.shell(chown(&dest, user.as_deref(), group.as_deref(), false, true)?);
        changed = true;
    }
    for (f, spec) in times {
        if !truthy(spec) {
            continue;
        }
        let want = canonical_time(ctx, f, &local, spec)?;
        let key = if f == TimeField::Atime { "atime" } else { "mtime" };
        let have = DateTime::parse(&py_str(field(&remote, key)))
            .ok_or_else(|| PlanError::op(format!("the {key} of {dest} on the host is unknown")))?;
        if times_differ(&want, &DateTime { offset: Some(0), ..have }) {
            ctx.shell(touch(&dest, f, &want));
            changed = true;
        }
    }
    if !changed {
        ctx.noop(format!("file {dest} is already uploaded"));
    }
    Ok(())
}

/// A local directory tree as `os.walk` sees it, from the flat `LocalFiles::walk` listing.
struct Tree {
    entries: Vec<(String, bool)>,
}

impl Tree {
    /// Children of the directory `rel` (`""`: the root): directory names and other names, in order.
    fn children(&self, rel: &str) -> (Vec<String>, Vec<String>) {
        let (mut dirs, mut files) = (vec![], vec![]);
        for (path, is_dir) in &self.entries {
            let (parent, name) = match path.rsplit_once('/') {
                Some((p, n)) => (p, n),
                None => ("", path.as_str()),
            };
            if parent == rel {
                if *is_dir { dirs.push(name.to_string()) } else { files.push(name.to_string()) }
            }
        }
        (dirs, files)
    }
}

/// What `files.sync` found locally.
#[derive(Default)]
struct SyncPlan {
    files: Vec<(String, String)>,
    links: Vec<(String, String)>,
    dirs: Vec<(String, u32)>,
}

fn join_rel(rel: &str, name: &str) -> String {
    if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") }
}

/// Walk the local tree top-down (as `os.walk(followlinks=False)`), applying the exclusions.
fn walk_sync(ctx: &Ctx<'_>, tree: &Tree, root: &str, rel: &str, dest: &str, ex: &Excludes, out: &mut SyncPlan) {
    let local_dir = if rel.is_empty() { root.to_string() } else { format!("{root}/{rel}") };
    let remote_rel = if rel.is_empty() { "." } else { rel };
    let remote_parts = |name: &str| -> String {
        let parts: Vec<&str> = [dest, remote_rel, name].into_iter().filter(|p| !p.is_empty() && *p != ".").collect();
        unix_path_join(&parts)
    };
    let (dirs, files) = tree.children(rel);
    let mut descend = vec![];
    for d in dirs {
        let child = join_rel(rel, &d);
        if ex.dirs.iter().any(|m| fnmatch(&child, m)) {
            continue;
        }
        let full = format!("{local_dir}/{d}");
        if ctx.local.is_link(&full) {
            out.links.push((remote_parts(&d), ctx.local.read_link(&full).unwrap_or_default()));
            continue;
        }
        descend.push(child);
    }
    if !rel.is_empty() {
        out.dirs.push((rel.to_string(), ctx.local.mode(&local_dir).unwrap_or(755)));
    }
    for f in files {
        let full = format!("{local_dir}/{f}");
        if ex.files.iter().any(|m| fnmatch(&full, m)) {
            continue;
        }
        if ctx.local.is_link(&full) {
            out.links.push((remote_parts(&f), ctx.local.read_link(&full).unwrap_or_default()));
        } else {
            out.files.push((full, remote_parts(&f)));
        }
    }
    for child in descend {
        walk_sync(ctx, tree, root, &child, dest, ex, out);
    }
}

/// The `exclude` and `exclude_dir` patterns of `files.sync`.
struct Excludes {
    files: Vec<String>,
    dirs: Vec<String>,
}

/// `files.sync`.
pub fn sync(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let original = path_str(a.get("src"));
    let dest = path_str(a.get("dest"));
    let mut src = pure_path(&original);
    if a.flag("add_deploy_dir") {
        src = pure_path(&local_join(&ctx.local.cwd(), &src));
    }
    if !ctx.local.is_dir(&src) {
        return Err(PlanError::new(ErrorKind::IOError, format!("No such directory: {original}")));
    }
    let ex = Excludes { files: str_or_list(a.get("exclude")), dirs: str_or_list(a.get("exclude_dir")) };
    let tree = Tree { entries: ctx.local.walk(&src) };
    let root = src.trim_end_matches('/').to_string();
    let mut found = SyncPlan::default();
    walk_sync(ctx, &tree, &root, "", &dest, &ex, &mut found);

    let (user, group) = (a.get("user").clone(), a.get("group").clone());
    let or_mode = |first: &str, fallback: Value| -> Value {
        [a.get("dir_mode"), a.get("mode")]
            .into_iter()
            .skip(usize::from(first == "mode"))
            .find(|v| truthy(v))
            .cloned()
            .unwrap_or(fallback)
    };
    let link_info = path_fact(ctx, "files.Link", &dest)?;
    let dest_dir = if truthy(&link_info) { path_str(field(&link_info, "link_target")) } else { dest.clone() };
    let root_mode = json!(ctx.local.mode(&src).unwrap_or(755));
    let dir_call = |path: String, mode: Value| {
        [("path", json!(path)), ("user", user.clone()), ("group", group.clone()), ("mode", mode)]
    };
    crate::nested(ctx, "files.directory", &dir_call(dest_dir, or_mode("dir_mode", root_mode)))?;
    for (rel, mode) in &found.dirs {
        let call = dir_call(unix_path_join(&[&dest, rel]), or_mode("dir_mode", json!(mode)));
        crate::nested(ctx, "files.directory", &call)?;
    }
    for (remote, target) in &found.links {
        crate::nested(
            ctx,
            "files.link",
            &[
                ("path", json!(remote)),
                ("target", json!(target)),
                ("user", user.clone()),
                ("group", group.clone()),
                ("create_remote_dir", json!(false)),
            ],
        )?;
    }
    for (local, remote) in &found.files {
        let mode = or_mode("mode", json!(ctx.local.mode(local).unwrap_or(644)));
        crate::nested(
            ctx,
            "files.put",
            &[
                ("src", json!(local)),
                ("dest", json!(remote)),
                ("user", user.clone()),
                ("group", group.clone()),
                ("mode", mode),
                ("add_deploy_dir", json!(false)),
                ("create_remote_dir", json!(false)),
            ],
        )?;
    }
    if a.flag("delete") {
        delete_extra(ctx, &dest, &found, &ex)?;
    }
    Ok(())
}

/// Remove remote files and links of `dest` that the local tree does not have (`files.sync(delete=True)`).
fn delete_extra(ctx: &mut Ctx<'_>, dest: &str, found: &SyncPlan, ex: &Excludes) -> Result<(), PlanError> {
    let remote_files = str_or_list(&path_fact(ctx, "files.FindFiles", dest)?);
    let remote_links = str_or_list(&path_fact(ctx, "files.FindLinks", dest)?);
    let excluded = |p: &str| ex.files.iter().any(|m| fnmatch(p, m));
    let mut seen = std::collections::BTreeSet::new();
    for f in remote_files {
        if seen.insert(f.clone()) && !found.files.iter().any(|(_, r)| *r == f) && !excluded(&f) {
            crate::nested(ctx, "files.file", &[("path", json!(f)), ("present", json!(false))])?;
        }
    }
    for l in remote_links {
        if seen.insert(l.clone()) && !found.links.iter().any(|(r, _)| *r == l) && !excluded(&l) {
            crate::nested(ctx, "files.link", &[("path", json!(l)), ("present", json!(false))])?;
        }
    }
    Ok(())
}

/// `files.rsync`: handed to the executor, which runs the controller's rsync over the connection.
pub fn rsync(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let flags = match a.get("flags") {
        Value::Null => json!(["-ax", "--delete"]),
        f => json!(str_or_list(f)),
    };
    let (src, dest) = (path_str(a.get("src")), path_str(a.get("dest")));
    ctx.change(format!("rsync {src} to {dest}"));
    ctx.callback("rsync", vec![json!(src), json!(dest), flags], Map::new());
    Ok(())
}

const TAR_FORMATS: &[(&str, &[&str])] = &[
    (".tar", &["-x"]),
    (".tar.gz", &["-xz"]),
    (".tgz", &["-xz"]),
    (".tar.bz2", &["-xj"]),
    (".tbz2", &["-xj"]),
    (".tar.xz", &["-xJ"]),
    (".txz", &["-xJ"]),
    (".tar.zst", &["-x", "--zstd"]),
];

/// `files.unarchive`.
pub fn unarchive(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let (src, dest) = (path_str(a.get("src")), path_str(a.get("dest")));
    if let Some(creates) = opt(a, "creates")
        && !path_fact(ctx, "files.File", &creates)?.is_null()
    {
        ctx.noop(format!("archive already extracted ({creates} exists)"));
        return Ok(());
    }
    if !truthy(&path_fact(ctx, "files.Directory", &dest)?) {
        return Err(PlanError::op(format!("Destination {dest} is not an existing directory")));
    }
    let lower = src.to_lowercase();
    let (tool, flags): (&str, &[&str]) = match TAR_FORMATS.iter().find(|(ext, _)| lower.ends_with(ext)) {
        Some((_, f)) => ("tar", f),
        None if lower.ends_with(".zip") => ("unzip", &["-o"]),
        None => {
            let all: Vec<&str> = TAR_FORMATS.iter().map(|(e, _)| *e).chain([".zip"]).collect();
            return Err(PlanError::value(format!(
                "Unsupported archive format for {src}. Supported: {}",
                all.join(", ")
            )));
        }
    };
    let remote_src = a.flag("remote_src");
    let archive = if remote_src {
        if path_fact(ctx, "files.File", &src)?.is_null() {
            return Err(PlanError::op(format!("Remote archive {src} does not exist")));
        }
        src.clone()
    } else {
        let temp = ctx.env.temp_filename(&src);
        ctx.upload(UploadSource::Path(src.clone()), temp.clone());
        temp
    };
    let mut cmd: Vec<String> = std::iter::once(tool).chain(flags.iter().copied()).map(str::to_string).collect();
    cmd.extend(str_or_list(a.get("extra_opts")));
    if tool == "tar" {
        cmd.extend(["-f".into(), quote(&archive), "-C".into(), quote(&dest)]);
    } else {
        cmd.extend([quote(&archive), "-d".into(), quote(&dest)]);
    }
    ctx.change(format!("extract {src} into {dest}"));
    ctx.shell(cmd.join(" "));
    if !remote_src {
        ctx.shell(format!("rm -f {}", quote(&archive)));
    }
    let (user, group) = (opt(a, "user"), opt(a, "group"));
    if user.is_some() || group.is_some() {
        ctx.shell(chown(&dest, user.as_deref(), group.as_deref(), true, true)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use serde_json::json;

    use crate::fact_source::testing::FixedEnv;
    use crate::fact_source::{FactKey, FactSource, Unknown};
    use crate::local_files::NoLocalFiles;
    use crate::value::{Map, Value};

    /// The executor's planning probe in miniature: the destination's `File` is known, every other
    /// fact is answered with a stand-in (`None`), and every ask is noted.
    struct Probe {
        stand_ins: bool,
        asked: RefCell<Vec<String>>,
    }

    impl FactSource for Probe {
        fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
            self.asked.borrow_mut().push(key.fact.clone());
            Ok(if key.fact == "files.File" { json!({"mode": 644, "size": 6}) } else { Value::Null })
        }
        fn knows(&self, key: &FactKey) -> bool {
            !self.stand_ins || key.fact == "files.File"
        }
    }

    fn hashes_asked(stand_ins: bool) -> Vec<String> {
        let probe = Probe { stand_ins, asked: RefCell::new(Vec::new()) };
        let kw: Map<String, Value> =
            json!({"src": "io:hello\n", "dest": "/etc/motd"}).as_object().cloned().unwrap_or_default();
        let _ = crate::plan_operation("files.put", &[], &kw, &probe, &NoLocalFiles, &FixedEnv("/tmp/x"));
        probe.asked.into_inner().into_iter().filter(|f| f.ends_with("File") && f != "files.File").collect()
    }

    #[test]
    fn a_fallback_hash_is_asked_only_once_the_first_is_known_missing() {
        // Not gathered yet: only SHA-1 (one pass reads the file on the host once, not three times).
        assert_eq!(hashes_asked(true), ["files.Sha1File"]);
        // Gathered and missing (no sha1sum on the host): MD5 next, then SHA-256, as pyinfra asks.
        assert_eq!(hashes_asked(false), ["files.Sha1File", "files.Md5File", "files.Sha256File"]);
    }
}
