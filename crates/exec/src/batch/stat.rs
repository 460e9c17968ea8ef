//! `files.File` / `Directory` / `Link` / `Socket` of many paths with one `stat` process.
//!
//! pyinfra's command for each tests the path with shell builtins and then starts `stat` (GNU, else
//! BSD, else `ls -ld`). Here the existing paths of a batch go to a single GNU `stat` call with
//! pyinfra's format, whose lines (one per file: `%N` quotes names, newlines included) are each
//! fact's own output.

use rinfra_facts::fact_source::FactKey;

/// Facts whose command is pyinfra's shared stat command for one path.
const STAT_FACTS: [&str; 4] = ["files.File", "files.Directory", "files.Link", "files.Socket"];

/// GNU stat's format in pyinfra's command (kept identical, so the parsers see the same lines).
const LINUX_STAT: &str = "stat -c 'user=%U group=%G mode=%A atime=%X mtime=%Y ctime=%Z size=%s %N'";

/// The path `key` stats, when it can share a batch: an absolute path (`~` needs the shell's
/// expansion, left to pyinfra's own command) without a newline.
pub fn stat_path(key: &FactKey) -> Option<String> {
    if !STAT_FACTS.contains(&key.fact.as_str()) {
        return None;
    }
    let path = key.values.iter().find(|(k, _)| k == "path")?.1.as_str()?;
    (path.starts_with('/') && !path.contains('\n')).then(|| path.to_string())
}

/// The batch's shell (see [`super::path_batch`]).
pub fn command(paths: &[String], each: &str, marker: &str) -> String {
    super::path_batch(LINUX_STAT, "test -e \"$p\" || test -L \"$p\"", paths, each, marker)
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
}
