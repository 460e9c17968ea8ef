//! `pyinfra.operations.mysql`: schema only for now.

use crate::schema::{Arg, Dflt, Operation, arg, enum_arg};

/// What this module manages.
pub const DOC: &str = "Manage MySQL/MariaDB databases, users and privileges, and run SQL, dumps and loads, \
                       all through the `mysql`/`mysqldump` clients on the host. Every operation takes the \
                       optional `mysql_user`, `mysql_password`, `mysql_host` and `mysql_port` connection \
                       arguments.";

/// `mysql_user`: shared by every operation of the module.
const MYSQL_USER: Arg = arg("mysql_user", "str | None", Dflt::None, "User the `mysql` client connects as.");
/// `mysql_password`: shared by every operation of the module.
const MYSQL_PASSWORD: Arg =
    arg("mysql_password", "str | None", Dflt::None, "Password of the connecting user (masked in logs).");
/// `mysql_host`: shared by every operation of the module.
const MYSQL_HOST: Arg = arg("mysql_host", "str | None", Dflt::None, "Server host to connect to (default: local).");
/// `mysql_port`: shared by every operation of the module.
const MYSQL_PORT: Arg = arg("mysql_port", "int | None", Dflt::None, "Server port to connect to.");

/// The operations of `mysql`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "sql",
        doc: "Run arbitrary SQL through the `mysql` client, optionally with a database selected. The \
              statements are executed every time the operation runs (it is not idempotent), so guard it \
              yourself if running twice would hurt.",
        args: &[
            arg("sql", "str", Dflt::Required, "The SQL statement(s) to execute."),
            arg("database", "str | None", Dflt::None, "Database to select before running the SQL."),
            MYSQL_USER,
            MYSQL_PASSWORD,
            MYSQL_HOST,
            MYSQL_PORT,
        ],
        ..Operation::NEW
    },
    Operation {
        name: "user",
        doc: "Create, update or drop the MySQL account `user`@`user_hostname`. A missing account is \
              created with the given password, TLS requirements (`REQUIRE ...`) and resource limits \
              (`WITH MAX_...`); an existing one gets an `ALTER USER` only for the TLS and limit settings \
              that differ from the server's, and its password is never changed. `user_hostname` is part \
              of the account's identity, so a different hostname means a different user. The cipher, \
              issuer and subject requirements are only valid with `require=\"X509\"`. When `privileges` \
              is given, the account's global privileges are then brought in line as `mysql.privileges` \
              would.",
        args: &[
            arg("user", "str", Dflt::Required, "Name of the MySQL user."),
            arg("present", "bool", Dflt::Bool(true), "Whether the account should exist (False: DROP USER)."),
            arg("user_hostname", "str", Dflt::Str("localhost"), "Host part of the account (`user`@`host`)."),
            arg("password", "str | None", Dflt::None, "Password set when the account is created (never updated)."),
            arg("privileges", "str | list[str] | None", Dflt::None, "Global (`*.*`) privileges the user should hold."),
            enum_arg(
                "require",
                "str | None",
                &["SSL", "X509"],
                Dflt::None,
                "Require TLS connections (`SSL`) or a client certificate (`X509`).",
            ),
            arg(
                "require_cipher",
                "str | None",
                Dflt::None,
                "Cipher the connection must use (needs `require=\"X509\"`).",
            ),
            arg("require_issuer", "str | None", Dflt::None, "Issuer the client certificate must have (needs `X509`)."),
            arg(
                "require_subject",
                "str | None",
                Dflt::None,
                "Subject the client certificate must have (needs `X509`).",
            ),
            arg(
                "max_connections",
                "int | None",
                Dflt::None,
                "Limit of simultaneous connections (MAX_USER_CONNECTIONS).",
            ),
            arg("max_queries_per_hour", "int | None", Dflt::None, "Limit of queries per hour."),
            arg("max_updates_per_hour", "int | None", Dflt::None, "Limit of updating statements per hour."),
            arg("max_connections_per_hour", "int | None", Dflt::None, "Limit of new connections per hour."),
            MYSQL_USER,
            MYSQL_PASSWORD,
            MYSQL_HOST,
            MYSQL_PORT,
        ],
        ..Operation::NEW
    },
    Operation {
        name: "database",
        doc: "Create or drop a MySQL database, checked against the list of existing databases so nothing \
              runs when it is already in the wanted state. `collate` and `charset` only apply at creation; \
              an existing database is never altered. When `user` is given, that user is also granted \
              `user_privileges` on every table of the database (as `mysql.privileges` does).",
        args: &[
            arg("database", "str", Dflt::Required, "Name of the database."),
            arg("present", "bool", Dflt::Bool(true), "Whether the database should exist (False: DROP DATABASE)."),
            arg("collate", "str | None", Dflt::None, "Collation used when creating the database."),
            arg("charset", "str | None", Dflt::None, "Character set used when creating the database."),
            arg("user", "str | None", Dflt::None, "User to grant privileges on this database to."),
            arg("user_hostname", "str", Dflt::Str("localhost"), "Host part of that user's account."),
            arg(
                "user_privileges",
                "str | list[str]",
                Dflt::Str("ALL"),
                "Privileges to grant that user on the database.",
            ),
            MYSQL_USER,
            MYSQL_PASSWORD,
            MYSQL_HOST,
            MYSQL_PORT,
        ],
        ..Operation::NEW
    },
    Operation {
        name: "privileges",
        doc: "Make a user's privileges on `database`.`table` exactly the given set: privileges the user \
              has there but should not are revoked, missing ones are granted, and `FLUSH PRIVILEGES` \
              follows any change when `flush` is set. The current grants come from `SHOW GRANTS`, so \
              nothing runs when they already match. `ALL` stands for `ALL PRIVILEGES`; a table needs an \
              explicit database (`*.table` is rejected).",
        args: &[
            arg("user", "str", Dflt::Required, "Name of the user whose privileges are managed."),
            arg(
                "privileges",
                "str | list[str] | set[str]",
                Dflt::Required,
                "The full set of privileges the user should have there.",
            ),
            arg("user_hostname", "str", Dflt::Str("localhost"), "Host part of the user's account."),
            arg("database", "str", Dflt::Str("*"), "Database the privileges apply to (`*`: all databases)."),
            arg("table", "str", Dflt::Str("*"), "Table the privileges apply to (`*`: all tables; needs a database)."),
            arg("flush", "bool", Dflt::Bool(true), "Run `FLUSH PRIVILEGES` after any change."),
            arg("with_grant_option", "bool", Dflt::Bool(false), "Also give the user GRANT OPTION on this scope."),
            MYSQL_USER,
            MYSQL_PASSWORD,
            MYSQL_HOST,
            MYSQL_PORT,
        ],
        ..Operation::NEW
    },
    Operation {
        name: "dump",
        doc: "Write an SQL dump made by `mysqldump` to a file on the host, overwriting it. It runs on every \
              execution (not idempotent).",
        args: &[
            arg("dest", "str", Dflt::Required, "Path of the file on the host to write the dump to."),
            arg("database", "str | None", Dflt::None, "Database to dump."),
            MYSQL_USER,
            MYSQL_PASSWORD,
            MYSQL_HOST,
            MYSQL_PORT,
        ],
        ..Operation::NEW
    },
    Operation {
        name: "load",
        doc: "Feed an SQL file that is already on the host into the `mysql` client, typically to restore a \
              dump. It runs on every execution (not idempotent).",
        args: &[
            arg("src", "str", Dflt::Required, "Path of the SQL file on the host to load."),
            arg("database", "str | None", Dflt::None, "Database to load the file into."),
            MYSQL_USER,
            MYSQL_PASSWORD,
            MYSQL_HOST,
            MYSQL_PORT,
        ],
        ..Operation::NEW
    },
];
