//! `pyinfra.facts.postgres`: roles and databases read through the `psql` client.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::facts::util::databases::{Connection, Masked, parse_columns_and_rows, psql_execute, try_int};
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value};

/// `psql_user`: connecting role of every PostgreSQL fact.
const PSQL_USER: Arg = arg("psql_user", "str | None", Dflt::None, "Role the `psql` client connects as.");
/// `psql_password`: password of the connecting role.
const PSQL_PASSWORD: Arg = arg("psql_password", "str | None", Dflt::None, "Password of the connecting role.");
/// `psql_host`: server host.
const PSQL_HOST: Arg = arg("psql_host", "str | None", Dflt::None, "Server host to connect to.");
/// `psql_port`: server port.
const PSQL_PORT: Arg = arg("psql_port", "int | None", Dflt::None, "Server port to connect to.");
/// `psql_database`: database to connect to.
const PSQL_DATABASE: Arg = arg("psql_database", "str | None", Dflt::None, "Database to connect to.");
/// The connection arguments every fact takes.
const CONNECTION: &[Arg] = &[PSQL_USER, PSQL_PASSWORD, PSQL_HOST, PSQL_PORT, PSQL_DATABASE];

/// The facts of `postgres`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PostgresRoles",
        doc: "Every role of `pg_catalog.pg_roles`, keyed by name, with its columns minus the `rol` prefix: \
              `super`, `inherit`, `createrole`, `createdb`, `canlogin`, `replication` and `bypassrls` as \
              booleans, `oid` and `connlimit` as integers, other columns as strings (None when empty).",
        args: CONNECTION,
        returns: "dict[str, dict[str, Any]]",
        default: "{}",
        command: Some(roles_command),
        requires: Some(requires_psql),
        parse: Some(parse_roles),
        ..Fact::NEW
    },
    Fact {
        name: "PostgresDatabases",
        doc: "Every database of `pg_catalog.pg_database`, keyed by name, with its columns minus the `dat` \
              prefix: `encoding` (name, e.g. `UTF8`), `owner` (role name), `collate`, `ctype`, `istemplate` \
              and `allowconn` as booleans, ids, `dba`, `tablespace` and `connlimit` as integers.",
        args: CONNECTION,
        returns: "dict[str, dict[str, Any]]",
        default: "{}",
        command: Some(databases_command),
        requires: Some(requires_psql),
        parse: Some(parse_databases),
        ..Fact::NEW
    },
];

/// Every PostgreSQL fact needs the `psql` client.
pub(crate) fn requires_psql(_: &Args) -> Option<String> {
    Some("psql".into())
}

/// `psql ... -Ac '<sql>'` with the fact's connection arguments (as run, unmasked).
fn fact_command(a: &Args, sql: &str) -> String {
    psql_execute(&Masked::plain(sql), &Connection::from_args(a, "psql_")).raw
}

/// Command of `PostgresRoles`.
pub(crate) fn roles_command(a: &Args) -> String {
    fact_command(a, "SELECT * FROM pg_catalog.pg_roles")
}

/// Command of `PostgresDatabases`.
pub(crate) fn databases_command(a: &Args) -> String {
    fact_command(
        a,
        "SELECT pg_catalog.pg_encoding_to_char(encoding), *, pg_catalog.pg_get_userbyid(datdba) AS owner \
         FROM pg_catalog.pg_database",
    )
}

/// The output without its last line (psql's `(N rows)` footer).
fn without_footer(output: &[String]) -> &[String] {
    &output[..output.len().saturating_sub(1)]
}

/// Key the rows by their `name` column (which is removed from each row).
fn by_name(rows: Vec<Map<String, Value>>) -> Value {
    let mut out = Map::new();
    for mut row in rows {
        let name = match row.remove("name") {
            Some(Value::String(n)) => n,
            _ => "None".to_string(),
        };
        out.insert(name, Value::Object(row));
    }
    Value::Object(out)
}

/// Parser of `PostgresRoles`.
pub(crate) fn parse_roles(ctx: &FactCtx) -> Result<Value, String> {
    let mut rows = parse_columns_and_rows(without_footer(ctx.output), "|", Some("rol"), None)?;
    for row in &mut rows {
        for (key, value) in row.iter_mut() {
            match key.as_str() {
                "oid" | "connlimit" => *value = try_int(value),
                "super" | "inherit" | "createrole" | "createdb" | "canlogin" | "replication" | "bypassrls" => {
                    *value = Value::Bool(value.as_str() == Some("t"))
                }
                _ => {}
            }
        }
    }
    Ok(by_name(rows))
}

/// Parser of `PostgresDatabases`.
pub(crate) fn parse_databases(ctx: &FactCtx) -> Result<Value, String> {
    let mut rows = parse_columns_and_rows(without_footer(ctx.output), "|", Some("dat"), None)?;
    for row in &mut rows {
        let encoding = row.remove("pg_encoding_to_char").unwrap_or(Value::Null);
        row.insert("encoding".into(), encoding);
        for (key, value) in row.iter_mut() {
            if key.ends_with("id") || matches!(key.as_str(), "dba" | "tablespace" | "connlimit") {
                *value = try_int(value);
            }
            if matches!(key.as_str(), "istemplate" | "allowconn") {
                *value = Value::Bool(value.as_str() == Some("t"));
            }
        }
    }
    Ok(by_name(rows))
}
