//! `pyinfra.operations.mysql`: databases, users and privileges through the `mysql` client.

use std::collections::BTreeSet;

use crate::args::Args;
use crate::facts::util::databases::{Connection, Masked, mysql_command, mysql_execute};
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Arg, Dflt, Operation, arg, enum_arg};
use crate::value::{Value, py_str, truthy};

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
        planner: Some(plan_sql),
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
        planner: Some(plan_user),
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
        planner: Some(plan_database),
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
        planner: Some(plan_privileges),
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
        planner: Some(plan_dump),
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
        planner: Some(plan_load),
        ..Operation::NEW
    },
];

/// The `mysql_*` connection arguments of an operation.
fn connection(a: &Args) -> Connection {
    Connection::from_args(a, "mysql_")
}

/// The `mysql_*` arguments, to pass on to facts and nested operations.
fn connection_kwargs(a: &Args) -> Vec<(&'static str, Value)> {
    ["mysql_user", "mysql_password", "mysql_host", "mysql_port"].into_iter().map(|k| (k, a.get(k).clone())).collect()
}

/// Run `sql` with the operation's connection.
fn execute(ctx: &mut Ctx<'_>, a: &Args, sql: Masked) {
    ctx.shell(mysql_execute(&sql, &connection(a), false).command());
}

/// A fact's value at `key`, `None` when absent.
fn field<'v>(v: &'v Value, key: &str) -> &'v Value {
    v.get(key).unwrap_or(&Value::Null)
}

/// Python `!=` between a fact value and an argument (numbers compare by value).
fn differs(current: &Value, want: &Value) -> bool {
    match (current.as_f64(), want.as_f64()) {
        (Some(x), Some(y)) => x != y,
        _ => current != want,
    }
}

/// A str, list or set argument as a set of strings (vectors write a set as a list led by `"set:"`).
fn str_set(v: &Value) -> BTreeSet<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter(|(i, x)| !(*i == 0 && x.as_str() == Some("set:")))
            .map(|(_, x)| py_str(x))
            .collect(),
        Value::Null => BTreeSet::new(),
        other => BTreeSet::from([py_str(other)]),
    }
}

fn plan_sql(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let conn = connection(a).with_database(crate::facts::util::databases::opt_arg(a.get("database")));
    ctx.shell(mysql_execute(&Masked::plain(a.str("sql")?), &conn, false).command());
    Ok(())
}

/// Refuse `require_*` options that only make sense with `require="X509"`.
fn check_require(a: &Args) -> Result<(), PlanError> {
    let require = a.get("require");
    if truthy(require) && !matches!(require.as_str(), Some("SSL" | "X509")) {
        return Err(PlanError::op("Invalid `require` value, must be: \"SSL\" or \"X509\""));
    }
    if require.as_str() != Some("X509") {
        for name in ["require_cipher", "require_issuer", "require_subject"] {
            if a.flag(name) {
                return Err(PlanError::op(format!("Cannot set `{name}` if `require` is not \"X509\"")));
            }
        }
    }
    Ok(())
}

/// The `require_*` options, with the `mysql.user` column each is checked against.
const REQUIRE_OPTIONS: [(&str, &str, &str); 3] = [
    ("require_cipher", "CIPHER", "ssl_cipher"),
    ("require_issuer", "ISSUER", "x509_issuer"),
    ("require_subject", "SUBJECT", "x509_subject"),
];

/// The resource limit options: argument, SQL keyword, `mysql.user` column.
const LIMIT_OPTIONS: [(&str, &str, &str); 4] = [
    ("max_connections", "MAX_USER_CONNECTIONS", "max_user_connections"),
    ("max_queries_per_hour", "MAX_QUERIES_PER_HOUR", "max_questions"),
    ("max_updates_per_hour", "MAX_UPDATES_PER_HOUR", "max_updates"),
    ("max_connections_per_hour", "MAX_CONNECTIONS_PER_HOUR", "max_connections"),
];

/// `CIPHER "..."`-style requirement bits, those that `keep` selects.
fn require_bits(a: &Args, keep: impl Fn(&str, &Value) -> bool) -> Vec<String> {
    REQUIRE_OPTIONS
        .iter()
        .filter(|(name, _, column)| a.flag(name) && keep(column, a.get(name)))
        .map(|(name, kw, _)| format!("{kw} \"{}\"", py_str(a.get(name))))
        .collect()
}

/// `WITH MAX_...` resource bits (as two words, `WITH` and the joined limits), those that `keep` selects.
fn limit_bits(a: &Args, keep: impl Fn(&str, &Value) -> bool) -> Vec<String> {
    let limits: Vec<String> = LIMIT_OPTIONS
        .iter()
        .filter(|(name, _, column)| a.flag(name) && keep(column, a.get(name)))
        .map(|(name, kw, _)| format!("{kw} {}", py_str(a.get(name))))
        .collect();
    if limits.is_empty() { vec![] } else { vec!["WITH".into(), limits.join(" ")] }
}

fn plan_user(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    check_require(a)?;
    let current_users = ctx.fact("mysql.MysqlUsers", &connection_kwargs(a))?;
    let user = py_str(a.get("user"));
    let user_hostname = py_str(a.get("user_hostname"));
    let account = format!("\"{user}\"@\"{user_hostname}\"");
    let current = current_users.get(format!("{user}@{user_hostname}"));
    let require = a.get("require").as_str();

    if !a.flag("present") {
        match current {
            Some(_) => execute(ctx, a, Masked::plain(format!("DROP USER {account}"))),
            None => ctx.noop(format!("mysql user {user}@{user_hostname} does not exist")),
        }
        return Ok(());
    }

    match current {
        None => {
            let mut sql = Masked::plain(format!("CREATE USER {account}"));
            if a.flag("password") {
                let password = py_str(a.get("password"));
                let quoted = Masked::join(&[Masked::plain("\""), Masked::secret(&password), Masked::plain("\"")], "");
                sql.push(" ", &Masked::join(&[Masked::plain("IDENTIFIED BY"), quoted], " "));
            }
            let mut bits = vec![];
            if require == Some("SSL") {
                bits.push("REQUIRE SSL".to_string());
            }
            if require == Some("X509") {
                bits.push("REQUIRE".into());
                let req = require_bits(a, |_, _| true);
                if req.is_empty() {
                    bits.push("X509".into());
                }
                bits.extend(req);
            }
            bits.extend(limit_bits(a, |_, _| true));
            for b in bits {
                sql = sql.word(&b);
            }
            execute(ctx, a, sql);
        }
        Some(current) => {
            let mut alter = vec![];
            if require == Some("SSL") && field(current, "ssl_type").as_str() != Some("ANY") {
                alter.push("REQUIRE SSL".to_string());
            }
            if require == Some("X509") {
                let mut req = require_bits(a, |column, want| differs(field(current, column), want));
                if req.is_empty() && field(current, "ssl_type").as_str() != Some("X509") {
                    req.push("X509".into());
                }
                if !req.is_empty() {
                    alter.push("REQUIRE".into());
                    alter.extend(req);
                }
            }
            alter.extend(limit_bits(a, |column, want| differs(field(current, column), want)));
            if alter.is_empty() {
                ctx.noop(format!("mysql user {user}@{user_hostname} exists"));
            } else {
                execute(ctx, a, Masked::plain(format!("ALTER USER {account} {}", alter.join(" "))));
            }
        }
    }

    if a.flag("privileges") {
        let mut kw = vec![
            ("user", a.get("user").clone()),
            ("privileges", a.get("privileges").clone()),
            ("user_hostname", a.get("user_hostname").clone()),
        ];
        kw.extend(connection_kwargs(a));
        crate::nested(ctx, "mysql.privileges", &kw)?;
    }
    Ok(())
}

fn plan_database(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let current = ctx.fact("mysql.MysqlDatabases", &connection_kwargs(a))?;
    let database = py_str(a.get("database"));
    let is_present = current.get(&database).is_some();

    if !a.flag("present") {
        if is_present {
            execute(ctx, a, Masked::plain(format!("DROP DATABASE `{database}`")));
        } else {
            ctx.noop(format!("mysql database {database} does not exist"));
        }
        return Ok(());
    }

    if is_present {
        ctx.noop(format!("mysql database {database} exists"));
    } else {
        let mut sql = format!("CREATE DATABASE `{database}`");
        for (name, kw) in [("collate", "COLLATE"), ("charset", "CHARSET")] {
            if a.flag(name) {
                sql.push_str(&format!(" {kw} {}", py_str(a.get(name))));
            }
        }
        execute(ctx, a, Masked::plain(sql));
    }

    if a.flag("user") && a.flag("user_privileges") {
        let mut kw = vec![
            ("user", a.get("user").clone()),
            ("user_hostname", a.get("user_hostname").clone()),
            ("privileges", a.get("user_privileges").clone()),
            ("database", a.get("database").clone()),
        ];
        kw.extend(connection_kwargs(a));
        crate::nested(ctx, "mysql.privileges", &kw)?;
    }
    Ok(())
}

/// `GRANT`/`REVOKE` one set of privileges on the operation's scope.
struct Grants<'a> {
    args: &'a Args,
    scope: String,
    account: String,
}

impl Grants<'_> {
    /// `<action> <privs> ON <scope> <target> <account> [WITH ...]`.
    fn apply(&self, ctx: &mut Ctx<'_>, action: &str, target: &str, privileges: &[&str], with: Option<&str>) {
        let mut sorted = privileges.to_vec();
        sorted.sort_unstable();
        let mut sql = format!("{action} {} ON {} {target} {}", sorted.join(", "), self.scope, self.account);
        if let Some(w) = with {
            sql.push_str(&format!(" WITH {w}"));
        }
        execute(ctx, self.args, Masked::plain(sql));
    }
}

fn plan_privileges(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let mut privileges = str_set(a.get("privileges"));
    if a.flag("with_grant_option") {
        privileges.insert("GRANT OPTION".into());
    }
    let mut database = py_str(a.get("database"));
    let mut table = py_str(a.get("table"));
    if database != "*" {
        database = format!("`{database}`");
    }
    if table != "*" {
        table = format!("`{table}`");
        // MySQL refuses privileges on `*.table`.
        if database == "*" {
            return Err(PlanError::op(format!(
                "Cannot apply MySQL privileges on {database}.{table}, no database provided"
            )));
        }
    }
    let scope = format!("{database}.{table}");
    let mut kw = vec![("user", a.get("user").clone()), ("hostname", a.get("user_hostname").clone())];
    kw.extend(connection_kwargs(a));
    let user_grants = ctx.fact("mysql.MysqlUserGrants", &kw)?;
    let existing: BTreeSet<String> = str_set(field(&user_grants, &scope))
        .into_iter()
        .map(|p| if p == "ALL PRIVILEGES" { "ALL".to_string() } else { p })
        .collect();

    let mut to_revoke: BTreeSet<&str> = existing.difference(&privileges).map(String::as_str).collect();
    let to_grant: BTreeSet<&str> = privileges.difference(&existing).map(String::as_str).collect();
    if !to_grant.is_empty() {
        // Granting anything replaces USAGE, no need to revoke it.
        to_revoke.remove("USAGE");
    }

    let grants = Grants {
        args: a,
        scope,
        account: format!("\"{}\"@\"{}\"", py_str(a.get("user")), py_str(a.get("user_hostname"))),
    };
    let all_and_grant = BTreeSet::from(["ALL", "GRANT OPTION"]);
    if !to_revoke.is_empty() {
        if to_revoke == all_and_grant {
            // Revoking exactly these two would read as the ON-less REVOKE syntax: do it in two steps.
            grants.apply(ctx, "REVOKE", "FROM", &["GRANT OPTION"], None);
            grants.apply(ctx, "REVOKE", "FROM", &["ALL PRIVILEGES"], None);
        } else {
            grants.apply(ctx, "REVOKE", "FROM", &to_revoke.iter().copied().collect::<Vec<_>>(), None);
        }
    }
    if !to_grant.is_empty() {
        if to_grant == all_and_grant {
            // ALL must stand alone; GRANT OPTION goes in a WITH clause.
            grants.apply(ctx, "GRANT", "TO", &["ALL PRIVILEGES"], Some("GRANT OPTION"));
        } else {
            grants.apply(ctx, "GRANT", "TO", &to_grant.iter().copied().collect::<Vec<_>>(), None);
        }
    }
    if to_grant.is_empty() && to_revoke.is_empty() {
        ctx.noop("mysql privileges are already correct");
    } else if a.flag("flush") {
        execute(ctx, a, Masked::plain("FLUSH PRIVILEGES"));
    }
    Ok(())
}

/// `<client> ... <redirect> <path>` for dump and load.
fn redirect(ctx: &mut Ctx<'_>, a: &Args, executable: &str, redirect: &str, path: &str) {
    let conn = connection(a).with_database(crate::facts::util::databases::opt_arg(a.get("database")));
    ctx.shell(mysql_command(&conn, executable).word(redirect).word(&quote(path)).command());
}

fn plan_dump(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    redirect(ctx, a, "mysqldump", ">", &a.str("dest")?);
    Ok(())
}

fn plan_load(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    redirect(ctx, a, "mysql", "<", &a.str("src")?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sets_from_values() {
        assert_eq!(str_set(&json!("ALL")), BTreeSet::from(["ALL".to_string()]));
        assert_eq!(str_set(&json!(["set:", "A", "B"])), BTreeSet::from(["A".to_string(), "B".to_string()]));
        assert!(str_set(&json!([])).is_empty());
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(!differs(&json!(5), &json!(5.0)));
        assert!(differs(&Value::Null, &json!(5)));
    }
}
