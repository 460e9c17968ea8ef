//! The `host.data` keys the workspace defines, read (never run) from its inventory files — host
//! groups written as `web = [("web1", {"port": 80}), "web2"]` or `db = (["db1"], {"port": 5432})` —
//! and from the module-level assignments of `group_data/*.py`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ruff_python_ast::{Expr, PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::{Ranged, TextRange};

use super::files::cached;
use crate::document::Document;
use crate::resolve::Bindings;

/// How many directories above the deploy are searched for the project root.
const ROOT_DEPTH: usize = 3;

/// Values longer than this are cut in completion details.
const MAX_VALUE_CHARS: usize = 60;

/// One `host.data` key with where it is set and to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataKey {
    /// The key.
    pub key: String,
    /// Every place that sets it.
    pub values: Vec<DataValue>,
}

/// One place that sets a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataValue {
    /// A host (`web1`), a group (`group web`) or a group data file (`group_data/all.py`).
    pub place: String,
    /// The value's source text.
    pub value: String,
    /// The file it is set in.
    pub file: PathBuf,
    /// Where the key is written in that file (line, UTF-16 character).
    pub position: (u32, u32),
}

/// One key set in one file.
type Setting = (String, DataValue);

/// The `host.data` keys of the project the deploy at `deploy` belongs to, sorted by key.
pub fn data_keys(deploy: &Path) -> Vec<DataKey> {
    let Some(dir) = deploy.parent() else { return Vec::new() };
    let root = project_root(dir);
    let mut settings: Vec<Setting> = Vec::new();
    for file in python_files(&[root.to_path_buf(), root.join("inventories"), root.join("inventory")]) {
        if let Some(found) = cached(&file, "inventory", inventory_settings) {
            settings.extend(found.iter().cloned());
        }
    }
    let mut group_dirs = vec![root.join("group_data")];
    if dir != root {
        group_dirs.push(dir.join("group_data"));
    }
    for file in python_files(&group_dirs) {
        let found: Option<Arc<Vec<Setting>>> = cached(&file, "group_data", group_data);
        settings.extend(found.iter().flat_map(|f| f.iter()).cloned());
    }
    let mut keys: Vec<DataKey> = Vec::new();
    settings.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, value) in settings {
        match keys.last_mut() {
            Some(last) if last.key == key => last.values.push(value),
            _ => keys.push(DataKey { key, values: vec![value] }),
        }
    }
    keys
}

/// The nearest directory at or above `dir` that looks like a pyinfra project (it has `group_data/`,
/// `inventory.py` or `inventories/`), else `dir`.
fn project_root(dir: &Path) -> &Path {
    dir.ancestors()
        .take(ROOT_DEPTH + 1)
        .find(|d| d.join("group_data").is_dir() || d.join("inventory.py").is_file() || d.join("inventories").is_dir())
        .unwrap_or(dir)
}

/// The `*.py` files directly inside each of `dirs`, sorted.
fn python_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "py") && p.is_file())
        .collect();
    files.sort();
    files
}

/// Module-level statements of `text` with the source text they are written in.
fn parse(text: &str) -> Vec<Stmt> {
    parse_unchecked_source(text, PySourceType::Python).into_syntax().body.into_iter().collect()
}

/// The source text of `expr`, on one line and cut to a readable length.
fn value_text(text: &str, expr: &Expr) -> String {
    let raw = text.get(expr.range().start().to_usize()..expr.range().end().to_usize()).unwrap_or("");
    let flat = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > MAX_VALUE_CHARS {
        format!("{}…", flat.chars().take(MAX_VALUE_CHARS).collect::<String>())
    } else {
        flat
    }
}

/// `name = value` statements at module level (single-name targets only), with the name's range.
fn assignments(body: &[Stmt]) -> impl Iterator<Item = (&str, TextRange, &Expr)> {
    body.iter().filter_map(|stmt| match stmt {
        Stmt::Assign(a) => match &a.targets[..] {
            [Expr::Name(n)] => Some((n.id.as_str(), n.range, &*a.value)),
            _ => None,
        },
        Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
            (Expr::Name(n), Some(v)) => Some((n.id.as_str(), n.range, &**v)),
            _ => None,
        },
        _ => None,
    })
}

/// A [`DataValue`] set at `at` in `file`.
fn data_value(place: String, value: String, file: &Path, document: &Document, at: TextRange) -> DataValue {
    let p = document.position(at.start());
    DataValue { place, value, file: file.to_path_buf(), position: (p.line, p.character) }
}

/// The string keys of a dict literal with their ranges and values; a name is looked up among the
/// module's assignments (`web = [("web1", WEB1)]` with `WEB1 = {...}` above).
fn dict_items<'e>(expr: &'e Expr, names: &HashMap<&str, &'e Expr>) -> Vec<(String, TextRange, &'e Expr)> {
    let expr = match expr {
        Expr::Name(n) => names.get(n.id.as_str()).copied().unwrap_or(expr),
        other => other,
    };
    let Expr::Dict(dict) = expr else { return Vec::new() };
    dict.items
        .iter()
        .filter_map(|item| match &item.key {
            Some(Expr::StringLiteral(s)) => Some((s.value.to_string(), s.range, &item.value)),
            _ => None,
        })
        .collect()
}

/// Host data set by the host groups of an inventory file; files that import pyinfra operations are
/// deploys, not inventories, and are skipped.
fn inventory_settings(text: &str, file: &Path) -> Vec<Setting> {
    let body = parse(text);
    let document = Document::new(text.to_string());
    let bindings = Bindings::collect(&body);
    if bindings.pyinfra_names().any(|(_, path)| path.starts_with("pyinfra.operations")) {
        return Vec::new();
    }
    let names: HashMap<&str, &Expr> = assignments(&body).map(|(n, _, v)| (n, v)).collect();
    let mut out = Vec::new();
    for (group, _, value) in assignments(&body) {
        if group.starts_with('_') {
            continue;
        }
        // `(hosts, data)` gives the whole group data; a list is hosts alone.
        let (hosts, data) = match value {
            Expr::Tuple(t) if t.elts.len() == 2 => (&t.elts[0], Some(&t.elts[1])),
            other => (other, None),
        };
        let Expr::List(list) = hosts else { continue };
        let mut host_data = Vec::new();
        let valid = list.elts.iter().all(|item| match item {
            Expr::StringLiteral(_) => true,
            Expr::Tuple(t) => match &t.elts[..] {
                [Expr::StringLiteral(name), data] => {
                    host_data.push((name.value.to_string(), data));
                    true
                }
                _ => false,
            },
            _ => false,
        });
        if !valid {
            continue;
        }
        for (key, at, v) in data.map(|d| dict_items(d, &names)).unwrap_or_default() {
            out.push((key, data_value(format!("group {group}"), value_text(text, v), file, &document, at)));
        }
        for (host, data) in host_data {
            for (key, at, v) in dict_items(data, &names) {
                out.push((key, data_value(host.clone(), value_text(text, v), file, &document, at)));
            }
        }
    }
    out
}

/// The module-level assignments of a `group_data` file, as pyinfra keeps them: names not starting
/// with `__`, or exactly those `__all__` lists.
fn group_data(text: &str, file: &Path) -> Vec<Setting> {
    let body = parse(text);
    let document = Document::new(text.to_string());
    let place = match (file.parent().and_then(Path::file_name), file.file_name()) {
        (Some(d), Some(f)) => format!("{}/{}", d.to_string_lossy(), f.to_string_lossy()),
        _ => file.display().to_string(),
    };
    let exported: Option<Vec<String>> =
        assignments(&body).find(|(n, _, _)| *n == "__all__").and_then(|(_, _, v)| match v {
            Expr::List(l) => {
                Some(l.elts.iter().filter_map(|e| e.as_string_literal_expr()).map(|s| s.value.to_string()).collect())
            }
            Expr::Tuple(t) => {
                Some(t.elts.iter().filter_map(|e| e.as_string_literal_expr()).map(|s| s.value.to_string()).collect())
            }
            _ => None,
        });
    assignments(&body)
        .filter(|(name, _, _)| !name.starts_with("__"))
        .filter(|(name, _, _)| exported.as_ref().is_none_or(|e| e.iter().any(|x| x == name)))
        .map(|(name, at, value)| {
            (name.to_string(), data_value(place.clone(), value_text(text, value), file, &document, at))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_hosts_groups_and_group_data() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let root = root.path();
        std::fs::create_dir_all(root.join("group_data"))?;
        std::fs::create_dir_all(root.join("tasks"))?;
        std::fs::write(
            root.join("inventory.py"),
            "WEB1 = {'port': 8080, 'role': 'a'}\nweb = [('web1', WEB1), 'web2']\ndb = (['db1'], {'port': 5432})\n\
             _hidden = [('x', {'secret': 1})]\nnot_hosts = [1, 2]\n",
        )?;
        std::fs::write(root.join("group_data/all.py"), "import os\nenv = 'prod'\n__doc__ = 'x'\n")?;
        std::fs::write(root.join("group_data/web.py"), "__all__ = ['port']\nport = 80\nhelper = 1\n")?;
        std::fs::write(root.join("deploy.py"), "from pyinfra.operations import apt\nx = [('p', {'nope': 1})]\n")?;
        let keys = data_keys(&root.join("tasks/web.py"));
        let got: Vec<(String, Vec<(String, String)>)> = keys
            .iter()
            .map(|k| (k.key.clone(), k.values.iter().map(|v| (v.place.clone(), v.value.clone())).collect()))
            .collect();
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                ("env".to_string(), pairs(&[("group_data/all.py", "'prod'")])),
                ("port".to_string(), pairs(&[("web1", "8080"), ("group db", "5432"), ("group_data/web.py", "80")])),
                ("role".to_string(), pairs(&[("web1", "'a'")])),
            ]
        );
        Ok(())
    }
}
