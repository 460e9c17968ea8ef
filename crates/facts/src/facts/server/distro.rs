//! `server.LinuxDistribution`: the host's `/etc/*-release` files, read the way the `distro` Python
//! package reads an `/etc` directory (os-release first, then the distro release file), so the name
//! and version numbers match what pyinfra reports.

use serde_json::json;

use super::util::try_int;
use crate::fact_source::FactCtx;
use crate::value::{Map, Value};

/// Prints every regular `/etc/*-release` file, each preceded by its path and followed by `---`.
pub const COMMAND: &str = "cd /etc/ && for file in $(ls -pdL *-release | grep -v /); do echo \"/etc/${file}\"; cat \"/etc/${file}\"; echo ---; done";

/// pyinfra's display names for some distro ids.
const PRETTY_NAMES: &[(&str, &str)] = &[
    ("alpine", "Alpine"),
    ("centos", "CentOS"),
    ("fedora", "Fedora"),
    ("gentoo", "Gentoo"),
    ("opensuse", "openSUSE"),
    ("rhel", "RedHat"),
    ("ubuntu", "Ubuntu"),
    ("debian", "Debian"),
];

/// Files the `distro` package never takes as the distro release file.
const IGNORED_RELEASE_FILES: &[&str] = &[
    "debian_version",
    "lsb-release",
    "oem-release",
    "os-release",
    "system-release",
    "plesk-release",
    "iredmail-release",
    "board-release",
    "ec2_version",
];

/// The value when nothing is known.
pub fn default_value() -> Value {
    json!({"name": null, "major": null, "minor": null, "release_meta": {}})
}

/// Name, major and minor version, and the os-release keys (upper-cased).
pub fn parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let files = split_files(&ctx.output.join("\n"));
    if files.is_empty() {
        return Ok(default_value());
    }
    let etc = Etc::new(files);
    let os_release = etc.os_release()?;
    let release = etc.distro_release_info()?;
    let info = Info { os_release: &os_release, release: &release, etc: &etc };

    let mut meta = Map::new();
    for (k, v) in &os_release {
        meta.insert(k.to_uppercase(), Value::String(v.clone()));
    }
    meta.remove("RELEASE_CODENAME");
    let (major, minor) = info.major_minor()?;
    let id = info.id();
    let name = PRETTY_NAMES.iter().find(|(k, _)| *k == id).map(|(_, n)| n.to_string()).unwrap_or_else(|| info.name());
    let as_int = |s: &str| match try_int(s) {
        v @ Value::Number(_) => v,
        _ => Value::Null,
    };
    Ok(json!({"name": name, "major": as_int(&major), "minor": as_int(&minor), "release_meta": meta}))
}

/// The `path\ncontent` sections of the output, keyed by path (a later duplicate replaces the content).
fn split_files(all: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for part in all.trim().split("---") {
        let part = part.trim();
        // A section with no content line (an empty file) is skipped.
        let Some((name, content)) = part.split_once('\n') else {
            continue;
        };
        match files.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = content.to_string(),
            None => files.push((name.to_string(), content.to_string())),
        }
    }
    files
}

/// The files of a scratch `/etc`, by base name.
struct Etc {
    files: Vec<(String, String)>,
}

impl Etc {
    fn new(sections: Vec<(String, String)>) -> Etc {
        let mut files: Vec<(String, String)> = Vec::new();
        for (path, content) in sections {
            let base = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or_default().to_string();
            if base.is_empty() || base == "." || base == ".." {
                continue;
            }
            match files.iter_mut().find(|(n, _)| *n == base) {
                Some(slot) => slot.1 = content,
                None => files.push((base, content)),
            }
        }
        Etc { files }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, c)| c.as_str())
    }

    fn os_release(&self) -> Result<Vec<(String, String)>, String> {
        self.get("os-release").map(parse_os_release).unwrap_or_else(|| Ok(vec![]))
    }

    /// `distro`'s distro release file: the first (sorted) `NAME[-_]release|version` file with a name.
    fn distro_release_info(&self) -> Result<Vec<(String, String)>, String> {
        let mut names: Vec<&str> =
            self.files.iter().map(|(n, _)| n.as_str()).filter(|n| !IGNORED_RELEASE_FILES.contains(n)).collect();
        names.sort_unstable();
        for name in names {
            let Some(id) = release_basename_id(name) else {
                continue;
            };
            let first_line = self.get(name).unwrap_or_default().split_inclusive('\n').next().unwrap_or_default();
            let mut info = parse_release_line(first_line);
            if !info.iter().any(|(k, _)| k == "name") {
                continue;
            }
            set(&mut info, "id", id.to_string());
            if id == "armbian" && lookup(&info, "name").starts_with('#') {
                set(&mut info, "name", "Armbian".into());
                let version = self.armbian_version()?;
                set(&mut info, "version_id", version);
            }
            if lookup(&info, "name").to_lowercase().contains("cloudlinux") {
                set(&mut info, "id", "cloudlinux".into());
            }
            return Ok(info);
        }
        Ok(vec![])
    }

    fn debian_version(&self) -> String {
        self.get("debian_version")
            .map(|c| c.lines().next().unwrap_or_default().trim_end().to_string())
            .unwrap_or_default()
    }

    fn armbian_version(&self) -> Result<String, String> {
        match self.get("armbian-release") {
            Some(c) => Ok(lookup(&parse_os_release(c)?, "version").to_string()),
            None => Ok(String::new()),
        }
    }
}

fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_default()
}

fn set(pairs: &mut Vec<(String, String)>, key: &str, value: String) {
    match pairs.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => pairs.push((key.to_string(), value)),
    }
}

/// `(\w+)[-_](release|version)$` matched at the start of a base name: the `\w+` part.
fn release_basename_id(name: &str) -> Option<&str> {
    let prefix = ["-release", "_release", "-version", "_version"].iter().find_map(|s| name.strip_suffix(s))?;
    (!prefix.is_empty() && prefix.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(prefix)
}

/// What the `distro` package derives from the os-release and distro release data.
struct Info<'a> {
    os_release: &'a [(String, String)],
    release: &'a [(String, String)],
    etc: &'a Etc,
}

impl Info<'_> {
    fn os(&self, key: &str) -> &str {
        lookup(self.os_release, key)
    }

    fn id(&self) -> String {
        let normalize = |id: &str, table: &[(&str, &str)]| {
            let id = id.to_lowercase().replace(' ', "_");
            table.iter().find(|(k, _)| *k == id).map(|(_, v)| v.to_string()).unwrap_or(id)
        };
        let os_id = self.os("id");
        if !os_id.is_empty() {
            return normalize(os_id, &[("ol", "oracle"), ("opensuse-leap", "opensuse")]);
        }
        normalize(lookup(self.release, "id"), &[("redhat", "rhel")])
    }

    fn name(&self) -> String {
        let os_name = self.os("name");
        if os_name.is_empty() { lookup(self.release, "name").to_string() } else { os_name.to_string() }
    }

    /// `version(best=True)`: the candidate with the most dots, the last such in priority order.
    fn best_version(&self) -> String {
        let mut sources = vec![
            self.os("version_id").to_string(),
            lookup(self.release, "version_id").to_string(),
            lookup(&parse_release_line(self.os("pretty_name")), "version_id").to_string(),
        ];
        if self.id() == "debian" || self.os("id_like").split_whitespace().any(|l| l == "debian") {
            sources.push(self.etc.debian_version());
            if lookup(self.release, "id") == "armbian" {
                sources.push(self.etc.armbian_version().unwrap_or_default());
            }
        }
        let mut version = String::new();
        for v in sources {
            if v.matches('.').count() > version.matches('.').count() || version.is_empty() {
                version = v;
            }
        }
        version
    }

    /// `(\d+)\.?(\d+)?\.?(\d+)?` at the start of the best version: major and minor (empty when absent).
    fn major_minor(&self) -> Result<(String, String), String> {
        let v = self.best_version();
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).collect::<String>();
        let major = digits(&v);
        if major.is_empty() {
            return Ok((String::new(), String::new()));
        }
        let rest = &v[major.len()..];
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        Ok((major, digits(rest)))
    }
}

/// Parse os-release text as the `distro` package does: shell-like words, `KEY=value` assignments,
/// keys lower-cased, plus the codename taken from `VERSION` or `VERSION_CODENAME`.
fn parse_os_release(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut props: Vec<(String, String)> = Vec::new();
    for token in crate::quote::split(text, true)? {
        if let Some((k, v)) = token.split_once('=') {
            set(&mut props, &k.to_lowercase(), v.to_string());
        }
    }
    if props.iter().any(|(k, _)| k == "version")
        && let Some(codename) = version_codename(lookup(&props, "version"))
    {
        set(&mut props, "codename", codename.clone());
        set(&mut props, "release_codename", codename);
    }
    if props.iter().any(|(k, _)| k == "version_codename") {
        let v = lookup(&props, "version_codename").to_string();
        set(&mut props, "codename", v);
    } else if props.iter().any(|(k, _)| k == "ubuntu_codename") {
        let v = lookup(&props, "ubuntu_codename").to_string();
        set(&mut props, "codename", v);
    }
    Ok(props)
}

/// Search `\((\D+)\)|,\s*(\D+)` in a VERSION value: the first group that matched.
fn version_codename(version: &str) -> Option<String> {
    let chars: Vec<char> = version.chars().collect();
    let non_digit = |c: &char| !c.is_ascii_digit();
    for start in 0..chars.len() {
        if chars[start] == '(' {
            // `\D+` is greedy and may cross `)`: take the last `)` of the non-digit run.
            let run = chars[start + 1..].iter().take_while(|c| non_digit(c)).count();
            if let Some(close) = (start + 2..=start + run).rev().find(|&i| chars[i] == ')') {
                return Some(chars[start + 1..close].iter().collect());
            }
        }
        if chars[start] == ',' {
            let ws = chars[start + 1..].iter().take_while(|c| c.is_whitespace()).count();
            let run = chars[start + 1..].iter().take_while(|c| non_digit(c)).count();
            if run > 0 {
                // `\s*` gives back spaces only when `\D+` would otherwise be empty.
                let from = if run > ws { start + 1 + ws } else { start + run };
                return Some(chars[from..start + 1 + run].iter().collect());
            }
        }
    }
    None
}

/// The first line of a distro release file: `NAME [release] VERSION [(CODENAME)]`, matched from the end
/// like `distro`'s reversed pattern `(?:[^)]*\)(.*)\()? *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+)`.
fn parse_release_line(line: &str) -> Vec<(String, String)> {
    let r: Vec<char> = line.trim().chars().rev().collect();
    let rev = |s: &[char]| s.iter().rev().collect::<String>();
    let mut info = Vec::new();
    if let Some((codename, (g2s, g2e, g3s))) = match_reversed(&r) {
        info.push(("name".to_string(), rev(&r[g3s..])));
        info.push(("version_id".to_string(), rev(&r[g2s..g2e])));
        if let Some((a, b)) = codename.filter(|(a, b)| b > a) {
            info.push(("codename".to_string(), rev(&r[a..b])));
        }
    } else if !line.is_empty() {
        info.push(("name".to_string(), line.trim().to_string()));
    }
    info
}

type Groups = (Option<(usize, usize)>, (usize, usize, usize));

fn match_reversed(r: &[char]) -> Option<Groups> {
    if let Some(p0) = r.iter().position(|c| *c == ')') {
        for q in (p0 + 1..r.len()).rev().filter(|&q| r[q] == '(') {
            if let Some(rest) = match_version_part(r, q + 1) {
                return Some((Some((p0 + 1, q)), rest));
            }
        }
    }
    match_version_part(r, 0).map(|rest| (None, rest))
}

/// ` *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+)` from `pos`: version bounds and the name start.
fn match_version_part(r: &[char], pos: usize) -> Option<(usize, usize, usize)> {
    let n = r.len();
    let spaces_from = |p: usize| p + r[p..].iter().take_while(|c| **c == ' ').count();
    let in_class = |c: char| c.is_ascii_digit() || c.is_ascii_lowercase() || ".+-".contains(c);
    let starts = |p: usize, s: &str| r[p..].iter().take(s.len()).copied().eq(s.chars());
    for after_spaces in (pos..=spaces_from(pos)).rev() {
        let mut version_starts = Vec::new();
        if starts(after_spaces, "STL ") {
            version_starts.push(after_spaces + 4);
        }
        version_starts.push(after_spaces);
        for vs in version_starts {
            let run_end = vs + r[vs..].iter().take_while(|c| in_class(**c)).count();
            for last in (vs..=run_end.min(n.saturating_sub(1))).rev().filter(|&i| i < n && r[i].is_ascii_digit()) {
                let ve = last + 1;
                for s2 in (ve..=spaces_from(ve)).rev() {
                    let mut name_starts = Vec::new();
                    if starts(s2, "esaeler") {
                        let k = s2 + "esaeler".len();
                        name_starts.extend((k..=spaces_from(k)).rev());
                    }
                    name_starts.push(s2);
                    if let Some(ns) = name_starts.into_iter().find(|&ns| ns < n) {
                        return Some((vs, ve, ns));
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(info: &[(String, String)], k: &str) -> String {
        lookup(info, k).to_string()
    }

    #[test]
    fn release_lines() {
        let i = parse_release_line("CentOS Linux release 7.9.2009 (Core)");
        assert_eq!(
            (get(&i, "name"), get(&i, "version_id"), get(&i, "codename")),
            ("CentOS Linux".into(), "7.9.2009".into(), "Core".into())
        );
        let i = parse_release_line("RED OS release (8.0) MINIMAL");
        assert_eq!((get(&i, "name"), get(&i, "version_id")), ("RED OS release (8.0) MINIMAL".into(), String::new()));
        let i = parse_release_line("CentOS Stream release 9");
        assert_eq!((get(&i, "name"), get(&i, "version_id")), ("CentOS Stream".into(), "9".into()));
        assert!(parse_release_line("").is_empty());
    }

    #[test]
    fn shlex_words() {
        let w = crate::quote::split("NAME=\"Arch Linux\"\nX='a b' # c\nY=a\\ b Z=\"q\\\"\\n\"", true).unwrap();
        assert_eq!(w, vec!["NAME=Arch Linux", "X=a b", "Y=a b", "Z=q\"\\n"]);
        assert!(crate::quote::split("A=\"open", true).is_err());
    }

    #[test]
    fn codenames() {
        assert_eq!(version_codename("20.04 LTS (Focal Fossa)").as_deref(), Some("Focal Fossa"));
        assert_eq!(version_codename("7, Core").as_deref(), Some("Core"));
        assert_eq!(version_codename("9"), None);
    }
}
