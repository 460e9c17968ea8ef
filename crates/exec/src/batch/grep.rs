//! `files.FindInFile` of many patterns in one file with one `sed`, reading the file once.
//!
//! pyinfra's command for each pattern is `grep -e PATTERN PATH 2> /dev/null || ( find PATH -type
//! f > /dev/null && echo __pyinfra_exists_PATH || true )`: the matching lines, else a flag when the
//! path exists, else nothing. `files.line` asks two of these per call, so a config file edited by
//! several lines costs many `grep`s. GNU `sed` matches the same basic regular expressions (both
//! use the GNU regex engine); here one `sed -n` prints each line once for every pattern it
//! matches, prefixed by the pattern's index.
//!
//! Only patterns whose meaning is the same in both tools join a batch: no backslash escapes but
//! the portable ones (`\.` `\*` `\[` `\]` `\^` `\$` `\\` `\(` `\)` `\|` `\+` `\?`), no newline, not
//! empty (`//` means "the last regex" to sed). `grep` treats a file with a NUL byte or an encoding
//! error as binary and prints no lines; `sed` flags such a line and the batch then runs each
//! pattern's `grep`. A failing `sed` (file missing, unreadable, a directory) gives nothing for a
//! path that does not exist, as `grep || find` does, and otherwise runs each pattern's `grep` too.

use rinfra_facts::fact_source::FactKey;
use rinfra_facts::quote::quote;

use crate::gather::{JobOutput, JobStatus};

/// Escaped characters that mean the same to GNU grep and GNU sed in a basic regex.
const SAFE_ESCAPES: &str = ".*[]^$\\()|+?";

/// Characters that may delimit the sed address (one absent from the pattern is used).
const DELIMITERS: &str = "%#@!~,;:=";

/// The path and pattern of `key`, when it is a `FindInFile` that can share a batch.
pub fn pattern_in(key: &FactKey) -> Option<(String, String)> {
    if key.fact != "files.FindInFile" {
        return None;
    }
    let value = |name: &str| key.values.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    // Interpolated patterns need the shell, extended ones grep's own ERE dialect.
    for flag in ["interpolate_variables", "extended_regex"] {
        if value(flag).is_some_and(|v| v.as_bool() != Some(false)) {
            return None;
        }
    }
    let path = value("path")?.as_str()?;
    let pattern = value("pattern")?.as_str()?;
    (path.starts_with('/') && !path.contains('\n') && portable(pattern))
        .then(|| (path.to_string(), pattern.to_string()))
}

/// Whether GNU grep and GNU sed read `pattern` the same way (see the module doc).
fn portable(pattern: &str) -> bool {
    if pattern.is_empty() || pattern.contains(['\n', '\0']) || delimiter(pattern).is_none() {
        return false;
    }
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && !chars.next().is_some_and(|e| SAFE_ESCAPES.contains(e)) {
            return false;
        }
    }
    true
}

fn delimiter(pattern: &str) -> Option<char> {
    DELIMITERS.chars().find(|d| !pattern.contains(*d))
}

/// The flag pyinfra's command prints when the path exists but no line matches.
fn exists_flag(path: &str) -> String {
    format!("__pyinfra_exists_{path}")
}

/// The batch's shell: `sed` prints `<i>:<line>` for each pattern `i` a line matches, or a
/// `<marker>-bin` line (and stops) at a line grep would call binary.
pub fn command(path: &str, patterns: &[String], each: &str, marker: &str) -> String {
    let mut script = vec![
        "h".to_string(),
        format!("/\\x00/{{s/.*/{marker}-bin/p;q;}}"),
        format!("/^.*$/!{{s/.*/{marker}-bin/p;q;}}"),
    ];
    for (i, pattern) in patterns.iter().enumerate() {
        // `portable` guaranteed a delimiter.
        let d = delimiter(pattern).unwrap_or('%');
        script.push(format!("\\{d}{pattern}{d}{{s/^/{i}:/p;g;}}"));
    }
    let args: Vec<String> = script.iter().map(|s| format!("-e {}", quote(s))).collect();
    let p = quote(path);
    format!(
        "o=$(sed -n {args} {p} 2> /dev/null; printf 'x%s' \"$?\"); r=${{o##*x}}; o=${{o%x*}}\n\
         case $o in *'{marker}-bin'*) {each} ;; *) if [ \"$r\" = 0 ]; then printf '%s\\n%s\\n' '{marker}-ok' \"$o\"; \
         elif ! test -e {p} && ! test -L {p}; then printf '%s\\n' '{marker}-none'; else {each} fi;; esac",
        args = args.join(" "),
    )
}

/// Each pattern's output from the batch's `<marker>-ok` / `<marker>-none` output (bytes: a
/// file's lines need not be UTF-8).
pub fn split(text: &[u8], path: &str, n: usize, marker: &str) -> Option<Vec<JobOutput>> {
    let output = |stdout: Vec<u8>| JobOutput { status: JobStatus::Exited(0), stdout, stderr: Vec::new() };
    if text.trim_ascii_end() == format!("{marker}-none").as_bytes() {
        return Some((0..n).map(|_| output(Vec::new())).collect());
    }
    let (_, rest) = super::split_once(text, format!("{marker}-ok\n").as_bytes())?;
    let mut found: Vec<Vec<u8>> = vec![Vec::new(); n];
    for line in rest.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let colon = line.iter().position(|b| *b == b':')?;
        let index: usize = std::str::from_utf8(&line[..colon]).ok()?.parse().ok()?;
        let slot = found.get_mut(index)?;
        slot.extend_from_slice(&line[colon + 1..]);
        slot.push(b'\n');
    }
    let flag = format!("{}\n", exists_flag(path)).into_bytes();
    Some(found.into_iter().map(|lines| output(if lines.is_empty() { flag.clone() } else { lines })).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(pattern: &str, extra: &[(&str, serde_json::Value)]) -> FactKey {
        let mut values = vec![("path".to_string(), json!("/etc/x.conf")), ("pattern".to_string(), json!(pattern))];
        values.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        FactKey::new("files.FindInFile", values)
    }

    #[test]
    fn only_patterns_both_tools_read_alike_batch() {
        assert!(pattern_in(&key("^max_connections.*$", &[])).is_some());
        assert!(pattern_in(&key("^\\[main\\] a\\.b", &[])).is_some());
        assert!(pattern_in(&key("a%b#c@d!e~f,g;h:i=j", &[])).is_none(), "no delimiter left");
        assert!(pattern_in(&key("\\tx", &[])).is_none(), "sed reads \\t as a tab");
        assert!(pattern_in(&key("", &[])).is_none());
        assert!(pattern_in(&key("a\nb", &[])).is_none());
        assert!(pattern_in(&key("x", &[("extended_regex", json!(true))])).is_none());
        assert!(pattern_in(&key("x", &[("interpolate_variables", json!(true))])).is_none());
        assert!(pattern_in(&key("x", &[("extended_regex", json!(false))])).is_some());
    }

    #[test]
    fn lines_go_to_their_patterns_and_no_match_gives_the_flag() {
        let outs = split(b"M-ok\n0:a = 1\n2:c:d\n0:a = 2\n", "/f", 3, "M").expect("ok");
        assert_eq!(outs[0].stdout, b"a = 1\na = 2\n");
        assert_eq!(outs[1].stdout, b"__pyinfra_exists_/f\n");
        assert_eq!(outs[2].stdout, b"c:d\n");
        let none = split(b"M-none\n", "/f", 2, "M").expect("none");
        assert!(none.iter().all(|o| o.stdout.is_empty()));
        assert!(split(b"M-ok\nstray\n", "/f", 1, "M").is_none());
        assert!(split(b"M-ok\n7:x\n", "/f", 1, "M").is_none());
    }
}
