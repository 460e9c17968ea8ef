//! ## missing-local-file (RI011)
//!
//! ### What it does
//! Reports the local source of `files.put`, `files.template` or `files.sync`, or the file of
//! `local.include(...)`, written as a string literal, that exists neither next to the deploy file nor
//! in any parent directory (pyinfra reads it
//! relative to the directory it is started from, usually one of those); and a `files.sync` source
//! that is a file rather than a directory.
//!
//! ### Why is this bad?
//! The operation fails with `No such file` (or `No such directory`) when the deploy reaches it, after
//! earlier operations have already changed the hosts.
//!
//! ### Example
//! ```python
//! files.put(src="files/motd.txt", dest="/etc/motd")  # the file is files/motd
//! ```

use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use ruff_python_ast as ast;

use crate::local::{Kind, LocalFiles, include_source, local_source};
use crate::operation::OpCall;
use crate::rules::Rule;

/// Report a literal local source that does not exist (or is not a directory for `files.sync`).
pub fn check(call: &OpCall<'_>, local: &LocalFiles, out: &mut Vec<Diagnostic>) {
    let Some((src, want)) = local_source(call) else { return };
    let path = src.value.to_str();
    let message = match (local.kind(path), want) {
        (None, _) => format!("Local file `{path}` not found next to the deploy or in a parent directory"),
        (Some(Kind::File), Kind::Dir) => format!("`{}` needs a directory, but `{path}` is a file", call.full_name()),
        _ => return,
    };
    out.push(Diagnostic::new(Rule::MissingLocalFile, src.range(), message));
}

/// Report a literal `local.include` file that does not exist.
pub fn check_include(call: &ast::ExprCall, local: &LocalFiles, out: &mut Vec<Diagnostic>) {
    let Some(src) = include_source(call) else { return };
    let path = src.value.to_str();
    if local.kind(path) != Some(Kind::File) {
        out.push(Diagnostic::new(
            Rule::MissingLocalFile,
            src.range(),
            format!("Included file `{path}` not found next to the deploy or in a parent directory"),
        ));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::analysis::analyze_file;
    use crate::rules::Rule;

    /// Findings of `rule` for `src` as the deploy `deploys/web.py` of a project holding `files/motd`
    /// and `templates/`.
    pub(crate) fn local_findings(src: &str, rule: Rule) -> Vec<String> {
        let Ok(root) = tempfile::tempdir() else { return vec!["no temp dir".into()] };
        let made = std::fs::create_dir_all(root.path().join("deploys"))
            .and_then(|()| std::fs::create_dir_all(root.path().join("files")))
            .and_then(|()| std::fs::create_dir_all(root.path().join("templates")))
            .and_then(|()| std::fs::write(root.path().join("files/motd"), "hi"));
        if made.is_err() {
            return vec!["cannot create the project".into()];
        }
        let deploy = root.path().join("deploys/web.py");
        let doc = crate::document::Document::new(src.to_string());
        analyze_file(src, Some(&deploy))
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule)
            .map(|d| {
                let at = doc.line_col(d.range.start());
                format!("{}:{} {}", at.line, at.column, d.message)
            })
            .collect()
    }

    const HEAD: &str = "from pyinfra.operations import files\n";

    #[test]
    fn missing_sources() {
        let src = format!("{HEAD}files.put(src='files/motd.txt', dest='/etc/motd')\nfiles.template('t/x.j2', '/x')\n");
        assert_eq!(
            local_findings(&src, Rule::MissingLocalFile),
            [
                "2:15 Local file `files/motd.txt` not found next to the deploy or in a parent directory",
                "3:16 Local file `t/x.j2` not found next to the deploy or in a parent directory"
            ]
        );
    }

    #[test]
    fn sync_needs_a_directory() {
        assert_eq!(
            local_findings(&format!("{HEAD}files.sync(src='files/motd', dest='/x')\n"), Rule::MissingLocalFile),
            ["2:16 `files.sync` needs a directory, but `files/motd` is a file"]
        );
    }

    #[test]
    fn existing_computed_and_assumed_sources_pass() {
        for ok in [
            "files.put(src='files/motd', dest='/etc/motd')",
            "files.sync(src='templates', dest='/srv')",
            "files.put(src=f'files/{name}', dest='/x')",
            "files.put(src=StringIO('x'), dest='/x')",
            "files.put(src='built/app.tar', dest='/x', assume_exists=True)",
            "files.put(src='built/app.tar', dest='/x', assume_exists=flag)",
        ] {
            assert!(local_findings(&format!("{HEAD}{ok}\n"), Rule::MissingLocalFile).is_empty(), "{ok}");
        }
    }

    #[test]
    fn local_include() {
        let src = "from pyinfra import local\nlocal.include('tasks/nope.py')\nlocal.include(filename='files/motd')\n";
        assert_eq!(
            local_findings(src, Rule::MissingLocalFile),
            ["2:15 Included file `tasks/nope.py` not found next to the deploy or in a parent directory"]
        );
    }

    #[test]
    fn without_a_file_path_nothing_is_checked() {
        let src = format!("{HEAD}files.put(src='files/nope', dest='/x')\n");
        assert!(crate::analysis::analyze(&src).diagnostics.is_empty());
    }
}
