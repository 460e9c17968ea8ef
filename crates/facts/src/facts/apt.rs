//! `pyinfra.facts.apt`: apt sources (one-line `.list` and deb822 `.sources` files), installed
//! packages, keys, and simulated `apt-get` runs. Also the source-line parser and the
//! non-interactive `apt-get` command line that the apt operations share.

use std::collections::BTreeMap;

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Map, Value, str_or_list, truthy};

use super::util::gpg;
use super::util::packaging::{at_end, is_space, parse_packages, take_run};

/// The keyring directories apt reads keys from, searched by `AptKeys` and `apt.key`.
pub const APT_KEYRING_DIRS: &[&str] = &["/etc/apt/trusted.gpg.d", "/etc/apt/keyrings", "/usr/share/keyrings"];

/// The facts of `apt`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "AptSources",
        doc: "Every apt repository the host is configured with, read from `/etc/apt/sources.list`, the \
              one-line `.list` files and the deb822 `.sources` files in `/etc/apt/sources.list.d`. Each \
              entry is one repository (a deb822 stanza with several types, URIs or suites becomes several \
              entries) with its type, URL, distribution, components and options such as `arch` and \
              `signed-by`. Disabled deb822 stanzas and unparsable lines are left out.",
        returns: "list[AptRepo]: [{type: str, url: str, distribution: str, components: list[str], \
                  options: dict[str, str | list[str]]}]",
        command: Some(sources_command),
        requires: Some(requires_apt),
        parse: Some(parse_sources),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "AptPackages",
        doc: "Installed packages as apt lists them (`apt list --installed`): package name mapped to its \
              installed versions. Same shape as `deb.DebPackages`, but names keep an architecture suffix \
              such as `libc6:i386`.",
        returns: "dict[str, set[str]]",
        command: Some(packages_command),
        requires: Some(requires_apt),
        parse: Some(parse_apt_packages),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "AptKeys",
        doc: "The GPG keys apt trusts, found in the keyring files (`.gpg`, `.kbx`, `.asc`) of apt's \
              keyring directories rather than through the deprecated `apt-key`. Keyed by key ID, each \
              with its validity, length, fingerprint, user ID and subkeys; when a key ID is in several \
              keyrings the last one read wins.",
        args: &[arg(
            "directories",
            "list[str] | None",
            Dflt::None,
            "Directories to search instead of apt's standard keyring directories.",
        )],
        returns: "dict[str, {validity: str, length: int, subkeys: dict, fingerprint: str, uid_hash: str, uid: str}]",
        command: Some(keys_command),
        requires: Some(requires_gpg),
        parse: Some(parse_keys),
        ..Fact::NEW
    },
    Fact {
        name: "SimulateOperationWillChange",
        doc: "Dry-runs an `apt-get` subcommand (`upgrade`, `dist-upgrade --autoremove` ...) with \
              `--dry-run` and reports the counts apt prints: packages upgraded, newly installed, removed \
              and not upgraded. Fails when apt's summary line is missing from the output.",
        args: &[arg("command", "str", Dflt::Required, "The apt-get subcommand and its options to simulate.")],
        returns: "AptSimulationDict: {upgraded: int, newly_installed: int, removed: int, not_upgraded: int}",
        command: Some(simulate_command),
        requires: Some(requires_apt_get),
        parse: Some(parse_simulation),
        ..Fact::NEW
    },
];

fn requires_apt(_: &Args) -> Option<String> {
    Some("apt".into())
}

fn requires_apt_get(_: &Args) -> Option<String> {
    Some("apt-get".into())
}

fn requires_gpg(_: &Args) -> Option<String> {
    Some("gpg".into())
}

/// `apt-get` run without prompts, keeping existing configuration files: the prefix of every apt
/// command pyinfra runs (pyinfra's `noninteractive_apt`).
pub fn noninteractive_apt(command: &str, force: bool) -> String {
    let force = if force { " --force-yes" } else { "" };
    format!(
        "DEBIAN_FRONTEND=noninteractive apt-get -y{force} -o Dpkg::Options::=\"--force-confdef\" \
         -o Dpkg::Options::=\"--force-confold\" {command}"
    )
}

fn sources_command(_: &Args) -> String {
    // File markers let the parser pick the format (one-line or deb822) of each file.
    "sh -c 'for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; \
     do [ -e \"$f\" ] || continue; echo \"##PYINFRA_FILE $f\"; cat \"$f\"; echo; done'"
        .to_string()
}

/// One repository as pyinfra's `AptRepo` serialises it.
pub fn apt_repo(ty: &str, url: &str, distribution: &str, components: &[String], options: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), ty.into());
    m.insert("url".into(), url.into());
    m.insert("distribution".into(), distribution.into());
    m.insert("components".into(), components.iter().map(|c| Value::from(c.as_str())).collect());
    m.insert("options".into(), Value::Object(options));
    Value::Object(m)
}

/// Whether `repo` is in `sources` (an `AptSources` value), comparing the five repository fields.
pub fn repo_in(repo: &Value, sources: &Value) -> bool {
    const FIELDS: [&str; 5] = ["type", "url", "distribution", "components", "options"];
    let Some(list) = sources.as_array() else { return false };
    list.iter().any(|other| FIELDS.iter().all(|f| other.get(f).is_some_and(|v| Some(v) == repo.get(f))))
}

/// Parse a one-line source (`deb [arch=amd64] http://host/debian bookworm main`) into a repository
/// value; `Ok(None)` when it is not one. An option without `=` is Python's unpacking error.
pub fn parse_apt_repo(line: &str) -> Result<Option<Value>, String> {
    let (ty, rest) = if let Some(r) = line.strip_prefix("deb-src") {
        ("deb-src", r)
    } else if let Some(r) = line.strip_prefix("deb") {
        ("deb", r)
    } else {
        return Ok(None);
    };
    // `(?:\s+\[([^\]]+)\])?` is tried first; the regex falls back to no options when the rest fails.
    let with_options = take_run(rest, is_space)
        .and_then(|(_, r)| r.strip_prefix('['))
        .and_then(|r| r.split_once(']'))
        .filter(|(opts, _)| !opts.is_empty())
        .and_then(|(opts, tail)| repo_tail(tail).map(|t| (Some(opts), t)));
    let Some((options, (url, distribution, components))) = with_options.or_else(|| repo_tail(rest).map(|t| (None, t)))
    else {
        return Ok(None);
    };
    let mut opts = Map::new();
    for option in options.unwrap_or_default().split_whitespace() {
        let (key, value) =
            option.split_once('=').ok_or_else(|| "not enough values to unpack (expected 2, got 1)".to_string())?;
        let value = if value.contains(',') {
            Value::Array(value.split(',').map(Value::from).collect())
        } else {
            Value::from(value)
        };
        opts.insert(key.to_string(), value);
    }
    Ok(Some(apt_repo(ty, url, distribution, &components, opts)))
}

/// `\s+(url)\s+(distribution)(?:\s+([a-z-\s\d]+))?\s*$`
fn repo_tail(s: &str) -> Option<(&str, &str, Vec<String>)> {
    let (_, s) = take_run(s, is_space)?;
    let (url, s) = take_run(s, |c| !is_space(c))?;
    let (_, s) = take_run(s, is_space)?;
    let (distribution, rest) = take_run(s, |c| !is_space(c))?;
    let component_char = |c: char| c.is_ascii_lowercase() || c == '-' || is_space(c) || c.is_numeric();
    if !at_end(rest) && !rest.chars().all(component_char) {
        return None;
    }
    Some((url, distribution, rest.split_whitespace().map(str::to_string).collect()))
}

/// The repositories of a one-line `.list` file (comments and blank lines skipped).
fn parse_list_file(lines: &[String]) -> Result<Vec<Value>, String> {
    let mut repos = Vec::new();
    for line in lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        repos.extend(parse_apt_repo(line)?);
    }
    Ok(repos)
}

/// One deb822 stanza's fields, before it is expanded into repositories (pyinfra's `AptSourcesFile`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourcesEntry {
    /// `Types`: `deb`, `deb-src`.
    pub types: Vec<String>,
    /// `URIs`.
    pub uris: Vec<String>,
    /// `Suites`.
    pub suites: Vec<String>,
    /// `Components`.
    pub components: Vec<String>,
    /// `Architectures`, when restricted.
    pub architectures: Vec<String>,
    /// `Signed-By`: keyring paths, or one inline key block.
    pub signed_by: Vec<String>,
    /// `Trusted`, lower-cased, when set.
    pub trusted: Option<String>,
}

impl SourcesEntry {
    /// Parse one stanza; `None` when a required field is missing or the stanza is disabled.
    pub fn from_stanza(lines: &[String]) -> Option<SourcesEntry> {
        let mut data: BTreeMap<String, String> = BTreeMap::new();
        let mut current: Option<String> = None;
        for line in lines {
            if line.starts_with('#') {
                continue;
            }
            if let (Some(key), true) = (&current, line.starts_with([' ', '\t'])) {
                // A lone `.` continuation line stands for an empty line.
                let cont = &line[1..];
                let value = data.entry(key.clone()).or_default();
                value.push('\n');
                value.push_str(if cont == "." { "" } else { cont });
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            if let Some((key, value)) = line.split_once(':') {
                let key = key.trim().to_string();
                data.insert(key.clone(), value.trim().to_string());
                current = Some(key);
            }
        }
        if !["Types", "URIs", "Suites"].iter().all(|f| data.contains_key(*f)) {
            return None;
        }
        if data.get("Enabled").map_or("yes".to_string(), |e| e.to_lowercase()) != "yes" {
            return None;
        }
        let words =
            |k: &str| data.get(k).map(|v| v.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
        let signed = data.get("Signed-By").map(|s| s.trim()).unwrap_or_default();
        let signed_by = if signed.contains("-----BEGIN PGP") {
            vec![signed.to_string()]
        } else {
            signed.split_whitespace().map(str::to_string).collect()
        };
        Some(SourcesEntry {
            types: words("Types"),
            uris: words("URIs"),
            suites: words("Suites"),
            components: words("Components"),
            architectures: words("Architectures"),
            signed_by,
            trusted: data.get("Trusted").filter(|t| !t.is_empty()).map(|t| t.to_lowercase()),
        })
    }

    /// One repository per type, URI and suite, each with the stanza's components and options.
    pub fn expand_to_repos(&self) -> Vec<Value> {
        let one_or_many = |v: &[String]| match v {
            [one] => Value::from(one.as_str()),
            many => many.iter().map(|s| Value::from(s.as_str())).collect(),
        };
        let mut options = Map::new();
        if !self.architectures.is_empty() {
            options.insert("arch".into(), one_or_many(&self.architectures));
        }
        if !self.signed_by.is_empty() {
            options.insert("signed-by".into(), one_or_many(&self.signed_by));
        }
        if let Some(t) = &self.trusted {
            options.insert("trusted".into(), t.as_str().into());
        }
        let mut repos = Vec::new();
        for ty in &self.types {
            for uri in &self.uris {
                for suite in &self.suites {
                    repos.push(apt_repo(ty, uri, suite, &self.components, options.clone()));
                }
            }
        }
        repos
    }
}

/// The repositories of a deb822 `.sources` file: blank-line separated stanzas.
fn parse_sources_file(lines: &[String]) -> Vec<Value> {
    let mut repos = Vec::new();
    for stanza in lines.split(|l| l.trim().is_empty()).filter(|s| !s.is_empty()) {
        if let Some(entry) = SourcesEntry::from_stanza(stanza) {
            repos.extend(entry.expand_to_repos());
        }
    }
    repos
}

fn parse_sources(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut repos = Vec::new();
    let mut file: Option<String> = None;
    let mut buffer: Vec<String> = Vec::new();
    let mut flush = |file: &Option<String>, buffer: &mut Vec<String>| -> Result<(), String> {
        if let (Some(f), false) = (file, buffer.is_empty()) {
            if f.ends_with(".sources") {
                repos.extend(parse_sources_file(buffer));
            } else {
                repos.extend(parse_list_file(buffer)?);
            }
        }
        buffer.clear();
        Ok(())
    };
    for line in ctx.output {
        if let Some(name) = line.strip_prefix("##PYINFRA_FILE ") {
            flush(&file, &mut buffer)?;
            file = Some(name.trim().to_string());
            continue;
        }
        buffer.push(line.clone());
    }
    flush(&file, &mut buffer)?;
    Ok(Value::Array(repos))
}

fn packages_command(_: &Args) -> String {
    "apt list --installed 2>/dev/null".into()
}

/// Characters of an apt/dpkg package name (`[a-zA-Z0-9\+\-\.]`).
pub fn is_package_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
}

/// Characters of an apt/dpkg version (`[a-zA-Z0-9:~\.\-\+]`).
pub fn is_version_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '~' | '.' | '-' | '+')
}

/// `^(name(?::arch)?)/\S+\s+(version)\s+\S+\s+\[installed` — one line of `apt list --installed`.
fn apt_list_line(line: &str) -> Option<(String, String)> {
    let (name, mut rest) = take_run(line, is_package_name_char)?;
    let mut name = name.to_string();
    if let Some((arch, r)) = rest.strip_prefix(':').and_then(|r| take_run(r, |c| c.is_ascii_alphanumeric())) {
        name = format!("{name}:{arch}");
        rest = r;
    }
    let rest = rest.strip_prefix('/')?;
    let (_, rest) = take_run(rest, |c| !is_space(c))?;
    let (_, rest) = take_run(rest, is_space)?;
    let (version, rest) = take_run(rest, is_version_char)?;
    let (_, rest) = take_run(rest, is_space)?;
    let (_, rest) = take_run(rest, |c| !is_space(c))?;
    let (_, rest) = take_run(rest, is_space)?;
    rest.starts_with("[installed").then(|| (name, version.to_string()))
}

fn parse_apt_packages(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(ctx.output, apt_list_line))
}

fn keys_command(a: &Args) -> String {
    // pyinfra: `directories or APT_KEYRING_DIRS`.
    let dirs = match a.get("directories") {
        d if truthy(d) => str_or_list(d),
        _ => APT_KEYRING_DIRS.iter().map(|d| d.to_string()).collect(),
    };
    gpg::keyrings_command(&dirs)
}

/// The keys of every keyring, merged into one mapping (later keyrings win).
fn parse_keys(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let keyrings = gpg::parse_keyrings(ctx.output)?;
    let mut keys = Map::new();
    for keyring in keyrings.as_object().into_iter().flat_map(|m| m.values()) {
        if let Some(k) = keyring.get("keys").and_then(Value::as_object) {
            keys.extend(k.clone());
        }
    }
    Ok(Value::Object(keys))
}

fn simulate_command(a: &Args) -> String {
    // LC_ALL=C keeps apt's summary line in English for the parser.
    format!("LC_ALL=C {}", noninteractive_apt(&format!("{} --dry-run", crate::value::py_str(a.get("command"))), false))
}

/// `^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded.$`
fn simulation_line(line: &str) -> Option<[i64; 4]> {
    const SEPARATORS: [&str; 4] = [" upgraded, ", " newly installed, ", " to remove and ", " not upgraded"];
    let mut rest = line;
    let mut counts = [0i64; 4];
    for (count, sep) in counts.iter_mut().zip(SEPARATORS) {
        let (digits, r) = take_run(rest, |c| c.is_ascii_digit())?;
        *count = digits.parse().ok()?;
        rest = r.strip_prefix(sep)?;
    }
    // The regex's final `.` is any one character but a newline.
    let mut chars = rest.chars();
    chars.next().filter(|c| *c != '\n')?;
    at_end(chars.as_str()).then_some(counts)
}

fn parse_simulation(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let [upgraded, newly_installed, removed, not_upgraded] = ctx
        .output
        .iter()
        .find_map(|l| simulation_line(l))
        .ok_or_else(|| "Did not find proposed changes in output".to_string())?;
    Ok(serde_json::json!({
        "upgraded": upgraded,
        "newly_installed": newly_installed,
        "removed": removed,
        "not_upgraded": not_upgraded,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_line_sources() {
        let repo = parse_apt_repo("deb [arch=amd64,i386 signed-by=/k.gpg] http://h/d stable main contrib").expect("ok");
        assert_eq!(
            repo,
            Some(
                json!({"type": "deb", "url": "http://h/d", "distribution": "stable", "components": ["main", "contrib"],
                        "options": {"arch": ["amd64", "i386"], "signed-by": "/k.gpg"}})
            )
        );
        // A `[` not followed by whitespace after `]` is part of the URL.
        let repo = parse_apt_repo("deb [a=b]http://h d").expect("ok").expect("repo");
        assert_eq!(repo["url"], "[a=b]http://h");
        assert_eq!(parse_apt_repo("deb http://h d Main").expect("ok"), None);
        assert_eq!(parse_apt_repo("deb-src http://h /").expect("ok").expect("repo")["components"], json!([]));
        assert!(parse_apt_repo("deb [trusted] http://h d").is_err());
    }

    #[test]
    fn simulation_summary() {
        assert_eq!(
            simulation_line("1 upgraded, 2 newly installed, 3 to remove and 4 not upgraded."),
            Some([1, 2, 3, 4])
        );
        assert_eq!(simulation_line("1 upgraded, 2 newly installed, 3 to remove and 4 not upgraded"), None);
    }

    #[test]
    fn apt_list_lines() {
        assert_eq!(
            apt_list_line("libc6:i386/jammy,now 2.35-0ubuntu3.4 i386 [installed,automatic]"),
            Some(("libc6:i386".to_string(), "2.35-0ubuntu3.4".to_string()))
        );
        assert_eq!(apt_list_line("Listing..."), None);
    }
}
