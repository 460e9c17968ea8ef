//! `pyinfra.operations.postgresql`: deprecated aliases of `postgres`, schema only for now.

use crate::schema::{Arg, ArgKind, Operation, var_arg};

/// What this module manages.
pub const DOC: &str = "Deprecated old name of the `postgres` module: each operation forwards its arguments to \
                       the `postgres` operation of the same name.";

/// The `*args, **kwargs` signature every forwarding operation has.
const FORWARDED: &[Arg] = &[
    var_arg("args", ArgKind::VarArgs, "Positional arguments, passed on unchanged."),
    var_arg("kwargs", ArgKind::VarKwargs, "Keyword arguments, passed on unchanged."),
];

/// The operations of `postgresql`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "sql",
        doc: "Deprecated: use `postgres.sql`, which this forwards to. Runs arbitrary SQL through `psql` \
              on every execution.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.sql"),
        ..Operation::NEW
    },
    Operation {
        name: "role",
        doc: "Deprecated: use `postgres.role`, which this forwards to. Creates, updates or drops a \
              PostgreSQL role.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.role"),
        ..Operation::NEW
    },
    Operation {
        name: "database",
        doc: "Deprecated: use `postgres.database`, which this forwards to. Creates, updates or drops a \
              PostgreSQL database.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.database"),
        ..Operation::NEW
    },
    Operation {
        name: "dump",
        doc: "Deprecated: use `postgres.dump`, which this forwards to. Dumps a database with `pg_dump` \
              into a file on the host.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.dump"),
        ..Operation::NEW
    },
    Operation {
        name: "load",
        doc: "Deprecated: use `postgres.load`, which this forwards to. Loads an SQL file on the host into \
              a database with `psql`.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.load"),
        ..Operation::NEW
    },
];
