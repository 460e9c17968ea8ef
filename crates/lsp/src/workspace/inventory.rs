//! The `host.data` keys the workspace defines, read (never run) from its inventory files — host
//! groups written as `web = [("web1", {"port": 80}), "web2"]` or `db = (["db1"], {"port": 5432})` —
//! and from the module-level assignments of `group_data/*.py`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ruff_python_ast::{Expr, PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::Ranged;

use super::files::cached;
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
    /// `(where, value)`: a host (`web1`), a group (`group web`) or a file (`group_data/all.py`), and
    /// the value's source text.
    pub values: Vec<(String, String)>,
}

/// One key set in one file.
type Setting = (String, String, String);

/// The `host.data` keys of the project the deploy at `deploy` belongs to, sorted by key.
pub fn data_keys(deploy: &Path) -> Vec<DataKey> {
    let Some(dir) = deploy.parent() else { return Vec::new() };
    let root = project_root(dir);
    let mut settings: Vec<Setting> = Vec::new();
    for file in python_files(&[root.to_path_buf(), root.join("inventories"), root.join("inventory")]) {
        if let Some(found) = cached(&file, "inventory", |text, _| inventory_settings(text)) {
            settings.extend(found.iter().cloned());
        }
    }
    let mut group_dirs = vec![root.join("group_data")];
    if dir != root {
        group_dirs.push(dir.join("group_data"));
    }
    for file in python_files(&group_dirs) {
        let label = match (file.parent().and_then(Path::file_name), file.file_name()) {
            (Some(d), Some(f)) => format!("{}/{}", d.to_string_lossy(), f.to_string_lossy()),
            _ => file.display().to_string(),
        };
        let found: Option<Arc<Vec<(String, String)>>> = cached(&file, "group_data", |text, _| group_data(text));
        for (key, value) in found.iter().flat_map(|f| f.iter()) {
            settings.push((key.clone(), label.clone(), value.clone()));
        }
    }
    let mut keys: Vec<DataKey> = Vec::new();
    settings.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, place, value) in settings {
        match keys.last_mut() {
            Some(last) if last.key == key => last.values.push((place, value)),
            _ => keys.push(DataKey { key, values: vec![(place, value)] }),
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

/// `name = value` statements at module level (single-name targets only).
fn assignments(body: &[Stmt]) -> impl Iterator<Item = (&str, &Expr)> {
    body.iter().filter_map(|stmt| match stmt {
        Stmt::Assign(a) => match &a.targets[..] {
            [Expr::Name(n)] => Some((n.id.as_str(), &*a.value)),
            _ => None,
        },
        Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
            (Expr::Name(n), Some(v)) => Some((n.id.as_str(), &**v)),
            _ => None,
        },
        _ => None,
    })
}

/// The string keys of a dict literal with their values; a name is looked up among the module's
/// assignments (`web = [("web1", WEB1)]` with `WEB1 = {...}` above).
fn dict_items<'e>(expr: &'e Expr, names: &HashMap<&str, &'e Expr>) -> Vec<(String, &'e Expr)> {
    let expr = match expr {
        Expr::Name(n) => names.get(n.id.as_str()).copied().unwrap_or(expr),
        other => other,
    };
    let Expr::Dict(dict) = expr else { return Vec::new() };
    dict.items
        .iter()
        .filter_map(|item| match &item.key {
            Some(Expr::StringLiteral(s)) => Some((s.value.to_string(), &item.value)),
            _ => None,
        })
        .collect()
}

/// Host data set by the host groups of an inventory file; files that import pyinfra operations are
/// deploys, not inventories, and are skipped.
fn inventory_settings(text: &str) -> Vec<Setting> {
    let body = parse(text);
    let bindings = Bindings::collect(&body);
    if bindings.pyinfra_names().any(|(_, path)| path.starts_with("pyinfra.operations")) {
        return Vec::new();
    }
    let names: HashMap<&str, &Expr> = assignments(&body).collect();
    let mut out = Vec::new();
    for (group, value) in assignments(&body) {
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
        for (key, v) in data.map(|d| dict_items(d, &names)).unwrap_or_default() {
            out.push((key, format!("group {group}"), value_text(text, v)));
        }
        for (host, data) in host_data {
            for (key, v) in dict_items(data, &names) {
                out.push((key, host.clone(), value_text(text, v)));
            }
        }
    }
    out
}

/// The module-level assignments of a `group_data` file, as pyinfra keeps them: names not starting
/// with `__`, or exactly those `__all__` lists.
fn group_data(text: &str) -> Vec<(String, String)> {
    let body = parse(text);
    let exported: Option<Vec<String>> = assignments(&body).find(|(n, _)| *n == "__all__").and_then(|(_, v)| match v {
        Expr::List(l) => {
            Some(l.elts.iter().filter_map(|e| e.as_string_literal_expr()).map(|s| s.value.to_string()).collect())
        }
        Expr::Tuple(t) => {
            Some(t.elts.iter().filter_map(|e| e.as_string_literal_expr()).map(|s| s.value.to_string()).collect())
        }
        _ => None,
    });
    assignments(&body)
        .filter(|(name, _)| !name.starts_with("__"))
        .filter(|(name, _)| exported.as_ref().is_none_or(|e| e.iter().any(|x| x == name)))
        .map(|(name, value)| (name.to_string(), value_text(text, value)))
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
        let got: Vec<(String, Vec<(String, String)>)> = keys.into_iter().map(|k| (k.key, k.values)).collect();
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
