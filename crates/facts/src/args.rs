//! Binding call arguments to a schema signature, and typed access for planners.

use std::borrow::Cow;
use std::collections::BTreeMap;

use thiserror::Error;

use crate::plan::PlanError;
use crate::schema::{Arg, ArgKind};
use crate::value::{Map, Value, py_str, str_or_list, truthy};

/// Why a call's arguments do not fit a signature (mirrors Python's `TypeError`s).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BindError {
    /// More positional arguments than parameters.
    #[error("takes {max} positional arguments but {given} were given")]
    TooManyPositional {
        /// Parameters that accept a positional argument.
        max: usize,
        /// Positional arguments given.
        given: usize,
    },
    /// A keyword that names no parameter.
    #[error("got an unexpected keyword argument '{0}'")]
    UnknownKeyword(String),
    /// A parameter given both positionally and by keyword.
    #[error("got multiple values for argument '{0}'")]
    Duplicate(String),
    /// A required parameter was not given.
    #[error("missing required argument: '{0}'")]
    Missing(String),
}

/// Arguments bound to names, with defaults filled in: what a planner reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args {
    // Schema names are `'static`: binding allocates no key.
    values: BTreeMap<Cow<'static, str>, Value>,
    /// Positional values beyond the named parameters (`*args`).
    pub rest: Vec<Value>,
    /// Keywords that no named parameter took (`**kwargs`).
    pub extra: Map<String, Value>,
}

impl Args {
    /// Bind positional and keyword arguments to `params` as Python would, filling defaults.
    pub fn bind(params: &[Arg], positional: &[Value], keywords: &Map<String, Value>) -> Result<Args, BindError> {
        let mut out = Args::default();
        let named = || params.iter().filter(|p| p.kind == ArgKind::Normal);
        let var_args = params.iter().any(|p| p.kind == ArgKind::VarArgs);
        let var_kwargs = params.iter().any(|p| p.kind == ArgKind::VarKwargs);
        let max = named().count();
        if positional.len() > max && !var_args {
            return Err(BindError::TooManyPositional { max, given: positional.len() });
        }
        let mut slots = named();
        for v in positional {
            match slots.next() {
                Some(p) => {
                    out.values.insert(Cow::Borrowed(p.name), v.clone());
                }
                None => out.rest.push(v.clone()),
            }
        }
        for (k, v) in keywords {
            if let Some(p) = named().find(|p| p.name == k) {
                if out.values.contains_key(k.as_str()) {
                    return Err(BindError::Duplicate(k.clone()));
                }
                out.values.insert(Cow::Borrowed(p.name), v.clone());
            } else if var_kwargs {
                out.extra.insert(k.clone(), v.clone());
            } else {
                return Err(BindError::UnknownKeyword(k.clone()));
            }
        }
        for p in named() {
            if !out.values.contains_key(p.name) {
                match p.default.value() {
                    Some(v) => {
                        out.values.insert(Cow::Borrowed(p.name), v);
                    }
                    None => return Err(BindError::Missing(p.name.to_string())),
                }
            }
        }
        Ok(out)
    }

    /// Build arguments directly from pairs (for nested operation calls and fact requests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Args {
        Args { values: pairs.into_iter().map(|(k, v)| (Cow::Owned(k.to_string()), v)).collect(), ..Args::default() }
    }

    /// Set (or replace) one argument.
    pub fn set(&mut self, name: &str, v: impl Into<Value>) {
        self.values.insert(Cow::Owned(name.to_string()), v.into());
    }

    /// The raw value of an argument (`Null` when absent).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.values.get(name).unwrap_or(&NULL)
    }

    /// Whether the argument was bound (given or defaulted).
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Iterate over bound names and values, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Python truthiness of an argument.
    pub fn flag(&self, name: &str) -> bool {
        truthy(self.get(name))
    }

    /// A string argument; `None` when it is `None`. Non-strings are rendered with `str()`.
    pub fn opt_str(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Value::Null => None,
            v => Some(py_str(v)),
        }
    }

    /// A string argument that must not be `None`.
    pub fn str(&self, name: &str) -> Result<String, PlanError> {
        self.opt_str(name).ok_or_else(|| PlanError::value(format!("`{name}` is required")))
    }

    /// An integer argument (`None` when `None`); numeric strings are accepted.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, PlanError> {
        match self.get(name) {
            Value::Null => Ok(None),
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| PlanError::type_(format!("`{name}` must be an integer"))),
            Value::String(s) => {
                s.trim().parse().map(Some).map_err(|_| PlanError::type_(format!("`{name}` must be an integer")))
            }
            Value::Bool(b) => Ok(Some(*b as i64)),
            _ => Err(PlanError::type_(format!("`{name}` must be an integer"))),
        }
    }

    /// A string-or-list argument as a list (`"a"` -> `["a"]`, `None` -> `[]`).
    pub fn list(&self, name: &str) -> Vec<String> {
        str_or_list(self.get(name))
    }
}
