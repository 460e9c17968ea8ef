//! Shared helpers of the `files` operations, mirroring pyinfra's `operations/util/files.py`:
//! chmod/chown/touch command builders, sed line editing, regex anchoring, mode normalisation,
//! POSIX path helpers and fact lookups with pyinfra's argument binding.

use serde_json::json;

use super::time::DateTime;
use crate::args::Args;
use crate::plan::{Ctx, ErrorKind, PlanError};
use crate::quote::quote;
use crate::value::{Value, py_repr, py_str, truthy};

/// Ask for a fact; [`Ctx::fact`] binds the fact's defaults as pyinfra's `host.get_fact` does.
pub fn fact(ctx: &Ctx<'_>, name: &str, kwargs: &[(&str, Value)]) -> Result<Value, PlanError> {
    ctx.fact(name, kwargs)
}

/// `files.File`-style fact of one path.
pub fn path_fact(ctx: &Ctx<'_>, name: &str, path: &str) -> Result<Value, PlanError> {
    fact(ctx, name, &[("path", json!(path))])
}

/// [`path_fact`], or `None` while the fact is not gathered yet (see [`Ctx::fact_if_known`]).
pub fn path_fact_if_known(ctx: &Ctx<'_>, name: &str, path: &str) -> Result<Option<Value>, PlanError> {
    ctx.fact_if_known(name, &[("path", json!(path))])
}

/// A key of a fact's dict (`Null` when absent or when the fact is not a dict).
pub fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    v.get(key).unwrap_or(&NULL)
}

/// A path argument as text: strings as given (`path:` marks a `pathlib.Path` in the vectors).
pub fn path_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.strip_prefix("path:").unwrap_or(s).to_string(),
        other => py_str(other),
    }
}

/// `os.fspath(path)`, as the `_validate_path` of `file`, `directory` and `link`.
pub fn fspath(v: &Value) -> Result<String, PlanError> {
    match v {
        Value::String(_) => Ok(path_str(v)),
        _ => Err(PlanError::type_("`path` must be a string or `os.PathLike` object")),
    }
}

/// An optional string argument (`None` and empty both count as unset where pyinfra tests truthiness).
pub fn opt(a: &Args, name: &str) -> Option<String> {
    truthy(a.get(name)).then(|| py_str(a.get(name)))
}

/// A normalised file mode: octal digits, or text passed through to chmod as is (`+x`).
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Octal digits read as a decimal number (`644`).
    Int(i64),
    /// Anything else (symbolic modes); never equal to a fact's mode.
    Raw(String),
}

impl Mode {
    /// Whether a fact's `mode` value equals this mode.
    pub fn matches(&self, fact_mode: &Value) -> bool {
        match self {
            Mode::Int(m) => fact_mode.as_i64() == Some(*m) || fact_mode.as_f64() == Some(*m as f64),
            Mode::Raw(_) => false,
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Int(m) => write!(f, "{m}"),
            Mode::Raw(s) => f.write_str(s),
        }
    }
}

/// pyinfra's `ensure_mode_int`, returning `None` for a falsy mode (the callers all test `if mode`).
pub fn ensure_mode(v: &Value) -> Result<Option<Mode>, PlanError> {
    let bad = || {
        PlanError::new(
            ErrorKind::ValueError,
            format!(
                "Invalid file mode: {} contains non-octal digits (expected octal digits 0-7, eg 644, '0644' or '0o644')",
                py_repr(v)
            ),
        )
    };
    let digits = match v {
        Value::Null | Value::Bool(false) => return Ok(None),
        Value::Bool(true) => return Ok(Some(Mode::Raw("True".into()))),
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::String(s) => {
            let d = s.trim().to_lowercase();
            let d = d.strip_prefix("0o").unwrap_or(&d).to_string();
            if d.is_empty() || !d.chars().all(|c| c.is_ascii_digit()) {
                return Ok(truthy(v).then(|| Mode::Raw(s.clone())));
            }
            d
        }
        other => return Ok(truthy(other).then(|| Mode::Raw(py_str(other)))),
    };
    if digits.chars().any(|c| !('0'..='7').contains(&c)) {
        return Err(bad());
    }
    let m: i64 = digits.parse().map_err(|_| bad())?;
    Ok((m != 0).then_some(Mode::Int(m)))
}

/// `chmod [-R] MODE TARGET`.
pub fn chmod(target: &str, mode: &impl std::fmt::Display, recursive: bool) -> String {
    let r = if recursive { " -R" } else { "" };
    format!("chmod{r} {mode} {}", quote(target))
}

/// `chown`/`chgrp` with pyinfra's choice of command and flags.
pub fn chown(
    target: &str,
    user: Option<&str>,
    group: Option<&str>,
    recursive: bool,
    dereference: bool,
) -> Result<String, PlanError> {
    let (command, who) = match (user, group) {
        (Some(u), Some(g)) => ("chown", format!("{u}:{g}")),
        (Some(u), None) => ("chown", u.to_string()),
        (None, Some(g)) => ("chgrp", g.to_string()),
        (None, None) => return Err(PlanError::op("chown() requires at least one of user or group")),
    };
    let mut args = vec![command];
    if recursive {
        args.push("-R");
    }
    if !dereference {
        args.push("-h");
    }
    Ok(format!("{} {} {}", args.join(" "), quote(&who), quote(target)))
}

/// Which timestamp `touch` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeField {
    /// Access time (`-a`).
    Atime,
    /// Modification time (`-m`).
    Mtime,
}

/// `touch -a|-m -d TIME TARGET`, the time in UTC with a `Z` suffix (understood by BSD touch too).
pub fn touch(target: &str, field: TimeField, time: &DateTime) -> String {
    let flag = if field == TimeField::Atime { "-a" } else { "-m" };
    let stamp = time.at_offset(0).isoformat().replace("+00:00", "Z");
    format!("touch {flag} -d {stamp} {}", quote(target))
}

/// Anchor a regex to whole lines (`^.*X.*$`), escaping regex characters first if asked.
pub fn adjust_regex(line: &str, escape: bool) -> String {
    let mut out = String::with_capacity(line.len() + 6);
    if escape {
        for c in line.chars() {
            if ".\\+*?[^]$(){}-".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
    } else {
        out.push_str(line);
    }
    if !out.starts_with('^') {
        out.insert_str(0, "^.*");
    }
    if !out.ends_with('$') {
        out.push_str(".*$");
    }
    out
}

/// Drop a leading `^` and an unescaped trailing `$` (anchors must not be written into files).
pub fn strip_regex_anchors(line: &str) -> String {
    let line = line.strip_prefix('^').unwrap_or(line);
    match line.strip_suffix('$') {
        Some(rest) if !line.ends_with("\\$") => rest.to_string(),
        _ => line.to_string(),
    }
}

/// Options of a sed edit.
pub struct Sed<'a> {
    /// sed flags, concatenated (`gi`).
    pub flags: &'a str,
    /// Keep the `.TIMESTAMP` backup sed writes.
    pub backup: bool,
    /// Double-quote the script so the remote shell expands variables.
    pub interpolate: bool,
    /// `sed -E`.
    pub extended: bool,
    /// The backup extension (pyinfra's `get_timestamp()`).
    pub timestamp: String,
}

/// `sed -i 's/LINE/REPLACE/FLAGS' FILE` (pyinfra's `sed_replace`).
pub fn sed_replace(file: &str, line: &str, replace: &str, o: &Sed<'_>) -> String {
    let (line, replace) = sed_escape(line, replace, o.interpolate);
    let q = if o.interpolate { '"' } else { '\'' };
    sed_command(file, &format!("{q}s/{line}/{replace}/{}{q}", o.flags), o)
}

/// `sed -i '/LINE/d' FILE` (pyinfra's `sed_delete`), case-insensitive when the flags say so.
pub fn sed_delete(file: &str, line: &str, o: &Sed<'_>) -> String {
    let (line, _) = sed_escape(line, "", o.interpolate);
    let q = if o.interpolate { '"' } else { '\'' };
    let i = if o.flags.contains(['i', 'I']) { "I" } else { "" };
    sed_command(file, &format!("{q}/{line}/{i}d{q}"), o)
}

fn sed_escape(line: &str, replace: &str, interpolate: bool) -> (String, String) {
    let line = line.replace('/', "\\/");
    let replace = replace.replace('/', "\\/").replace('&', "\\&");
    if interpolate {
        (line.replace('"', "\\\""), replace.replace('"', "\\\""))
    } else {
        (line.replace('\'', "'\"'\"'"), replace.replace('\'', "'\"'\"'"))
    }
}

fn sed_command(file: &str, script: &str, o: &Sed<'_>) -> String {
    let e = if o.extended { "-E " } else { "" };
    let cmd = format!("sed {e}-i.{} {script} {}", o.timestamp, quote(file));
    if o.backup { cmd } else { format!("{cmd} && rm -f {}", quote(&format!("{file}.{}", o.timestamp))) }
}

/// `"".join(flags)` of a sed flags argument (a string or a list of strings).
pub fn sed_flags(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Array(a) => a.iter().map(py_str).collect(),
        other => py_str(other),
    }
}

/// pyinfra's `unix_path_join`: strip trailing slashes of all but the last part, join with `/`.
pub fn unix_path_join(parts: &[&str]) -> String {
    let n = parts.len();
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i + 1 < n { p.trim_end_matches('/') } else { p })
        .collect::<Vec<_>>()
        .join("/")
}

/// `posixpath.dirname`.
pub fn dirname(p: &str) -> String {
    let head = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    let trimmed = head.trim_end_matches('/');
    if trimmed.is_empty() { head.to_string() } else { trimmed.to_string() }
}

/// `posixpath.join(a, b)`.
pub fn posix_join(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        b.to_string()
    } else if a.is_empty() || a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// `PurePosixPath(p)` as text: repeated slashes collapsed, `.` parts and a trailing slash dropped.
pub fn pure_path(p: &str) -> String {
    let root = if p.starts_with("//") && !p.starts_with("///") {
        "//"
    } else if p.starts_with('/') {
        "/"
    } else {
        ""
    };
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let joined = parts.join("/");
    if root.is_empty() && joined.is_empty() { ".".to_string() } else { format!("{root}{joined}") }
}

/// `PurePosixPath(p).name`.
pub fn path_name(p: &str) -> String {
    p.split('/').rfind(|s| !s.is_empty() && *s != ".").unwrap_or("").to_string()
}

/// Join a controller path to the deploy directory (`os.path.join(state.cwd, p)`).
pub fn local_join(cwd: &str, p: &str) -> String {
    if cwd.is_empty() { p.to_string() } else { posix_join(cwd, p) }
}

/// A temporary file on the host for `key`, in `dir` when one is given (pyinfra's
/// `host.get_temp_filename(key, temp_directory=dir)`).
pub fn temp_filename(ctx: &Ctx<'_>, key: &str, dir: Option<&str>) -> String {
    ctx.env.temp_filename_in(key, dir)
}

/// The `_temp_dir` global argument, if set.
pub fn global_temp_dir(ctx: &Ctx<'_>) -> Option<String> {
    ctx.globals.opt_str("_temp_dir").filter(|s| !s.is_empty())
}

/// Python's `fnmatch.fnmatchcase` (POSIX: case-sensitive, `*` also matches `/`).
pub fn fnmatch(name: &str, pat: &str) -> bool {
    let n: Vec<char> = name.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    glob(&n, &p)
}

fn glob(n: &[char], p: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len()).any(|i| glob(&n[i..], &p[1..])),
        Some('?') => !n.is_empty() && glob(&n[1..], &p[1..]),
        Some('[') => match char_class(p) {
            Some((matches, len)) => n.first().is_some_and(|c| matches(*c)) && glob(&n[1..], &p[len..]),
            None => n.first() == Some(&'[') && glob(&n[1..], &p[1..]),
        },
        Some(c) => n.first() == Some(c) && glob(&n[1..], &p[1..]),
    }
}

/// A `[...]` class at the start of `p`: its matcher and length, or `None` when unclosed (literal `[`).
fn char_class(p: &[char]) -> Option<(impl Fn(char) -> bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!'));
    if negate {
        i += 1;
    }
    if p.get(i) == Some(&']') {
        i += 1;
    }
    while p.get(i)? != &']' {
        i += 1;
    }
    let body: Vec<char> = p[if negate { 2 } else { 1 }..i].to_vec();
    let matcher = move |c: char| {
        let mut hit = false;
        let mut j = 0;
        while j < body.len() {
            if j + 2 < body.len() && body[j + 1] == '-' {
                hit |= body[j] <= c && c <= body[j + 2];
                j += 3;
            } else {
                hit |= body[j] == c;
                j += 1;
            }
        }
        hit != negate
    };
    Some((matcher, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_normalise_like_pyinfra() {
        assert_eq!(ensure_mode(&json!("0o644")).unwrap(), Some(Mode::Int(644)));
        assert_eq!(ensure_mode(&json!(755)).unwrap(), Some(Mode::Int(755)));
        assert_eq!(ensure_mode(&json!("+x")).unwrap(), Some(Mode::Raw("+x".into())));
        assert_eq!(ensure_mode(&json!(null)).unwrap(), None);
        assert!(ensure_mode(&json!("789")).is_err());
    }

    #[test]
    fn sed_commands() {
        let o = Sed { flags: "", backup: false, interpolate: false, extended: false, timestamp: "T".into() };
        assert_eq!(sed_replace("f", "a/b", "it's", &o), r#"sed -i.T 's/a\/b/it'"'"'s/' f && rm -f f.T"#);
        let o = Sed { flags: "i", backup: true, interpolate: true, extended: true, timestamp: "T".into() };
        assert_eq!(sed_delete("f", "\"x\"", &o), r#"sed -E -i.T "/\"x\"/Id" f"#);
    }

    #[test]
    fn paths_and_globs() {
        assert_eq!(dirname("/home/x"), "/home");
        assert_eq!(dirname("/x"), "/");
        assert_eq!(dirname("x"), "");
        assert_eq!(pure_path("/somedir/"), "/somedir");
        assert_eq!(path_name("/tmp/src_dir/"), "src_dir");
        assert_eq!(unix_path_join(&["/home/d/", "a", "b"]), "/home/d/a/b");
        assert!(fnmatch("/somedir/thing.pyc", "*.pyc"));
        assert!(fnmatch("underthat/__pycache__", "*/__pycache__"));
        assert!(!fnmatch("__pycache__", "*/__pycache__"));
        assert!(fnmatch("a1", "a[0-9]") && !fnmatch("a1", "a[!0-9]"));
        assert_eq!(adjust_regex("before this *", true), r"^.*before this \*.*$");
        assert_eq!(strip_regex_anchors("^foo$"), "foo");
        assert_eq!(strip_regex_anchors("foo\\$"), "foo\\$");
    }
}
