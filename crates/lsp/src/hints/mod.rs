//! "Would change" hints: each operation call's arguments evaluated statically per host, planned against
//! the facts `rinfra-exec` cached in `.rinfra/`, and summed up in one line per call.

pub mod eval;
pub mod local_files;
pub mod plan;
