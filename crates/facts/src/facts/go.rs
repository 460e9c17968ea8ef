//! `pyinfra.facts.go`: programs installed with `go install`, from `go version -m`.

use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `go`.
pub const FACTS: &[Fact] = &[Fact {
    name: "GoPackages",
    doc: "The programs installed with `go install` in the Go binary directory, read with `go version -m`: \
          package import path mapped to the set of module versions (development builds are left out).",
    returns: "dict[str, set[str]]",
    default: "{}",
    command: Some(|_| COMMAND.into()),
    requires: Some(|_| Some("go".into())),
    parse: Some(parse),
    ..Fact::NEW
}];

/// Lists the build info of every executable in the Go binary directory.
const COMMAND: &str = "BINDIR=$(go env GOBIN); [ -z \"$BINDIR\" ] && BINDIR=\"$(go env GOPATH)/bin\"; ! test -d \"$BINDIR\" || \
                       find \"$BINDIR\" -maxdepth 1 -type f -perm -u+x -exec go version -m {} + 2>/dev/null";

/// Tab-indented `path`/`mod` lines of each binary: import path -> sorted module versions.
fn parse(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut packages = Map::new();
    let mut current: Option<String> = None;
    for line in f.output {
        if !line.starts_with('\t') {
            current = None;
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.len() < 3 {
            continue;
        }
        if parts[1] == "path" {
            current = Some(parts[2].to_string());
        } else if parts[1] == "mod" && parts.len() >= 4 {
            let Some(path) = current.take() else { continue };
            // `(devel)` marks a `go build`, not a `go install`.
            if parts[3] != "(devel)" {
                add_version(&mut packages, path, parts[3]);
            }
        }
    }
    Ok(Value::Object(packages))
}

/// Add a version to a path's sorted, de-duplicated list.
fn add_version(packages: &mut Map<String, Value>, path: String, version: &str) {
    if let Value::Array(versions) = packages.entry(path).or_insert_with(|| Value::Array(vec![])) {
        let v = Value::String(version.to_string());
        if !versions.contains(&v) {
            versions.push(v);
            versions.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
    }
}
