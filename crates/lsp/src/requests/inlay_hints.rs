//! `textDocument/inlayHint` and Hint-severity diagnostics (code lenses are in `code_lens`): the same
//! "would change" line per operation call, in whichever form the client shows (see
//! [`crate::hints::HintMode`]).

use ruff_text_size::Ranged;
use tower_lsp_server::ls_types::{
    self as lsp, Diagnostic, DiagnosticSeverity, InlayHint, InlayHintLabel, InlayHintTooltip, MarkupContent,
    MarkupKind, NumberOrString,
};

use crate::hints::plan::CallHint;
use crate::notifications::lsp_position;
use crate::session::OpenDocument;

/// The code of hint diagnostics.
pub const HINT_CODE: &str = "would-change";

/// Inlay hints at the end of each call that overlaps `range`.
pub fn inlay_hints(doc: &OpenDocument, hints: &[CallHint], range: lsp::Range) -> Vec<InlayHint> {
    hints
        .iter()
        .filter_map(|hint| {
            let (start, end) = doc.document.range(hint.range);
            let (start, end) = (lsp_position(start), lsp_position(end));
            if end < range.start || start > range.end {
                return None;
            }
            Some(InlayHint {
                position: end,
                label: InlayHintLabel::String(hint.label.clone()),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::MarkupContent(markdown(hint))),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect()
}

/// A Hint-severity diagnostic on each call.
pub fn diagnostics(doc: &OpenDocument, hints: &[CallHint]) -> Vec<Diagnostic> {
    hints
        .iter()
        .map(|hint| Diagnostic {
            range: range(doc, hint),
            severity: Some(DiagnosticSeverity::HINT),
            code: Some(NumberOrString::String(HINT_CODE.into())),
            source: Some("rinfra".into()),
            message: hint.label.clone(),
            ..Diagnostic::default()
        })
        .collect()
}

/// The markdown that lists per host what the call would do.
pub fn markdown(hint: &CallHint) -> MarkupContent {
    MarkupContent { kind: MarkupKind::Markdown, value: hint.markdown() }
}

/// The hint of the innermost call containing `offset`.
pub fn hint_at(hints: &[CallHint], offset: ruff_text_size::TextSize) -> Option<&CallHint> {
    hints.iter().filter(|h| h.range.contains_inclusive(offset)).min_by_key(|h| h.range.len())
}

pub(crate) fn range(doc: &OpenDocument, hint: &CallHint) -> lsp::Range {
    let (start, end) = doc.document.range(hint.range.range());
    lsp::Range { start: lsp_position(start), end: lsp_position(end) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hints::plan::Outcome;
    use ruff_text_size::{TextRange, TextSize};

    fn hint(from: u32, to: u32, label: &str) -> CallHint {
        CallHint {
            range: TextRange::new(TextSize::new(from), TextSize::new(to)),
            label: label.into(),
            hosts: vec![("web1".into(), Outcome::NoChange(None))],
            from_records: 0,
        }
    }

    #[test]
    fn positions_are_utf16_and_filtered_by_range() {
        let doc = OpenDocument::new(1, "s = 'é😀'; f(1)\nf(2)\n".into(), None);
        let start = "s = 'é😀'; ".len() as u32;
        let hints = [hint(start, start + 4, "a"), hint(start + 5, start + 9, "b")];
        let all = lsp::Range { start: lsp::Position::new(0, 0), end: lsp::Position::new(9, 0) };
        let got: Vec<_> =
            inlay_hints(&doc, &hints, all).iter().map(|h| (h.position.line, h.position.character)).collect();
        assert_eq!(got, [(0, 15), (1, 4)]);
        let first = lsp::Range { start: lsp::Position::new(0, 0), end: lsp::Position::new(0, 3) };
        assert!(inlay_hints(&doc, &hints, first).is_empty());
        assert_eq!(diagnostics(&doc, &hints)[0].severity, Some(DiagnosticSeverity::HINT));
        assert_eq!(hint_at(&hints, TextSize::new(start + 2)).map(|h| h.label.as_str()), Some("a"));
    }
}
