//! `pyinfra.facts.mysql`: schema only for now.

use crate::schema::{Arg, Dflt, Fact, arg};

/// `mysql_user`: connecting user of every MySQL fact.
const MYSQL_USER: Arg = arg("mysql_user", "str | None", Dflt::None, "User the `mysql` client connects as.");
/// `mysql_password`: password of the connecting user.
const MYSQL_PASSWORD: Arg = arg("mysql_password", "str | None", Dflt::None, "Password of the connecting user.");
/// `mysql_host`: server host.
const MYSQL_HOST: Arg = arg("mysql_host", "str | None", Dflt::None, "Server host to connect to.");
/// `mysql_port`: server port.
const MYSQL_PORT: Arg = arg("mysql_port", "int | None", Dflt::None, "Server port to connect to.");
/// The connection arguments alone.
const CONNECTION: &[Arg] = &[MYSQL_USER, MYSQL_PASSWORD, MYSQL_HOST, MYSQL_PORT];

/// The facts of `mysql`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "MysqlDatabases",
        doc: "The databases on the server, each mapped to `{\"character_set\": ..., \"collation_name\": ...}` \
              (its defaults, from information_schema.SCHEMATA).",
        args: CONNECTION,
        returns: "dict[str, dict[str, str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "MysqlUsers",
        doc: "Every account of `mysql.user`, keyed `user@host`, with its columns: `privileges` lists the \
              global privileges granted (the `*_priv` columns set to Y, without the suffix, sorted), `max_*` \
              limits are integers, `password_expired`/`is_role` booleans, and the rest (e.g. `ssl_type`, \
              `x509_issuer`) strings.",
        args: CONNECTION,
        returns: "dict[str, dict[str, Any]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "MysqlUserGrants",
        doc: "What `SHOW GRANTS` reports for one account: each scope (`*.*`, `` `db`.* ``, `` `db`.`table` ``) \
              mapped to the set of privileges granted there, with `GRANT OPTION` added when granted WITH \
              GRANT OPTION. Empty when the account does not exist.",
        args: &[
            arg("user", "str", Dflt::Required, "Name of the account."),
            arg("hostname", "str", Dflt::Str("localhost"), "Host part of the account."),
            MYSQL_USER,
            MYSQL_PASSWORD,
            MYSQL_HOST,
            MYSQL_PORT,
        ],
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
];
