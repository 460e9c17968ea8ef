//! POSIX regular expressions (GNU `sed` / `grep` basic and extended syntax, `awk`'s extended one)
//! translated to the `regex` crate's syntax, for previewing what the host's tools do to a file.
//!
//! Not translated (an [`Unsupported`] error, so no preview is shown): back-references, collating
//! elements and equivalence classes. Matching is leftmost-first where POSIX says leftmost-longest;
//! the two differ only for alternations whose branches match at the same place.

use regex::Regex;

/// The pattern uses something the preview cannot reproduce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unsupported(pub String);

/// Which POSIX dialect a pattern is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Basic (GNU `sed`, `grep` without `-E`): `\(`, `\{`, `\+`, `\?`, `\|` are operators.
    Basic,
    /// Extended (`sed -E`, `grep -E`, `awk`).
    Extended,
}

/// Compile `pattern` as the host's tools would read it; case-insensitive when `icase`.
pub fn compile(pattern: &str, dialect: Dialect, icase: bool) -> Result<Regex, Unsupported> {
    let translated = translate(pattern, dialect)?;
    let full = if icase { format!("(?i){translated}") } else { translated };
    Regex::new(&full).map_err(|e| Unsupported(format!("pattern {pattern:?}: {e}")))
}

/// Push `c` as a literal.
fn literal(out: &mut String, c: char) {
    if regex_syntax_meta(c) {
        out.push('\\');
    }
    out.push(c);
}

fn regex_syntax_meta(c: char) -> bool {
    r"\.+*?()|[]{}^$#&-~".contains(c)
}

/// The `regex` crate's spelling of `pattern`.
pub fn translate(pattern: &str, dialect: Dialect) -> Result<String, Unsupported> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let basic = dialect == Dialect::Basic;
    // Whether the next `*` has something to repeat (at the start or after `(` / `|` it is literal).
    let mut can_repeat = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_start = i == 0 || (basic && i >= 2 && chars[i - 2] == '\\' && matches!(chars[i - 1], '(' | '|'));
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err(Unsupported(format!("pattern {pattern:?} ends with a backslash")));
                };
                i += 2;
                match n {
                    '(' | ')' | '{' | '+' | '?' | '|' if basic => {
                        out.push(n);
                        can_repeat = n != '(' && n != '|';
                        if n == '{' {
                            // The interval's body up to `\}`.
                            let close = (i..chars.len().saturating_sub(1))
                                .find(|&j| chars[j] == '\\' && chars[j + 1] == '}')
                                .ok_or_else(|| Unsupported(format!("pattern {pattern:?}: unterminated \\{{")))?;
                            out.extend(&chars[i..close]);
                            out.push('}');
                            i = close + 2;
                            can_repeat = true;
                        }
                        continue;
                    }
                    '1'..='9' => return Err(Unsupported(format!("pattern {pattern:?} uses a back-reference"))),
                    'w' | 'W' | 's' | 'S' | 'b' | 'B' => {
                        out.push('\\');
                        out.push(n);
                    }
                    '<' => out.push_str(r"\b{start}"),
                    '>' => out.push_str(r"\b{end}"),
                    '`' => out.push_str(r"\A"),
                    '\'' => out.push_str(r"\z"),
                    'n' => out.push_str(r"\n"),
                    't' => out.push_str(r"\t"),
                    other => literal(&mut out, other),
                }
                can_repeat = true;
                continue;
            }
            '[' => {
                i = bracket(&chars, i, &mut out, pattern)?;
                can_repeat = true;
                continue;
            }
            '.' => out.push('.'),
            '*' if !can_repeat || at_start => out.push_str(r"\*"),
            '*' => out.push('*'),
            '^' if basic && !at_start => out.push_str(r"\^"),
            '^' => {
                out.push('^');
                i += 1;
                can_repeat = false;
                continue;
            }
            '$' if basic => {
                let at_end =
                    i + 1 == chars.len() || (chars[i + 1] == '\\' && matches!(chars.get(i + 2), Some(')' | '|')));
                out.push_str(if at_end { "$" } else { r"\$" });
            }
            '$' => out.push('$'),
            '(' | '|' if !basic => {
                out.push(c);
                i += 1;
                can_repeat = false;
                continue;
            }
            ')' if !basic => out.push(')'),
            '+' | '?' if !basic => {
                if can_repeat {
                    out.push(c);
                } else {
                    literal(&mut out, c);
                }
            }
            '{' if !basic => {
                let close = chars[i..].iter().position(|&x| x == '}').map(|p| p + i);
                match close {
                    Some(close)
                        if can_repeat && chars[i + 1..close].iter().all(|x| x.is_ascii_digit() || *x == ',') =>
                    {
                        out.extend(&chars[i..=close]);
                        i = close + 1;
                        continue;
                    }
                    _ => literal(&mut out, '{'),
                }
            }
            other => literal(&mut out, other),
        }
        can_repeat = true;
        i += 1;
    }
    Ok(out)
}

/// Translate the bracket expression starting at `chars[start] == '['`; the index after it.
fn bracket(chars: &[char], start: usize, out: &mut String, pattern: &str) -> Result<usize, Unsupported> {
    let mut i = start + 1;
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(Unsupported(format!("pattern {pattern:?}: unterminated [")));
        };
        match c {
            ']' if !first => {
                out.push(']');
                return Ok(i + 1);
            }
            '[' if matches!(chars.get(i + 1), Some(':')) => {
                let end = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == ':' && chars[j + 1] == ']')
                    .ok_or_else(|| Unsupported(format!("pattern {pattern:?}: unterminated [:")))?;
                out.extend(&chars[i..end + 2]);
                i = end + 2;
            }
            '[' if matches!(chars.get(i + 1), Some('=' | '.')) => {
                return Err(Unsupported(format!("pattern {pattern:?} uses a collating element")));
            }
            // A range `a-z` keeps its dash; a dash first or last is literal.
            '-' if !first && chars.get(i + 1).is_some_and(|n| *n != ']') => {
                out.push('-');
                i += 1;
            }
            other => {
                if matches!(other, '\\' | '[' | ']' | '-' | '&' | '~' | '^') {
                    out.push('\\');
                }
                out.push(other);
                i += 1;
            }
        }
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is(p: &str, d: Dialect, text: &str) -> bool {
        compile(p, d, false).expect("compiles").is_match(text)
    }

    #[test]
    fn basic_and_extended_operators() {
        use Dialect::{Basic, Extended};
        assert!(is(r"a\(b\)\{2\}", Basic, "abb"));
        assert!(is(r"a(b)", Basic, "a(b)"));
        assert!(!is(r"a(b)", Basic, "ab"));
        assert!(is(r"a+", Basic, "a+"));
        assert!(is(r"a\+", Basic, "aaa"));
        assert!(is(r"x\|y", Basic, "y"));
        assert!(is(r"(a|b)+", Extended, "abab"));
        assert!(is(r"^*a", Basic, "*a"));
        assert!(is(r"a^b$c", Basic, "a^b$c"));
        assert!(is(r"[]a-c-]", Extended, "-"));
        assert!(is(r"[[:digit:]]x", Extended, "5x"));
        assert!(is(r"[\]", Extended, r"\"));
        assert!(is(r"^.*port=80.*$", Basic, "  port=8080 # x"));
        assert!(is(r"a{2}", Extended, "aa"));
        assert!(is(r"a{x", Extended, "a{x"));
        assert!(compile(r"\(a\)\1", Basic, false).is_err());
    }
}
