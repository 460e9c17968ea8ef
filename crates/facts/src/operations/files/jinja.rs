//! A subset of Jinja2 for `files.template`, with pyinfra's environment (`StrictUndefined`,
//! `keep_trailing_newline=True`) and Jinja's error messages for what it reports.
//!
//! Supported: `{{ expr }}`; `{% if %}`/`elif`/`else`/`endif`; `{% for a[, b] in expr %}` with
//! `else` and the `loop` variable; `{% set x = expr %}`; `{% raw %}`; `{# comments #}`; `-`
//! whitespace control; `trim_blocks` and `lstrip_blocks`. Expressions: literals (strings, numbers,
//! booleans, `none`, lists, dicts), variables, `.attr` and `[item]`, calls of a few methods and
//! `range()`, filters, `is` tests, arithmetic, `~`, comparisons, `in`, `and`/`or`/`not` and
//! `a if c else b`.

use crate::value::{Map, Value, py_repr, py_str, truthy};

/// Rendering options (the Jinja environment settings rinfra understands).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Drop the first newline after a block tag.
    pub trim_blocks: bool,
    /// Strip spaces and tabs from the start of a line up to a block tag.
    pub lstrip_blocks: bool,
}

/// A template error: Jinja's message and the template line it refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// The message as `str(exception)` gives it.
    pub message: String,
    /// 1-based line number.
    pub line: usize,
}

/// What a template may know of the host (`host.name`, `host.data.KEY`).
pub trait HostView {
    /// The host's name.
    fn name(&self) -> String;
    /// One item of host data.
    fn data(&self, key: &str) -> Option<Value>;
}

/// Render `source` with `vars`.
pub fn render(
    source: &str,
    vars: &Map<String, Value>,
    host: &dyn HostView,
    opts: Options,
) -> Result<String, TemplateError> {
    let pieces = lex(source, opts)?;
    let mut p = Parser { pieces, pos: 0, stack: vec![] };
    let nodes = p.parse_body(&[])?.0;
    let mut r = Renderer { scopes: vec![vars.clone()], host };
    let mut out = String::new();
    r.run(&nodes, &mut out)?;
    Ok(out)
}

// ---------------------------------------------------------------- lexing of the template text

/// A piece of template source after whitespace control.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Var(String, usize),
    Tag(String, usize),
}

fn err(message: impl Into<String>, line: usize) -> TemplateError {
    TemplateError { message: message.into(), line }
}

fn line_at(src: &str, pos: usize) -> usize {
    src[..pos].matches('\n').count() + 1
}

/// Find the closing delimiter of a tag body starting at `from`, skipping string literals.
fn find_close(src: &str, from: usize, close: &str) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        match quote {
            Some(_) if b[i] == b'\\' => i += 1,
            Some(q) if b[i] == q => quote = None,
            Some(_) => {}
            None if b[i] == b'\'' || b[i] == b'"' => quote = Some(b[i]),
            None if src[i..].starts_with(close) => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn lex(src: &str, opts: Options) -> Result<Vec<Piece>, TemplateError> {
    let mut out: Vec<Piece> = vec![];
    let mut text = String::new();
    let mut i = 0;
    let mut trim_next = false;
    let mut newline_next = false;
    while i < src.len() {
        let Some(off) = src[i..].find('{').map(|o| i + o) else {
            text.push_str(&src[i..]);
            break;
        };
        let kind = src[off + 1..].chars().next();
        if !matches!(kind, Some('{') | Some('%') | Some('#')) {
            text.push_str(&src[i..=off]);
            i = off + 1;
            continue;
        }
        text.push_str(&src[i..off]);
        let kind = kind.unwrap_or('{');
        let line = line_at(src, off);
        let mut body_start = off + 2;
        let strip_left = src[body_start..].starts_with('-');
        let keep_left = src[body_start..].starts_with('+');
        if strip_left || keep_left {
            body_start += 1;
        }
        // Whitespace control of the text before this tag.
        if strip_left {
            text.truncate(text.trim_end().len());
        } else if opts.lstrip_blocks && kind != '{' && !keep_left {
            // Only a tag that starts its line (after spaces/tabs) is stripped.
            let line_start = match text.rfind('\n') {
                Some(n) => Some(n + 1),
                None => (i == 0 || off == 0).then_some(0),
            };
            if let Some(ls) = line_start.filter(|ls| text[*ls..].chars().all(|c| c == ' ' || c == '\t')) {
                text.truncate(ls);
            }
        }
        flush(&mut out, &mut text, &mut trim_next, &mut newline_next);
        let close = match kind {
            '{' => "}}",
            '%' => "%}",
            _ => "#}",
        };
        let end = if kind == '#' {
            src[body_start..].find(close).map(|e| body_start + e)
        } else {
            find_close(src, body_start, close)
        };
        let Some(end) = end else {
            let what = match kind {
                '{' => {
                    "Unexpected end of template. Jinja was looking for the following tags: 'end of print statement'."
                }
                '%' => {
                    "Unexpected end of template. Jinja was looking for the following tags: 'end of statement block'."
                }
                _ => "Missing end of comment tag",
            };
            return Err(err(what, line));
        };
        let strip_right = src[..end].ends_with('-') && end > body_start;
        let body = &src[body_start..if strip_right { end - 1 } else { end }];
        i = end + 2;
        trim_next = strip_right;
        newline_next = !strip_right && opts.trim_blocks && kind != '{';
        match kind {
            '{' => out.push(Piece::Var(body.to_string(), line)),
            '%' if body.trim() == "raw" => {
                let (raw, after, strip) = raw_block(src, i).ok_or_else(|| {
                    err("Unexpected end of template. Jinja was looking for the following tags: 'endraw'. The innermost block that needs to be closed is 'raw'.", line)
                })?;
                text.push_str(raw);
                i = after;
                trim_next = strip;
            }
            '%' => out.push(Piece::Tag(body.to_string(), line)),
            _ => {}
        }
    }
    flush(&mut out, &mut text, &mut trim_next, &mut newline_next);
    Ok(out)
}

/// The raw text up to `{% endraw %}`, the position after it, and whether it strips what follows.
fn raw_block(src: &str, from: usize) -> Option<(&str, usize, bool)> {
    let mut search = from;
    loop {
        let at = search + src[search..].find("{%")?;
        let mut j = at + 2;
        if src[j..].starts_with(['-', '+']) {
            j += 1;
        }
        let close = find_close(src, j, "%}")?;
        let strip = src[..close].ends_with('-');
        let body = &src[j..if strip { close - 1 } else { close }];
        if body.trim() == "endraw" {
            let raw = &src[from..at];
            let raw = if src[at + 2..].starts_with('-') { raw.trim_end() } else { raw };
            return Some((raw, close + 2, strip));
        }
        search = close + 2;
    }
}

/// Emit pending text, applying the whitespace control the previous tag asked for.
fn flush(out: &mut Vec<Piece>, text: &mut String, trim_next: &mut bool, newline_next: &mut bool) {
    let mut t = std::mem::take(text);
    if *trim_next {
        t = t.trim_start().to_string();
    } else if *newline_next && let Some(rest) = t.strip_prefix("\r\n").or_else(|| t.strip_prefix('\n')) {
        t = rest.to_string();
    }
    *trim_next = false;
    *newline_next = false;
    if !t.is_empty() {
        out.push(Piece::Text(t));
    }
}

// ---------------------------------------------------------------- expression tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Int(i64),
    Float(f64),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "==", "!=", "<=", ">=", "//", "**", "<", ">", "+", "-", "*", "/", "%", "~", "|", ".", ",", ":", "(", ")", "[", "]",
    "{", "}", "=",
];

fn tokenize(s: &str, line: usize) -> Result<Vec<Tok>, TemplateError> {
    let mut out = vec![];
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(c[start..i].iter().collect()));
        } else if ch.is_ascii_digit() {
            let start = i;
            while i < c.len() && (c[i].is_ascii_digit() || c[i] == '_') {
                i += 1;
            }
            let after_dot = c.get(i + 1).is_some_and(|d| d.is_ascii_digit());
            let is_float = c.get(i) == Some(&'.') && after_dot && !matches!(out.last(), Some(Tok::Op(".")));
            if is_float {
                i += 1;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '_') {
                    i += 1;
                }
            }
            let text: String = c[start..i].iter().filter(|x| **x != '_').collect();
            out.push(if is_float {
                Tok::Float(text.parse().map_err(|_| err(format!("bad number {text}"), line))?)
            } else {
                Tok::Int(text.parse().map_err(|_| err(format!("bad number {text}"), line))?)
            });
        } else if ch == '\'' || ch == '"' {
            let mut v = String::new();
            i += 1;
            loop {
                let Some(&x) = c.get(i) else { return Err(err("unexpected end of string", line)) };
                i += 1;
                match x {
                    '\\' => {
                        let e = c.get(i).copied().unwrap_or('\\');
                        i += 1;
                        v.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                    }
                    x if x == ch => break,
                    x => v.push(x),
                }
            }
            out.push(Tok::Str(v));
        } else {
            let rest: String = c[i..c.len().min(i + 2)].iter().collect();
            let op = OPS
                .iter()
                .find(|o| rest.starts_with(*o))
                .ok_or_else(|| err(format!("unexpected char {ch:?}"), line))?;
            out.push(Tok::Op(op));
            i += op.chars().count();
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- expressions

#[derive(Debug, Clone)]
enum Expr {
    Lit(Value),
    Name(String),
    Attr(Box<Expr>, String),
    Item(Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    Filter(Box<Expr>, String, Vec<Expr>, Vec<(String, Expr)>),
    Test(Box<Expr>, String, Vec<Expr>, bool),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(String, Expr)>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
}

const FILTERS: &[&str] = &[
    "default",
    "d",
    "upper",
    "lower",
    "capitalize",
    "title",
    "trim",
    "length",
    "count",
    "join",
    "first",
    "last",
    "int",
    "float",
    "string",
    "list",
    "sort",
    "unique",
    "replace",
    "abs",
    "indent",
    "reverse",
    "min",
    "max",
    "sum",
    "bool",
    "tojson",
    "items",
    "dictsort",
    "round",
    "center",
];
const TESTS: &[&str] = &[
    "defined",
    "undefined",
    "none",
    "number",
    "string",
    "mapping",
    "sequence",
    "iterable",
    "even",
    "odd",
    "true",
    "false",
    "boolean",
    "integer",
    "float",
    "divisibleby",
    "in",
    "eq",
    "equalto",
    "sameas",
];

/// Positional and keyword arguments of a call or filter.
type CallArgs = (Vec<Expr>, Vec<(String, Expr)>);

struct ExprParser {
    toks: Vec<Tok>,
    pos: usize,
    line: usize,
}

impl ExprParser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn peek_name(&self, n: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(x)) if x == n)
    }
    fn peek_op(&self, o: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(x)) if *x == o)
    }
    fn eat_op(&mut self, o: &str) -> bool {
        let hit = self.peek_op(o);
        self.pos += usize::from(hit);
        hit
    }
    fn eat_name(&mut self, n: &str) -> bool {
        let hit = self.peek_name(n);
        self.pos += usize::from(hit);
        hit
    }
    fn fail<T>(&self, what: &str) -> Result<T, TemplateError> {
        let got = match self.peek() {
            None => "end of statement block".to_string(),
            Some(Tok::Name(n)) => format!("name '{n}'"),
            Some(Tok::Op(o)) => format!("'{o}'"),
            Some(t) => format!("{t:?}"),
        };
        Err(err(format!("expected {what}, got {got}"), self.line))
    }
    fn expect_op(&mut self, o: &str) -> Result<(), TemplateError> {
        if self.eat_op(o) { Ok(()) } else { self.fail(&format!("token '{o}'")) }
    }
    fn name(&mut self) -> Result<String, TemplateError> {
        match self.peek().cloned() {
            Some(Tok::Name(n)) => {
                self.pos += 1;
                Ok(n)
            }
            _ => self.fail("token 'name'"),
        }
    }
    fn done(&self) -> Result<(), TemplateError> {
        match self.peek() {
            None => Ok(()),
            Some(Tok::Name(n)) => Err(err(format!("expected token 'end of statement block', got '{n}'"), self.line)),
            Some(t) => Err(err(format!("unexpected token {t:?}"), self.line)),
        }
    }

    fn expr(&mut self) -> Result<Expr, TemplateError> {
        let e = self.or()?;
        if self.eat_name("if") {
            let cond = self.or()?;
            let other = if self.eat_name("else") { Some(Box::new(self.expr()?)) } else { None };
            return Ok(Expr::Cond(Box::new(cond), Box::new(e), other));
        }
        Ok(e)
    }
    fn or(&mut self) -> Result<Expr, TemplateError> {
        let mut e = self.and()?;
        while self.eat_name("or") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, TemplateError> {
        let mut e = self.not()?;
        while self.eat_name("and") {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }
    fn not(&mut self) -> Result<Expr, TemplateError> {
        if self.eat_name("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.compare()
    }
    fn compare(&mut self) -> Result<Expr, TemplateError> {
        let first = self.concat()?;
        let mut rest = vec![];
        loop {
            let op = match self.peek() {
                Some(Tok::Op(o)) if ["==", "!=", "<", ">", "<=", ">="].contains(o) => o.to_string(),
                Some(Tok::Name(n)) if n == "in" => "in".into(),
                Some(Tok::Name(n))
                    if n == "not" && matches!(self.toks.get(self.pos + 1), Some(Tok::Name(x)) if x == "in") =>
                {
                    self.pos += 1;
                    "not in".into()
                }
                _ => break,
            };
            self.pos += 1;
            rest.push((op, self.concat()?));
        }
        Ok(if rest.is_empty() { first } else { Expr::Compare(Box::new(first), rest) })
    }
    fn binary(
        &mut self,
        ops: &[&'static str],
        next: fn(&mut Self) -> Result<Expr, TemplateError>,
    ) -> Result<Expr, TemplateError> {
        let mut e = next(self)?;
        while let Some(op) = ops.iter().find(|o| self.peek_op(o)) {
            self.pos += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(next(self)?));
        }
        Ok(e)
    }
    fn concat(&mut self) -> Result<Expr, TemplateError> {
        self.binary(&["~"], Self::math1)
    }
    fn math1(&mut self) -> Result<Expr, TemplateError> {
        self.binary(&["+", "-"], Self::math2)
    }
    fn math2(&mut self) -> Result<Expr, TemplateError> {
        self.binary(&["*", "//", "/", "%"], Self::pow)
    }
    fn pow(&mut self) -> Result<Expr, TemplateError> {
        self.binary(&["**"], Self::unary)
    }
    fn unary(&mut self) -> Result<Expr, TemplateError> {
        if self.eat_op("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat_op("+") {
            return self.unary();
        }
        let e = self.primary()?;
        let e = self.postfix(e)?;
        self.filters(e)
    }
    fn args(&mut self) -> Result<CallArgs, TemplateError> {
        let (mut pos, mut kw) = (vec![], vec![]);
        while !self.eat_op(")") {
            if !pos.is_empty() || !kw.is_empty() {
                self.expect_op(",")?;
                if self.eat_op(")") {
                    break;
                }
            }
            if let (Some(Tok::Name(n)), Some(Tok::Op("="))) = (self.peek().cloned(), self.toks.get(self.pos + 1)) {
                self.pos += 2;
                kw.push((n, self.expr()?));
            } else {
                pos.push(self.expr()?);
            }
        }
        Ok((pos, kw))
    }
    fn postfix(&mut self, mut e: Expr) -> Result<Expr, TemplateError> {
        loop {
            if self.eat_op(".") {
                match self.peek().cloned() {
                    Some(Tok::Name(n)) => e = Expr::Attr(Box::new(e), n),
                    Some(Tok::Int(i)) => e = Expr::Item(Box::new(e), Box::new(Expr::Lit(i.into()))),
                    _ => return self.fail("name or number"),
                }
                self.pos += 1;
            } else if self.eat_op("[") {
                let idx = self.expr()?;
                self.expect_op("]")?;
                e = Expr::Item(Box::new(e), Box::new(idx));
            } else if self.eat_op("(") {
                let (pos, _) = self.args()?;
                e = Expr::Call(Box::new(e), pos);
            } else {
                return Ok(e);
            }
        }
    }
    fn filters(&mut self, mut e: Expr) -> Result<Expr, TemplateError> {
        loop {
            if self.eat_op("|") {
                let name = self.name()?;
                if !FILTERS.contains(&name.as_str()) {
                    return Err(err(format!("No filter named '{name}'."), self.line));
                }
                let (pos, kw) = if self.eat_op("(") { self.args()? } else { (vec![], vec![]) };
                e = Expr::Filter(Box::new(e), name, pos, kw);
                e = self.postfix(e)?;
            } else if self.eat_name("is") {
                let negate = self.eat_name("not");
                let name = self.name()?;
                if !TESTS.contains(&name.as_str()) && !["none", "true", "false"].contains(&name.to_lowercase().as_str())
                {
                    return Err(err(format!("No test named '{name}'."), self.line));
                }
                let args = if self.eat_op("(") {
                    self.args()?.0
                } else if matches!(self.peek(), Some(Tok::Str(_) | Tok::Int(_) | Tok::Float(_)))
                    || (matches!(self.peek(), Some(Tok::Name(n)) if !["and", "or", "else", "if", "is", "in", "not"].contains(&n.as_str())))
                {
                    vec![self.primary()?]
                } else {
                    vec![]
                };
                e = Expr::Test(Box::new(e), name.to_lowercase(), args, negate);
            } else {
                return Ok(e);
            }
        }
    }
    fn primary(&mut self) -> Result<Expr, TemplateError> {
        let Some(t) = self.peek().cloned() else { return self.fail("an expression") };
        self.pos += 1;
        Ok(match t {
            Tok::Str(mut s) => {
                while let Some(Tok::Str(more)) = self.peek().cloned() {
                    self.pos += 1;
                    s.push_str(&more);
                }
                Expr::Lit(Value::String(s))
            }
            Tok::Int(i) => Expr::Lit(i.into()),
            Tok::Float(f) => Expr::Lit(f.into()),
            Tok::Name(n) => match n.as_str() {
                "true" | "True" => Expr::Lit(Value::Bool(true)),
                "false" | "False" => Expr::Lit(Value::Bool(false)),
                "none" | "None" => Expr::Lit(Value::Null),
                _ => Expr::Name(n),
            },
            Tok::Op("(") => {
                if self.eat_op(")") {
                    return Ok(Expr::List(vec![]));
                }
                let first = self.expr()?;
                if self.eat_op(")") {
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.peek_op(")") {
                        break;
                    }
                    items.push(self.expr()?);
                }
                self.expect_op(")")?;
                Expr::List(items)
            }
            Tok::Op("[") => {
                let mut items = vec![];
                while !self.eat_op("]") {
                    if !items.is_empty() {
                        self.expect_op(",")?;
                        if self.eat_op("]") {
                            break;
                        }
                    }
                    items.push(self.expr()?);
                }
                Expr::List(items)
            }
            Tok::Op("{") => {
                let mut items = vec![];
                while !self.eat_op("}") {
                    if !items.is_empty() {
                        self.expect_op(",")?;
                        if self.eat_op("}") {
                            break;
                        }
                    }
                    let k = self.expr()?;
                    self.expect_op(":")?;
                    items.push((k, self.expr()?));
                }
                Expr::Dict(items)
            }
            _ => {
                self.pos -= 1;
                return self.fail("an expression");
            }
        })
    }
}

fn parse_expr(s: &str, line: usize) -> Result<Expr, TemplateError> {
    let mut p = ExprParser { toks: tokenize(s, line)?, pos: 0, line };
    let e = p.expr()?;
    p.done()?;
    Ok(e)
}

// ---------------------------------------------------------------- statements

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Out(Expr, usize),
    If(Vec<(Expr, Vec<Node>, usize)>, Vec<Node>),
    For { targets: Vec<String>, iter: Expr, body: Vec<Node>, other: Vec<Node>, line: usize },
    Set(Vec<String>, Expr, usize),
}

struct Parser {
    pieces: Vec<Piece>,
    pos: usize,
    /// Open blocks and the tags that may continue or close each.
    stack: Vec<(&'static str, &'static [&'static str])>,
}

impl Parser {
    /// Parse nodes until one of `ends`; returns the nodes, the end tag name and its remaining text.
    fn parse_body(&mut self, ends: &[&str]) -> Result<(Vec<Node>, String, String, usize), TemplateError> {
        let mut nodes = vec![];
        while let Some(piece) = self.pieces.get(self.pos).cloned() {
            self.pos += 1;
            match piece {
                Piece::Text(t) => nodes.push(Node::Text(t)),
                Piece::Var(e, line) => nodes.push(Node::Out(parse_expr(&e, line)?, line)),
                Piece::Tag(body, line) => {
                    let body = body.trim();
                    let (name, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
                    if ends.contains(&name) {
                        return Ok((nodes, name.to_string(), rest.to_string(), line));
                    }
                    nodes.push(self.statement(name, rest, line)?);
                }
            }
        }
        if ends.is_empty() {
            return Ok((nodes, String::new(), String::new(), 0));
        }
        let last = self.pieces.iter().map(|p| match p {
            Piece::Text(t) => t.matches('\n').count(),
            _ => 0,
        });
        let line = 1 + last.sum::<usize>();
        Err(self.unknown(None, line))
    }

    /// Jinja's "unknown tag" / "unexpected end" message.
    fn unknown(&self, name: Option<&str>, line: usize) -> TemplateError {
        let mut msg = vec![match name {
            Some(n) => format!("Encountered unknown tag '{n}'."),
            None => "Unexpected end of template.".to_string(),
        }];
        if let Some((tag, looking)) = self.stack.last() {
            let looking = looking.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(" or ");
            let expected = self.stack.iter().any(|(_, e)| name.is_some_and(|n| e.contains(&n)));
            if expected {
                msg.push(format!(
                    "You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for {looking}."
                ));
            } else {
                msg.push(format!("Jinja was looking for the following tags: {looking}."));
            }
            msg.push(format!("The innermost block that needs to be closed is '{tag}'."));
        }
        err(msg.join(" "), line)
    }

    fn statement(&mut self, name: &str, rest: &str, line: usize) -> Result<Node, TemplateError> {
        match name {
            "if" => {
                let mut branches = vec![];
                let mut cond = (parse_expr(rest, line)?, line);
                self.stack.push(("if", &["elif", "else", "endif"]));
                loop {
                    let (body, end, more, at) = self.parse_body(&["elif", "else", "endif"])?;
                    branches.push((cond.0.clone(), body, cond.1));
                    match end.as_str() {
                        "elif" => cond = (parse_expr(&more, at)?, at),
                        "else" => {
                            self.stack.pop();
                            self.stack.push(("if", &["endif"]));
                            let (other, _, _, _) = self.parse_body(&["endif"])?;
                            self.stack.pop();
                            return Ok(Node::If(branches, other));
                        }
                        _ => {
                            self.stack.pop();
                            return Ok(Node::If(branches, vec![]));
                        }
                    }
                }
            }
            "for" => {
                let (targets, iter) = rest.split_once(" in ").ok_or_else(|| err("expected token 'in'", line))?;
                let targets: Vec<String> =
                    targets.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
                let iter = parse_expr(iter, line)?;
                self.stack.push(("for", &["endfor", "else"]));
                let (body, end, _, _) = self.parse_body(&["endfor", "else"])?;
                self.stack.pop();
                let other = if end == "else" {
                    self.stack.push(("for", &["endfor"]));
                    let (other, _, _, _) = self.parse_body(&["endfor"])?;
                    self.stack.pop();
                    other
                } else {
                    vec![]
                };
                Ok(Node::For { targets, iter, body, other, line })
            }
            "set" => {
                let (target, value) = rest.split_once('=').ok_or_else(|| err("expected token '='", line))?;
                let targets = target.split(',').map(|t| t.trim().to_string()).collect();
                Ok(Node::Set(targets, parse_expr(value, line)?, line))
            }
            other => Err(self.unknown(Some(other), line)),
        }
    }
}

// ---------------------------------------------------------------- evaluation

/// A runtime value: JSON data, an undefined (with its error message) or the host object.
#[derive(Debug, Clone)]
enum Val {
    J(Value),
    Undef(String),
    Host,
    HostData,
}

fn type_repr(v: &Value) -> &'static str {
    match v {
        Value::Null => "None",
        Value::Bool(_) => "bool object",
        Value::Number(n) if n.is_f64() => "float object",
        Value::Number(_) => "int object",
        Value::String(_) => "str object",
        Value::Array(_) => "list object",
        Value::Object(_) => "dict object",
    }
}

fn no_attr(v: &Value, name: &str) -> Val {
    Val::Undef(format!("'{}' has no attribute '{name}'", type_repr(v)))
}

struct Renderer<'a> {
    scopes: Vec<Map<String, Value>>,
    host: &'a dyn HostView,
}

impl Renderer<'_> {
    fn run(&mut self, nodes: &[Node], out: &mut String) -> Result<(), TemplateError> {
        for n in nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Out(e, line) => {
                    let v = self.eval(e).and_then(|v| self.json(v)).map_err(|m| err(m, *line))?;
                    out.push_str(&py_str(&v));
                }
                Node::If(branches, other) => {
                    let mut done = false;
                    for (cond, body, line) in branches {
                        let v = self.eval(cond).and_then(|v| self.truth(v)).map_err(|m| err(m, *line))?;
                        if v {
                            self.run(body, out)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.run(other, out)?;
                    }
                }
                Node::For { targets, iter, body, other, line } => {
                    self.run_for(targets, iter, body, other, *line, out)?
                }
                Node::Set(targets, e, line) => {
                    let v = self.eval(e).and_then(|v| self.json(v)).map_err(|m| err(m, *line))?;
                    self.assign(targets, v, *line)?;
                }
            }
        }
        Ok(())
    }

    fn assign(&mut self, targets: &[String], v: Value, line: usize) -> Result<(), TemplateError> {
        let scope = self.scopes.last_mut().ok_or_else(|| err("no scope", line))?;
        if let [one] = targets {
            scope.insert(one.clone(), v);
            return Ok(());
        }
        let items = iterate(&v).map_err(|m| err(m, line))?;
        if items.len() != targets.len() {
            return Err(err(
                format!("not enough values to unpack (expected {}, got {})", targets.len(), items.len()),
                line,
            ));
        }
        for (t, v) in targets.iter().zip(items) {
            scope.insert(t.clone(), v);
        }
        Ok(())
    }

    fn run_for(
        &mut self,
        targets: &[String],
        iter: &Expr,
        body: &[Node],
        other: &[Node],
        line: usize,
        out: &mut String,
    ) -> Result<(), TemplateError> {
        let seq = self.eval(iter).and_then(|v| self.json(v)).and_then(|v| iterate(&v)).map_err(|m| err(m, line))?;
        if seq.is_empty() {
            return self.run(other, out);
        }
        let n = seq.len();
        for (i, item) in seq.into_iter().enumerate() {
            let mut scope = Map::new();
            scope.insert(
                "loop".into(),
                serde_json::json!({"index": i + 1, "index0": i, "first": i == 0, "last": i + 1 == n, "length": n,
                                   "revindex": n - i, "revindex0": n - i - 1}),
            );
            self.scopes.push(scope);
            let r = self.assign(targets, item, line).and_then(|_| self.run(body, out));
            self.scopes.pop();
            r?;
        }
        Ok(())
    }

    /// A defined value as JSON (the host object renders as its name).
    fn json(&self, v: Val) -> Result<Value, String> {
        match v {
            Val::J(j) => Ok(j),
            Val::Undef(m) => Err(m),
            Val::Host => Ok(Value::String(self.host.name())),
            Val::HostData => Ok(Value::Object(Map::new())),
        }
    }

    fn truth(&self, v: Val) -> Result<bool, String> {
        match v {
            Val::Undef(m) => Err(m),
            Val::J(j) => Ok(truthy(&j)),
            _ => Ok(true),
        }
    }

    fn lookup(&self, name: &str) -> Val {
        for s in self.scopes.iter().rev() {
            if let Some(v) = s.get(name) {
                return Val::J(v.clone());
            }
        }
        match name {
            "host" => Val::Host,
            "range" => Val::J(Value::String("<range>".into())),
            _ => Val::Undef(format!("'{name}' is undefined")),
        }
    }

    fn attr(&self, obj: Val, name: &str) -> Result<Val, String> {
        Ok(match obj {
            Val::Undef(m) => return Err(m),
            Val::Host => match name {
                "name" => Val::J(Value::String(self.host.name())),
                "data" => Val::HostData,
                _ => Val::Undef(format!("'Host' object has no attribute '{name}'")),
            },
            Val::HostData => match self.host.data(name) {
                Some(v) => Val::J(v),
                None => Val::Undef(format!("'HostData' object has no attribute '{name}'")),
            },
            Val::J(Value::Object(m)) => match m.get(name) {
                Some(v) => Val::J(v.clone()),
                None => no_attr(&Value::Object(m), name),
            },
            Val::J(v) => no_attr(&v, name),
        })
    }

    fn item(&self, obj: Val, key: Value) -> Result<Val, String> {
        match (&obj, &key) {
            (Val::J(Value::Array(a)), Value::Number(n)) => {
                let i = n.as_i64().unwrap_or(0);
                let idx = if i < 0 { a.len() as i64 + i } else { i };
                Ok(a.get(idx as usize)
                    .filter(|_| idx >= 0)
                    .cloned()
                    .map(Val::J)
                    .unwrap_or_else(|| Val::Undef(format!("'list object' has no element {i}"))))
            }
            (Val::J(Value::String(s)), Value::Number(n)) => {
                let chars: Vec<char> = s.chars().collect();
                let i = n.as_i64().unwrap_or(0);
                let idx = if i < 0 { chars.len() as i64 + i } else { i };
                Ok(chars
                    .get(idx as usize)
                    .filter(|_| idx >= 0)
                    .map(|c| Val::J(c.to_string().into()))
                    .unwrap_or_else(|| Val::Undef(format!("'str object' has no element {i}"))))
            }
            (Val::J(Value::Object(m)), k) => Ok(m.get(&py_str(k)).cloned().map(Val::J).unwrap_or_else(|| match k {
                Value::String(s) => no_attr(&Value::Object(m.clone()), s),
                other => Val::Undef(format!("'dict object' has no element {}", py_repr(other))),
            })),
            (_, Value::String(s)) => self.attr(obj, s),
            (Val::J(v), k) => Ok(Val::Undef(format!("'{}' has no element {}", type_repr(v), py_repr(k)))),
            (other, _) => self.attr(other.clone(), &py_str(&key)),
        }
    }

    fn eval(&self, e: &Expr) -> Result<Val, String> {
        Ok(match e {
            Expr::Lit(v) => Val::J(v.clone()),
            Expr::Name(n) => self.lookup(n),
            Expr::Attr(o, n) => self.attr(self.eval(o)?, n)?,
            Expr::Item(o, k) => {
                let key = self.eval(k).and_then(|v| self.json(v))?;
                self.item(self.eval(o)?, key)?
            }
            Expr::Call(f, args) => self.call(f, args)?,
            Expr::Filter(v, name, args, kw) => self.filter(v, name, args, kw)?,
            Expr::Test(v, name, args, negate) => Val::J(Value::Bool(self.test(v, name, args)? != *negate)),
            Expr::Not(x) => Val::J(Value::Bool(!self.truth(self.eval(x)?)?)),
            Expr::Neg(x) => {
                let v = self.json(self.eval(x)?)?;
                match (v.as_i64(), v.as_f64()) {
                    (Some(i), _) if !v.is_f64() => Val::J(i.checked_neg().ok_or("integer overflow")?.into()),
                    (_, Some(f)) => Val::J((-f).into()),
                    _ => return Err(format!("bad operand type for unary -: '{}'", crate::value::py_type_name(&v))),
                }
            }
            Expr::And(a, b) => {
                let l = self.eval(a)?;
                if self.truth(l.clone())? { self.eval(b)? } else { l }
            }
            Expr::Or(a, b) => {
                let l = self.eval(a)?;
                if self.truth(l.clone())? { l } else { self.eval(b)? }
            }
            Expr::Cond(c, t, f) => {
                if self.truth(self.eval(c)?)? {
                    self.eval(t)?
                } else {
                    match f {
                        Some(f) => self.eval(f)?,
                        None => Val::Undef(
                            "the inline if-expression evaluated to false and no else section was defined.".into(),
                        ),
                    }
                }
            }
            Expr::List(items) => Val::J(Value::Array(
                items.iter().map(|i| self.eval(i).and_then(|v| self.json(v))).collect::<Result<_, _>>()?,
            )),
            Expr::Dict(items) => {
                let mut m = Map::new();
                for (k, v) in items {
                    let k = py_str(&self.json(self.eval(k)?)?);
                    m.insert(k, self.json(self.eval(v)?)?);
                }
                Val::J(Value::Object(m))
            }
            Expr::Bin(op, a, b) => {
                let (l, r) = (self.json(self.eval(a)?)?, self.json(self.eval(b)?)?);
                Val::J(binary(op, &l, &r)?)
            }
            Expr::Compare(first, rest) => {
                let mut left = self.json(self.eval(first)?)?;
                for (op, e) in rest {
                    let right = self.json(self.eval(e)?)?;
                    if !compare(op, &left, &right)? {
                        return Ok(Val::J(Value::Bool(false)));
                    }
                    left = right;
                }
                Val::J(Value::Bool(true))
            }
        })
    }

    fn call(&self, f: &Expr, args: &[Expr]) -> Result<Val, String> {
        let args: Vec<Value> =
            args.iter().map(|a| self.eval(a).and_then(|v| self.json(v))).collect::<Result<_, _>>()?;
        let int = |i: usize| args.get(i).and_then(Value::as_i64);
        match f {
            Expr::Name(n) if n == "range" && !self.scopes.iter().any(|s| s.contains_key("range")) => {
                let (start, stop, step) = match args.len() {
                    1 => (0, int(0).ok_or("range() needs integers")?, 1),
                    2 => (int(0).ok_or("range() needs integers")?, int(1).ok_or("range() needs integers")?, 1),
                    _ => (int(0).unwrap_or(0), int(1).unwrap_or(0), int(2).unwrap_or(1)),
                };
                if step == 0 {
                    return Err("range() arg 3 must not be zero".into());
                }
                let mut out = vec![];
                let mut i = start;
                while (step > 0 && i < stop) || (step < 0 && i > stop) {
                    out.push(Value::from(i));
                    if out.len() > 100_000 {
                        return Err("range too big".into());
                    }
                    i += step;
                }
                Ok(Val::J(Value::Array(out)))
            }
            Expr::Attr(obj, method) => {
                let obj = self.json(self.eval(obj)?)?;
                method_call(&obj, method, &args).map(Val::J)
            }
            other => {
                let v = self.eval(other)?;
                let v = self.json(v)?;
                Err(format!("'{}' object is not callable", crate::value::py_type_name(&v)))
            }
        }
    }

    fn filter(&self, v: &Expr, name: &str, args: &[Expr], kw: &[(String, Expr)]) -> Result<Val, String> {
        let value = self.eval(v)?;
        let args: Vec<Value> =
            args.iter().map(|a| self.eval(a).and_then(|v| self.json(v))).collect::<Result<_, _>>()?;
        let kw: Map<String, Value> = kw
            .iter()
            .map(|(k, e)| Ok((k.clone(), self.eval(e).and_then(|v| self.json(v))?)))
            .collect::<Result<_, String>>()?;
        let arg = |i: usize, k: &str| args.get(i).or_else(|| kw.get(k)).cloned();
        if name == "default" || name == "d" {
            let boolean = arg(1, "boolean").is_some_and(|b| truthy(&b));
            let keep = match &value {
                Val::Undef(_) => false,
                Val::J(j) => !boolean || truthy(j),
                _ => true,
            };
            return Ok(if keep {
                value
            } else {
                Val::J(arg(0, "default_value").unwrap_or(Value::String(String::new())))
            });
        }
        let v = self.json(value)?;
        Ok(Val::J(apply_filter(name, &v, &arg)?))
    }

    fn test(&self, v: &Expr, name: &str, args: &[Expr]) -> Result<bool, String> {
        let value = self.eval(v)?;
        match (name, &value) {
            ("defined", _) => return Ok(!matches!(value, Val::Undef(_))),
            ("undefined", _) => return Ok(matches!(value, Val::Undef(_))),
            _ => {}
        }
        let v = self.json(value)?;
        let args: Vec<Value> =
            args.iter().map(|a| self.eval(a).and_then(|v| self.json(v))).collect::<Result<_, _>>()?;
        let int = v.as_i64().filter(|_| !v.is_f64() && !v.is_boolean());
        Ok(match name {
            "none" => v.is_null(),
            "number" => v.is_number(),
            "integer" => int.is_some(),
            "float" => v.is_f64(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "true" => v == Value::Bool(true),
            "false" => v == Value::Bool(false),
            "mapping" => v.is_object(),
            "sequence" | "iterable" => v.is_array() || v.is_string() || v.is_object(),
            "even" => int.ok_or("even needs an integer")? % 2 == 0,
            "odd" => int.ok_or("odd needs an integer")? % 2 != 0,
            "divisibleby" => {
                let d = args.first().and_then(Value::as_i64).filter(|d| *d != 0).ok_or("divisibleby needs a number")?;
                int.ok_or("divisibleby needs an integer")? % d == 0
            }
            "in" => compare("in", &v, args.first().unwrap_or(&Value::Null))?,
            "eq" | "equalto" | "sameas" => compare("==", &v, args.first().unwrap_or(&Value::Null))?,
            other => return Err(format!("No test named '{other}'.")),
        })
    }
}

/// `for x in v`: list items, string characters or dict keys.
fn iterate(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::Array(a) => Ok(a.clone()),
        Value::String(s) => Ok(s.chars().map(|c| Value::String(c.to_string())).collect()),
        Value::Object(m) => Ok(m.keys().map(|k| Value::String(k.clone())).collect()),
        other => Err(format!("'{}' object is not iterable", crate::value::py_type_name(other))),
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) if !n.is_f64() => n.as_i64(),
        _ => None,
    }
}

fn binary(op: &str, l: &Value, r: &Value) -> Result<Value, String> {
    let unsupported = || {
        format!(
            "unsupported operand type(s) for {op}: '{}' and '{}'",
            crate::value::py_type_name(l),
            crate::value::py_type_name(r)
        )
    };
    if op == "~" {
        return Ok(Value::String(format!("{}{}", py_str(l), py_str(r))));
    }
    match (op, l, r) {
        ("+", Value::String(a), Value::String(b)) => return Ok(Value::String(format!("{a}{b}"))),
        ("+", Value::Array(a), Value::Array(b)) => return Ok(Value::Array(a.iter().chain(b).cloned().collect())),
        ("*", Value::String(s), n) | ("*", n, Value::String(s)) if int_of(n).is_some() => {
            return Ok(Value::String(s.repeat(int_of(n).unwrap_or(0).max(0) as usize)));
        }
        _ => {}
    }
    if let (Some(a), Some(b)) = (int_of(l), int_of(r)) {
        let v = match op {
            "+" => a.checked_add(b),
            "-" => a.checked_sub(b),
            "*" => a.checked_mul(b),
            "**" if b >= 0 => u32::try_from(b).ok().and_then(|b| a.checked_pow(b)),
            "//" | "%" if b == 0 => return Err("integer division or modulo by zero".into()),
            "//" => Some(a.div_euclid(b) - i64::from(b < 0 && a.rem_euclid(b) != 0)),
            "%" => Some(a - b * (a.div_euclid(b) - i64::from(b < 0 && a.rem_euclid(b) != 0))),
            _ => None,
        };
        if let Some(v) = v {
            return Ok(v.into());
        }
    }
    let (a, b) = (num(l).ok_or_else(unsupported)?, num(r).ok_or_else(unsupported)?);
    let v = match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" | "//" | "%" if b == 0.0 => return Err("division by zero".into()),
        "/" => a / b,
        "//" => (a / b).floor(),
        "%" => a - b * (a / b).floor(),
        "**" => a.powf(b),
        _ => return Err(unsupported()),
    };
    Ok(v.into())
}

fn equal(a: &Value, b: &Value) -> bool {
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn compare(op: &str, l: &Value, r: &Value) -> Result<bool, String> {
    let ord = || -> Result<std::cmp::Ordering, String> {
        match (l, r) {
            (Value::String(a), Value::String(b)) => Ok(a.cmp(b)),
            _ => match (num(l), num(r)) {
                (Some(a), Some(b)) => a.partial_cmp(&b).ok_or_else(|| "cannot compare NaN".to_string()),
                _ => Err(format!(
                    "'{op}' not supported between instances of '{}' and '{}'",
                    crate::value::py_type_name(l),
                    crate::value::py_type_name(r)
                )),
            },
        }
    };
    let contains = || -> Result<bool, String> {
        match r {
            Value::String(s) => Ok(s.contains(&py_str(l))),
            Value::Array(a) => Ok(a.iter().any(|x| equal(x, l))),
            Value::Object(m) => Ok(m.contains_key(&py_str(l))),
            other => Err(format!("argument of type '{}' is not iterable", crate::value::py_type_name(other))),
        }
    };
    Ok(match op {
        "==" => equal(l, r),
        "!=" => !equal(l, r),
        "<" => ord()?.is_lt(),
        ">" => ord()?.is_gt(),
        "<=" => ord()?.is_le(),
        ">=" => ord()?.is_ge(),
        "in" => contains()?,
        _ => !contains()?,
    })
}

fn method_call(obj: &Value, method: &str, args: &[Value]) -> Result<Value, String> {
    let s = |i: usize| args.get(i).map(py_str);
    Ok(match (obj, method) {
        (Value::Object(m), "items") => Value::Array(m.iter().map(|(k, v)| serde_json::json!([k, v])).collect()),
        (Value::Object(m), "keys") => Value::Array(m.keys().map(|k| Value::String(k.clone())).collect()),
        (Value::Object(m), "values") => Value::Array(m.values().cloned().collect()),
        (Value::Object(m), "get") => {
            m.get(&s(0).unwrap_or_default()).cloned().unwrap_or(args.get(1).cloned().unwrap_or(Value::Null))
        }
        (Value::String(x), "upper") => x.to_uppercase().into(),
        (Value::String(x), "lower") => x.to_lowercase().into(),
        (Value::String(x), "strip") => x.trim().into(),
        (Value::String(x), "startswith") => x.starts_with(&s(0).unwrap_or_default()).into(),
        (Value::String(x), "endswith") => x.ends_with(&s(0).unwrap_or_default()).into(),
        (Value::String(x), "replace") => x.replace(&s(0).unwrap_or_default(), &s(1).unwrap_or_default()).into(),
        (Value::String(x), "split") => match s(0) {
            Some(sep) if !sep.is_empty() => x.split(sep.as_str()).map(|p| Value::String(p.into())).collect(),
            _ => x.split_whitespace().map(|p| Value::String(p.into())).collect(),
        },
        (Value::String(x), "join") => {
            let items = args.first().map(iterate).transpose()?.unwrap_or_default();
            items.iter().map(py_str).collect::<Vec<_>>().join(x).into()
        }
        (v, m) => return Err(format!("'{}' object has no attribute '{m}'", crate::value::py_type_name(v))),
    })
}

fn apply_filter(name: &str, v: &Value, arg: &dyn Fn(usize, &str) -> Option<Value>) -> Result<Value, String> {
    let text = || py_str(v);
    Ok(match name {
        "upper" => text().to_uppercase().into(),
        "lower" => text().to_lowercase().into(),
        "capitalize" => {
            let t = text().to_lowercase();
            let mut c = t.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default().into()
        }
        "title" => text()
            .split(' ')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ")
            .into(),
        "trim" => match arg(0, "chars") {
            Some(c) => text().trim_matches(|x| py_str(&c).contains(x)).into(),
            None => text().trim().into(),
        },
        "length" | "count" => match v {
            Value::String(s) => s.chars().count().into(),
            other => iterate(other)?.len().into(),
        },
        "join" => {
            let sep = arg(0, "d").map(|s| py_str(&s)).unwrap_or_default();
            let attr = arg(1, "attribute").map(|a| py_str(&a));
            let items = iterate(v)?;
            items
                .iter()
                .map(|i| match &attr {
                    Some(a) => py_str(i.get(a).unwrap_or(&Value::Null)),
                    None => py_str(i),
                })
                .collect::<Vec<_>>()
                .join(&sep)
                .into()
        }
        "first" => iterate(v)?.into_iter().next().unwrap_or(Value::Null),
        "last" => iterate(v)?.pop().unwrap_or(Value::Null),
        "int" => {
            let d = arg(0, "default").unwrap_or(0.into());
            match v {
                Value::Number(n) => n.as_f64().map(|f| Value::from(f.trunc() as i64)).unwrap_or(d),
                Value::Bool(b) => i64::from(*b).into(),
                Value::String(s) => s
                    .trim()
                    .parse::<i64>()
                    .map(Value::from)
                    .ok()
                    .or_else(|| s.trim().parse::<f64>().ok().map(|f| Value::from(f.trunc() as i64)))
                    .unwrap_or(d),
                _ => d,
            }
        }
        "float" => {
            let d = arg(0, "default").unwrap_or(0.0.into());
            match v {
                Value::String(s) => s.trim().parse::<f64>().map(Value::from).unwrap_or(d),
                other => num(other).map(Value::from).unwrap_or(d),
            }
        }
        "abs" => match int_of(v) {
            Some(i) => i.abs().into(),
            None => num(v).ok_or("bad operand type for abs()")?.abs().into(),
        },
        "round" => {
            let p = arg(0, "precision").and_then(|p| p.as_i64()).unwrap_or(0) as i32;
            let f = num(v).ok_or("round needs a number")?;
            let m = 10f64.powi(p);
            ((f * m).round_ties_even() / m).into()
        }
        "string" => text().into(),
        "bool" => truthy(v).into(),
        "list" => Value::Array(iterate(v)?),
        "reverse" => match v {
            Value::String(s) => s.chars().rev().collect::<String>().into(),
            other => Value::Array(iterate(other)?.into_iter().rev().collect()),
        },
        "sort" => {
            let mut items = iterate(v)?;
            let mut failed = None;
            items.sort_by(|a, b| match (a, b) {
                (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
                _ => match (num(a), num(b)) {
                    (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                    _ => {
                        failed = Some(format!(
                            "'<' not supported between instances of '{}' and '{}'",
                            crate::value::py_type_name(a),
                            crate::value::py_type_name(b)
                        ));
                        std::cmp::Ordering::Equal
                    }
                },
            });
            if let Some(f) = failed {
                return Err(f);
            }
            if arg(0, "reverse").is_some_and(|r| truthy(&r)) {
                items.reverse();
            }
            Value::Array(items)
        }
        "unique" => {
            let mut out: Vec<Value> = vec![];
            for i in iterate(v)? {
                if !out.iter().any(|o| equal(o, &i)) {
                    out.push(i);
                }
            }
            Value::Array(out)
        }
        "min" | "max" | "sum" => {
            let items = iterate(v)?;
            if name == "sum" {
                return items.iter().try_fold(Value::from(0), |acc, x| binary("+", &acc, x));
            }
            let mut best: Option<Value> = None;
            for i in items {
                best = Some(match best {
                    None => i,
                    Some(b) => {
                        let take = if name == "min" { compare("<", &i, &b)? } else { compare(">", &i, &b)? };
                        if take { i } else { b }
                    }
                });
            }
            best.unwrap_or(Value::Null)
        }
        "replace" => {
            let (old, new) = (
                arg(0, "old").map(|x| py_str(&x)).unwrap_or_default(),
                arg(1, "new").map(|x| py_str(&x)).unwrap_or_default(),
            );
            match arg(2, "count").and_then(|c| c.as_i64()) {
                Some(n) if n >= 0 => text().replacen(&old, &new, n as usize).into(),
                _ => text().replace(&old, &new).into(),
            }
        }
        "center" => {
            let w = arg(0, "width").and_then(|w| w.as_i64()).unwrap_or(80).max(0) as usize;
            let t = text();
            let n = t.chars().count();
            if n >= w {
                t.into()
            } else {
                let left = (w - n) / 2 + ((w - n) & w & 1);
                format!("{}{t}{}", " ".repeat(left), " ".repeat(w - n - left)).into()
            }
        }
        "indent" => {
            let width = match arg(0, "width") {
                Some(Value::String(s)) => s,
                Some(w) => " ".repeat(w.as_i64().unwrap_or(4).max(0) as usize),
                None => "    ".to_string(),
            };
            let (first, blank) =
                (arg(1, "first").is_some_and(|f| truthy(&f)), arg(2, "blank").is_some_and(|b| truthy(&b)));
            let t = text();
            let mut out = String::new();
            for (i, l) in t.split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                if (i > 0 || first) && (blank || !l.trim().is_empty()) {
                    out.push_str(&width);
                }
                out.push_str(l);
            }
            out.into()
        }
        "tojson" => serde_json::to_string(v).map_err(|e| e.to_string())?.into(),
        "items" | "dictsort" => match v {
            Value::Object(m) => {
                let mut items: Vec<(&String, &Value)> = m.iter().collect();
                if name == "dictsort" {
                    items.sort_by_key(|(k, _)| k.to_lowercase());
                }
                Value::Array(items.into_iter().map(|(k, v)| serde_json::json!([k, v])).collect())
            }
            Value::Null => Value::Array(vec![]),
            other => return Err(format!("{name} filter needs a mapping, got '{}'", crate::value::py_type_name(other))),
        },
        other => return Err(format!("No filter named '{other}'.")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct H;
    impl HostView for H {
        fn name(&self) -> String {
            "web1".into()
        }
        fn data(&self, key: &str) -> Option<Value> {
            (key == "port").then(|| json!(80))
        }
    }

    fn r(src: &str, vars: Value) -> Result<String, TemplateError> {
        render(src, vars.as_object().unwrap_or(&Map::new()), &H, Options::default())
    }

    #[test]
    fn renders_common_templates() {
        let out = r(
            "name: {{ name }}\n{% for k, v in d.items() %}{{ loop.index }}:{{ k }}={{ v|upper }}\n{% endfor %}\
             {% if x is defined %}x{% elif n > 1 %}big{% else %}small{% endif %} {{ host.name }}:{{ host.data.port }}\n",
            json!({"name": "a", "d": {"p": "q", "r": "s"}, "n": 2}),
        );
        assert_eq!(out.unwrap(), "name: a\n1:p=Q\n2:r=S\nbig web1:80\n");
        assert_eq!(r("{{ missing | default('z') }}-{{ [1,2]|join(',') }}{# c #}", json!({})).unwrap(), "z-1,2");
        assert_eq!(r("  {%- if true -%}  \n x {%- endif %}\n", json!({})).unwrap(), "x\n");
        assert_eq!(r("{% raw %}{{ x }}{% endraw %}", json!({})).unwrap(), "{{ x }}");
    }

    #[test]
    fn block_whitespace_options() {
        let opts = Options { trim_blocks: true, lstrip_blocks: true };
        let out = render("{% if true %}\n  x\n  {% endif %}\ny", &Map::new(), &H, opts);
        assert_eq!(out.unwrap(), "  x\ny");
        assert_eq!(r("a {% if true %}b{% endif %}\n", json!({})).unwrap(), "a b\n");
    }

    #[test]
    fn errors_match_jinja() {
        let e = r("{% forr something in something %}{% endfor %}", json!({})).unwrap_err();
        assert_eq!(e.message, "Encountered unknown tag 'forr'.");
        let e = r("a\n{{ something_does_not_exist }}", json!({})).unwrap_err();
        assert_eq!((e.message.as_str(), e.line), ("'something_does_not_exist' is undefined", 2));
        let e = r("{% for x in y %}{% endif %}", json!({"y": []})).unwrap_err();
        assert!(e.message.starts_with("Encountered unknown tag 'endif'. Jinja was looking for"));
        let e = r("{{ d.nope }}", json!({"d": {}})).unwrap_err();
        assert_eq!(e.message, "'dict object' has no attribute 'nope'");
    }
}
