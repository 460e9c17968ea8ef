//! `--diff` material: for each file an operation writes, its text on the host now and after the
//! operation, or why there is no text diff to show.

use rinfra_facts::operations::files::preview::{edited_content, edited_path};
use rinfra_facts::quote::quote;

use crate::connector::{Connector, RemoteCommand};
use crate::python::OpCall;

/// One file's `--diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileDiff {
    /// The file on the host.
    pub(crate) path: String,
    /// (text now, text after), or why there is no diff.
    pub(crate) texts: Result<(String, String), String>,
}

/// Exit code of the read below when the file does not exist.
const MISSING: i32 = 3;

/// The file `files.line` / `block` / `replace` would edit, before and after (computed from its
/// content now, see [`rinfra_facts::operations::files::preview`]); `None` for other operations.
pub(crate) fn edit_diff(conn: &dyn Connector, rt: &tokio::runtime::Handle, call: &OpCall) -> Option<FileDiff> {
    let path = edited_path(&call.name, &call.positional, &call.keywords)?;
    let q = quote(&path);
    let read = RemoteCommand::new(format!("[ -e {q} ] || exit {MISSING}; cat {q}"));
    let current = match rt.block_on(conn.run(&read)) {
        Ok(out) if out.success() => match String::from_utf8(out.stdout) {
            Ok(text) => Some(text),
            Err(_) => return Some(FileDiff { path, texts: Err("binary content".into()) }),
        },
        Ok(out) if out.status.code() == Some(MISSING) => None,
        Ok(out) => return Some(FileDiff { path, texts: Err(format!("cannot read it ({})", out.status)) }),
        Err(e) => return Some(FileDiff { path, texts: Err(format!("cannot read it: {e}")) }),
    };
    let texts = edited_content(&call.name, &call.positional, &call.keywords, current.as_deref())
        .map(|new| (current.unwrap_or_default(), new.unwrap_or_default()))
        .map_err(|e| e.to_string());
    Some(FileDiff { path, texts })
}
