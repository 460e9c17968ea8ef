//! `files.line`, `replace` and `block`: editing text files in place on the host.

use serde_json::json;

use super::util::{
    Sed, adjust_regex, fact, global_temp_dir, path_str, sed_delete, sed_flags, sed_replace, strip_regex_anchors,
};
use crate::args::Args;
use crate::facts::files::block_marks;
use crate::plan::{Ctx, ErrorKind, PlanError};
use crate::quote::quote;
use crate::value::{Value, py_str, str_or_list, truthy};

/// `FindInFile` as pyinfra's line/replace ask it.
fn find_in_file(ctx: &Ctx<'_>, path: &str, pattern: &str, a: &Args) -> Result<Value, PlanError> {
    fact(
        ctx,
        "files.FindInFile",
        &[
            ("path", json!(path)),
            ("pattern", json!(pattern)),
            ("interpolate_variables", a.get("interpolate_variables").clone()),
            ("extended_regex", a.get("extended_regex").clone()),
        ],
    )
}

fn sed_options<'a>(ctx: &Ctx<'_>, a: &Args, flags: &'a str) -> Sed<'a> {
    Sed {
        flags,
        backup: a.flag("backup"),
        interpolate: a.flag("interpolate_variables"),
        extended: a.flag("extended_regex"),
        timestamp: ctx.env.timestamp(),
    }
}

/// `files.line`.
pub fn line(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = path_str(a.get("path"));
    let escape = a.flag("escape_regex_characters");
    let interpolate = a.flag("interpolate_variables");
    let given = py_str(a.get("line"));
    let match_line = adjust_regex(&given, escape);
    let mut present_lines = find_in_file(ctx, &path, &match_line, a)?;

    let (line, replace) = if truthy(a.get("replace")) {
        let r = py_str(a.get("replace"));
        (r.clone(), r)
    } else if escape {
        (given, String::new())
    } else {
        (strip_regex_anchors(&given), String::new())
    };

    let text = if interpolate { format!("\"{line}\"") } else { quote(&line) };
    let mut echo = if a.flag("ensure_newline") {
        format!("( [ $(tail -c1 {0} | wc -l) -eq 0 ] && echo ; echo {text} ) >> {0}", quote(&path))
    } else {
        format!("echo {text} >> {}", quote(&path))
    };
    if a.flag("backup") {
        let backup = format!("{path}.{}", ctx.env.timestamp());
        echo = format!("cp {} {} && {echo}", quote(&path), quote(&backup));
    }
    let flags = sed_flags(a.get("flags"));
    let sed = sed_options(ctx, a, &flags);
    let present = a.flag("present");
    let exists_msg = |r: &str| format!("line \"{}\" exists in {path}", if r.is_empty() { &line } else { r });

    if !truthy(&present_lines) && present {
        if !replace.is_empty() {
            let anchored = whole_line(&replace);
            present_lines = find_in_file(ctx, &path, &anchored, a)?;
        }
        if truthy(&present_lines) {
            ctx.noop(exists_msg(&replace));
        } else {
            ctx.change(format!("append line to {path}"));
            ctx.shell(echo);
        }
    } else if truthy(&present_lines) && !present {
        ctx.change(format!("remove lines from {path}"));
        ctx.shell(sed_delete(&path, &match_line, &sed));
    } else if truthy(&present_lines) && present {
        let lines = str_or_list(&present_lines);
        if !replace.is_empty() && lines.iter().any(|l| *l != replace) {
            ctx.change(format!("replace lines in {path}"));
            ctx.shell(sed_replace(&path, &match_line, &replace, &sed));
        } else {
            ctx.noop(exists_msg(&replace));
        }
    }
    Ok(())
}

/// `files.replace`.
pub fn replace(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = path_str(a.get("path"));
    let text = match (a.get("text"), a.get("match")) {
        (Value::Null, m) if truthy(m) => py_str(m),
        (Value::Null, _) => {
            return Err(PlanError::new(
                ErrorKind::TypeError,
                "Missing argument `text` required in `files.replace` operation",
            ));
        }
        (t, _) => py_str(t),
    };
    let Some(replace) = a.opt_str("replace") else {
        return Err(PlanError::new(
            ErrorKind::TypeError,
            "Missing argument `replace` required in `files.replace` operation",
        ));
    };
    let existing = find_in_file(ctx, &path, &text, a)?;
    if existing.is_null() || truthy(&existing) {
        let flags = sed_flags(a.get("flags"));
        ctx.change(format!("replace text in {path}"));
        ctx.shell(sed_replace(&path, &text, &replace, &sed_options(ctx, a, &flags)));
    } else {
        ctx.noop(format!("string \"{text}\" does not exist in {path}"));
    }
    Ok(())
}

/// The shell pieces around an awk edit: how the temporary output is prepared and moved into place.
struct AwkFrame {
    prep: String,
    finish: String,
}

fn awk_frame(ctx: &Ctx<'_>, path: &str, exists: bool, backup: bool) -> AwkFrame {
    let q = quote(path);
    let tmp_dir = global_temp_dir(ctx).unwrap_or_else(|| ctx.env.temp_dir());
    // Bits are joined with single spaces as pyinfra's StringCommand does (empty bits included).
    let mode_get = if exists {
        format!(" MODE=\"$(stat -c %a {q} 2>/dev/null || stat -f %Lp {q} 2>/dev/null)\" &&")
    } else {
        String::new()
    };
    let mut prep = format!(
        "OUT=\"$(TMPDIR={tmp_dir} mktemp -t pyinfra.XXXXXX)\" && {mode_get} OWNER=\"$(stat -c \"%u:%g\" {q} 2>/dev/null || \
         stat -f \"%u:%g\" {q} 2>/dev/null || echo $(id -un):$(id -gn))\" &&"
    );
    if backup && exists {
        prep = format!("cp {q} {} && {prep}", quote(&format!("{path}.{}", ctx.env.timestamp())));
    }
    let mode_change = if exists { " && chmod \"$MODE\"" } else { "" };
    let finish = format!(" && mv \"$OUT\" {q}  && chown \"$OWNER\" {q} {mode_change} {q}");
    AwkFrame { prep, finish }
}

/// `files.block`.
pub fn block(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = path_str(a.get("path"));
    let (marker, begin, end) = (a.get("marker"), a.get("begin"), a.get("end"));
    let (mark_1, mark_2) = block_marks(marker, begin, end).map_err(|e| PlanError::new(ErrorKind::ValueError, e))?;
    let current = fact(
        ctx,
        "files.Block",
        &[("path", json!(path)), ("marker", marker.clone()), ("begin", begin.clone()), ("end", end.clone())],
    )?;
    let frame = awk_frame(ctx, &path, !current.is_null(), a.flag("backup"));
    let q = quote(&path);
    let current_lines = current.as_array().map(|l| l.iter().map(py_str).collect::<Vec<_>>());

    if !a.flag("present") {
        match &current_lines {
            None => ctx.noop("no remove required: file did not exist"),
            Some(l) if l.is_empty() => ctx.noop("no remove required: markers not found"),
            Some(_) => {
                let awk = format!("awk '/{mark_1}/,/{mark_2}/ {{next}} 1'");
                ctx.change(format!("remove block from {path}"));
                ctx.shell(format!("{} {awk} {q} > $OUT {}", frame.prep, frame.finish));
            }
        }
        return Ok(());
    }

    let content = a.get("content");
    if !truthy(content) {
        return Err(PlanError::value("'content' must be supplied when 'present' == True"));
    }
    let line = a.get("line");
    let (before, after) = (a.flag("before"), a.flag("after"));
    if truthy(line) {
        if before == after {
            return Err(PlanError::value("only one of 'before' or 'after' used when 'line` is specified"));
        }
    } else if before != after {
        return Err(PlanError::value("'line' must be supplied or 'before' and 'after' must be equal"));
    }
    let content: Vec<String> = match content {
        Value::String(s) => s.split('\n').map(str::to_string).collect(),
        other => str_or_list(other),
    };
    let block_content = content.join("\n");
    let with_markers = format!("{mark_1}\n{block_content}\n{mark_2}");

    let cmd = match &current_lines {
        None => Some(heredoc(&frame, &q, false, before, &with_markers)),
        Some(l) if l.is_empty() && before == after => Some(heredoc(&frame, &q, true, before, &with_markers)),
        Some(l) if l.is_empty() => {
            let Value::String(line) = line else { return Err(PlanError::type_("'line' must be a regex or a string")) };
            let regex = adjust_regex(line, a.flag("escape_regex_characters"));
            let print_before = if before { "{ print }" } else { "" };
            let print_after = if after { "{ print }" } else { "" };
            let prog = format!(
                "awk 'BEGIN {{x=ARGV[2]; ARGV[2]=\"\"}} {print_after} f!=1 && /{regex}/ {{ print x; f=1}} \
                 END {{if (f==0) print x }} {print_before}'"
            );
            Some(format!("{} {prog} {q} {} > \"$OUT\" {}", frame.prep, quote(&with_markers), frame.finish))
        }
        Some(l) if *l != content => {
            let prog = format!(
                "awk 'BEGIN {{{{f=1; x=ARGV[2]; ARGV[2]=\"\"}}}}/{mark_1}/ {{print; print x; f=0}} \
                 /{mark_2}/ {{print; f=1; next}} f'"
            );
            Some(format!("{} {prog} {q} {} > \"$OUT\" {}", frame.prep, quote(&block_content), frame.finish))
        }
        Some(_) => None,
    };
    match cmd {
        Some(c) => {
            ctx.change(format!("write block in {path}"));
            ctx.shell(c);
        }
        None => ctx.noop("content already present"),
    }
    Ok(())
}

/// Write the block (with markers) at the start or end of the file, or into a new file.
fn heredoc(frame: &AwkFrame, q: &str, exists: bool, before: bool, block: &str) -> String {
    let original = if exists { q.to_string() } else { "/dev/null".to_string() };
    let (first, second) = if before { (" - ", original.as_str()) } else { (original.as_str(), " - ") };
    format!(
        "{} ( awk '{{{{print}}}}' {first} {second} > \"$OUT\" <<'PYINFRAHERE'\n{block}\nPYINFRAHERE\n ) {}",
        frame.prep, frame.finish
    )
}

/// `pattern` made to match a whole line, as files.line anchors its replacement (`^...$`).
pub(crate) fn whole_line(pattern: &str) -> String {
    let start = if pattern.starts_with('^') { "" } else { "^" };
    let end = if pattern.ends_with('$') { "" } else { "$" };
    format!("{start}{pattern}{end}")
}
