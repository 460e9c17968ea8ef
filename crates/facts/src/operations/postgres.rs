//! `pyinfra.operations.postgres`: schema only for now.

use crate::schema::{Arg, Dflt, Operation, arg};

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
        ..Operation::NEW
    },
];
