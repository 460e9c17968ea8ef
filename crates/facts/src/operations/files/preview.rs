//! `--diff` for `files.line`, `files.block` and `files.replace`: a file's content after the edit,
//! computed from its content now by doing in Rust what the planner's `grep` / `sed` / `awk`
//! commands do on the host (GNU sed, POSIX awk, `sh`'s `echo`). Pure: the caller reads the file.
//!
//! Where the host's result cannot be known here (variables the host's shell expands, `echo` of a
//! backslash, back-references, sed flags other than `g`, `i` and a count) the answer is
//! [`NoPreview`] rather than a guess.

use regex::Regex;

use super::posix_regex::{Dialect, Unsupported, compile};
use super::util::{adjust_regex, path_str, sed_flags, strip_regex_anchors};
use crate::args::Args;
use crate::facts::files::block_marks;
use crate::globals;
use crate::schema::catalogue;
use crate::value::{Map, Value, py_str, str_or_list, truthy};

/// Why the new content cannot be previewed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NoPreview(pub String);

impl From<Unsupported> for NoPreview {
    fn from(u: Unsupported) -> Self {
        NoPreview(u.0)
    }
}

fn no(reason: impl Into<String>) -> NoPreview {
    NoPreview(reason.into())
}

/// The operations previewed here.
const EDITS: [&str; 3] = ["files.line", "files.block", "files.replace"];

/// The operation's own arguments, bound as its planner binds them (`None`: not an edit, or they
/// do not bind, which planning reports).
fn bind(full_name: &str, positional: &[Value], keywords: &Map<String, Value>) -> Option<Args> {
    if !EDITS.contains(&full_name) {
        return None;
    }
    let (_, op) = catalogue().operation(full_name)?;
    let own: Map<String, Value> = keywords
        .iter()
        .filter(|(k, _)| !globals::is_global(k) || op.args.iter().any(|a| a.name == k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Args::bind(op.args, positional, &own).ok()
}

/// The file an edit operation changes, for the caller to read (`None`: not an edit operation).
pub fn edited_path(full_name: &str, positional: &[Value], keywords: &Map<String, Value>) -> Option<String> {
    bind(full_name, positional, keywords).map(|a| path_str(a.get("path")))
}

/// The file's content after the edit, given its content now (`None`: it does not exist).
/// `Ok(None)`: the file still would not exist.
pub fn edited_content(
    full_name: &str,
    positional: &[Value],
    keywords: &Map<String, Value>,
    current: Option<&str>,
) -> Result<Option<String>, NoPreview> {
    let a = bind(full_name, positional, keywords).ok_or_else(|| no("not a file edit"))?;
    if a.flag("interpolate_variables") {
        return Err(no("the host's shell expands variables in it"));
    }
    match full_name {
        "files.line" => line(&a, current),
        "files.replace" => replace(&a, current),
        _ => block(&a, current),
    }
}

fn dialect(a: &Args) -> Dialect {
    if a.flag("extended_regex") { Dialect::Extended } else { Dialect::Basic }
}

/// The lines of `text` and whether the last one ends with a newline.
fn split_lines(text: &str) -> (Vec<&str>, bool) {
    let newline = text.ends_with('\n');
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines = if text.is_empty() { Vec::new() } else { body.split('\n').collect() };
    (lines, newline)
}

/// The lines `grep -e PATTERN` prints (pyinfra's `FindInFile`), `None` when the file is missing.
fn grep(current: Option<&str>, pattern: &str, d: Dialect) -> Result<Option<Vec<String>>, NoPreview> {
    let Some(text) = current else { return Ok(None) };
    let re = compile(pattern, d, false)?;
    Ok(Some(split_lines(text).0.into_iter().filter(|l| re.is_match(l)).map(str::to_string).collect()))
}

fn found(lines: &Option<Vec<String>>) -> bool {
    lines.as_ref().is_some_and(|l| !l.is_empty())
}

/// Run a sed line program: each line mapped (`None` deletes it). Every line printed ends with a
/// newline except the input's last one when it had none, as GNU sed does.
fn sed_lines(text: &str, mut f: impl FnMut(&str) -> Option<String>) -> String {
    let (lines, newline) = split_lines(text);
    let last = lines.len().saturating_sub(1);
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.into_iter().enumerate() {
        if let Some(kept) = f(line) {
            out.push_str(&kept);
            if newline || i != last {
                out.push('\n');
            }
        }
    }
    out
}

/// A piece of a sed replacement.
enum Piece {
    Text(String),
    Group(usize),
}

/// Parse a sed replacement as the script spells it (`&` the match, `\N` a group, `\n` a newline).
fn replacement(script: &str) -> Result<Vec<Piece>, NoPreview> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = script.chars();
    while let Some(c) = chars.next() {
        match c {
            '&' => {
                out.push(Piece::Text(std::mem::take(&mut text)));
                out.push(Piece::Group(0));
            }
            '\n' => return Err(no("a newline in a sed replacement")),
            '\\' => match chars.next() {
                Some(d @ '0'..='9') => {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                    out.push(Piece::Group(d as usize - '0' as usize));
                }
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('L' | 'U' | 'l' | 'u' | 'E') => return Err(no("sed case conversion in the replacement")),
                Some(other) => text.push(other),
                None => return Err(no("a sed replacement ending in a backslash")),
            },
            other => text.push(other),
        }
    }
    out.push(Piece::Text(text));
    Ok(out)
}

/// The `s` command's flags: (global, case-insensitive, which match to start at).
fn substitute_flags(flags: &str) -> Result<(bool, bool, usize), NoPreview> {
    let (mut global, mut icase, mut count) = (false, false, String::new());
    for c in flags.chars() {
        match c {
            'g' => global = true,
            'i' | 'I' => icase = true,
            d if d.is_ascii_digit() => count.push(d),
            other => return Err(no(format!("sed flag {other:?}"))),
        }
    }
    let nth = if count.is_empty() { 1 } else { count.parse::<usize>().map_err(|_| no("sed count"))?.max(1) };
    Ok((global, icase, nth))
}

/// `sed 's/PATTERN/REPLACE/FLAGS'` over `text`, with the pattern and replacement escaped as the
/// planner escapes them (`/` and `&` taken literally).
fn sed_substitute(text: &str, pattern: &str, replace: &str, flags: &str, d: Dialect) -> Result<String, NoPreview> {
    if pattern.contains('\n') {
        return Err(no("a newline in a sed pattern"));
    }
    let (global, icase, nth) = substitute_flags(flags)?;
    let re = compile(&pattern.replace('/', "\\/"), d, icase)?;
    let pieces = replacement(&replace.replace('/', "\\/").replace('&', "\\&"))?;
    Ok(sed_lines(text, |line| Some(substitute_line(line, &re, &pieces, global, nth))))
}

fn substitute_line(line: &str, re: &Regex, pieces: &[Piece], global: bool, nth: usize) -> String {
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for (i, caps) in re.captures_iter(line).enumerate() {
        let n = i + 1;
        if n < nth {
            continue;
        }
        if n > nth && !global {
            break;
        }
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&line[last..m.start()]);
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Group(g) => out.push_str(caps.get(*g).map_or("", |c| c.as_str())),
            }
        }
        last = m.end();
    }
    out.push_str(&line[last..]);
    out
}

/// `sed '/PATTERN/d'` (`/I` when the flags say case-insensitive).
fn sed_delete(text: &str, pattern: &str, flags: &str, d: Dialect) -> Result<String, NoPreview> {
    let re = compile(&pattern.replace('/', "\\/"), d, flags.contains(['i', 'I']))?;
    Ok(sed_lines(text, |line| (!re.is_match(line)).then(|| line.to_string())))
}

/// `files.line`, following its planner's decisions against the content.
fn line(a: &Args, current: Option<&str>) -> Result<Option<String>, NoPreview> {
    let d = dialect(a);
    let escape = a.flag("escape_regex_characters");
    let given = py_str(a.get("line"));
    let match_line = adjust_regex(&given, escape);
    let present_lines = grep(current, &match_line, d)?;
    let (line, replace) = if truthy(a.get("replace")) {
        let r = py_str(a.get("replace"));
        (r.clone(), r)
    } else if escape {
        (given, String::new())
    } else {
        (strip_regex_anchors(&given), String::new())
    };
    let flags = sed_flags(a.get("flags"));
    let present = a.flag("present");
    let unchanged = Ok(current.map(str::to_string));
    if !found(&present_lines) && present {
        if !replace.is_empty() {
            let anchored = super::edit::whole_line(&replace);
            if found(&grep(current, &anchored, d)?) {
                return unchanged;
            }
        }
        return append(current, &line, a.flag("ensure_newline")).map(Some);
    }
    let Some(text) = current else { return unchanged };
    if found(&present_lines) && !present {
        return sed_delete(text, &match_line, &flags, d).map(Some);
    }
    if found(&present_lines) && present {
        let lines = present_lines.unwrap_or_default();
        if !replace.is_empty() && lines.iter().any(|l| *l != replace) {
            return sed_substitute(text, &match_line, &replace, &flags, d).map(Some);
        }
    }
    unchanged
}

/// `echo LINE >> FILE`, after a newline if `ensure_newline` and the file does not end in one.
fn append(current: Option<&str>, line: &str, ensure_newline: bool) -> Result<String, NoPreview> {
    // `sh`'s echo reads backslashes (dash) or not (bash): the host decides.
    if line.contains('\\') || line.starts_with('-') {
        return Err(no("what the host's `echo` makes of it depends on its shell"));
    }
    let mut out = current.unwrap_or_default().to_string();
    if ensure_newline && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(line);
    out.push('\n');
    Ok(out)
}

/// `files.replace`.
fn replace(a: &Args, current: Option<&str>) -> Result<Option<String>, NoPreview> {
    let text = match (a.get("text"), a.get("match")) {
        (Value::Null, m) if truthy(m) => py_str(m),
        (Value::Null, _) => return Err(no("no text to replace")),
        (t, _) => py_str(t),
    };
    let replace = a.opt_str("replace").ok_or_else(|| no("no replacement"))?;
    let Some(content) = current else { return Err(no("the file does not exist (sed fails)")) };
    if !found(&grep(current, &text, dialect(a))?) {
        return Ok(Some(content.to_string()));
    }
    sed_substitute(content, &text, &replace, &sed_flags(a.get("flags")), dialect(a)).map(Some)
}

/// An awk `/REGEX/` as the planner writes it (a `/` inside would end it early).
fn awk_regex(pattern: &str) -> Result<Regex, NoPreview> {
    if pattern.contains('/') {
        return Err(no("a `/` inside an awk pattern"));
    }
    Ok(compile(pattern, Dialect::Extended, false)?)
}

/// awk's output of `lines`: every record followed by a newline.
fn records(lines: &[impl AsRef<str>]) -> String {
    lines.iter().fold(String::new(), |mut out, l| {
        out.push_str(l.as_ref());
        out.push('\n');
        out
    })
}

/// The lines between the markers (pyinfra's `Block` fact), `None` when the file is missing.
fn block_lines(current: Option<&str>, start: &Regex, end: &Regex) -> Option<Vec<String>> {
    let text = current?;
    let mut inside = false;
    let mut out = Vec::new();
    for line in split_lines(text).0 {
        if end.is_match(line) {
            inside = false;
        }
        if inside {
            out.push(line.to_string());
        }
        if start.is_match(line) {
            inside = true;
        }
    }
    Some(out)
}

/// `files.block`.
fn block(a: &Args, current: Option<&str>) -> Result<Option<String>, NoPreview> {
    let (mark_1, mark_2) = block_marks(a.get("marker"), a.get("begin"), a.get("end")).map_err(NoPreview)?;
    let (start, end) = (awk_regex(&mark_1)?, awk_regex(&mark_2)?);
    let now = block_lines(current, &start, &end);
    let unchanged = Ok(current.map(str::to_string));
    let lines = current.map(|t| split_lines(t).0).unwrap_or_default();

    if !a.flag("present") {
        if !found(&now) {
            return unchanged;
        }
        // `awk '/M1/,/M2/ {next} 1'`: the range ends on the line matching M2 (the first line too).
        let mut kept = Vec::new();
        let mut inside = false;
        for line in lines {
            if !inside && start.is_match(line) {
                inside = true;
            }
            if inside {
                if end.is_match(line) {
                    inside = false;
                }
                continue;
            }
            kept.push(line);
        }
        return Ok(Some(records(&kept)));
    }

    let content = a.get("content");
    if !truthy(content) {
        return Err(no("no content"));
    }
    let (before, after) = (a.flag("before"), a.flag("after"));
    let content: Vec<String> = match content {
        Value::String(s) => s.split('\n').map(str::to_string).collect(),
        other => str_or_list(other),
    };
    let mut with_markers = vec![mark_1.clone()];
    with_markers.extend(content.iter().cloned());
    with_markers.push(mark_2.clone());
    let block_content = content.join("\n");

    match &now {
        None => Ok(Some(records(&with_markers))),
        Some(l) if l.is_empty() && before == after => {
            let (file, block) = (records(&lines), records(&with_markers));
            Ok(Some(if before { block + &file } else { file + &block }))
        }
        Some(l) if l.is_empty() => {
            let Value::String(line) = a.get("line") else { return Err(no("no line to place the block at")) };
            let re = awk_regex(&adjust_regex(line, a.flag("escape_regex_characters")))?;
            let x = with_markers.join("\n");
            let mut out: Vec<&str> = Vec::new();
            let mut placed = false;
            for line in lines {
                if after {
                    out.push(line);
                }
                if !placed && re.is_match(line) {
                    out.push(&x);
                    placed = true;
                }
                if before {
                    out.push(line);
                }
            }
            if !placed {
                out.push(&x);
            }
            Ok(Some(records(&out)))
        }
        Some(l) if *l != content => {
            let mut out: Vec<&str> = Vec::new();
            let mut printing = true;
            for line in lines {
                if start.is_match(line) {
                    out.push(line);
                    out.push(&block_content);
                    printing = false;
                }
                if end.is_match(line) {
                    out.push(line);
                    printing = true;
                    continue;
                }
                if printing {
                    out.push(line);
                }
            }
            Ok(Some(records(&out)))
        }
        Some(_) => unchanged,
    }
}
