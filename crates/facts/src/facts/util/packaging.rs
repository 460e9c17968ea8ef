//! Parsing helpers shared by package-manager facts (`pyinfra/facts/util/packaging.py`), and the
//! small character-class matchers their line formats need.

use crate::value::{Map, Value};

/// `{name: sorted versions}` from the lines `matcher` accepts (pyinfra's `parse_packages`, whose
/// sets of versions are given here as sorted lists).
pub fn parse_packages(lines: &[String], matcher: impl Fn(&str) -> Option<(String, String)>) -> Value {
    let mut packages: Map<String, Value> = Map::new();
    for (name, version) in lines.iter().filter_map(|l| matcher(l)) {
        let entry = packages.entry(name).or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(versions) = entry {
            let v = Value::String(version);
            if !versions.contains(&v) {
                versions.push(v);
                versions.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
    }
    Value::Object(packages)
}

/// Length of the run of characters at the start of `s` that satisfy `pred`.
pub fn run_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.find(|c: char| !pred(c)).unwrap_or(s.len())
}

/// Split off a non-empty run of `pred` characters: `(run, rest)`.
pub fn take_run(s: &str, pred: impl Fn(char) -> bool) -> Option<(&str, &str)> {
    let n = run_len(s, pred);
    (n > 0).then(|| s.split_at(n))
}

/// Python's `\s` (for the characters that matter in command output).
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Python's `$`: the end of the text, or just before a final newline.
pub fn at_end(s: &str) -> bool {
    s.is_empty() || s == "\n"
}

/// Marker line that starts each repository file in the output of yum/zypper repository facts.
pub const REPO_FILENAME_MARKER: &str = "#pyinfra-filename:";

/// pyinfra's `make_cat_files_command_with_markers`: print each existing file (the shell expands
/// globs; missing files are skipped), preceded by a `<marker> <path>` line.
pub fn cat_files_with_markers(marker: &str, files: &[&str]) -> String {
    format!(
        "for f in {}; do [ -f \"$f\" ] && {{ printf \"{marker} %s\\n\" \"$f\"; cat \"$f\"; }}; done || true",
        files.join(" ")
    )
}

/// pyinfra's `parse_yum_repositories` / `parse_zypper_repositories`: INI-style `[id]` sections
/// of `key=value` lines as a list of mappings with `repoid`, `name` and, when the output marks
/// it, the `filename` the section came from.
pub fn parse_ini_repositories(lines: &[String]) -> Value {
    let mut repos: Vec<Value> = Vec::new();
    let mut current: Map<String, Value> = Map::new();
    let mut current_file: Option<String> = None;
    let mut flush = |current: &mut Map<String, Value>| {
        if !current.is_empty() {
            repos.push(Value::Object(std::mem::take(current)));
        }
    };
    for raw in lines {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(file) = line.strip_prefix(REPO_FILENAME_MARKER) {
            flush(&mut current);
            current_file = Some(file.trim().to_string()).filter(|f| !f.is_empty());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            flush(&mut current);
            // Python's `line[1:-1]`, on characters.
            let mut chars = line.chars();
            chars.next();
            chars.next_back();
            let id = chars.as_str().to_string();
            current.insert("repoid".into(), Value::String(id.clone()));
            current.insert("name".into(), Value::String(id));
            if let Some(f) = &current_file {
                current.insert("filename".into(), Value::String(f.clone()));
            }
        }
        // `re.split(r"\s*=\s*", line, maxsplit=1)`
        if !current.is_empty()
            && let Some((key, value)) = line.split_once('=')
        {
            current.insert(key.trim_end().to_string(), Value::String(value.trim_start().to_string()));
        }
    }
    flush(&mut current);
    Value::Array(repos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn packages_collect_sorted_versions() {
        let out = parse_packages(&lines(&["a 2", "a 1", "b 3", "junk"]), |l| {
            l.split_once(' ').map(|(n, v)| (n.to_string(), v.to_string()))
        });
        assert_eq!(out, json!({"a": ["1", "2"], "b": ["3"]}));
    }

    #[test]
    fn cat_with_markers() {
        assert_eq!(
            cat_files_with_markers("#m:", &["/a", "/b/*.repo"]),
            r##"for f in /a /b/*.repo; do [ -f "$f" ] && { printf "#m: %s\n" "$f"; cat "$f"; }; done || true"##
        );
    }

    #[test]
    fn ini_repositories() {
        let out = parse_ini_repositories(&lines(&[
            "#pyinfra-filename: /etc/yum.repos.d/a.repo",
            "[base]",
            "name = Base",
            "baseurl=http://x",
            "# comment",
            "[extra]",
            "enabled=1",
        ]));
        assert_eq!(
            out,
            json!([
                {"repoid": "base", "name": "Base", "filename": "/etc/yum.repos.d/a.repo", "baseurl": "http://x"},
                {"repoid": "extra", "name": "extra", "filename": "/etc/yum.repos.d/a.repo", "enabled": "1"},
            ])
        );
    }
}
