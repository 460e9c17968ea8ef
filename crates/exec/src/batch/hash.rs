//! `files.Sha1File` / `Sha256File` / `Sha384File` / `Md5File` of many paths with one process per
//! hash tool.
//!
//! pyinfra's command for each is `test -e P && ( sha1sum P || shasum P || sha1 P ) || true`. GNU
//! `sha1sum P1 P2 ...` prints, for each file, the very line `sha1sum P` prints alone; if it fails
//! (a directory, an unreadable file, no GNU tool) the batch runs each fact's own command.

use rinfra_facts::fact_source::FactKey;

/// The GNU tool that batches `key`'s fact, and the path, when it can share a batch (an absolute
/// path without a newline).
pub fn hash_path(key: &FactKey) -> Option<(&'static str, String)> {
    let tool = match key.fact.as_str() {
        "files.Sha1File" => "sha1sum",
        "files.Sha256File" => "sha256sum",
        "files.Sha384File" => "sha384sum",
        "files.Md5File" => "md5sum",
        _ => return None,
    };
    let path = key.values.iter().find(|(k, _)| k == "path")?.1.as_str()?;
    (path.starts_with('/') && !path.contains('\n')).then(|| (tool, path.to_string()))
}

/// The batch's shell (see [`super::path_batch`]).
pub fn command(tool: &str, paths: &[String], each: &str, marker: &str) -> String {
    super::path_batch(tool, "test -e \"$p\"", paths, each, marker)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_hash_fact_has_its_tool() {
        let key = |fact: &str, path: &str| FactKey::new(fact, vec![("path".into(), json!(path))]);
        assert_eq!(hash_path(&key("files.Sha256File", "/x")), Some(("sha256sum", "/x".into())));
        assert_eq!(hash_path(&key("files.Md5File", "/a b")), Some(("md5sum", "/a b".into())));
        assert_eq!(hash_path(&key("files.Sha1File", "~/x")), None);
        assert_eq!(hash_path(&key("files.File", "/x")), None);
    }
}
