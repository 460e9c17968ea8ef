//! `pyinfra.facts.files`: what is on the host's filesystem (stat-like file information, hashes,
//! matching lines, find results, BSD file flags, marked blocks and file contents).

use serde_json::json;

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::operations::files::time::DateTime;
use crate::quote::quote;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Value, py_str, truthy};

const LINUX_STAT: &str = "stat -c 'user=%U group=%G mode=%A atime=%X mtime=%Y ctime=%Z size=%s %N'";
const BSD_STAT: &str = "stat -f 'user=%Su group=%Sg mode=%Sp atime=%a mtime=%m ctime=%c size=%z %N%SY'";

/// Default block marker; `{mark}` becomes the begin or end word.
pub const MARKER_DEFAULT: &str = "# {mark} PYINFRA BLOCK";
/// Default word of the opening marker.
pub const MARKER_BEGIN_DEFAULT: &str = "BEGIN";
/// Default word of the closing marker.
pub const MARKER_END_DEFAULT: &str = "END";
const EXISTS: &str = "__pyinfra_exists_";
const MISSING: &str = "__pyinfra_missing_";

const PATH: &[crate::schema::Arg] = &[arg("path", "str", Dflt::Required, "Path on the host.")];
const STAT_RETURNS: &str = "Union[pyinfra.facts.files.FileDict, Literal[False], NoneType]";

const FIND_ARGS: &[crate::schema::Arg] = &[
    arg("path", "str", Dflt::Required, "Directory to search from."),
    arg("size", "str | int | None", Dflt::None, "Exact size: bytes, or with a unit such as `10MB` or `1GiB`."),
    arg("min_size", "str | int | None", Dflt::None, "Smallest size to include (bytes or with a unit)."),
    arg("max_size", "str | int | None", Dflt::None, "Largest size to include (bytes or with a unit)."),
    arg("maxdepth", "int | None", Dflt::None, "How many directory levels to descend at most."),
    arg("fname", "str | None", Dflt::None, "Shell pattern the entry's name must match (`find -name`)."),
    arg("iname", "str | None", Dflt::None, "Like `fname`, ignoring case (`find -iname`)."),
    arg("regex", "str | None", Dflt::None, "Regular expression the whole path must match (`find -regex`)."),
    arg(
        "path_match",
        "str | None",
        Dflt::None,
        "Shell pattern the whole path must match (`find -path`); always quoted.",
    ),
    arg("args", "list[str] | None", Dflt::None, "Extra raw arguments appended to the `find` command."),
    arg(
        "quote_path",
        "bool",
        Dflt::Bool(true),
        "Shell-quote the path and name patterns (off: let the shell expand them).",
    ),
];

/// The facts of `files`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "File",
        doc: "Information about a regular file: owner, group, octal mode, size and access/modify/change \
              times. `None` when nothing exists at the path, `False` when something other than a file does. \
              Uses GNU or BSD `stat`, falling back to `ls -ld` (which gives no atime/ctime).",
        args: PATH,
        returns: STAT_RETURNS,
        command: Some(stat_command),
        parse: Some(parse_file),
        ..Fact::NEW
    },
    Fact {
        name: "Link",
        doc: "Information about a symbolic link, like `File` plus `link_target` (where it points). `None` \
              when nothing exists at the path, `False` when it is not a link.",
        args: PATH,
        returns: STAT_RETURNS,
        command: Some(stat_command),
        parse: Some(parse_link),
        ..Fact::NEW
    },
    Fact {
        name: "Directory",
        doc: "Information about a directory (owner, group, mode, size, times). `None` when nothing exists \
              at the path, `False` when it is not a directory.",
        args: PATH,
        returns: STAT_RETURNS,
        command: Some(stat_command),
        parse: Some(parse_directory),
        ..Fact::NEW
    },
    Fact {
        name: "Socket",
        doc: "Information about a Unix socket (owner, group, mode, times). `None` when nothing exists at \
              the path, `False` when it is not a socket.",
        args: PATH,
        returns: STAT_RETURNS,
        command: Some(stat_command),
        parse: Some(parse_socket),
        ..Fact::NEW
    },
    Fact {
        name: "HashFileFactBase",
        doc: "Abstract base of the file hash facts (`Sha1File`, `Sha256File`, `Sha384File`, `Md5File`); \
              it names no hash tool, so it cannot be gathered itself.",
        args: PATH,
        returns: "str | None",
        ..Fact::NEW
    },
    Fact {
        name: "Sha1File",
        doc: "SHA-1 of a file (hex), from `sha1sum`, `shasum` or BSD `sha1`; `None` if the file is missing.",
        args: PATH,
        returns: "str | None",
        command: Some(sha1_command),
        parse: Some(parse_sha1),
        ..Fact::NEW
    },
    Fact {
        name: "Sha256File",
        doc: "SHA-256 of a file (hex), from `sha256sum`, `shasum -a 256` or BSD `sha256`; `None` if the \
              file is missing.",
        args: PATH,
        returns: "str | None",
        command: Some(sha256_command),
        parse: Some(parse_sha256),
        ..Fact::NEW
    },
    Fact {
        name: "Sha384File",
        doc: "SHA-384 of a file (hex), from `sha384sum`, `shasum -a 384` or BSD `sha384`; `None` if the \
              file is missing.",
        args: PATH,
        returns: "str | None",
        command: Some(sha384_command),
        parse: Some(parse_sha384),
        ..Fact::NEW
    },
    Fact {
        name: "Md5File",
        doc: "MD5 of a file (hex), from `md5sum` or BSD `md5`; `None` if the file is missing.",
        args: PATH,
        returns: "str | None",
        command: Some(md5_command),
        parse: Some(parse_md5),
        ..Fact::NEW
    },
    Fact {
        name: "FindInFile",
        doc: "Lines of a file matching a pattern, found with `grep`. An empty list when the file exists \
              but nothing matches, `None` when the file does not exist.",
        args: &[
            arg("path", "str", Dflt::Required, "File to search."),
            arg(
                "pattern",
                "str",
                Dflt::Required,
                "Regular expression to look for (basic syntax unless `extended_regex`).",
            ),
            arg(
                "interpolate_variables",
                "bool",
                Dflt::Bool(false),
                "Double-quote the pattern so the remote shell expands `$VARS` in it.",
            ),
            arg("extended_regex", "bool", Dflt::Bool(false), "Use extended regular expressions (`grep -E`)."),
        ],
        returns: "list[str] | None",
        command: Some(find_in_file_command),
        parse: Some(parse_find_in_file),
        ..Fact::NEW
    },
    Fact {
        name: "FindFiles",
        doc: "Paths of regular files below a directory, found recursively with `find`, optionally \
              filtered by size, depth, name or path patterns.",
        args: FIND_ARGS,
        returns: "list[str]",
        command: Some(find_files_command),
        parse: Some(parse_lines),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "FindLinks",
        doc: "Paths of symbolic links below a directory, found recursively with `find`, optionally \
              filtered by size, depth, name or path patterns.",
        args: FIND_ARGS,
        returns: "list[str]",
        command: Some(find_links_command),
        parse: Some(parse_lines),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "FindDirectories",
        doc: "Paths of directories below (and including) a directory, found recursively with `find`, \
              optionally filtered by size, depth, name or path patterns.",
        args: FIND_ARGS,
        returns: "list[str]",
        command: Some(find_directories_command),
        parse: Some(parse_lines),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "Flags",
        doc: "BSD file flags set on a path (`hidden`, `uchg`, ...), read with `stat -f %Sf`. Only gathered \
              where `chflags` exists.",
        args: PATH,
        returns: "list[str]",
        command: Some(flags_command),
        requires: Some(flags_requires),
        parse: Some(parse_flags),
        ..Fact::NEW
    },
    Fact {
        name: "Block",
        doc: "Lines between a pair of marker lines in a file (as `files.block` writes them). An empty list \
              when the file exists without the markers, `None` when the file does not exist.",
        args: &[
            arg("path", "str", Dflt::Required, "File to read."),
            arg(
                "marker",
                "str | None",
                Dflt::None,
                "Marker template with a `{mark}` placeholder (default `# {mark} PYINFRA BLOCK`).",
            ),
            arg("begin", "str | None", Dflt::None, "Word put into the opening marker (default `BEGIN`)."),
            arg("end", "str | None", Dflt::None, "Word put into the closing marker (default `END`)."),
        ],
        returns: "list[str] | None",
        command: Some(block_command),
        parse: Some(parse_block),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "FileContents",
        doc: "The lines of a file, or `None` if it does not exist.",
        args: PATH,
        returns: "list[str] | None",
        command: Some(file_contents_command),
        parse: Some(parse_file_contents),
        ..Fact::NEW
    },
];

fn path_of(a: &Args) -> String {
    crate::operations::files::util::path_str(a.get("path"))
}

/// The stat/ls command shared by `File`, `Link`, `Directory` and `Socket`.
fn stat_command(a: &Args) -> String {
    let path = path_of(a);
    // A leading `~/` stays unquoted so the remote shell expands it.
    let p = match path.strip_prefix("~/") {
        Some(rest) => format!("~/{}", quote(rest)),
        None => quote(&path),
    };
    format!("! (test -e {p} || test -L {p} ) || ( {LINUX_STAT} {p} 2> /dev/null || {BSD_STAT} {p} || ls -ld {p} )")
}

fn parse_file(c: &FactCtx<'_>) -> Result<Value, String> {
    parse_stat(c, "file")
}
fn parse_link(c: &FactCtx<'_>) -> Result<Value, String> {
    parse_stat(c, "link")
}
fn parse_directory(c: &FactCtx<'_>) -> Result<Value, String> {
    parse_stat(c, "directory")
}
fn parse_socket(c: &FactCtx<'_>) -> Result<Value, String> {
    parse_stat(c, "socket")
}

fn file_type(flag: char) -> Result<&'static str, String> {
    Ok(match flag {
        'b' => "block",
        'c' => "character",
        'd' => "directory",
        'l' => "link",
        's' => "socket",
        'p' => "fifo",
        '-' => "file",
        other => return Err(format!("unknown file type {other:?}")),
    })
}

/// `rwxr-xr-x` (with s/S/t/T) -> octal digits as a number (`4755`).
fn parse_mode(mode: &str) -> Result<u32, String> {
    const BITS: [&[(char, u32)]; 9] = [
        &[('r', 0o400)],
        &[('w', 0o200)],
        &[('x', 0o100), ('S', 0o4000), ('s', 0o4100)],
        &[('r', 0o040)],
        &[('w', 0o020)],
        &[('x', 0o010), ('S', 0o2000), ('s', 0o2010)],
        &[('r', 0o004)],
        &[('w', 0o002)],
        &[('x', 0o001), ('T', 0o1000), ('t', 0o1001)],
    ];
    let mut out = 0;
    for (i, ch) in mode.chars().enumerate() {
        let table = BITS.get(i).ok_or_else(|| format!("mode {mode:?} is too long"))?;
        out |= table.iter().find(|(c, _)| *c == ch).map(|(_, m)| *m).unwrap_or(0);
    }
    format!("{out:o}").parse().map_err(|e| format!("{e}"))
}

/// `try_int`: a number when the text is one, else the text.
fn try_int(s: &str) -> Value {
    match s.trim().parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(s),
    }
}

fn parse_timestamp(s: &str) -> Result<Value, String> {
    match s.trim().parse::<i64>() {
        Err(_) => Ok(Value::Null),
        Ok(n) => {
            let dt = DateTime::from_timestamp(n as f64).ok_or_else(|| format!("timestamp {n} out of range"))?;
            Ok(json!(DateTime { offset: None, ..dt }.isoformat()))
        }
    }
}

/// Strip the quotes `stat %N` puts around a name: 'x' (GNU), `x' (old GNU), "x" (uutils).
fn unquote_stat_name(name: &str) -> &str {
    for (open, close) in [("'", "'"), ("`", "'"), ("\"", "\"")] {
        if name.len() >= open.len() + close.len() && name.starts_with(open) && name.ends_with(close) {
            return &name[open.len()..name.len() - close.len()];
        }
    }
    name
}

fn parse_stat(c: &FactCtx<'_>, want: &str) -> Result<Value, String> {
    let Some(line) = c.output.first() else { return Ok(Value::Null) };
    if let Some(g) = match_stat(line) {
        let mut chars = g[2].chars();
        let kind = file_type(chars.next().ok_or("empty mode")?)?;
        let mut data = json!({
            "user": g[0], "group": g[1], "mode": parse_mode(chars.as_str())?,
            "atime": parse_timestamp(g[3])?, "mtime": parse_timestamp(g[4])?, "ctime": parse_timestamp(g[5])?,
            "size": try_int(g[6]),
        });
        if kind != want {
            return Ok(json!(false));
        }
        if kind == "link" {
            let parts: Vec<&str> = g[7].split(" -> ").collect();
            let [_, target] = parts[..] else { return Err(format!("cannot split link name {:?}", g[7])) };
            data["link_target"] = json!(unquote_stat_name(target));
        }
        return Ok(data);
    }
    match parse_ls(line, c.facts.now())? {
        Some((_, kind)) if kind != want => Ok(json!(false)),
        Some((data, _)) => Ok(data),
        None => Ok(Value::Null),
    }
}

/// Match pyinfra's `STAT_REGEX` (greedy `(.*)` groups, backtracking as Python's `re` does).
fn match_stat(line: &str) -> Option<Vec<&str>> {
    use Tok::*;
    const PAT: &[Tok] = &[
        Lit("user="),
        Any,
        Lit(" group="),
        Any,
        Lit(" mode="),
        Any,
        Lit(" atime="),
        Int,
        Lit(" mtime="),
        Int,
        Lit(" ctime="),
        Int,
        Lit(" size="),
        Digits,
        Lit(" "),
        Any,
    ];
    let mut caps = Vec::new();
    tok_match(line, PAT, &mut caps).then_some(caps)
}

/// A piece of the stat pattern.
enum Tok {
    Lit(&'static str),
    /// `(.*)`
    Any,
    /// `(-?[0-9]*)`
    Int,
    /// `([0-9]*)`
    Digits,
}

fn tok_match<'a>(s: &'a str, toks: &[Tok], caps: &mut Vec<&'a str>) -> bool {
    let Some((tok, rest)) = toks.split_first() else { return true };
    let candidates: Vec<usize> = match tok {
        Tok::Lit(l) => return s.starts_with(l) && tok_match(&s[l.len()..], rest, caps),
        Tok::Any => {
            if rest.is_empty() {
                // The last group takes the rest of the line.
                caps.push(s);
                return true;
            }
            let ends = s.char_indices().map(|(i, _)| i).chain([s.len()]).rev();
            match rest.first() {
                // Only where the next literal starts can the rest match: skip the other ends
                // (same order, same result; no recursion into each failing end).
                Some(Tok::Lit(l)) => ends.filter(|&i| s[i..].starts_with(l)).collect(),
                _ => ends.collect(),
            }
        }
        Tok::Int | Tok::Digits => {
            let sign = usize::from(matches!(tok, Tok::Int) && s.starts_with('-'));
            let digits = s[sign..].bytes().take_while(u8::is_ascii_digit).count();
            let mut ends: Vec<usize> = (sign..=sign + digits).rev().collect();
            if sign == 1 {
                ends.push(0);
            }
            ends
        }
    };
    for end in candidates {
        caps.push(&s[..end]);
        if tok_match(&s[end..], rest, caps) {
            return true;
        }
        caps.pop();
    }
    false
}

/// Parse an `ls -ld` line: the file dict and the type, or `None` when it is not one.
fn parse_ls(output: &str, now: i64) -> Result<Option<(Value, &'static str)>, String> {
    let mut rest = output.trim();
    let mut tok = Vec::new();
    for _ in 0..8 {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (t, r) = rest.split_at(end);
        if t.is_empty() || r.is_empty() {
            return Ok(None);
        }
        tok.push(t);
        rest = r.trim_start();
    }
    if rest.is_empty() || !is_ls_perms(tok[0]) || !all_digits(tok[1]) || !all_digits(tok[4]) {
        return Ok(None);
    }
    let perms: Vec<char> = tok[0].chars().collect();
    let kind = file_type(perms[0])?;
    let mode = parse_mode(&perms[1..10].iter().collect::<String>())?;
    let (month, day) = if all_digits(tok[5]) { (tok[6], tok[5]) } else { (tok[5], tok[6]) };
    let mut data = json!({
        "user": tok[2], "group": tok[3], "mode": mode, "atime": null,
        "mtime": ls_timestamp(month, day, tok[7], now).map(|d| d.isoformat()),
        "ctime": null, "size": try_int(tok[4]),
    });
    if kind == "link"
        && let Some((_, target)) = rest.split_once(" -> ")
    {
        data["link_target"] = json!(unquote_stat_name(target));
    }
    Ok(Some((data, kind)))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `[dlbcsp-][-rwxstST]{9}[.@+]?`
fn is_ls_perms(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    (c.len() == 10 || (c.len() == 11 && ".@+".contains(c[10])))
        && "dlbcsp-".contains(c[0])
        && c[1..10].iter().all(|x| "-rwxstST".contains(*x))
}

/// `Jan  1  1970` or `Dec 31 12:34` (this year, per `now`) -> a naive datetime.
fn ls_timestamp(month: &str, day: &str, year_or_time: &str, now: i64) -> Option<DateTime> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = MONTHS.iter().position(|x| *x == month)? as u32 + 1;
    let int = |s: &str| s.trim().strip_prefix('+').unwrap_or(s.trim()).parse::<i64>().ok();
    let d = u32::try_from(int(day)?).ok()?;
    match year_or_time.split_once(':') {
        Some((h, mi)) => {
            let year = crate::operations::files::time::civil_from_days(now.div_euclid(86_400)).0;
            let (h, mi) = (u32::try_from(int(h)?).ok()?, u32::try_from(int(mi)?).ok()?);
            DateTime::new(year, m, d, h, mi, 0, 0)
        }
        None => DateTime::new(int(year_or_time)?, m, d, 0, 0, 0, 0),
    }
}

/// The `test -e ... && ( tool1 ... || tool2 ... ) || true` command of a hash fact.
fn hash_command(a: &Args, tools: &[&str]) -> String {
    let p = quote(&path_of(a));
    let cmds: Vec<String> = tools.iter().map(|t| format!("{t} {p} 2> /dev/null")).collect();
    format!("test -e {p} && ( {} ) || true", cmds.join(" || "))
}

fn sha1_command(a: &Args) -> String {
    hash_command(a, &["sha1sum", "shasum", "sha1"])
}
fn sha256_command(a: &Args) -> String {
    hash_command(a, &["sha256sum", "shasum -a 256", "sha256"])
}
fn sha384_command(a: &Args) -> String {
    hash_command(a, &["sha384sum", "shasum -a 384", "sha384"])
}
fn md5_command(a: &Args) -> String {
    hash_command(a, &["md5sum", "md5"])
}

fn parse_sha1(c: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_hash(c, "SHA1", 40))
}
fn parse_sha256(c: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_hash(c, "SHA256", 64))
}
fn parse_sha384(c: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_hash(c, "SHA384", 96))
}
fn parse_md5(c: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_hash(c, "MD5", 32))
}

fn is_hex(s: &str, digits: usize) -> bool {
    s.len() == digits && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `^HASH\s+PATH$` (coreutils) or `^NAME\s+\(PATH\)\s+=\s+HASH$` (BSD).
fn parse_hash(c: &FactCtx<'_>, name: &str, digits: usize) -> Value {
    let Some(line) = c.output.first() else { return Value::Null };
    let path = path_of(c.args);
    let ws_then = |s: &'_ str| -> Option<usize> {
        let n = s.len() - s.trim_start().len();
        (n > 0).then_some(n)
    };
    // coreutils: the hash, whitespace, then exactly the path.
    if let Some(hash) = line.get(..digits).filter(|h| is_hex(h, digits)) {
        let rest = &line[digits..];
        if let Some(head) = rest.strip_suffix(path.as_str())
            && !head.is_empty()
            && head.chars().all(char::is_whitespace)
        {
            return json!(hash);
        }
    }
    // BSD: NAME (path) = hash
    let bsd = || -> Option<&str> {
        let rest = line.strip_prefix(name)?;
        let rest = &rest[ws_then(rest)?..];
        let rest = rest.strip_prefix('(')?.strip_prefix(path.as_str())?.strip_prefix(')')?;
        let rest = rest[ws_then(rest)?..].strip_prefix('=')?;
        let hash = &rest[ws_then(rest)?..];
        is_hex(hash, digits).then_some(hash)
    };
    bsd().map(|h| json!(h)).unwrap_or(Value::Null)
}

fn find_in_file_command(a: &Args) -> String {
    let path = path_of(a);
    let pattern = py_str(a.get("pattern"));
    let pattern =
        if a.flag("interpolate_variables") { format!("\"{}\"", pattern.replace('"', "\\\"")) } else { quote(&pattern) };
    let grep = if a.flag("extended_regex") { "grep -E" } else { "grep" };
    let (p, flag) = (quote(&path), quote(&format!("{EXISTS}{path}")));
    format!("{grep} -e {pattern} {p} 2> /dev/null || ( find {p} -type f > /dev/null && echo {flag} || true )")
}

fn lines(c: &FactCtx<'_>) -> Value {
    json!(c.output)
}

/// No output at all means the file is missing (grep failed and find printed nothing).
fn parse_find_in_file(c: &FactCtx<'_>) -> Result<Value, String> {
    let flag = format!("{EXISTS}{}", path_of(c.args));
    Ok(match c.output.first() {
        None => Value::Null,
        Some(first) if *first == flag => json!([]),
        Some(_) => lines(c),
    })
}

fn parse_lines(c: &FactCtx<'_>) -> Result<Value, String> {
    Ok(lines(c))
}

/// pyinfra's `parse_size`: an integer as is, else `10MB` / `1.5 GiB` style text in bytes.
fn parse_size(v: &Value) -> String {
    if let Some(n) = v.as_i64() {
        return n.to_string();
    }
    let text = py_str(v).to_uppercase();
    let split = text.trim_end().trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    let (number, unit) = text.split_at(split);
    let mult: f64 = match unit.trim() {
        "B" => 1.0,
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KIB" => 1024.0,
        "MIB" => 1024f64.powi(2),
        "GIB" => 1024f64.powi(3),
        "TIB" => 1024f64.powi(4),
        // pyinfra raises here; the raw text keeps the command honest about what was asked.
        _ => return py_str(v),
    };
    match number.trim().parse::<f64>() {
        Ok(n) => format!("{}", (n * mult).trunc() as i64),
        Err(_) => py_str(v),
    }
}

fn find_command(a: &Args, type_flag: &str) -> String {
    let quote_path = a.flag("quote_path");
    let maybe_quote = |v: &Value| if quote_path { quote(&py_str(v)) } else { py_str(v) };
    let extra = a.list("args");
    let has = |flag: &str| extra.iter().any(|x| x == flag);
    let mut cmd = vec!["find".to_string(), maybe_quote(a.get("path")), "-type".into(), type_flag.into()];
    if !has("-size") {
        if !a.get("min_size").is_null() {
            cmd.extend(["-size".into(), format!("+{}c", parse_size(a.get("min_size")))]);
        }
        if !a.get("max_size").is_null() {
            cmd.extend(["-size".into(), format!("-{}c", parse_size(a.get("max_size")))]);
        }
        if !a.get("size").is_null() {
            cmd.extend(["-size".into(), format!("{}c", py_str(a.get("size")))]);
        }
    }
    if !a.get("maxdepth").is_null() && !has("-maxdepth") {
        cmd.extend(["-maxdepth".into(), py_str(a.get("maxdepth"))]);
    }
    // pyinfra checks for `-fname` (not `-name`) among the extra arguments.
    for (key, flag, check) in
        [("fname", "-name", "-fname"), ("iname", "-iname", "-iname"), ("regex", "-regex", "-regex")]
    {
        if !a.get(key).is_null() && !has(check) {
            cmd.extend([flag.to_string(), maybe_quote(a.get(key))]);
        }
    }
    if !a.get("path_match").is_null() && !has("-path") {
        cmd.extend(["-path".into(), quote(&py_str(a.get("path_match")))]);
    }
    cmd.extend(extra);
    cmd.extend(["||".into(), "true".into()]);
    cmd.join(" ")
}

fn find_files_command(a: &Args) -> String {
    find_command(a, "f")
}
fn find_links_command(a: &Args) -> String {
    find_command(a, "l")
}
fn find_directories_command(a: &Args) -> String {
    find_command(a, "d")
}

fn flags_command(a: &Args) -> String {
    let p = quote(&path_of(a));
    format!("! test -e {p} || stat -f %Sf {p}")
}

fn flags_requires(_: &Args) -> Option<String> {
    Some("chflags".to_string())
}

fn parse_flags(c: &FactCtx<'_>) -> Result<Value, String> {
    Ok(match c.output {
        [one] => json!(one.split(',').filter(|f| !f.is_empty()).collect::<Vec<_>>()),
        _ => json!([]),
    })
}

/// Python's `marker.format(mark=...)`: `{mark}` substituted, `{{`/`}}` unescaped.
pub fn format_mark(marker: &str, mark: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = marker;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            out.push_str(&tail[..1]);
            rest = t;
        } else if let Some(t) = tail.strip_prefix("{mark}") {
            out.push_str(mark);
            rest = t;
        } else {
            return Err(format!("marker {marker:?} has a field other than {{mark}}"));
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The opening and closing marker lines for `marker`/`begin`/`end` (each may be `None`).
pub fn block_marks(marker: &Value, begin: &Value, end: &Value) -> Result<(String, String), String> {
    let or = |v: &Value, d: &str| if truthy(v) { py_str(v) } else { d.to_string() };
    let marker = or(marker, MARKER_DEFAULT);
    let start = format_mark(&marker, &or(begin, MARKER_BEGIN_DEFAULT))?;
    let stop = format_mark(&marker, &or(end, MARKER_END_DEFAULT))?;
    if start == stop {
        return Err(format!("delimiters for block must be different but found only '{start}'"));
    }
    Ok((start, stop))
}

fn block_command(a: &Args) -> String {
    let path = path_of(a);
    let (start, end) = match block_marks(a.get("marker"), a.get("begin"), a.get("end")) {
        Ok(m) => m,
        // pyinfra raises before running anything; a failing command keeps that visible.
        Err(e) => return format!("echo {} >&2 && false", quote(&e)),
    };
    let p = quote(&path);
    let (exists, missing) = (quote(&format!("{EXISTS}{path}")), quote(&format!("{MISSING}{path}")));
    format!(
        "awk '/{end}/{{ f=0}} f; /{start}/{{ f=1}} ' {p} || (find {p} -type f > /dev/null && echo {exists} || echo {missing} )"
    )
}

fn parse_block(c: &FactCtx<'_>) -> Result<Value, String> {
    let path = path_of(c.args);
    Ok(match c.output.first() {
        Some(f) if *f == format!("{EXISTS}{path}") => json!([]),
        Some(f) if *f == format!("{MISSING}{path}") => Value::Null,
        _ => lines(c),
    })
}

fn file_contents_command(a: &Args) -> String {
    let path = path_of(a);
    format!("( test -e {0} && cat {0} ) || echo {1}", quote(&path), quote(&format!("{MISSING}{path}")))
}

fn parse_file_contents(c: &FactCtx<'_>) -> Result<Value, String> {
    let path = path_of(c.args);
    Ok(match c.output.first() {
        Some(f) if *f == format!("{MISSING}{path}") => Value::Null,
        _ => lines(c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_groups_backtrack_like_re() {
        let g = match_stat("user=a b group=domain users mode=-rw-r--r-- atime=1 mtime=-2 ctime= size=8 'x y'").unwrap();
        assert_eq!(g, vec!["a b", "domain users", "-rw-r--r--", "1", "-2", "", "8", "'x y'"]);
        assert!(match_stat("not-gonna-match").is_none());
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode("rwsr-Sr--").unwrap(), 6744);
        assert_eq!(parse_mode("rw-r--r-T").unwrap(), 1644);
        assert!(parse_mode("rw-r--r--x").is_err());
    }

    #[test]
    fn ls_lines() {
        let (v, kind) =
            parse_ls("lrwxrwxrwx 1 root root 7 Dec 31 12:34 /bin -> usr/bin", 1_735_689_600).unwrap().unwrap();
        assert_eq!(kind, "link");
        assert_eq!(v["link_target"], "usr/bin");
        assert_eq!(v["mtime"], "2025-12-31T12:34:00");
        assert!(parse_ls("total 0", 0).unwrap().is_none());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size(&json!("10MB")), "10000000");
        assert_eq!(parse_size(&json!("1.5 GiB")), "1610612736");
        assert_eq!(parse_size(&json!(12)), "12");
    }
}
