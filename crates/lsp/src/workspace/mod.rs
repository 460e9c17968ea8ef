//! The user's own Python files in the workspace: their `@operation`/`@deploy` functions and
//! `FactBase` subclasses (`defs`), which file an import names and a cache of parsed files (`files`),
//! and the `host.data` keys of the inventory and `group_data` files (`inventory`). Read, never run.

pub mod defs;
pub mod files;
pub mod inventory;

pub use defs::{DefKind, FileDefs, Param, ParamKind, UserDef};
