//! Helpers shared by the database modules (`mysql`, `postgres`): client command lines whose
//! password is masked, and the parser of tabular client output.

use crate::plan::ShellCommand;
use crate::quote::quote;
use crate::value::{Map, Value};

/// Text rendered twice: as run (`raw`) and as shown with secrets masked (`masked`),
/// like pyinfra's `StringCommand` holding a `HiddenValue`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Masked {
    /// The text as run.
    pub raw: String,
    /// The text as shown.
    pub masked: String,
    /// Whether a secret was included (so `masked` must be shown).
    pub secret: bool,
}

impl Masked {
    /// Plain text, identical in both renderings.
    pub fn plain(s: impl Into<String>) -> Masked {
        let s = s.into();
        Masked { raw: s.clone(), masked: s, secret: false }
    }

    /// A secret: itself when run, `*MASKED*` when shown.
    pub fn secret(s: &str) -> Masked {
        Masked { raw: s.to_string(), masked: "*MASKED*".to_string(), secret: true }
    }

    /// Append `other` after `sep`.
    pub fn push(&mut self, sep: &str, other: &Masked) {
        if !self.raw.is_empty() || !self.masked.is_empty() {
            self.raw.push_str(sep);
            self.masked.push_str(sep);
        }
        self.raw.push_str(&other.raw);
        self.masked.push_str(&other.masked);
        self.secret |= other.secret;
    }

    /// Append plain text after a space.
    pub fn word(mut self, w: &str) -> Masked {
        self.push(" ", &Masked::plain(w));
        self
    }

    /// Join parts with `sep` (pyinfra's `StringCommand(*bits, _separator=sep)`).
    pub fn join(parts: &[Masked], sep: &str) -> Masked {
        let mut out = Masked::default();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.raw.push_str(sep);
                out.masked.push_str(sep);
            }
            out.raw.push_str(&p.raw);
            out.masked.push_str(&p.masked);
            out.secret |= p.secret;
        }
        out
    }

    /// Shell-quote both renderings (pyinfra's `QuoteString`).
    pub fn quoted(&self) -> Masked {
        Masked { raw: quote(&self.raw), masked: quote(&self.masked), secret: self.secret }
    }

    /// The shell command, with a masked rendering only when a secret is included.
    pub fn command(self) -> ShellCommand {
        ShellCommand { masked: self.secret.then_some(self.masked), raw: self.raw }
    }
}

/// Connection details of a database client (`mysql`/`psql`).
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// Database to open.
    pub database: Option<String>,
    /// User / role to connect as.
    pub user: Option<String>,
    /// Password of that user.
    pub password: Option<String>,
    /// Server host.
    pub host: Option<String>,
    /// Server port, as Python `str()` of the value.
    pub port: Option<String>,
}

/// Python `str()` of an optional argument, `None` when falsy (the builders test `if value:`).
pub fn opt_arg(v: &Value) -> Option<String> {
    crate::value::truthy(v).then(|| crate::value::py_str(v))
}

impl Connection {
    /// Read the connection arguments named `<prefix>user`, `<prefix>password`, ... from `args`.
    pub fn from_args(args: &crate::args::Args, prefix: &str) -> Connection {
        let get = |name: &str| opt_arg(args.get(&format!("{prefix}{name}")));
        Connection {
            database: get("database"),
            user: get("user"),
            password: get("password"),
            host: get("host"),
            port: get("port"),
        }
    }

    /// The same connection opening `database` instead.
    pub fn with_database(mut self, database: Option<String>) -> Connection {
        self.database = database;
        self
    }
}

/// `mysql [db] -u.. -p.. -h.. -P..` with `executable` (pyinfra's `make_mysql_command`).
pub fn mysql_command(conn: &Connection, executable: &str) -> Masked {
    let mut bits = vec![Masked::plain(executable)];
    if let Some(db) = &conn.database {
        bits.push(Masked::plain(quote(db)));
    }
    let flag = |f: &str, v: &str| Masked::plain(format!("{f}{}", quote(v)));
    if let Some(u) = &conn.user {
        bits.push(flag("-u", u));
    }
    if let Some(p) = &conn.password {
        bits.push(Masked::join(&[Masked::plain("-p"), Masked::secret(p).quoted()], ""));
    }
    if let Some(h) = &conn.host {
        bits.push(flag("-h", h));
    }
    if let Some(p) = &conn.port {
        bits.push(flag("-P", p));
    }
    Masked::join(&bits, " ")
}

/// `mysql ... -Be '<sql>' [|| true]` (pyinfra's `make_execute_mysql_command`).
pub fn mysql_execute(sql: &Masked, conn: &Connection, ignore_errors: bool) -> Masked {
    let mut cmd = Masked::join(&[mysql_command(conn, "mysql"), Masked::plain("-Be"), sql.quoted()], " ");
    if ignore_errors {
        cmd = cmd.word("||").word("true");
    }
    cmd
}

/// `[PGPASSWORD=..] psql -d .. -U .. -h .. -p ..` with `executable` (pyinfra's `make_psql_command`).
pub fn psql_command(conn: &Connection, executable: &str) -> Masked {
    let mut bits = vec![];
    if let Some(p) = &conn.password {
        bits.push(Masked::join(&[Masked::plain("PGPASSWORD"), Masked::secret(p).quoted()], "="));
    }
    bits.push(Masked::plain(executable));
    // pyinfra does not quote these values.
    for (flag, v) in [("-d", &conn.database), ("-U", &conn.user), ("-h", &conn.host), ("-p", &conn.port)] {
        if let Some(v) = v {
            bits.push(Masked::plain(format!("{flag} {v}")));
        }
    }
    Masked::join(&bits, " ")
}

/// `psql ... -Ac '<sql>'` (pyinfra's `make_execute_psql_command`).
pub fn psql_execute(sql: &Masked, conn: &Connection) -> Masked {
    Masked::join(&[psql_command(conn, "psql"), Masked::plain("-Ac"), sql.quoted()], " ")
}

/// Split tabular output: the first line names the columns, each further line is one row;
/// empty cells become `None` (pyinfra's `parse_columns_and_rows`).
pub fn parse_columns_and_rows(
    lines: &[String],
    delimiter: &str,
    remove_column_prefix: Option<&str>,
    title_parser: Option<fn(&str) -> String>,
) -> Result<Vec<Map<String, Value>>, String> {
    // No output at all: no rows (pyinfra never parses empty output).
    let Some(first) = lines.first() else {
        return Ok(vec![]);
    };
    let titles: Vec<String> = first
        .split(delimiter)
        .map(|t| title_parser.map_or_else(|| t.to_string(), |p| p(t)))
        .map(|t| match remove_column_prefix.and_then(|p| t.strip_prefix(p)) {
            Some(rest) => rest.to_string(),
            None => t,
        })
        .collect();
    lines[1..]
        .iter()
        .map(|line| {
            let mut row = Map::new();
            for (i, bit) in line.split(delimiter).enumerate() {
                let title = titles.get(i).ok_or_else(|| format!("row has more cells than titles: {line:?}"))?;
                let v = if bit.is_empty() { Value::Null } else { Value::String(bit.to_string()) };
                row.insert(title.clone(), v);
            }
            Ok(row)
        })
        .collect()
}

/// pyinfra's `try_int`: the integer a string holds, else the value unchanged.
pub fn try_int(v: &Value) -> Value {
    match v.as_str().and_then(|s| s.trim().parse::<i64>().ok()) {
        Some(i) => Value::from(i),
        None => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_password_is_masked_quoted() {
        let conn = Connection { user: Some("x y".into()), password: Some("p w".into()), ..Connection::default() };
        let c = mysql_execute(&Masked::plain("SELECT 1"), &conn, true).command();
        assert_eq!(c.raw, "mysql -u'x y' -p'p w' -Be 'SELECT 1' || true");
        assert_eq!(c.masked.as_deref(), Some("mysql -u'x y' -p'*MASKED*' -Be 'SELECT 1' || true"));
    }

    #[test]
    fn psql_without_secret_has_no_masked() {
        let conn = Connection { user: Some("u".into()), ..Connection::default() };
        let c = psql_execute(&Masked::plain("SELECT 1"), &conn).command();
        assert_eq!(c.raw, "psql -U u -Ac 'SELECT 1'");
        assert_eq!(c.masked, None);
    }

    #[test]
    fn columns_and_rows() {
        let lines: Vec<String> = ["rolname|rolsuper", "a|", "b|t"].iter().map(|s| s.to_string()).collect();
        let rows = parse_columns_and_rows(&lines, "|", Some("rol"), None).unwrap();
        assert_eq!(rows[0]["name"], "a");
        assert_eq!(rows[0]["super"], Value::Null);
        assert!(parse_columns_and_rows(&[], "|", None, None).unwrap().is_empty());
    }
}
