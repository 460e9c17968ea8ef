//! `textDocument/codeLens`: the "would change" line of each operation call above it, for clients
//! without inlay hints (the `hints: "codelens"` initialization option).

use tower_lsp_server::ls_types as lsp;

use super::inlay_hints::range;
use crate::hints::plan::CallHint;
use crate::session::OpenDocument;

/// A code lens above each call, titled with its hint.
pub fn code_lenses(doc: &OpenDocument, hints: &[CallHint]) -> Vec<lsp::CodeLens> {
    hints
        .iter()
        .map(|hint| lsp::CodeLens {
            range: range(doc, hint),
            // A title-only lens: there is nothing to run, the title is the information.
            command: Some(lsp::Command { title: hint.label.clone(), command: String::new(), arguments: None }),
            data: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hints::plan::Outcome;
    use ruff_text_size::{TextRange, TextSize};

    #[test]
    fn one_title_only_lens_per_call_on_its_line() {
        let doc = OpenDocument::new(1, "x = 1\nf(2)\n".into(), None);
        let hint = CallHint {
            range: TextRange::new(TextSize::new(6), TextSize::new(10)),
            label: "no change (1 host)".into(),
            hosts: vec![("web1".into(), Outcome::NoChange(None))],
            from_records: 0,
        };
        let lenses = code_lenses(&doc, &[hint]);
        assert_eq!(lenses.len(), 1);
        assert_eq!((lenses[0].range.start.line, lenses[0].range.start.character), (1, 0));
        assert_eq!(lenses[0].command.as_ref().map(|c| c.title.as_str()), Some("no change (1 host)"));
    }
}
