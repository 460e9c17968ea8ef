//! Many `files.File` / `Directory` / `Link` / `Socket` facts with one `stat` process.
//!
//! pyinfra's command for each of them tests the path with shell builtins and then starts `stat`
//! (GNU, else BSD, else `ls -ld`). On a host, starting that process is most of a fact's cost: a
//! re-run of 100 hosts with 30 such facts each starts 3,000 of them. Here the paths of one batch
//! are tested with the same builtins and the existing ones given to a single GNU `stat` call,
//! whose lines (one per file: `%N` quotes names, newlines included) are handed back to each fact
//! as its own command would have printed them. If that `stat` fails (not GNU, or a file vanished
//! in between) the batch runs pyinfra's command for each path instead, in the same script.

use rinfra_facts::fact_source::FactKey;
use rinfra_facts::quote::quote;

use crate::gather::{Job, JobOutput, JobStatus};

/// Facts whose command is pyinfra's shared stat command for one path.
const STAT_FACTS: [&str; 4] = ["files.File", "files.Directory", "files.Link", "files.Socket"];

/// GNU stat's format in pyinfra's command (kept identical, so the parsers see the same lines).
const LINUX_STAT: &str = "stat -c 'user=%U group=%G mode=%A atime=%X mtime=%Y ctime=%Z size=%s %N'";
const BSD_STAT: &str = "stat -f 'user=%Su group=%Sg mode=%Sp atime=%a mtime=%m ctime=%c size=%z %N%SY'";

/// The path `key` stats, when it can share a batch: an absolute path (`~` needs the shell's
/// expansion, left to pyinfra's own command) without a newline.
pub fn stat_path(key: &FactKey) -> Option<String> {
    if !STAT_FACTS.contains(&key.fact.as_str()) {
        return None;
    }
    let path = key.values.iter().find(|(k, _)| k == "path")?.1.as_str()?;
    (path.starts_with('/') && !path.contains('\n')).then(|| path.to_string())
}

/// The one job that stats every path of `paths`, its output marked with `marker`.
pub fn job(paths: &[String], marker: &str) -> Job {
    let list: Vec<String> = paths.iter().map(|p| quote(p)).collect();
    let original = format!(
        "! (test -e \"$p\" || test -L \"$p\" ) || ( {LINUX_STAT} \"$p\" 2> /dev/null || {BSD_STAT} \"$p\" || ls -ld \"$p\" )"
    );
    let command = format!(
        "set --; i=0\n\
         for p in {list}; do if test -e \"$p\" || test -L \"$p\"; then set -- \"$@\" \"$p\"; printf '%s ' \"$i\"; fi; i=$((i+1)); done\n\
         printf '\\n%s\\n' '{marker}'\n\
         [ $# -eq 0 ] || {LINUX_STAT} \"$@\" 2> /dev/null || {{ printf '%s\\n' '{marker}-each'; \
         for p in \"$@\"; do ( {original} ) </dev/null; printf '\\n%s %s\\n' '{marker}-end' \"$?\"; done; }}",
        list = list.join(" ")
    );
    Job { command, requires: None, stop_unless: None }
}

/// Each path's output, as its own command would have printed it; `None` if the batch's output
/// does not have the expected shape.
pub fn split(out: &JobOutput, paths: &[String], marker: &str) -> Option<Vec<JobOutput>> {
    let text = std::str::from_utf8(&out.stdout).ok()?;
    let (head, rest) = text.split_once(&format!("\n{marker}\n"))?;
    let existing: Vec<usize> = head.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    if existing.iter().any(|i| *i >= paths.len()) {
        return None;
    }
    let found: Vec<JobOutput> = match rest.split_once(&format!("{marker}-each\n")) {
        // pyinfra's command ran for each existing path: "<output>\n<marker>-end <status>\n" each.
        Some((_, each)) => {
            let mut parts = Vec::new();
            let mut left = each;
            for _ in &existing {
                let end = format!("\n{marker}-end ");
                let at = left.find(&end)?;
                let output = &left[..at];
                let after = &left[at + end.len()..];
                let (code, next) = after.split_once('\n')?;
                parts.push(JobOutput {
                    status: JobStatus::Exited(code.trim().parse().ok()?),
                    stdout: output.as_bytes().to_vec(),
                    stderr: Vec::new(),
                });
                left = next;
            }
            parts
        }
        None => {
            let lines: Vec<&str> = rest.lines().collect();
            if lines.len() != existing.len() {
                return None;
            }
            lines
                .iter()
                .map(|l| JobOutput {
                    status: JobStatus::Exited(0),
                    stdout: format!("{l}\n").into_bytes(),
                    stderr: Vec::new(),
                })
                .collect()
        }
    };
    let mut outputs: Vec<JobOutput> = paths
        .iter()
        .map(|_| JobOutput { status: JobStatus::Exited(0), stdout: Vec::new(), stderr: Vec::new() })
        .collect();
    for (i, output) in existing.into_iter().zip(found) {
        outputs[i] = output;
    }
    Some(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(fact: &str, path: &str) -> FactKey {
        FactKey::new(fact, vec![("path".into(), json!(path))])
    }

    #[test]
    fn only_plain_absolute_paths_of_stat_facts_batch() {
        assert_eq!(stat_path(&key("files.File", "/etc/a b")), Some("/etc/a b".into()));
        assert_eq!(stat_path(&key("files.Link", "~/x")), None);
        assert_eq!(stat_path(&key("files.File", "rel")), None);
        assert_eq!(stat_path(&key("files.File", "/a\nb")), None);
        assert_eq!(stat_path(&key("files.Sha1File", "/etc/x")), None);
    }

    #[test]
    fn outputs_go_back_to_their_paths() {
        let paths: Vec<String> = ["/a", "/b", "/c"].iter().map(|s| s.to_string()).collect();
        let out = |s: &str| JobOutput { status: JobStatus::Exited(0), stdout: s.as_bytes().to_vec(), stderr: vec![] };
        let fast = split(&out("0 2 \nM\nline a\nline c\n"), &paths, "M").expect("fast");
        assert_eq!(fast[0].stdout, b"line a\n");
        assert!(fast[1].stdout.is_empty());
        assert_eq!(fast[2].stdout, b"line c\n");
        let each = split(&out("1 \nM\npartial\nM-each\nls line\nM-end 0\n"), &paths, "M").expect("each");
        assert_eq!((each[1].stdout.as_slice(), &each[1].status), (&b"ls line"[..], &JobStatus::Exited(0)));
        assert!(split(&out("0 1 \nM\nonly one\n"), &paths, "M").is_none(), "a line short");
        assert!(split(&out("garbage"), &paths, "M").is_none());
    }
}
