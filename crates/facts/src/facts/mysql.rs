//! `pyinfra.facts.mysql`: databases, users and grants read through the `mysql` client.

use std::collections::BTreeMap;

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::facts::util::databases::{Connection, Masked, mysql_execute, parse_columns_and_rows, try_int};
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

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
        command: Some(databases_command),
        requires: Some(requires_mysql),
        parse: Some(parse_databases),
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
        command: Some(users_command),
        requires: Some(requires_mysql),
        parse: Some(parse_users),
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
        command: Some(grants_command),
        requires: Some(requires_mysql),
        parse: Some(parse_grants),
        ..Fact::NEW
    },
];

/// Every MySQL fact needs the `mysql` client.
fn requires_mysql(_: &Args) -> Option<String> {
    Some("mysql".into())
}

/// `mysql ... -Be '<sql>'` with the fact's connection arguments (as run, unmasked).
fn fact_command(a: &Args, sql: &str, ignore_errors: bool) -> String {
    let conn = Connection::from_args(a, "mysql_");
    mysql_execute(&Masked::plain(sql), &conn.with_database(None), ignore_errors).raw
}

fn databases_command(a: &Args) -> String {
    fact_command(a, "SELECT * FROM information_schema.SCHEMATA", false)
}

fn users_command(a: &Args) -> String {
    fact_command(a, "SELECT * FROM mysql.user", false)
}

/// `SHOW GRANTS` fails for a missing account, hence `|| true`.
fn grants_command(a: &Args) -> String {
    let sql = format!("SHOW GRANTS FOR \"{}\"@\"{}\"", py_str(a.get("user")), py_str(a.get("hostname")));
    fact_command(a, &sql, true)
}

/// A row's cell, `None` when missing.
fn cell(row: &Map<String, Value>, key: &str) -> Value {
    row.get(key).cloned().unwrap_or(Value::Null)
}

fn parse_databases(ctx: &FactCtx) -> Result<Value, String> {
    let rows = parse_columns_and_rows(ctx.output, "\t", None, Some(|t: &str| t.to_lowercase()))?;
    let mut out = Map::new();
    for row in rows {
        let Some(Value::String(name)) = row.get("schema_name") else {
            return Err("row without schema_name".into());
        };
        let mut details = Map::new();
        details.insert("character_set".into(), cell(&row, "default_character_set_name"));
        details.insert("collation_name".into(), cell(&row, "default_collation_name"));
        out.insert(name.clone(), Value::Object(details));
    }
    Ok(Value::Object(out))
}

fn parse_users(ctx: &FactCtx) -> Result<Value, String> {
    let mut users = Map::new();
    for row in parse_columns_and_rows(ctx.output, "\t", None, None)? {
        let (Some(Value::String(host)), Some(Value::String(user))) = (row.get("Host"), row.get("User")) else {
            continue;
        };
        let key = format!("{user}@{host}");
        let mut details = Map::new();
        let mut privileges = vec![];
        for (k, v) in &row {
            if k == "Host" || k == "User" {
                continue;
            }
            if k.ends_with("_priv") {
                if v.as_str() == Some("Y") {
                    privileges.push(k.replace("_priv", ""));
                }
                continue;
            }
            let v = if k.starts_with("max_") {
                try_int(v)
            } else if k == "password_expired" || k == "is_role" {
                Value::Bool(v.as_str() == Some("Y"))
            } else {
                v.clone()
            };
            details.insert(k.clone(), v);
        }
        privileges.sort();
        details.insert("privileges".into(), privileges.into());
        users.insert(key, Value::Object(details));
    }
    Ok(Value::Object(users))
}

/// One `GRANT ... ON <db>.<table> TO `user`@`host`...` line, as pyinfra's MYSQL_GRANT_REGEX reads it:
/// (privileges, database.table, the rest of the line).
fn match_grant(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("GRANT ")?;
    let run = rest.find(|c: char| !(c.is_ascii_uppercase() || c == ',' || c.is_whitespace())).unwrap_or(rest.len());
    // The privilege list is followed by " ON ", which the run of [A-Z,\s] swallows.
    let privileges = rest[..run].strip_suffix(" ON ")?;
    if privileges.is_empty() {
        return None;
    }
    let after = &rest[run..];
    let db_len = scope_part(after, |c| c.is_ascii_lowercase() || c == '_' || c == '\\')?;
    let table = after[db_len..].strip_prefix('.')?;
    let table_len = scope_part(table, |c| c.is_ascii_lowercase() || c == '_')?;
    let scope = &after[..db_len + 1 + table_len];
    let to = table[table_len..].strip_prefix(" TO `")?;
    let user_len = to.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(to.len());
    if user_len == 0 {
        return None;
    }
    let host = to[user_len..].strip_prefix("`@`")?;
    let host_len = if host.starts_with('%') {
        1
    } else {
        host.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))).unwrap_or(host.len())
    };
    if host_len == 0 {
        return None;
    }
    let extras = host[host_len..].strip_prefix('`')?;
    Some((privileges, scope, extras))
}

/// Length of `*` or of a backquoted name made of `allowed` characters at the start of `s`.
fn scope_part(s: &str, allowed: fn(char) -> bool) -> Option<usize> {
    if s.starts_with('*') {
        return Some(1);
    }
    let inner = s.strip_prefix('`')?;
    let n = inner.find(|c: char| !allowed(c)).unwrap_or(inner.len());
    (n > 0 && inner[n..].starts_with('`')).then_some(n + 2)
}

fn parse_grants(ctx: &FactCtx) -> Result<Value, String> {
    let mut grants: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for line in ctx.output {
        let Some((privileges, scope, extras)) = match_grant(line) else {
            continue;
        };
        // MySQL prints the scope pre-escaped.
        let set = grants.entry(scope.replace("\\\\", "\\")).or_default();
        for p in privileges.split(',') {
            set.insert(p.trim().to_string());
        }
        if extras.contains("WITH GRANT OPTION") {
            set.insert("GRANT OPTION".into());
        }
    }
    serde_json::to_value(grants).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_lines() {
        let l = "GRANT SELECT, INSERT ON `my\\_db`.* TO `bob`@`%` WITH GRANT OPTION";
        assert_eq!(match_grant(l), Some(("SELECT, INSERT", "`my\\_db`.*", " WITH GRANT OPTION")));
        assert_eq!(match_grant("GRANT USAGE ON *.* TO `a`@`localhost`"), Some(("USAGE", "*.*", "")));
        assert_eq!(match_grant("GRANT PROXY ON ''@'' TO 'root'@'localhost'"), None);
        assert_eq!(match_grant("GRANT ON *.* TO `a`@`b`"), None);
    }
}
