//! `pyinfra.facts.postgresql`: deprecated copies of the `postgres` facts.

use crate::facts::postgres::{databases_command, parse_databases, parse_roles, requires_psql, roles_command};
use crate::schema::{Arg, Dflt, Fact, arg};

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

/// The facts of `postgresql`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "PostgresqlRoles",
        doc: "Deprecated: use `postgres.PostgresRoles`, which this is identical to. Every role of \
              `pg_catalog.pg_roles`, keyed by name, with its columns minus the `rol` prefix: \
              `super`, `inherit`, `createrole`, `createdb`, `canlogin`, `replication` and `bypassrls` as \
              booleans, `oid` and `connlimit` as integers, other columns as strings (None when empty).",
        args: CONNECTION,
        returns: "dict[str, dict[str, Any]]",
        default: "{}",
        deprecated: true,
        command: Some(roles_command),
        requires: Some(requires_psql),
        parse: Some(parse_roles),
        ..Fact::NEW
    },
    Fact {
        name: "PostgresqlDatabases",
        doc: "Deprecated: use `postgres.PostgresDatabases`, which this is identical to. Every database of \
              `pg_catalog.pg_database`, keyed by name, with its columns minus the `dat` \
              prefix: `encoding` (name, e.g. `UTF8`), `owner` (role name), `collate`, `ctype`, `istemplate` \
              and `allowconn` as booleans, ids, `dba`, `tablespace` and `connlimit` as integers.",
        args: CONNECTION,
        returns: "dict[str, dict[str, Any]]",
        default: "{}",
        deprecated: true,
        command: Some(databases_command),
        requires: Some(requires_psql),
        parse: Some(parse_databases),
        ..Fact::NEW
    },
];
