//! `pyinfra.operations.postgresql`: deprecated aliases of `postgres`.

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Arg, ArgKind, Operation, catalogue, var_arg};

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
        planner: Some(plan_sql),
        ..Operation::NEW
    },
    Operation {
        name: "role",
        doc: "Deprecated: use `postgres.role`, which this forwards to. Creates, updates or drops a \
              PostgreSQL role.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.role"),
        planner: Some(plan_role),
        ..Operation::NEW
    },
    Operation {
        name: "database",
        doc: "Deprecated: use `postgres.database`, which this forwards to. Creates, updates or drops a \
              PostgreSQL database.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.database"),
        planner: Some(plan_database),
        ..Operation::NEW
    },
    Operation {
        name: "dump",
        doc: "Deprecated: use `postgres.dump`, which this forwards to. Dumps a database with `pg_dump` \
              into a file on the host.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.dump"),
        planner: Some(plan_dump),
        ..Operation::NEW
    },
    Operation {
        name: "load",
        doc: "Deprecated: use `postgres.load`, which this forwards to. Loads an SQL file on the host into \
              a database with `psql`.",
        args: FORWARDED,
        deprecated: true,
        replaced_by: Some("postgres.load"),
        planner: Some(plan_load),
        ..Operation::NEW
    },
];

/// Run `postgres.<name>` with this call's `*args` and `**kwargs` (pyinfra's `postgres.<name>._inner(*args, **kwargs)`).
fn forward(ctx: &mut Ctx<'_>, a: &Args, name: &str) -> Result<(), PlanError> {
    let full = format!("postgres.{name}");
    let (_, op) = catalogue().operation(&full).ok_or_else(|| PlanError::op(format!("unknown operation {full}")))?;
    let planner = op.planner.ok_or_else(|| PlanError::NotImplemented(full.clone()))?;
    let bound = Args::bind(op.args, &a.rest, &a.extra)?;
    planner(ctx, &bound)
}

fn plan_sql(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    forward(ctx, a, "sql")
}

fn plan_role(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    forward(ctx, a, "role")
}

fn plan_database(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    forward(ctx, a, "database")
}

fn plan_dump(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    forward(ctx, a, "dump")
}

fn plan_load(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    forward(ctx, a, "load")
}
