//! A text document: its text, a line index, and conversions between the parser's UTF-8 byte offsets,
//! LSP positions (zero-based line, UTF-16 code units) and the CLI's one-based line and column.

use ruff_text_size::{TextRange, TextSize};

/// A zero-based position as LSP counts it: the column is in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based column in UTF-16 code units.
    pub character: u32,
}

/// A one-based line and column (in characters), as printed by `rinfra-lsp check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// One-based line.
    pub line: u32,
    /// One-based column, counted in Unicode scalar values.
    pub column: u32,
}

/// A document's text with the start offset of every line.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    /// Byte offset where each line starts; always starts with 0.
    line_starts: Vec<TextSize>,
}

impl Document {
    /// Index `text` (`\n`, `\r\n` and a lone `\r` all end a line, as in LSP).
    pub fn new(text: String) -> Document {
        let line_starts = line_starts(&text);
        Document { text, line_starts }
    }

    /// Replace the text between two LSP positions (the whole text when `range` is `None`).
    pub fn edit(&mut self, range: Option<(Position, Position)>, new_text: &str) {
        match range {
            None => self.text = new_text.to_string(),
            Some((start, end)) => {
                let (a, b) = (self.offset(start).to_usize(), self.offset(end).to_usize());
                self.text.replace_range(a.min(b)..a.max(b), new_text);
            }
        }
        self.line_starts = line_starts(&self.text);
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of lines (an empty document has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Zero-based line containing `offset` (offsets past the end land on the last line).
    fn line_of(&self, offset: TextSize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// The text of zero-based `line` without its line ending (empty past the end).
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line) else { return "" };
        let end = self.line_starts.get(line + 1).map_or(self.text.len(), |e| e.to_usize());
        self.text.get(start.to_usize()..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }

    /// Clamp `offset` into the text and back onto a character boundary.
    fn clamp(&self, offset: TextSize) -> usize {
        let mut at = offset.to_usize().min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The LSP position of a byte offset.
    pub fn position(&self, offset: TextSize) -> Position {
        let at = self.clamp(offset);
        let line = self.line_of(TextSize::new(at as u32));
        let start = self.line_starts[line].to_usize();
        let character = self.text[start..at].chars().map(char::len_utf16).sum::<usize>();
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of an LSP position; a column past the line's end clamps to the end of the line,
    /// a line past the end to the end of the text, and a column inside a surrogate pair to that character.
    pub fn offset(&self, position: Position) -> TextSize {
        let line = position.line as usize;
        let Some(&start) = self.line_starts.get(line) else { return TextSize::of(self.text.as_str()) };
        let mut at = start.to_usize();
        let mut units = 0usize;
        for ch in self.line_text(line).chars() {
            if units >= position.character as usize {
                break;
            }
            units += ch.len_utf16();
            if units > position.character as usize {
                break;
            }
            at += ch.len_utf8();
        }
        TextSize::new(at as u32)
    }

    /// The LSP range of a byte range.
    pub fn range(&self, range: TextRange) -> (Position, Position) {
        (self.position(range.start()), self.position(range.end()))
    }

    /// One-based line and character column of a byte offset.
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let at = self.clamp(offset);
        let line = self.line_of(TextSize::new(at as u32));
        let start = self.line_starts[line].to_usize();
        let column = self.text[start..at].chars().count();
        LineCol { line: line as u32 + 1, column: column as u32 + 1 }
    }
}

/// Start offsets of every line.
fn line_starts(text: &str) -> Vec<TextSize> {
    let mut starts = vec![TextSize::new(0)];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(TextSize::new(i as u32 + 1)),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(TextSize::new(i as u32 + 2));
                i += 1;
            }
            b'\r' => starts.push(TextSize::new(i as u32 + 1)),
            _ => {}
        }
        i += 1;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn ascii_round_trip() {
        let doc = Document::new("ab\ncd\n".into());
        assert_eq!(doc.line_count(), 3);
        assert_eq!(doc.position(TextSize::new(4)), pos(1, 1));
        assert_eq!(doc.offset(pos(1, 1)), TextSize::new(4));
        assert_eq!(doc.line_col(TextSize::new(4)), LineCol { line: 2, column: 2 });
    }

    #[test]
    fn utf16_columns_on_non_ascii_lines() {
        // `é` is 2 bytes / 1 UTF-16 unit, `😀` is 4 bytes / 2 units, `中` 3 bytes / 1 unit.
        let doc = Document::new("x = 1\ns = 'é😀中' + y\n".into());
        let line = "s = 'é😀中' + y";
        let y = line.find('y').unwrap() as u32 + 6;
        assert_eq!(doc.position(TextSize::new(y)), pos(1, 13));
        assert_eq!(doc.offset(pos(1, 13)), TextSize::new(y));
        assert_eq!(doc.line_col(TextSize::new(y)), LineCol { line: 2, column: 13 });
        // After the emoji: 5 ('s = ') + 1 ('é') + 2 (emoji) = 8 units.
        let after_emoji = 6 + line.find('中').unwrap() as u32;
        assert_eq!(doc.position(TextSize::new(after_emoji)), pos(1, 8));
        assert_eq!(doc.offset(pos(1, 8)), TextSize::new(after_emoji));
    }

    #[test]
    fn positions_inside_a_surrogate_pair_or_past_the_end_clamp() {
        let doc = Document::new("😀b\nc".into());
        assert_eq!(doc.offset(pos(0, 1)), TextSize::new(0));
        assert_eq!(doc.offset(pos(0, 99)), TextSize::new(5));
        assert_eq!(doc.offset(pos(7, 0)), TextSize::new(7));
        // An offset inside a UTF-8 sequence moves back to the character's start.
        assert_eq!(doc.position(TextSize::new(2)), pos(0, 0));
        assert_eq!(doc.position(TextSize::new(99)), pos(1, 1));
    }

    #[test]
    fn incremental_edits() {
        let mut doc = Document::new("apt.update()\nx = 'é'\n".into());
        doc.edit(Some((pos(0, 0), pos(0, 3))), "dnf");
        assert_eq!(doc.text(), "dnf.update()\nx = 'é'\n");
        // Insert after the `é` (column 6 in UTF-16), then a reversed range, then a full replacement.
        doc.edit(Some((pos(1, 6), pos(1, 6))), "è");
        assert_eq!(doc.line_text(1), "x = 'éè'");
        doc.edit(Some((pos(1, 7), pos(1, 0))), "");
        assert_eq!(doc.line_text(1), "'");
        doc.edit(None, "new");
        assert_eq!((doc.text(), doc.line_count()), ("new", 1));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let doc = Document::new("a\r\nb\rc".into());
        assert_eq!(doc.line_count(), 3);
        assert_eq!(doc.line_text(0), "a");
        assert_eq!(doc.line_text(1), "b");
        assert_eq!(doc.position(TextSize::new(5)), pos(2, 0));
        assert_eq!(doc.offset(pos(1, 5)), TextSize::new(4));
    }
}
