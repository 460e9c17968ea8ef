//! `pyinfra.operations.postgres`: roles, databases, SQL, dumps and loads through `psql`/`pg_dump`.

use crate::args::Args;
use crate::facts::util::databases::{Connection, Masked, psql_command, psql_execute};
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Arg, Dflt, Operation, arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Manage PostgreSQL roles and databases, and run SQL, dumps and loads, through the `psql` \
                       and `pg_dump` clients on the host. Every operation takes the optional `psql_user`, \
                       `psql_password`, `psql_host`, `psql_port` and `psql_database` connection arguments \
                       (or run it as the `postgres` system user with `_sudo_user`).";

/// `psql_user`: shared by every operation of the module.
const PSQL_USER: Arg = arg("psql_user", "str | None", Dflt::None, "Role the `psql` client connects as.");
/// `psql_password`: shared by every operation of the module.
const PSQL_PASSWORD: Arg =
    arg("psql_password", "str | None", Dflt::None, "Password of the connecting role (passed via PGPASSWORD, masked).");
/// `psql_host`: shared by every operation of the module.
const PSQL_HOST: Arg = arg("psql_host", "str | None", Dflt::None, "Server host to connect to (default: local socket).");
/// `psql_port`: shared by every operation of the module.
const PSQL_PORT: Arg = arg("psql_port", "int | None", Dflt::None, "Server port to connect to.");
/// `psql_database`: shared by every operation of the module.
const PSQL_DATABASE: Arg = arg("psql_database", "str | None", Dflt::None, "Database to connect to.");

/// The operations of `postgres`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "sql",
        doc: "Run arbitrary SQL through `psql -c`. The statements are executed every time the operation \
              runs (it is not idempotent), so guard it yourself if running twice would hurt.",
        args: &[
            arg("sql", "str", Dflt::Required, "The SQL statement(s) to execute."),
            PSQL_USER,
            PSQL_PASSWORD,
            PSQL_HOST,
            PSQL_PORT,
            PSQL_DATABASE,
        ],
        planner: Some(plan_sql),
        ..Operation::NEW
    },
    Operation {
        name: "role",
        doc: "Create or drop a PostgreSQL role. A missing role is created with the requested attributes, \
              connection limit and password. For an existing role, an `ALTER ROLE` only switches on \
              attributes that are requested but not yet set (it never removes one) and updates the \
              connection limit; because the current password cannot be checked, giving a `password` \
              makes the operation alter the role on every run.",
        args: &[
            arg("role", "str", Dflt::Required, "Name of the role."),
            arg("present", "bool", Dflt::Bool(true), "Whether the role should exist (False: DROP ROLE)."),
            arg("password", "str | None", Dflt::None, "Password of the role (re-applied on every run when set)."),
            arg("login", "bool", Dflt::Bool(true), "Allow the role to log in (LOGIN)."),
            arg("superuser", "bool", Dflt::Bool(false), "Make the role a superuser."),
            arg("inherit", "bool", Dflt::Bool(false), "Let the role inherit privileges of roles it belongs to."),
            arg("createdb", "bool", Dflt::Bool(false), "Allow the role to create databases."),
            arg("createrole", "bool", Dflt::Bool(false), "Allow the role to create other roles."),
            arg("replication", "bool", Dflt::Bool(false), "Allow the role to start streaming replication."),
            arg("connection_limit", "int | None", Dflt::None, "Maximum concurrent connections of the role."),
            PSQL_USER,
            PSQL_PASSWORD,
            PSQL_HOST,
            PSQL_PORT,
            PSQL_DATABASE,
        ],
        planner: Some(plan_role),
        ..Operation::NEW
    },
    Operation {
        name: "database",
        doc: "Create or drop a PostgreSQL database, checked against the existing databases so nothing runs \
              when it is already in the wanted state. A new database gets all the given settings; for an \
              existing one only the owner, tablespace and connection limit are altered when they differ, \
              while template, encoding and locale settings cannot change after creation and are skipped.",
        args: &[
            arg("database", "str", Dflt::Required, "Name of the database."),
            arg("present", "bool", Dflt::Bool(true), "Whether the database should exist (False: DROP DATABASE)."),
            arg("owner", "str | None", Dflt::None, "Role that owns the database."),
            arg("template", "str | None", Dflt::None, "Template database to create it from (creation only)."),
            arg("encoding", "str | None", Dflt::None, "Character encoding, e.g. `UTF8` (creation only)."),
            arg("lc_collate", "str | None", Dflt::None, "Collation locale (creation only)."),
            arg("lc_ctype", "str | None", Dflt::None, "Character classification locale (creation only)."),
            arg("tablespace", "str | None", Dflt::None, "Default tablespace of the database."),
            arg("connection_limit", "int | None", Dflt::None, "Maximum concurrent connections to the database."),
            PSQL_USER,
            PSQL_PASSWORD,
            PSQL_HOST,
            PSQL_PORT,
            PSQL_DATABASE,
        ],
        planner: Some(plan_database),
        ..Operation::NEW
    },
    Operation {
        name: "dump",
        doc: "Write an SQL dump of the connection database made by `pg_dump` to a file on the host, \
              overwriting it. It runs on every execution (not idempotent).",
        args: &[
            arg("dest", "str", Dflt::Required, "Path of the file on the host to write the dump to."),
            PSQL_USER,
            PSQL_PASSWORD,
            PSQL_HOST,
            PSQL_PORT,
            PSQL_DATABASE,
        ],
        planner: Some(plan_dump),
        ..Operation::NEW
    },
    Operation {
        name: "load",
        doc: "Feed an SQL file that is already on the host into `psql`, typically to restore a dump into \
              the connection database. It runs on every execution (not idempotent).",
        args: &[
            arg("src", "str", Dflt::Required, "Path of the SQL file on the host to load."),
            PSQL_USER,
            PSQL_PASSWORD,
            PSQL_HOST,
            PSQL_PORT,
            PSQL_DATABASE,
        ],
        planner: Some(plan_load),
        ..Operation::NEW
    },
];

/// The `psql_*` connection arguments of an operation.
fn connection(a: &Args) -> Connection {
    Connection::from_args(a, "psql_")
}

/// The `psql_*` arguments, to pass on to facts.
fn connection_kwargs(a: &Args) -> Vec<(&'static str, Value)> {
    ["psql_user", "psql_password", "psql_host", "psql_port", "psql_database"]
        .into_iter()
        .map(|k| (k, a.get(k).clone()))
        .collect()
}

/// Run `sql` with the operation's connection.
fn execute(ctx: &mut Ctx<'_>, a: &Args, sql: Masked) {
    ctx.shell(psql_execute(&sql, &connection(a)).command());
}

/// Python `!=` between a fact value and an argument (numbers and booleans compare by value).
fn differs(current: &Value, want: &Value) -> bool {
    let num = |v: &Value| v.as_f64().or_else(|| v.as_bool().map(|b| if b { 1.0 } else { 0.0 }));
    match (num(current), num(want)) {
        (Some(x), Some(y)) => x != y,
        _ => current != want,
    }
}

/// Whether the fact record has `key` and its value differs from `want`.
fn has_other(current: &Value, key: &str, want: &Value) -> bool {
    current.get(key).is_some_and(|v| differs(v, want))
}

fn plan_sql(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    execute(ctx, a, Masked::plain(a.str("sql")?));
    Ok(())
}

/// `PASSWORD '<secret>'`.
fn password_clause(password: &str) -> Masked {
    let quoted = Masked::join(&[Masked::plain("'"), Masked::secret(password), Masked::plain("'")], "");
    Masked::join(&[Masked::plain("PASSWORD"), quoted], " ")
}

/// The boolean role attributes: argument and SQL keyword.
const ROLE_ATTRIBUTES: [(&str, &str); 6] = [
    ("login", "LOGIN"),
    ("superuser", "SUPERUSER"),
    ("inherit", "INHERIT"),
    ("createdb", "CREATEDB"),
    ("createrole", "CREATEROLE"),
    ("replication", "REPLICATION"),
];

fn plan_role(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let roles = ctx.fact("postgres.PostgresRoles", &connection_kwargs(a))?;
    let role = py_str(a.get("role"));
    let current = roles.get(&role);

    if !a.flag("present") {
        match current {
            Some(_) => execute(ctx, a, Masked::plain(format!("DROP ROLE \"{role}\""))),
            None => ctx.noop(format!("postgresql role {role} does not exist")),
        }
        return Ok(());
    }

    let limit = a.get("connection_limit");
    let password = a.flag("password").then(|| py_str(a.get("password")));
    match current {
        None => {
            let mut sql = Masked::plain(format!("CREATE ROLE \"{role}\""));
            for (name, kw) in ROLE_ATTRIBUTES {
                if a.flag(name) {
                    sql = sql.word(kw);
                }
            }
            if truthy(limit) {
                sql = sql.word(&format!("CONNECTION LIMIT {}", py_str(limit)));
            }
            if let Some(p) = &password {
                sql.push(" ", &password_clause(p));
            }
            execute(ctx, a, sql);
        }
        Some(current) => {
            let mut sql = Masked::plain(format!("ALTER ROLE \"{role}\""));
            let mut should_execute = false;
            // pyinfra compares against keys named after the arguments (replication is never altered).
            for (name, kw) in &ROLE_ATTRIBUTES[..5] {
                if a.flag(name) && has_other(current, name, a.get(name)) {
                    sql = sql.word(kw);
                    should_execute = true;
                }
            }
            if truthy(limit) && has_other(current, "connection_limit", limit) {
                sql = sql.word(&format!("CONNECTION LIMIT {}", py_str(limit)));
                should_execute = true;
            }
            if let Some(p) = &password {
                sql.push(" ", &password_clause(p));
                should_execute = true;
            }
            if should_execute {
                execute(ctx, a, sql);
            } else {
                ctx.noop(format!("postgresql role {role} exists and does not need updates"));
            }
        }
    }
    Ok(())
}

/// `CREATE DATABASE` options: argument, SQL keyword, how the value is quoted.
const DATABASE_OPTIONS: [(&str, &str, &str); 7] = [
    ("owner", "OWNER", "\""),
    ("template", "TEMPLATE", ""),
    ("encoding", "ENCODING", ""),
    ("lc_collate", "LC_COLLATE", "'"),
    ("lc_ctype", "LC_CTYPE", "'"),
    ("tablespace", "TABLESPACE", ""),
    ("connection_limit", "CONNECTION LIMIT", ""),
];

fn plan_database(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let databases = ctx.fact("postgres.PostgresDatabases", &connection_kwargs(a))?;
    let database = py_str(a.get("database"));
    let current = databases.get(&database);

    if !a.flag("present") {
        match current {
            Some(_) => execute(ctx, a, Masked::plain(format!("DROP DATABASE \"{database}\""))),
            None => ctx.noop(format!("postgresql database {database} does not exist")),
        }
        return Ok(());
    }

    let Some(current) = current else {
        let mut sql = format!("CREATE DATABASE \"{database}\"");
        for (name, kw, q) in DATABASE_OPTIONS {
            if a.flag(name) {
                sql.push_str(&format!(" {kw} {q}{}{q}", py_str(a.get(name))));
            }
        }
        execute(ctx, a, Masked::plain(sql));
        return Ok(());
    };

    let null = Value::Null;
    for (name, key, now) in [
        ("template", "TEMPLATE", current.get("istemplate").unwrap_or(&null)),
        ("encoding", "ENCODING", current.get("encoding").unwrap_or(&null)),
        ("lc_collate", "LC_COLLATE", &null),
        ("lc_ctype", "LC_CTYPE", &null),
    ] {
        if a.flag(name) && (now.is_null() || differs(now, a.get(name))) {
            ctx.noop(format!("postgresql database {database} already exists, skipping {key}"));
        }
    }

    let mut statements = vec![];
    let owner = a.get("owner");
    if truthy(owner) && has_other(current, "owner", owner) {
        statements.push(format!("ALTER DATABASE \"{database}\" OWNER TO \"{}\";", py_str(owner)));
    }
    let tablespace = a.get("tablespace");
    if truthy(tablespace) && has_other(current, "tablespace", tablespace) {
        statements.push(format!("ALTER DATABASE \"{database}\" SET TABLESPACE \"{}\";", py_str(tablespace)));
    }
    let limit = a.get("connection_limit");
    if truthy(limit) && has_other(current, "connlimit", limit) {
        statements.push(format!("ALTER DATABASE \"{database}\" CONNECTION LIMIT {};", py_str(limit)));
    }
    if statements.is_empty() {
        ctx.noop(format!("postgresql database {database} already exists with the same parameters"));
    } else {
        execute(ctx, a, Masked::plain(statements.join(" ")));
    }
    Ok(())
}

/// `<client> ... <redirect> <path>` for dump and load.
fn redirect(ctx: &mut Ctx<'_>, a: &Args, executable: &str, redirect: &str, path: &str) {
    ctx.shell(psql_command(&connection(a), executable).word(redirect).word(&quote(path)).command());
}

fn plan_dump(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    redirect(ctx, a, "pg_dump", ">", &a.str("dest")?);
    Ok(())
}

fn plan_load(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    redirect(ctx, a, "psql", "<", &a.str("src")?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn password_is_masked() {
        let c = password_clause("abc");
        assert_eq!(c.raw, "PASSWORD 'abc'");
        assert_eq!(c.masked, "PASSWORD '*MASKED*'");
    }

    #[test]
    fn only_present_keys_differ() {
        assert!(has_other(&json!({"connection_limit": 10}), "connection_limit", &json!(15)));
        assert!(!has_other(&json!({}), "connection_limit", &json!(15)));
        assert!(!has_other(&json!({"login": true}), "login", &json!(true)));
    }
}
