//! How planners ask for facts, and how fact parsers see their input.

use std::borrow::Cow;

use crate::args::Args;
use crate::operations::files::jinja::TemplateError;
use crate::value::{Value, py_str};

/// A fact with its arguments: `files.File` + `path=/etc`.
///
/// Identity (equality, order, hash) is the fact and its arguments as Python `str()` renders them,
/// as in pyinfra's fact keys; the renderings are made when compared, not stored (a run keeps
/// thousands of keys, most with one string argument that renders as itself).
#[derive(Debug, Clone)]
pub struct FactKey {
    /// `module.Fact`.
    pub fact: String,
    /// Keyword arguments as JSON values, sorted by name (kept for building the command).
    pub values: Vec<(String, Value)>,
}

impl FactKey {
    /// A key from keyword arguments (any order).
    pub fn new(fact: &str, mut values: Vec<(String, Value)>) -> FactKey {
        values.sort_by(|a, b| a.0.cmp(&b.0));
        FactKey { fact: fact.to_string(), values }
    }

    /// The arguments as Python `str()` renders them, sorted by name: the key's identity.
    pub fn args(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        self.values.iter().map(|(k, v)| (k.as_str(), str_of(v)))
    }

    /// The arguments as pyinfra's test vectors write them: `k=v, k2=v2` (sorted; empty when none).
    pub fn args_string(&self) -> String {
        self.args().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
    }

    /// The arguments as bound [`Args`], for building the fact's command.
    pub fn bound(&self) -> Args {
        Args::from_pairs(self.values.iter().map(|(k, v)| (k.as_str(), v.clone())))
    }
}

/// Python's `str()` of a value, borrowed when it is a string (the common case).
fn str_of(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(py_str(other)),
    }
}

impl PartialEq for FactKey {
    fn eq(&self, other: &Self) -> bool {
        self.fact == other.fact && self.values.len() == other.values.len() && self.args().eq(other.args())
    }
}
impl Eq for FactKey {}
impl std::hash::Hash for FactKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.fact.hash(h);
        self.values.len().hash(h);
        for (k, v) in self.args() {
            k.hash(h);
            v.hash(h);
        }
    }
}
impl PartialOrd for FactKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for FactKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.fact.cmp(&other.fact).then_with(|| self.args().cmp(other.args()))
    }
}

impl std::fmt::Display for FactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.values.is_empty() {
            write!(f, "{}", self.fact)
        } else {
            write!(f, "{}({})", self.fact, self.args_string())
        }
    }
}

/// Why a fact's command could not be built (see [`crate::schema::FactCommandWith`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// The command depends on this other fact, which is not known yet: gather it first.
    NeedsFact(FactKey),
    /// The arguments are rejected (pyinfra raises `ValueError` while building the command).
    Invalid(String),
}

/// The fact is not known to this source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unknown;

/// Answers fact requests: the executor from gathered output, the LSP from its cache, tests from vectors.
pub trait FactSource {
    /// The fact's value (`Null` when the fact ran and found nothing), or [`Unknown`].
    fn fact(&self, key: &FactKey) -> Result<Value, Unknown>;

    /// Whether [`FactSource::fact`] answers `key` with what the host reported, not with a stand-in.
    /// The executor plans once with unknown facts answered by their defaults, to learn everything a
    /// planner asks in one batch; a planner whose next question depends on an answer (a fallback
    /// hash when the first is missing) stops at a stand-in, as pyinfra asks one fact after another.
    fn knows(&self, _key: &FactKey) -> bool {
        true
    }

    /// Unix time (seconds) that parsers take as "now", e.g. for `ls` dates without a year.
    /// Sources pin it for reproducible parsing; the default is the system clock.
    fn now(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    }
}

/// What a planner may know of the host besides facts. Pure: the executor decides these values.
pub trait PlanEnv {
    /// The host's inventory name.
    fn host_name(&self) -> &str {
        "@local"
    }
    /// One item of host data, if set.
    fn host_data(&self, _key: &str) -> Option<Value> {
        None
    }
    /// A temporary file name on the host, stable for `key` (pyinfra's `host.get_temp_filename`).
    fn temp_filename(&self, key: &str) -> String;
    /// The timestamp used in backup names.
    fn timestamp(&self) -> String;
    /// A temporary file name for `key` in `dir` when one is given (`get_temp_filename(key, temp_directory=dir)`).
    fn temp_filename_in(&self, key: &str, dir: Option<&str>) -> String {
        let name = self.temp_filename(key);
        match dir {
            Some(d) if !d.is_empty() => format!("{d}/{}", name.rsplit('/').next().unwrap_or(&name)),
            _ => name,
        }
    }
    /// The host's temporary directory (pyinfra's `host.get_temp_dir_config()`).
    fn temp_dir(&self) -> String {
        "/tmp".to_string()
    }
    /// The output of the call's template, when the executor already rendered it (with the real
    /// `jinja2`, where the deploy script runs); `None` lets the planner render with its own engine.
    fn rendered_template(&self) -> Option<Result<String, TemplateError>> {
        None
    }
}

/// The input of a fact parser.
pub struct FactCtx<'a> {
    /// The fact's bound arguments.
    pub args: &'a Args,
    /// Output lines of the fact's command.
    pub output: &'a [String],
    /// Other facts the parser may consult.
    pub facts: &'a dyn FactSource,
}

/// A source that knows nothing.
pub struct NoFacts;

impl FactSource for NoFacts {
    fn fact(&self, _: &FactKey) -> Result<Value, Unknown> {
        Err(Unknown)
    }
}

/// Test doubles for planner tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{FactKey, FactSource, PlanEnv, Unknown};
    use crate::value::Value;

    /// Facts by the `Display` form of their key (`server.Sysctl(keys=['k'])`); others unknown.
    pub(crate) struct DisplayFacts(pub Vec<(&'static str, Value)>);

    impl FactSource for DisplayFacts {
        fn fact(&self, key: &FactKey) -> Result<Value, Unknown> {
            let name = key.to_string();
            self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).ok_or(Unknown)
        }
    }

    /// A host environment with fixed answers: this temporary file name for every key, `t` as the time.
    pub(crate) struct FixedEnv(pub &'static str);

    impl PlanEnv for FixedEnv {
        fn temp_filename(&self, _: &str) -> String {
            self.0.into()
        }
        fn timestamp(&self) -> String {
            "t".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    fn hash(key: &FactKey) -> u64 {
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        h.finish()
    }

    #[test]
    fn identity_is_the_str_of_each_argument_as_in_pyinfra() {
        // pyinfra keys a fact by `str()` of its arguments: 644 and "644" are the same request.
        let number = FactKey::new("files.File", vec![("mode".into(), json!(644)), ("path".into(), json!("/a"))]);
        let string = FactKey::new("files.File", vec![("path".into(), json!("/a")), ("mode".into(), json!("644"))]);
        assert_eq!(number, string);
        assert_eq!(hash(&number), hash(&string));
        assert_eq!(number.cmp(&string), std::cmp::Ordering::Equal);
        // The values themselves are kept as given, for building the command.
        assert_eq!(number.values[0], ("mode".to_string(), json!(644)));
        assert_eq!(number.args_string(), "mode=644, path=/a");
        assert_eq!(number.to_string(), "files.File(mode=644, path=/a)");
    }

    #[test]
    fn keys_differ_by_fact_argument_name_value_and_count() {
        let base = FactKey::new("files.File", vec![("path".into(), json!("/a"))]);
        let others = [
            FactKey::new("files.Directory", vec![("path".into(), json!("/a"))]),
            FactKey::new("files.File", vec![("path".into(), json!("/b"))]),
            FactKey::new("files.File", vec![("dest".into(), json!("/a"))]),
            FactKey::new("files.File", vec![("path".into(), json!("/a")), ("x".into(), json!(null))]),
            FactKey::new("files.File", vec![]),
        ];
        for other in &others {
            assert_ne!(&base, other, "{other}");
            assert_ne!(base.cmp(other), std::cmp::Ordering::Equal, "{other}");
        }
        // Ordered by fact, then by arguments as rendered, a shorter list first.
        let mut sorted = others.to_vec();
        sorted.push(base.clone());
        sorted.sort();
        let shown: Vec<String> = sorted.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "files.Directory(path=/a)",
                "files.File",
                "files.File(dest=/a)",
                "files.File(path=/a)",
                "files.File(path=/a, x=None)",
                "files.File(path=/b)",
            ]
        );
    }
}
