//! Which paths an operation may change on its host, so that after it runs only the facts about
//! those paths are asked again.
//!
//! pyinfra plans every operation from the facts as they were before any ran. rinfra asks again
//! after an operation ran, but only what it may have changed: for the file operations below, the
//! facts about their paths, the directories above them (a new entry changes a directory) and
//! everything below them (`mkdir -p`, `chown -R`, a link into a directory). Facts without a path,
//! and every fact after any other operation, are asked again. A path reached through a symlink
//! elsewhere is not followed: such a fact keeps its value, as every fact does in pyinfra.

use serde_json::Value;

use crate::python::OpCall;

/// The arguments naming the paths each operation changes (its other paths are only read).
const TOUCHES: &[(&str, &[&str])] = &[
    ("files.directory", &["path"]),
    ("files.file", &["path"]),
    ("files.link", &["path"]),
    ("files.put", &["dest"]),
    ("files.template", &["dest"]),
    ("files.line", &["path"]),
    ("files.replace", &["path"]),
    ("files.block", &["path"]),
];

/// The paths `call` may change, or `None` when that is not known (any other operation, an
/// argument given by position, a path that is relative or not plain).
pub(crate) fn touched_paths(call: &OpCall) -> Option<Vec<String>> {
    let (_, args) = TOUCHES.iter().find(|(name, _)| *name == call.name)?;
    if !call.positional.is_empty() {
        return None;
    }
    args.iter().map(|arg| plain_path(call.keywords.get(*arg)?)).collect()
}

/// `value` as an absolute path without `.`, `..` or empty components (trailing `/` dropped).
pub(crate) fn plain_path(value: &Value) -> Option<String> {
    let path = value.as_str()?;
    let trimmed = path.trim_end_matches('/');
    let plain = path.starts_with('/')
        && !trimmed.contains('\n')
        && trimmed.split('/').skip(1).all(|part| !part.is_empty() && part != "." && part != "..");
    plain.then(|| trimmed.to_string())
}

/// Whether a change at `touched` may change what is at `path`: the same path, one above it or
/// one below it.
pub(crate) fn related(path: &str, touched: &str) -> bool {
    let below = |a: &str, b: &str| a.strip_prefix(b).is_some_and(|rest| rest.starts_with('/') || b.is_empty());
    path == touched || below(path, touched) || below(touched, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_above_below_and_equal_are_related() {
        assert!(related("/srv/app", "/srv/app"));
        assert!(related("/srv", "/srv/app/bin"), "a directory above gains an entry");
        assert!(related("/srv/app/bin/x", "/srv/app"), "mkdir -p, chown -R, a link into it");
        assert!(!related("/srv/app2", "/srv/app"));
        assert!(!related("/srv/etc/app.d", "/srv/opt/app"));
        assert!(related("/x", ""), "the root is above everything");
    }

    #[test]
    fn only_plain_absolute_paths() {
        assert_eq!(plain_path(&json!("/a/b/")), Some("/a/b".into()));
        assert_eq!(plain_path(&json!("/")), Some("".into()));
        assert_eq!(plain_path(&json!("a/b")), None);
        assert_eq!(plain_path(&json!("/a/../b")), None);
        assert_eq!(plain_path(&json!("/a//b")), None);
        assert_eq!(plain_path(&json!(3)), None);
    }
}
