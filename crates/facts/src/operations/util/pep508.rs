//! A PEP 508 dependency-specifier reader that accepts and rejects exactly what the Python
//! `packaging` library's `Requirement` does, and extracts what pyinfra uses: the name, the URL and
//! the version specifiers.
//!
//! It mirrors `packaging`'s hand-written tokenizer and recursive-descent parser; the regular
//! expressions of its tokens are matched by hand with the same (leftmost-first, greedy) semantics.

/// What pyinfra needs from a requirement: its name, `@ url` and the specifiers (`==`, `1.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The distribution name as written.
    pub name: String,
    /// The direct URL after `@`, empty when there is none.
    pub url: String,
    /// Distinct `(operator, version)` specifiers, in the order written.
    pub specifiers: Vec<(String, String)>,
}

/// Why a string is not a valid requirement (`packaging`'s `InvalidRequirement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid;

/// Parse a requirement string as `packaging.requirements.Requirement` does.
pub fn parse(source: &str) -> Result<Requirement, Invalid> {
    let mut t = Tokenizer { s: source, pos: 0 };
    t.consume_ws();
    let name = t.expect(Tokenizer::identifier)?.to_string();
    t.consume_ws();
    t.extras()?;
    t.consume_ws();
    let (url, spec) = t.requirement_details()?;
    if !t.at_end() {
        return Err(Invalid);
    }
    let mut specifiers: Vec<(String, String)> = Vec::new();
    for piece in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (op, version) = split_specifier(piece).ok_or(Invalid)?;
        // A `SpecifierSet` is a set: the same specifier twice counts once.
        if !specifiers.iter().any(|(o, v)| *o == op && *v == version) {
            specifiers.push((op, version));
        }
    }
    Ok(Requirement { name, url, specifiers })
}

/// Split one specifier (`>= 1.0`) into its operator and (stripped) version.
fn split_specifier(piece: &str) -> Option<(String, String)> {
    let (op, end) = specifier_at(piece, 0)?;
    if !piece[end..].trim().is_empty() {
        return None;
    }
    Some((op.to_string(), piece[op.len()..end].trim().to_string()))
}

/// Operators in the order of `packaging`'s specifier regex alternation.
const OPERATORS: &[&str] = &["~=", "==", "!=", "<=", ">=", "<", ">", "==="];

/// A `SPECIFIER` token at `pos`: its operator and the end of its version.
fn specifier_at(s: &str, pos: usize) -> Option<(&'static str, usize)> {
    let rest = &s[pos..];
    OPERATORS.iter().find_map(|op| {
        if !rest.starts_with(op) {
            return None;
        }
        version_len(op, rest, op.len()).map(|end| (*op, pos + end))
    })
}

/// End of the version that follows operator `op` at `i` in `s`, by the rules for that operator.
fn version_len(op: &str, s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = skip_space(s, i);
    if op == "===" {
        // Arbitrary equality: anything but whitespace, `;` and `)`.
        let rest = &s[i..];
        let n = rest.find(|c: char| c.is_whitespace() || c == ';' || c == ')').unwrap_or(rest.len());
        return Some(i + n);
    }
    if b.get(i).is_some_and(|c| c.eq_ignore_ascii_case(&b'v')) {
        i += 1;
    }
    // Optional epoch `N!`.
    let d = digits(b, i);
    if d > 0 && b.get(i + d) == Some(&b'!') {
        i += d + 1;
    }
    // Release: N(.N)* — `~=` needs at least two parts.
    let d = digits(b, i);
    if d == 0 {
        return None;
    }
    i += d;
    let mut parts = 1;
    while b.get(i) == Some(&b'.') && digits(b, i + 1) > 0 {
        i += 1 + digits(b, i + 1);
        parts += 1;
    }
    if op == "~=" && parts < 2 {
        return None;
    }
    let equality = op == "==" || op == "!=";
    if equality && b.get(i) == Some(&b'.') && b.get(i + 1) == Some(&b'*') {
        return Some(i + 2);
    }
    i = pre_release(b, i);
    i = post_release(b, i);
    i = dev_release(b, i);
    if equality {
        i = local_label(b, i, true).unwrap_or(i);
    }
    Some(i)
}

fn skip_space(s: &str, i: usize) -> usize {
    let rest = &s[i..];
    i + rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len())
}

fn digits(b: &[u8], i: usize) -> usize {
    b.get(i..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

fn is_sep(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b'-' | b'_' | b'.'))
}

/// Length of the first of `words` (case-insensitive) at `i`.
fn word_at(b: &[u8], i: usize, words: &[&str]) -> Option<usize> {
    words.iter().find(|w| b.get(i..i + w.len()).is_some_and(|x| x.eq_ignore_ascii_case(w.as_bytes()))).map(|w| w.len())
}

/// `[-_.]?WORD[-_.]?[0-9]*` at `i`, or `i` when absent.
fn tagged_number(b: &[u8], i: usize, words: &[&str]) -> Option<usize> {
    let start = if is_sep(b, i) && word_at(b, i + 1, words).is_some() { i + 1 } else { i };
    let mut j = start + word_at(b, start, words)?;
    if is_sep(b, j) {
        j += 1;
    }
    Some(j + digits(b, j))
}

fn pre_release(b: &[u8], i: usize) -> usize {
    tagged_number(b, i, &["alpha", "beta", "preview", "pre", "a", "b", "c", "rc"]).unwrap_or(i)
}

fn post_release(b: &[u8], i: usize) -> usize {
    if b.get(i) == Some(&b'-') && digits(b, i + 1) > 0 {
        return i + 1 + digits(b, i + 1);
    }
    tagged_number(b, i, &["post", "rev", "r"]).unwrap_or(i)
}

fn dev_release(b: &[u8], i: usize) -> usize {
    tagged_number(b, i, &["dev"]).unwrap_or(i)
}

/// `\+[a-z0-9]+(?:[-_.][a-z0-9]+)*` at `i` (letters of either case when `any_case`).
fn local_label(b: &[u8], i: usize, any_case: bool) -> Option<usize> {
    let alnum = |c: &u8| c.is_ascii_digit() || c.is_ascii_lowercase() || (any_case && c.is_ascii_uppercase());
    let run = |j: usize| b.get(j..).map_or(0, |r| r.iter().take_while(|c| alnum(c)).count());
    if b.get(i) != Some(&b'+') || run(i + 1) == 0 {
        return None;
    }
    let mut j = i + 1 + run(i + 1);
    while is_sep(b, j) && run(j + 1) > 0 {
        j += 1 + run(j + 1);
    }
    Some(j)
}

/// Python's `\w` for one character.
fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Environment marker variable names, in `packaging`'s alternation order.
const MARKER_VARIABLES: &[&str] = &[
    "python_version",
    "python_full_version",
    "os_name",
    "os.name",
    "sys_platform",
    "sys.platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform.version",
    "platform_machine",
    "platform.machine",
    "platform_python_implementation",
    "platform.python_implementation",
    "python_implementation",
    "implementation_name",
    "implementation_version",
    "extra",
];

/// Marker comparison operators, in `packaging`'s alternation order.
const MARKER_OPS: &[&str] = &["===", "==", "~=", "!=", "<=", ">=", "<", ">"];

struct Tokenizer<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn prev_char(&self, at: usize) -> Option<char> {
        self.s[..at].chars().next_back()
    }

    fn boundary(&self, at: usize) -> bool {
        is_word(self.prev_char(at)) != is_word(self.s[at..].chars().next())
    }

    /// Python's `$`: the end, or just before a final newline.
    fn at_end(&self) -> bool {
        let r = self.rest();
        r.is_empty() || r == "\n"
    }

    fn consume_ws(&mut self) -> bool {
        let n = self.rest().bytes().take_while(|c| *c == b' ' || *c == b'\t').count();
        self.pos += n;
        n > 0
    }

    fn literal(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            return true;
        }
        false
    }

    /// Read a token whose length `rule` gives at the current position, or fail.
    fn expect(&mut self, rule: fn(&Self) -> Option<usize>) -> Result<&'a str, Invalid> {
        let n = rule(self).ok_or(Invalid)?;
        let text = &self.s[self.pos..self.pos + n];
        self.pos += n;
        Ok(text)
    }

    /// `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`
    fn identifier(&self) -> Option<usize> {
        let r = self.rest().as_bytes();
        if !r.first()?.is_ascii_alphanumeric() || !self.boundary(self.pos) {
            return None;
        }
        let mut n =
            1 + r[1..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-')).count();
        while n > 0 && !self.boundary(self.pos + n) {
            n -= 1;
        }
        (n > 0).then_some(n)
    }

    /// `\bWORD\b` for the first of `words` that fits.
    fn keyword(&self, words: &[&str]) -> Option<usize> {
        if !self.boundary(self.pos) {
            return None;
        }
        words.iter().find(|w| self.rest().starts_with(**w) && self.boundary(self.pos + w.len())).map(|w| w.len())
    }

    fn url(&self) -> Option<usize> {
        let n = self.rest().bytes().take_while(|c| *c != b' ' && *c != b'\t').count();
        (n > 0).then_some(n)
    }

    fn quoted_string(&self) -> Option<usize> {
        let r = self.rest();
        let q = r.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        r[1..].find(q).map(|i| i + 2)
    }

    fn marker_op(&self) -> Option<usize> {
        MARKER_OPS.iter().find(|op| self.rest().starts_with(**op)).map(|op| op.len())
    }

    /// `extras = (LEFT_BRACKET wsp* extras_list? wsp* RIGHT_BRACKET)?`
    fn extras(&mut self) -> Result<(), Invalid> {
        if !self.literal('[') {
            return Ok(());
        }
        self.consume_ws();
        if self.identifier().is_some() {
            self.expect(Self::identifier)?;
            loop {
                self.consume_ws();
                if self.identifier().is_some() {
                    return Err(Invalid);
                }
                if !self.literal(',') {
                    break;
                }
                self.consume_ws();
                self.expect(Self::identifier)?;
            }
        }
        self.consume_ws();
        if self.literal(']') { Ok(()) } else { Err(Invalid) }
    }

    /// `AT URL (WS marker?)? | specifier WS? marker?`; returns the URL and the specifier text.
    fn requirement_details(&mut self) -> Result<(String, String), Invalid> {
        if self.literal('@') {
            self.consume_ws();
            let url = self.expect(Self::url)?.to_string();
            if self.at_end() {
                return Ok((url, String::new()));
            }
            if !self.consume_ws() {
                return Err(Invalid);
            }
            if !self.at_end() {
                self.requirement_marker()?;
            }
            return Ok((url, String::new()));
        }
        let spec = self.specifier()?;
        self.consume_ws();
        if !self.at_end() {
            self.requirement_marker()?;
        }
        Ok((String::new(), spec))
    }

    /// `LEFT_PARENTHESIS WS? version_many WS? RIGHT_PARENTHESIS | WS? version_many WS?`
    fn specifier(&mut self) -> Result<String, Invalid> {
        let open = self.literal('(');
        self.consume_ws();
        let mut spec = String::new();
        while let Some((_, end)) = specifier_at(self.s, self.pos) {
            spec.push_str(&self.s[self.pos..end]);
            self.pos = end;
            // `.*` and `+local` are only allowed where the version regex took them already.
            if self.rest().starts_with(".*") || local_label(self.rest().as_bytes(), 0, false).is_some() {
                return Err(Invalid);
            }
            self.consume_ws();
            if !self.literal(',') {
                break;
            }
            spec.push(',');
            self.consume_ws();
        }
        self.consume_ws();
        if open && !self.literal(')') {
            return Err(Invalid);
        }
        Ok(spec)
    }

    /// `SEMICOLON marker WS?`
    fn requirement_marker(&mut self) -> Result<(), Invalid> {
        if !self.literal(';') {
            return Err(Invalid);
        }
        self.marker()?;
        self.consume_ws();
        Ok(())
    }

    /// `marker_atom (BOOLOP marker_atom)*`
    fn marker(&mut self) -> Result<(), Invalid> {
        self.marker_atom()?;
        while self.keyword(&["or", "and"]).is_some() {
            self.expect(|t| t.keyword(&["or", "and"]))?;
            self.marker_atom()?;
        }
        Ok(())
    }

    /// `WS? (LEFT_PARENTHESIS WS? marker WS? RIGHT_PARENTHESIS | marker_item) WS?`
    fn marker_atom(&mut self) -> Result<(), Invalid> {
        self.consume_ws();
        if self.literal('(') {
            self.consume_ws();
            self.marker()?;
            self.consume_ws();
            if !self.literal(')') {
                return Err(Invalid);
            }
        } else {
            self.marker_item()?;
        }
        self.consume_ws();
        Ok(())
    }

    /// `WS? marker_var WS? marker_op WS? marker_var WS?`
    fn marker_item(&mut self) -> Result<(), Invalid> {
        self.consume_ws();
        self.marker_var()?;
        self.consume_ws();
        if self.keyword(&["in"]).is_some() {
            self.expect(|t| t.keyword(&["in"]))?;
        } else if self.keyword(&["not"]).is_some() {
            self.expect(|t| t.keyword(&["not"]))?;
            if !self.consume_ws() {
                return Err(Invalid);
            }
            self.expect(|t| t.keyword(&["in"]))?;
        } else {
            self.expect(Self::marker_op)?;
        }
        self.consume_ws();
        self.marker_var()?;
        self.consume_ws();
        Ok(())
    }

    /// `VARIABLE | QUOTED_STRING`
    fn marker_var(&mut self) -> Result<(), Invalid> {
        if self.keyword(MARKER_VARIABLES).is_some() {
            self.expect(|t| t.keyword(MARKER_VARIABLES))?;
        } else {
            self.expect(Self::quoted_string)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(s: &str) -> Vec<(String, String)> {
        parse(s).expect("valid").specifiers
    }

    #[test]
    fn names_versions_urls() {
        assert_eq!(parse("flask").expect("valid").name, "flask");
        assert_eq!(specs("pyinfra==1.1"), vec![("==".to_string(), "1.1".to_string())]);
        assert_eq!(specs("another > 1"), vec![(">".to_string(), "1".to_string())]);
        assert_eq!(specs("a (>=1.0rc1.post2.dev3)"), vec![(">=".to_string(), "1.0rc1.post2.dev3".to_string())]);
        assert_eq!(specs("a===foo-bar"), vec![("===".to_string(), "foo-bar".to_string())]);
        assert_eq!(specs("a==1.*"), vec![("==".to_string(), "1.*".to_string())]);
        assert_eq!(specs("a>1,<2").len(), 2);
        let r = parse("copier @ git@github.com:copier-org/copier.git@v9.9.0").expect("valid");
        assert_eq!((r.name.as_str(), r.url.as_str()), ("copier", "git@github.com:copier-org/copier.git@v9.9.0"));
        assert!(parse("requests[security, socks]>=2; python_version >= '3.8' and os_name != \"nt\"").is_ok());
    }

    #[test]
    fn rejects_what_packaging_rejects() {
        for bad in
            ["", "foo bar", "foo>=1.*", "foo>1+local", "foo~=1", "-foo", "foo; bogus == '1'", "foo[a b]", "foo (>=1"]
        {
            assert_eq!(parse(bad), Err(Invalid), "{bad}");
        }
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics(s in "[a-zA-Z0-9 \t@;,()\\[\\]<>=!~.*+_'\"é日-]{0,30}") {
            let _ = super::parse(&s);
            let _ = crate::operations::util::packaging::PkgInfo::from_pep508(&s).inst_vers();
            let _ = crate::operations::util::url::urlparse(&s);
            let _ = crate::facts::apt::parse_apt_repo(&format!("deb {s}"));
        }
    }
}
