//! The operation and fact schema: names, arguments, types, defaults, docs.
//!
//! Each pyinfra module has one declarative table in `operations/<module>.rs` and one in
//! `facts/<module>.rs`; this file defines the row types and assembles the [`Catalogue`] that the
//! language server, the generated Python `pyinfra` package and the docs all read.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::fact_source::FactCtx;
use crate::plan::{Ctx, PlanError};
use crate::value::Value;

/// A planner: reads its bound arguments, asks the context for facts, emits commands.
pub type Planner = fn(&mut Ctx<'_>, &crate::args::Args) -> Result<(), PlanError>;
/// Builds a fact's shell command from its bound arguments.
pub type FactCommand = fn(&crate::args::Args) -> String;
/// Builds a fact's shell command when it depends on other facts of the host (pyinfra facts whose
/// `command()` calls `host.get_fact`), or rejects the arguments.
pub type FactCommandWith =
    fn(&crate::args::Args, &dyn crate::fact_source::FactSource) -> Result<String, crate::fact_source::CommandError>;
/// Decides which command must exist on the host before a fact runs (`None`: always run).
pub type FactRequires = fn(&crate::args::Args) -> Option<String>;
/// Parses a fact's output lines into its JSON value.
pub type FactParser = fn(&FactCtx<'_>) -> Result<Value, String>;
/// Derives a short fact's value from its parent fact's value.
pub type FactDerive = fn(&Value) -> Value;

/// A parameter's default, in the terms of Python.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dflt {
    /// The parameter must be given.
    Required,
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(&'static str),
    /// Any other JSON-representable default (a list or a dict), as JSON text.
    Json(&'static str),
}

impl Dflt {
    /// The default as a JSON value (`None` for [`Dflt::Required`]).
    pub fn value(&self) -> Option<Value> {
        Some(match *self {
            Dflt::Required => return None,
            Dflt::None => Value::Null,
            Dflt::Bool(b) => Value::Bool(b),
            Dflt::Int(i) => Value::from(i),
            Dflt::Float(f) => Value::from(f),
            Dflt::Str(s) => Value::from(s),
            Dflt::Json(j) => json_default(j),
        })
    }
}

/// A list or dict default, parsed once per schema text (globals are bound for every planned call).
fn json_default(text: &'static str) -> Value {
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};
    static PARSED: OnceLock<RwLock<HashMap<&'static str, Value>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(Default::default);
    if let Some(v) = parsed.read().unwrap_or_else(|e| e.into_inner()).get(text) {
        return v.clone();
    }
    let v: Value = serde_json::from_str(text).expect("schema default is valid JSON");
    parsed.write().unwrap_or_else(|e| e.into_inner()).insert(text, v.clone());
    v
}

/// How a parameter binds: a normal named parameter, `*args` or `**kwargs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgKind {
    /// Positional-or-keyword.
    Normal,
    /// `*args`.
    VarArgs,
    /// `**kwargs`.
    VarKwargs,
}

/// One parameter of an operation, a fact or the global arguments.
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// Parameter name as in Python.
    pub name: &'static str,
    /// Python annotation (pyinfra's where it has one) - the type language of the schema.
    pub ty: &'static str,
    /// Allowed values when the argument is an enum of strings (empty: unconstrained).
    pub values: &'static [&'static str],
    /// The default, or [`Dflt::Required`].
    pub default: Dflt,
    /// Normal, `*args` or `**kwargs`.
    pub kind: ArgKind,
    /// One line of documentation.
    pub doc: &'static str,
}

/// A normal parameter (use in `const` tables).
pub const fn arg(name: &'static str, ty: &'static str, default: Dflt, doc: &'static str) -> Arg {
    Arg { name, ty, values: &[], default, kind: ArgKind::Normal, doc }
}

/// A string parameter restricted to `values`.
pub const fn enum_arg(
    name: &'static str,
    ty: &'static str,
    values: &'static [&'static str],
    default: Dflt,
    doc: &'static str,
) -> Arg {
    Arg { name, ty, values, default, kind: ArgKind::Normal, doc }
}

/// A `*args` (`kind` = [`ArgKind::VarArgs`]) or `**kwargs` parameter.
pub const fn var_arg(name: &'static str, kind: ArgKind, doc: &'static str) -> Arg {
    Arg { name, ty: "Any", values: &[], default: Dflt::Required, kind, doc }
}

/// One operation: its call surface, docs and (for implemented modules) its planner.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// Function name within its module (`packages`).
    pub name: &'static str,
    /// A paragraph of documentation; the first sentence is its summary.
    pub doc: &'static str,
    /// Parameters in call order.
    pub args: &'static [Arg],
    /// `Some("module.op")` when this is a public re-export of another operation.
    pub alias_of: Option<&'static str>,
    /// `Some("module.op")` when deprecated in favour of another operation.
    pub replaced_by: Option<&'static str>,
    /// Deprecated (with or without a replacement).
    pub deprecated: bool,
    /// The planner, `None` while the module is schema-only.
    pub planner: Option<Planner>,
}

impl Operation {
    /// An empty row, for `..Operation::NEW` in tables.
    pub const NEW: Operation =
        Operation { name: "", doc: "", args: &[], alias_of: None, replaced_by: None, deprecated: false, planner: None };
}

/// One fact class: its arguments, command, parser and return shape.
#[derive(Debug, Clone, Copy)]
pub struct Fact {
    /// Class name (`File`).
    pub name: &'static str,
    /// A paragraph of documentation.
    pub doc: &'static str,
    /// Parameters of the fact's `command()`.
    pub args: &'static [Arg],
    /// The shape of the value, as a Python type (`dict[str, list[str]]`).
    pub returns: &'static str,
    /// Builds the command; `None` while schema-only or for short facts.
    pub command: Option<FactCommand>,
    /// Builds the command from the arguments and other facts; used instead of `command` when set.
    pub command_with: Option<FactCommandWith>,
    /// Command that must exist on the host for the fact to run.
    pub requires: Option<FactRequires>,
    /// Parses the command's output; `None` while schema-only.
    pub parse: Option<FactParser>,
    /// For a short fact: the parent fact (`server.LinuxDistribution`) and the derivation.
    pub short: Option<(&'static str, FactDerive)>,
    /// The value when the command prints nothing or its required command is missing, as JSON text.
    pub default: &'static str,
    /// Deprecated.
    pub deprecated: bool,
}

impl Fact {
    /// An empty row, for `..Fact::NEW` in tables.
    pub const NEW: Fact = Fact {
        name: "",
        doc: "",
        args: &[],
        returns: "Any",
        command: None,
        command_with: None,
        requires: None,
        parse: None,
        short: None,
        default: "null",
        deprecated: false,
    };

    /// Whether rinfra can gather this fact (it has a command and a parser, or derives from one).
    pub fn implemented(&self) -> bool {
        ((self.command.is_some() || self.command_with.is_some()) && self.parse.is_some()) || self.short.is_some()
    }
}

/// A pyinfra operations module (`apt`, `freebsd.pkg`).
#[derive(Debug, Clone, Copy)]
pub struct OperationModule {
    /// Dotted module name below `pyinfra.operations`.
    pub name: &'static str,
    /// What the module manages.
    pub doc: &'static str,
    /// Its operations.
    pub operations: &'static [Operation],
}

/// A pyinfra facts module (`server`, `files`).
#[derive(Debug, Clone, Copy)]
pub struct FactModule {
    /// Module name below `pyinfra.facts`.
    pub name: &'static str,
    /// Its fact classes.
    pub facts: &'static [Fact],
}

/// The whole catalogue: every operation and fact module, and the global arguments.
pub struct Catalogue {
    /// Operation modules, sorted by name.
    pub operations: &'static [OperationModule],
    /// Fact modules, sorted by name.
    pub facts: &'static [FactModule],
    /// The global `_sudo`-style arguments every operation accepts.
    pub globals: &'static [Arg],
}

/// The catalogue of everything rinfra knows about.
pub fn catalogue() -> &'static Catalogue {
    static CAT: Catalogue = Catalogue {
        operations: crate::operations::MODULES,
        facts: crate::facts::MODULES,
        globals: crate::globals::GLOBAL_ARGS,
    };
    &CAT
}

impl Catalogue {
    /// Look up an operation by `module.op` (`apt.packages`, `freebsd.pkg.install`), following aliases.
    pub fn operation(&self, full: &str) -> Option<(&'static OperationModule, &'static Operation)> {
        let (m, o) = full.rsplit_once('.')?;
        let module = self.operations.iter().find(|x| x.name == m)?;
        let op = module.operations.iter().find(|x| x.name == o)?;
        match op.alias_of {
            Some(target) if target != full => self.operation(target),
            _ => Some((module, op)),
        }
    }

    /// Look up a fact by `module.Fact` (`server.Os`).
    pub fn fact(&self, full: &str) -> Option<(&'static FactModule, &'static Fact)> {
        let (m, f) = full.rsplit_once('.')?;
        let module = self.facts.iter().find(|x| x.name == m)?;
        Some((module, module.facts.iter().find(|x| x.name == f)?))
    }

    /// Look up a global argument by name.
    pub fn global(&self, name: &str) -> Option<&'static Arg> {
        self.globals.iter().find(|a| a.name == name)
    }

    /// Every operation as `(module.op, operation)`, aliases included.
    pub fn all_operations(&self) -> impl Iterator<Item = (String, &'static Operation)> + '_ {
        self.operations.iter().flat_map(|m| m.operations.iter().map(move |o| (format!("{}.{}", m.name, o.name), o)))
    }
}

impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", self.name)?;
        m.serialize_entry("type", self.ty)?;
        if !self.values.is_empty() {
            m.serialize_entry("values", self.values)?;
        }
        match self.kind {
            ArgKind::Normal => match self.default.value() {
                None => m.serialize_entry("required", &true)?,
                Some(v) => m.serialize_entry("default", &v)?,
            },
            kind => m.serialize_entry("kind", &kind)?,
        }
        m.serialize_entry("doc", self.doc)?;
        m.end()
    }
}

impl Serialize for Catalogue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut ops = serde_json::Map::new();
        for module in self.operations {
            for op in module.operations {
                let mut o = serde_json::Map::new();
                o.insert("module".into(), module.name.into());
                o.insert("name".into(), op.name.into());
                o.insert("doc".into(), op.doc.into());
                if let Some(a) = op.alias_of {
                    o.insert("alias_of".into(), a.into());
                }
                o.insert("args".into(), serde_json::to_value(op.args).map_err(serde::ser::Error::custom)?);
                if op.deprecated {
                    o.insert("deprecated".into(), true.into());
                }
                if let Some(r) = op.replaced_by {
                    o.insert("replaced_by".into(), r.into());
                }
                o.insert("implemented".into(), op.planner.is_some().into());
                ops.insert(format!("{}.{}", module.name, op.name), o.into());
            }
        }
        let mut facts = serde_json::Map::new();
        for module in self.facts {
            for fact in module.facts {
                let mut f = serde_json::Map::new();
                f.insert("module".into(), module.name.into());
                f.insert("name".into(), fact.name.into());
                f.insert("doc".into(), fact.doc.into());
                f.insert("args".into(), serde_json::to_value(fact.args).map_err(serde::ser::Error::custom)?);
                f.insert("returns".into(), fact.returns.into());
                if let Some((parent, _)) = fact.short {
                    f.insert("short_of".into(), parent.into());
                }
                if fact.deprecated {
                    f.insert("deprecated".into(), true.into());
                }
                f.insert("implemented".into(), fact.implemented().into());
                facts.insert(format!("{}.{}", module.name, fact.name), f.into());
            }
        }
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry(
            "modules",
            &self.operations.iter().map(|m| serde_json::json!({"name": m.name, "doc": m.doc})).collect::<Vec<_>>(),
        )?;
        m.serialize_entry("operations", &ops)?;
        m.serialize_entry("facts", &facts)?;
        m.serialize_entry("global_arguments", self.globals)?;
        m.end()
    }
}
