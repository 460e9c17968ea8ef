//! Many facts of one kind, one process on the host.
//!
//! pyinfra runs one command per fact, and on a host starting a process is most of a fact's cost
//! (a re-run of 100 hosts with 30 file facts each starts 3,000 of them). Some facts can share
//! one process and still give each fact exactly the output its own command would print:
//! - [`stat`]: `files.File` / `Directory` / `Link` / `Socket` of many paths, one GNU `stat`;
//! - [`hash`]: `files.Sha1File` / `Sha256File` / `Sha384File` / `Md5File`, one `sha1sum` (etc.)
//!   per tool;
//! - [`grep`]: `files.FindInFile` of many patterns in one file, one `sed` reading it once.
//!
//! Each batch checks its own output; whenever the shared process cannot vouch for every fact
//! (a tool that is not GNU, a file that vanished, a binary file, ...) the batch runs each fact's
//! own command instead, in the same script, so the values never depend on batching.

pub mod grep;
pub mod hash;
pub mod stat;

use rinfra_facts::fact_source::FactKey;

use crate::gather::{Job, JobOutput, JobStatus};

/// What the facts of one batch share.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Group {
    /// One `stat` for many paths.
    Stat,
    /// One hash tool (`sha1sum`, ...) for many paths.
    Hash(&'static str),
    /// One `sed` for many basic-regex patterns in the file at this path.
    Grep(String),
}

/// The group `key` can join and its item in it (a path, or a pattern); `None` when the fact must
/// run its own command.
pub fn group_of(key: &FactKey) -> Option<(Group, String)> {
    if let Some(path) = stat::stat_path(key) {
        return Some((Group::Stat, path));
    }
    if let Some((tool, path)) = hash::hash_path(key) {
        return Some((Group::Hash(tool), path));
    }
    grep::pattern_in(key).map(|(path, pattern)| (Group::Grep(path), pattern))
}

/// What an item (path or pattern) stands for in a fact's own command built by [`template`].
const PLACEHOLDER: &str = "__rinfra_batch_item__";

/// The fact's own command for `key` with its item (path or pattern) as `"$i"`: what each item of
/// `group` runs when the shared process cannot be trusted. `None` when the item does not come out
/// as one plain word of that command (then the facts run alone).
pub fn template(group: &Group, key: &FactKey) -> Option<String> {
    let (arg, placeholder) = match group {
        Group::Grep(_) => ("pattern", PLACEHOLDER.to_string()),
        Group::Stat | Group::Hash(_) => ("path", format!("/{PLACEHOLDER}")),
    };
    let values = key
        .values
        .iter()
        .map(|(k, v)| (k.clone(), if k == arg { serde_json::json!(placeholder) } else { v.clone() }))
        .collect();
    let command = rinfra_facts::fact_command(&FactKey::new(&key.fact, values)).ok()?.command;
    command.contains(&placeholder).then(|| command.replace(&placeholder, "\"$i\""))
}

/// The one job for `items` of `group`; `template` is each item's own command (see [`template`]),
/// `marker` a fresh random string marking the output.
pub fn job(group: &Group, items: &[String], template: &str, marker: &str) -> Job {
    let each = each(items, template, marker);
    let command = match group {
        Group::Stat => stat::command(items, &each, marker),
        Group::Hash(tool) => hash::command(tool, items, &each, marker),
        Group::Grep(path) => grep::command(path, items, &each, marker),
    };
    Job { command, requires: None, stop_unless: None, inline: true }
}

/// Each item's output, as its own command would have printed it; `None` if the batch's output
/// does not have the expected shape (then the facts count as not reported).
pub fn split(group: &Group, out: &JobOutput, items: &[String], marker: &str) -> Option<Vec<JobOutput>> {
    let text = out.stdout.as_slice();
    if let Some((_, each)) = split_once(text, format!("{marker}-each\n").as_bytes()) {
        return split_each(each, items.len(), marker);
    }
    match group {
        Group::Stat | Group::Hash(_) => split_lines(text, items.len(), marker),
        Group::Grep(path) => grep::split(text, path, items.len(), marker),
    }
}

/// Shell that runs every item's own command (`template` with the item as `$i`), each output
/// followed by `<marker>-end <status>` (after a `<marker>-each` line): the fallback when the shared
/// process cannot be trusted. Ends with `;`.
fn each(items: &[String], template: &str, marker: &str) -> String {
    format!(
        "printf '%s\\n' '{marker}-each'; for i in {list}; do ( {template} ) </dev/null; \
         printf '\\n%s %s\\n' '{marker}-end' \"$?\"; done;",
        list = quoted_list(items)
    )
}

/// `items` as shell words.
fn quoted_list(items: &[String]) -> String {
    items.iter().map(|p| rinfra_facts::quote::quote(p)).collect::<Vec<_>>().join(" ")
}

/// `hay` split around the first `needle`.
pub(crate) fn split_once<'a>(hay: &'a [u8], needle: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = hay.windows(needle.len()).position(|w| w == needle)?;
    Some((&hay[..at], &hay[at + needle.len()..]))
}

/// The outputs of [`each`], in order.
fn split_each(each: &[u8], n: usize, marker: &str) -> Option<Vec<JobOutput>> {
    let end = format!("\n{marker}-end ");
    let mut parts = Vec::with_capacity(n);
    let mut left = each;
    for _ in 0..n {
        let (out, after) = split_once(left, end.as_bytes())?;
        let (code, next) = split_once(after, b"\n")?;
        let code = std::str::from_utf8(code).ok()?.trim().parse().ok()?;
        parts.push(output(out.to_vec(), code));
        left = next;
    }
    Some(parts)
}

/// A path batch's output: the indices of the paths that exist, a `<marker>` line, then one line
/// per existing path from the shared process. A path that does not exist printed nothing.
fn split_lines(text: &[u8], n: usize, marker: &str) -> Option<Vec<JobOutput>> {
    let (head, rest) = split_once(text, format!("\n{marker}\n").as_bytes())?;
    let head = std::str::from_utf8(head).ok()?;
    let existing: Vec<usize> = head.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    let mut lines: Vec<&[u8]> = rest.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if existing.iter().any(|i| *i >= n) || lines.len() != existing.len() {
        return None;
    }
    let mut outputs: Vec<JobOutput> = (0..n).map(|_| output(Vec::new(), 0)).collect();
    for (i, line) in existing.into_iter().zip(lines) {
        outputs[i] = output([line, b"\n"].concat(), 0);
    }
    Some(outputs)
}

/// The shell of a path batch: test each path with `exists` (shell builtins, `$p` the path), hand
/// the existing ones to `tool` at once, and fall back to `each` (see [`each`]) if it fails.
pub(crate) fn path_batch(tool: &str, exists: &str, paths: &[String], each: &str, marker: &str) -> String {
    format!(
        "set --; n=0\n\
         for p in {list}; do if {exists}; then set -- \"$@\" \"$p\"; printf '%s ' \"$n\"; fi; n=$((n+1)); done\n\
         printf '\\n%s\\n' '{marker}'\n\
         [ $# -eq 0 ] || {tool} \"$@\" 2> /dev/null || {{ {each} }}",
        list = quoted_list(paths),
    )
}

fn output(stdout: Vec<u8>, code: i32) -> JobOutput {
    JobOutput { status: JobStatus::Exited(code), stdout, stderr: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(s: &str) -> JobOutput {
        output(s.as_bytes().to_vec(), 0)
    }

    #[test]
    fn path_outputs_go_back_to_their_paths() {
        let paths: Vec<String> = ["/a", "/b", "/c"].iter().map(|s| s.to_string()).collect();
        let fast = split(&Group::Stat, &out("0 2 \nM\nline a\nline c\n"), &paths, "M").expect("fast");
        assert_eq!(fast[0].stdout, b"line a\n");
        assert!(fast[1].stdout.is_empty());
        assert_eq!(fast[2].stdout, b"line c\n");
        let each =
            split(&Group::Hash("sha1sum"), &out("1 \nM\nM-each\n\nM-end 0\nx\nM-end 1\n\nM-end 0\n"), &paths, "M")
                .expect("each");
        assert_eq!((each[1].stdout.as_slice(), &each[1].status), (&b"x"[..], &JobStatus::Exited(1)));
        assert!(split(&Group::Stat, &out("0 1 \nM\nonly one\n"), &paths, "M").is_none(), "a line short");
        assert!(split(&Group::Stat, &out("garbage"), &paths, "M").is_none());
    }
}

#[cfg(test)]
mod template_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_item_becomes_a_shell_variable_in_the_facts_own_command() {
        let file = FactKey::new("files.File", vec![("path".into(), json!("/etc/a b"))]);
        let t = template(&Group::Stat, &file).expect("stat template");
        assert!(t.contains("test -e \"$i\"") && !t.contains("a b"), "{t}");
        let key =
            FactKey::new("files.FindInFile", vec![("path".into(), json!("/etc/x")), ("pattern".into(), json!("^a'b"))]);
        let t = template(&Group::Grep("/etc/x".into()), &key).expect("grep template");
        assert!(t.starts_with("grep -e \"$i\" /etc/x") && t.contains("__pyinfra_exists_/etc/x"), "{t}");
    }
}
