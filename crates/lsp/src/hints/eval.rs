//! Static evaluation of an operation call's arguments for one host, without running any code:
//! literals, module-level constants, f-strings and `+` over them, `host.name`, `host.data.X`,
//! `host.data.get("X", default)` and `os.path.join`. Anything else is [`NotStatic`], with the reason
//! shown to the user, so a hint is never made up.

use std::collections::HashMap;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, ConversionFlag, Expr, ExprContext, FStringPart, InterpolatedStringElement, Number, Operator, Stmt,
};
use serde_json::{Map, Value};

use rinfra_facts::value::{py_repr, py_str, truthy};

use crate::resolve::Bindings;

/// How deep constants may refer to constants (a cycle or a very long chain is not evaluated).
const MAX_DEPTH: usize = 32;

/// Why an expression has no static value; the text says what was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotStatic(pub String);

/// The module-level constants of a file: names assigned exactly once, at the top level, and never
/// rebound anywhere else (a loop variable, a parameter, an import of the same name).
#[derive(Debug, Default)]
pub struct Constants<'a> {
    values: HashMap<&'a str, &'a Expr>,
}

impl<'a> Constants<'a> {
    /// Collect the constants of `body`.
    pub fn collect(body: &'a [Stmt]) -> Constants<'a> {
        let mut counter = StoreCounter::default();
        counter.visit_body(body);
        let mut values = HashMap::new();
        for stmt in body {
            let (target, value) = match stmt {
                Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &*a.value),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => (&*a.target, &**v),
                    None => continue,
                },
                _ => continue,
            };
            if let Expr::Name(name) = target
                && counter.stores.get(name.id.as_str()) == Some(&1)
            {
                values.insert(name.id.as_str(), value);
            }
        }
        Constants { values }
    }

    /// A hash of every constant's name and source text (`source` gives the text of a range).
    pub fn fingerprint<'t>(&self, source: impl Fn(ruff_text_size::TextRange) -> &'t str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut names: Vec<(&str, &str)> =
            self.values.iter().map(|(name, expr)| (*name, source(ruff_text_size::Ranged::range(*expr)))).collect();
        names.sort_unstable();
        let mut hasher = std::hash::DefaultHasher::new();
        names.hash(&mut hasher);
        hasher.finish()
    }

    /// The expression a constant was assigned.
    pub fn get(&self, name: &str) -> Option<&'a Expr> {
        self.values.get(name).copied()
    }
}

/// Counts how often each name is bound anywhere in a file.
#[derive(Default)]
struct StoreCounter<'a> {
    stores: HashMap<&'a str, usize>,
}

impl<'a> StoreCounter<'a> {
    fn count(&mut self, name: &'a str) {
        *self.stores.entry(name).or_default() += 1;
    }
}

impl<'a> Visitor<'a> for StoreCounter<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.count(def.name.as_str()),
            Stmt::ClassDef(def) => self.count(def.name.as_str()),
            Stmt::Import(import) => import.names.iter().for_each(|a| {
                let name = a.asname.as_ref().map_or_else(|| a.name.split('.').next().unwrap_or(""), |n| n.as_str());
                self.count(name)
            }),
            Stmt::ImportFrom(import) => {
                import.names.iter().for_each(|a| self.count(a.asname.as_ref().unwrap_or(&a.name).as_str()))
            }
            // `x += 1` rebinds `x` but its target is not a plain store in every parser version.
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = &*a.target {
                    self.count(n.id.as_str());
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && matches!(name.ctx, ExprContext::Store | ExprContext::Del)
        {
            self.count(name.id.as_str());
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
        self.count(parameter.name.as_str());
        visitor::walk_parameter(self, parameter);
    }
}

/// The host an evaluation is for.
#[derive(Debug, Clone, Copy)]
pub struct HostView<'h> {
    /// Inventory name (`host.name`).
    pub name: &'h str,
    /// Host data recorded by the executor, if any (`host.data`).
    pub data: Option<&'h Map<String, Value>>,
    /// Inventory groups recorded by the executor, if any (`host.groups`).
    pub groups: Option<&'h [String]>,
}

/// Everything an evaluation may look at.
pub struct Scope<'s, 'a> {
    /// What the file's names stand for (to recognise `host`).
    pub bindings: &'s Bindings,
    /// The file's constants.
    pub constants: &'s Constants<'a>,
    /// The host.
    pub host: HostView<'s>,
    /// Loop variables bound to one iteration's values (innermost last).
    pub locals: &'s [(String, Value)],
}

impl Scope<'_, '_> {
    /// The value of `expr`.
    pub fn eval(&self, expr: &Expr) -> Result<Value, NotStatic> {
        self.eval_at(expr, 0)
    }

    fn eval_at(&self, expr: &Expr, depth: usize) -> Result<Value, NotStatic> {
        if depth > MAX_DEPTH {
            return Err(NotStatic("constants nest too deeply".into()));
        }
        let next = depth + 1;
        match expr {
            Expr::StringLiteral(s) => Ok(Value::String(s.value.to_str().to_string())),
            Expr::NumberLiteral(n) => number(&n.value),
            Expr::BooleanLiteral(b) => Ok(Value::Bool(b.value)),
            Expr::NoneLiteral(_) => Ok(Value::Null),
            Expr::List(l) => self.items(&l.elts, next),
            Expr::Tuple(t) => self.items(&t.elts, next),
            Expr::Dict(d) => self.dict(d, next),
            Expr::FString(f) => self.fstring(f, next),
            Expr::BinOp(b) if b.op == Operator::Add => add(self.eval_at(&b.left, next)?, self.eval_at(&b.right, next)?),
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => match self.eval_at(&u.operand, next)? {
                Value::Number(n) if n.as_i64().is_some() => {
                    Ok(n.as_i64().and_then(i64::checked_neg).map(Value::from).unwrap_or(Value::Null))
                }
                Value::Number(n) => Ok(n.as_f64().map(|f| Value::from(-f)).unwrap_or(Value::Null)),
                _ => Err(not_static(expr)),
            },
            Expr::Name(name) => self.name(name, next),
            Expr::Attribute(_) => self.attribute(expr),
            Expr::Call(call) => self.call(call, next),
            Expr::Compare(c) => self.compare(c, next),
            Expr::BoolOp(b) => self.bool_op(b, next),
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => Ok(Value::Bool(!truthy(&self.eval_at(&u.operand, next)?))),
            _ => Err(not_static(expr)),
        }
    }

    /// `a == b`, `a != b`, `a in b`, `a not in b`, chained as Python chains them.
    fn compare(&self, c: &ast::ExprCompare, depth: usize) -> Result<Value, NotStatic> {
        let mut left = self.eval_at(&c.left, depth)?;
        for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
            let right = self.eval_at(right, depth)?;
            let holds = match op {
                ast::CmpOp::Eq => py_eq(&left, &right),
                ast::CmpOp::NotEq => !py_eq(&left, &right),
                ast::CmpOp::In => contains(&right, &left)?,
                ast::CmpOp::NotIn => !contains(&right, &left)?,
                _ => return Err(NotStatic("a comparison other than `==`, `!=`, `in`".into())),
            };
            if !holds {
                return Ok(Value::Bool(false));
            }
            left = right;
        }
        Ok(Value::Bool(true))
    }

    /// `and` / `or`, which give one of their operands, as in Python.
    fn bool_op(&self, b: &ast::ExprBoolOp, depth: usize) -> Result<Value, NotStatic> {
        let mut last = Value::Null;
        for value in &b.values {
            last = self.eval_at(value, depth)?;
            let stop = match b.op {
                ast::BoolOp::And => !truthy(&last),
                ast::BoolOp::Or => truthy(&last),
            };
            if stop {
                break;
            }
        }
        Ok(last)
    }

    fn items(&self, items: &[Expr], depth: usize) -> Result<Value, NotStatic> {
        items.iter().map(|e| self.eval_at(e, depth)).collect::<Result<Vec<_>, _>>().map(Value::Array)
    }

    fn dict(&self, dict: &ast::ExprDict, depth: usize) -> Result<Value, NotStatic> {
        let mut map = Map::new();
        for item in &dict.items {
            let Some(key) = &item.key else { return Err(NotStatic("a `**` inside a dict".into())) };
            let Value::String(key) = self.eval_at(key, depth)? else {
                return Err(NotStatic("a dict key that is not a string".into()));
            };
            map.insert(key, self.eval_at(&item.value, depth)?);
        }
        Ok(Value::Object(map))
    }

    fn fstring(&self, f: &ast::ExprFString, depth: usize) -> Result<Value, NotStatic> {
        let mut out = String::new();
        for part in f.value.as_slice() {
            match part {
                FStringPart::Literal(s) => out.push_str(&s.value),
                FStringPart::FString(f) => {
                    for element in f.elements.iter() {
                        match element {
                            InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                            InterpolatedStringElement::Interpolation(i) => out.push_str(&self.interpolation(i, depth)?),
                        }
                    }
                }
            }
        }
        Ok(Value::String(out))
    }

    fn interpolation(&self, i: &ast::InterpolatedElement, depth: usize) -> Result<String, NotStatic> {
        if i.format_spec.is_some() || i.debug_text.is_some() {
            return Err(NotStatic("an f-string format specification".into()));
        }
        let value = self.eval_at(&i.expression, depth)?;
        match i.conversion {
            ConversionFlag::None | ConversionFlag::Str => Ok(py_str(&value)),
            ConversionFlag::Repr => Ok(py_repr(&value)),
            ConversionFlag::Ascii => Err(NotStatic("an f-string `!a` conversion".into())),
        }
    }

    fn name(&self, name: &ast::ExprName, depth: usize) -> Result<Value, NotStatic> {
        let id = name.id.as_str();
        if let Some((_, value)) = self.locals.iter().rev().find(|(n, _)| n == id) {
            return Ok(value.clone());
        }
        match self.constants.get(id) {
            Some(expr) => self.eval_at(expr, depth),
            None => Err(NotStatic(format!("`{id}` is not a module-level constant"))),
        }
    }

    /// `host.name`, `host.groups`, `host.data.X`.
    fn attribute(&self, expr: &Expr) -> Result<Value, NotStatic> {
        let path = self.bindings.qualified(expr).unwrap_or_default();
        if path == "pyinfra.host.name" {
            return Ok(Value::String(self.host.name.to_string()));
        }
        if path == "pyinfra.host.groups" {
            return match self.host.groups {
                Some(groups) => Ok(Value::Array(groups.iter().cloned().map(Value::String).collect())),
                None => Err(NotStatic(format!("no groups recorded for {}", self.host.name))),
            };
        }
        if let Some(key) = path.strip_prefix("pyinfra.host.data.").filter(|k| !k.contains('.')) {
            return self.host_data(key, None);
        }
        Err(not_static(expr))
    }

    fn host_data(&self, key: &str, default: Option<Value>) -> Result<Value, NotStatic> {
        let Some(data) = self.host.data else {
            return Err(NotStatic(format!("no host data recorded for {}", self.host.name)));
        };
        match (data.get(key), default) {
            (Some(value), _) => Ok(value.clone()),
            (None, Some(default)) => Ok(default),
            // pyinfra's host.data.X is None when unset.
            (None, None) => Ok(Value::Null),
        }
    }

    /// `host.data.get("X", default)` and `os.path.join(...)`.
    fn call(&self, call: &ast::ExprCall, depth: usize) -> Result<Value, NotStatic> {
        let args = &call.arguments;
        let positional = || -> Result<Vec<Value>, NotStatic> {
            if !args.keywords.is_empty() || args.args.iter().any(Expr::is_starred_expr) {
                return Err(NotStatic("a call with keyword or unpacked arguments".into()));
            }
            args.args.iter().map(|a| self.eval_at(a, depth)).collect()
        };
        if self.bindings.qualified(&call.func).as_deref() == Some("pyinfra.host.data.get") {
            let values = positional()?;
            return match values.as_slice() {
                [Value::String(key)] => self.host_data(key, Some(Value::Null)),
                [Value::String(key), default] => self.host_data(key, Some(default.clone())),
                _ => Err(NotStatic("`host.data.get` with unusual arguments".into())),
            };
        }
        if is_os_path_join(&call.func) && self.constants.get("os").is_none() {
            let parts = positional()?;
            let mut strings = Vec::new();
            for part in parts {
                let Value::String(s) = part else { return Err(NotStatic("`os.path.join` of a non-string".into())) };
                strings.push(s);
            }
            return os_path_join(&strings).map(Value::String);
        }
        Err(not_static(&call.func).with_prefix("a call of "))
    }
}

impl NotStatic {
    fn with_prefix(self, prefix: &str) -> NotStatic {
        NotStatic(format!("{prefix}{}", self.0))
    }
}

/// The generic reason: the kind of expression that is not evaluated.
fn not_static(expr: &Expr) -> NotStatic {
    let what = match expr {
        Expr::Attribute(a) => format!("`{}`", dotted(expr).unwrap_or_else(|| a.attr.to_string())),
        Expr::Name(n) => format!("`{}`", n.id),
        Expr::Call(_) => "a function call".into(),
        Expr::Subscript(_) => "a subscript".into(),
        Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => "a comprehension".into(),
        Expr::If(_) => "a conditional expression".into(),
        _ => "an expression".into(),
    };
    NotStatic(format!("{what} is computed at run time"))
}

/// `a.b.c` as text, for names and attribute chains.
fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr)),
        _ => None,
    }
}

fn is_os_path_join(func: &Expr) -> bool {
    dotted(func).as_deref() == Some("os.path.join")
}

fn number(n: &Number) -> Result<Value, NotStatic> {
    match n {
        Number::Int(i) => i.as_i64().map(Value::from).ok_or_else(|| NotStatic("a very large integer".into())),
        Number::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .ok_or_else(|| NotStatic("a float that is not finite".into())),
        Number::Complex { .. } => Err(NotStatic("a complex number".into())),
    }
}

/// Python's `==` (an int equals the same float).
fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Python's `item in container`.
fn contains(container: &Value, item: &Value) -> Result<bool, NotStatic> {
    match (container, item) {
        (Value::String(s), Value::String(sub)) => Ok(s.contains(sub.as_str())),
        (Value::Array(items), _) => Ok(items.iter().any(|i| py_eq(i, item))),
        (Value::Object(map), Value::String(key)) => Ok(map.contains_key(key)),
        _ => Err(NotStatic("`in` over something that is not a container".into())),
    }
}

/// Python's `+` over evaluated values.
fn add(left: Value, right: Value) -> Result<Value, NotStatic> {
    match (left, right) {
        (Value::String(a), Value::String(b)) => Ok(Value::String(a + &b)),
        (Value::Array(mut a), Value::Array(b)) => {
            a.extend(b);
            Ok(Value::Array(a))
        }
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => {
                x.checked_add(y).map(Value::from).ok_or_else(|| NotStatic("an integer overflow".into()))
            }
            _ => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => serde_json::Number::from_f64(x + y)
                    .map(Value::Number)
                    .ok_or_else(|| NotStatic("a float that is not finite".into())),
                _ => Err(NotStatic("`+` of unusual numbers".into())),
            },
        },
        _ => Err(NotStatic("`+` of values of different types".into())),
    }
}

/// POSIX `os.path.join`: an absolute part restarts the path.
fn os_path_join(parts: &[String]) -> Result<String, NotStatic> {
    let Some((first, rest)) = parts.split_first() else {
        return Err(NotStatic("`os.path.join` without arguments".into()));
    };
    let mut out = first.clone();
    for part in rest {
        if part.starts_with('/') {
            out = part.clone();
        } else if out.is_empty() || out.ends_with('/') {
            out.push_str(part);
        } else {
            out.push('/');
            out.push_str(part);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Module;
    use serde_json::json;

    /// Evaluate the last line of `src` (an expression statement) for host `web1`.
    fn eval_with(src: &str, data: Option<&Map<String, Value>>, locals: &[(String, Value)]) -> Result<Value, NotStatic> {
        let module = Module::parse(src);
        let body = &module.parsed.syntax().body;
        let constants = Constants::collect(body);
        let Some(Stmt::Expr(last)) = body.last() else { return Err(NotStatic("no expression".into())) };
        let groups = ["web".to_string()];
        let scope = Scope {
            bindings: &module.bindings,
            constants: &constants,
            host: HostView { name: "web1", data, groups: Some(&groups) },
            locals,
        };
        scope.eval(&last.value)
    }

    fn eval(src: &str) -> Result<Value, NotStatic> {
        eval_with(src, None, &[])
    }

    #[test]
    fn literals() {
        assert_eq!(eval("'a' 'b'"), Ok(json!("ab")));
        assert_eq!(eval("[1, 2.5, True, None, ('x',), {'k': -3}]"), Ok(json!([1, 2.5, true, null, ["x"], {"k": -3}])));
        assert!(eval("{1: 2}").is_err());
        assert!(eval("1j").is_err());
    }

    #[test]
    fn constants_fstrings_and_plus() {
        let src = "ROOT = '/srv'\nAPP: str = ROOT + '/app'\nPORTS = [80] + [443]\nf'{APP}/etc/{PORTS!r}-{None}'";
        assert_eq!(eval(src), Ok(json!("/srv/app/etc/[80, 443]-None")));
        assert_eq!(eval("N = 1\nN + 2"), Ok(json!(3)));
        // Rebinding anywhere (a loop, a second assignment, a parameter) makes a name not constant.
        assert!(eval("X = 1\nX = 2\nX").is_err());
        assert!(eval("X = 1\nfor X in y: pass\nX").is_err());
        assert!(eval("X = 1\ndef f(X): pass\nX").is_err());
        assert_eq!(eval("A = B\nB = A\nA").map_err(|e| e.0), Err("constants nest too deeply".into()));
        assert_eq!(eval("f'{1:>4}'").map_err(|e| e.0), Err("an f-string format specification".into()));
    }

    #[test]
    fn host_name_and_data() {
        let data: Map<String, Value> = serde_json::from_value(json!({"port": 8080, "user": "app"})).unwrap_or_default();
        let src = "from pyinfra import host\n";
        assert_eq!(eval(&format!("{src}host.name")), Ok(json!("web1")));
        assert_eq!(eval_with(&format!("{src}host.data.port"), Some(&data), &[]), Ok(json!(8080)));
        assert_eq!(eval_with(&format!("{src}host.data.nope"), Some(&data), &[]), Ok(json!(null)));
        assert_eq!(eval_with(&format!("{src}host.data.get('user', 'x')"), Some(&data), &[]), Ok(json!("app")));
        assert_eq!(eval_with(&format!("{src}host.data.get('nope', 'x')"), Some(&data), &[]), Ok(json!("x")));
        assert_eq!(
            eval(&format!("{src}host.data.port")).map_err(|e| e.0),
            Err("no host data recorded for web1".into())
        );
        assert_eq!(eval(&format!("{src}'web' in host.groups")), Ok(json!(true)));
        // Without the pyinfra import, `host` is just a name.
        assert!(eval("host.name").is_err());
    }

    #[test]
    fn conditions() {
        let src = "from pyinfra import host\nROLES = ['web', 'db']\n";
        assert_eq!(eval(&format!("{src}host.name == 'web1' and 'db' in ROLES")), Ok(json!(true)));
        assert_eq!(eval(&format!("{src}host.name != 'web1' or 0")), Ok(json!(0)));
        assert_eq!(eval(&format!("{src}not 'x' in ROLES")), Ok(json!(true)));
        assert_eq!(eval("1 == 1.0 == 1"), Ok(json!(true)));
        assert!(eval("1 < 2").is_err());
    }

    #[test]
    fn os_path_join_and_locals() {
        assert_eq!(eval("import os\nos.path.join('/a', 'b/', 'c')"), Ok(json!("/a/b/c")));
        assert_eq!(eval("import os\nos.path.join('/a', '/b')"), Ok(json!("/b")));
        assert_eq!(eval_with("x", None, &[("x".into(), json!("v"))]), Ok(json!("v")));
        assert_eq!(eval("open('x')").map_err(|e| e.0), Err("a call of `open` is computed at run time".into()));
        assert_eq!(eval("a.b[0]").map_err(|e| e.0), Err("a subscript is computed at run time".into()));
    }
}
