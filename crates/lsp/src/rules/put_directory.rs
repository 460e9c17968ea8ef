//! ## put-directory (RI012)
//!
//! ### What it does
//! Reports a directory given as the source of `files.put` or `files.template`, which upload a single
//! file, and suggests `files.sync`, which uploads a directory tree.
//!
//! ### Why is this bad?
//! pyinfra stops with `No such file` when it reaches the operation.
//!
//! ### Example
//! ```python
//! files.put(src="files/nginx", dest="/etc/nginx")
//! ```
//!
//! Use instead:
//! ```python
//! files.sync(src="files/nginx", dest="/etc/nginx")
//! ```

use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::local::{Kind, LocalFiles, local_source};
use crate::operation::OpCall;
use crate::rules::Rule;

/// Report a directory passed where one file is uploaded.
pub fn check(call: &OpCall<'_>, local: &LocalFiles, out: &mut Vec<Diagnostic>) {
    let Some((src, Kind::File)) = local_source(call) else { return };
    let path = src.value.to_str();
    if local.kind(path) == Some(Kind::Dir) {
        out.push(Diagnostic::new(
            Rule::PutDirectory,
            src.range(),
            format!(
                "`{path}` is a directory; `{}` uploads one file, use `files.sync` for a directory",
                call.full_name()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Rule;
    use crate::rules::missing_local_file::tests::local_findings;

    #[test]
    fn directory_for_put() {
        let src = "from pyinfra.operations import files\nfiles.put(src='templates', dest='/x')\n";
        assert_eq!(
            local_findings(src, Rule::PutDirectory),
            ["2:15 `templates` is a directory; `files.put` uploads one file, use `files.sync` for a directory"]
        );
        assert!(local_findings(src, Rule::MissingLocalFile).is_empty());
    }

    #[test]
    fn files_pass() {
        let src = "from pyinfra.operations import files\nfiles.put(src='files/motd', dest='/x')\n";
        assert!(local_findings(src, Rule::PutDirectory).is_empty());
    }
}
