//! pyinfra's shared package-manager logic (`pyinfra/operations/util/packaging.py`): turn a list
//! of wanted packages and the installed-packages fact into one install, remove and/or upgrade
//! command. Every package-manager module (apt, pip, apk, dnf, brew, npm ...) plans through
//! [`ensure_packages`]; they differ only in their commands, version syntax and facts. Also
//! `.rpm` files ([`ensure_rpm`]) and yum-style `.repo` files ([`ensure_yum_repo`]).

use serde_json::json;

use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::value::{Value, py_str, str_or_list, truthy};

use super::pep508;
use super::url::urlparse;

/// Builds the `name<op>version` text a package manager installs a pinned version with.
pub type VersionFormat = fn(name: &str, operator: &str, version: &str) -> String;

/// pyinfra's default version format: `name` + `operator` + `version` (`git=1.0`, `flask==2`).
pub fn default_version_format(name: &str, operator: &str, version: &str) -> String {
    format!("{name}{operator}{version}")
}

/// One wanted package: its name and, optionally, a pinned version (with its operator) or a URL.
#[derive(Debug, Clone)]
pub struct PkgInfo {
    /// Package name, as looked up in the installed-packages fact.
    pub name: String,
    /// Pinned version, empty when none.
    pub version: String,
    /// How the version is joined to the name (`=`, `==`, `>=`, `@`), empty when none.
    pub operator: String,
    /// Install from this URL instead of by name, empty when none.
    pub url: String,
    /// How `name`, `operator` and `version` combine into the install argument.
    pub format: VersionFormat,
}

impl PkgInfo {
    /// A package with the default version format.
    pub fn new(name: &str, version: &str, operator: &str, url: &str) -> PkgInfo {
        PkgInfo {
            name: name.to_string(),
            version: version.to_string(),
            operator: operator.to_string(),
            url: url.to_string(),
            format: default_version_format,
        }
    }

    /// `name<join>version` split at the last `join` (`git=1:2.0` with `=`), or a bare name.
    pub fn from_possible_pair(s: &str, join: Option<&str>) -> PkgInfo {
        match join {
            Some(j) if !j.is_empty() => match s.rsplit_once(j) {
                Some((name, version)) => PkgInfo::new(name, version, j, ""),
                None => PkgInfo::new(s, "", j, ""),
            },
            // Python's `str.rsplit("")` raises; no package manager passes an empty joiner.
            _ => PkgInfo::new(s, "", "", ""),
        }
    }

    /// A PEP 508 requirement (`flask>=2`, `name @ url`): lower-cased name, the single specifier's
    /// operator and version, and the URL. Invalid requirements, or ones with several specifiers,
    /// are taken whole as a package name, as pyinfra does (with a warning) until its 4.x.
    pub fn from_pep508(s: &str) -> PkgInfo {
        match pep508::parse(s) {
            Ok(r) if r.specifiers.len() <= 1 => {
                let (op, version) = r.specifiers.into_iter().next().unwrap_or_default();
                PkgInfo::new(&r.name.to_ascii_lowercase(), &version, &op, &r.url)
            }
            _ => PkgInfo::new(s, "", "", ""),
        }
    }

    /// Whether a version is pinned.
    pub fn has_version(&self) -> bool {
        !self.version.is_empty()
    }

    /// The shell-quoted install argument: the URL, else the formatted pinned version, else the name.
    pub fn inst_vers(&self) -> String {
        if !self.url.is_empty() {
            return quote(&self.url);
        }
        if self.has_version() {
            return quote(&(self.format)(&self.name, &self.operator, &self.version));
        }
        quote(&self.name)
    }
}

/// A `str | list[str] | None` packages argument as [`PkgInfo`]s, split with `version_join`.
pub fn packages_from_arg(v: &Value, version_join: Option<&str>) -> Vec<PkgInfo> {
    str_or_list(v).iter().map(|p| PkgInfo::from_possible_pair(p, version_join)).collect()
}

/// pyinfra compares `present is True` / `present is False`: anything but a real bool is neither.
pub fn present_flag(v: &Value) -> Option<bool> {
    v.as_bool()
}

/// Looks up which packages provide a name (`yum whatprovides`, pacman groups): the fact's value,
/// a list of names or `[name, version]` pairs; empty or `None` means just the name itself.
pub type Expand<'a> = &'a dyn Fn(&Ctx<'_>, &str) -> Result<Value, PlanError>;

/// What [`ensure_packages`] should make true, and the commands it may use.
pub struct Ensure<'a> {
    /// The wanted packages.
    pub packages: Vec<PkgInfo>,
    /// `Some(true)`: install; `Some(false)`: remove; `None` (not a bool): do nothing, as pyinfra.
    pub present: Option<bool>,
    /// Command prefix that installs packages (the package arguments are appended).
    pub install_command: String,
    /// Command prefix that removes packages.
    pub uninstall_command: String,
    /// Upgrade installed packages that were given without a version.
    pub latest: bool,
    /// Command prefix that upgrades packages (needed for `latest`).
    pub upgrade_command: Option<String>,
    /// Expand a name to the packages that provide it.
    pub expand: Option<Expand<'a>>,
    /// With `expand`: installed when any (not all) of the expanded packages is.
    pub expand_match_any: bool,
}

impl Ensure<'_> {
    /// Install or remove `packages` with the given commands; nothing else set.
    pub fn new(packages: Vec<PkgInfo>, present: Option<bool>, install: String, uninstall: String) -> Self {
        Ensure {
            packages,
            present,
            install_command: install,
            uninstall_command: uninstall,
            latest: false,
            upgrade_command: None,
            expand: None,
            expand_match_any: false,
        }
    }
}

/// Status of an installed package in the richer `PackageInfo` fact shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Installed,
    Upgradeable,
    Held,
}

/// One installed-packages entry: a plain list of versions (`{"git": ["1.0"]}`), or a
/// `PackageInfo` mapping with `installed_versions` and `status`.
struct Installed<'v>(&'v Value);

impl Installed<'_> {
    fn versions(&self) -> Vec<String> {
        let list = match self.0.get("installed_versions") {
            Some(v) => v,
            None => self.0,
        };
        match list {
            Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => vec![],
        }
    }

    fn has_version(&self, version: &str) -> bool {
        self.versions().iter().any(|v| v == version)
    }

    fn status(&self) -> Option<Status> {
        self.0.get("installed_versions")?;
        Some(match self.0.get("status").and_then(Value::as_str) {
            Some("held") => Status::Held,
            Some("upgradeable") => Status::Upgradeable,
            _ => Status::Installed,
        })
    }

    /// Versions for a no-change message: sorted for plain lists, as given for `PackageInfo`.
    fn display(&self) -> String {
        let mut v = self.versions();
        if self.status().is_none() {
            v.sort();
        }
        v.join(",")
    }
}

/// Whether `pkg` (with its version, if pinned) is installed; with `expand`, checks the packages
/// that provide it instead (all of them, or any with `match_any`).
fn has_package(
    ctx: &Ctx<'_>,
    pkg: &PkgInfo,
    current: &Value,
    expand: Option<Expand<'_>>,
    match_any: bool,
) -> Result<bool, PlanError> {
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |name: String, version: Option<String>| {
        let idx = match wanted.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None => {
                wanted.push((name, vec![]));
                wanted.len() - 1
            }
        };
        if let Some(v) = version
            && !wanted[idx].1.contains(&v)
        {
            wanted[idx].1.push(v);
        }
    };
    let expanded = match expand {
        Some(f) => f(ctx, &pkg.name)?,
        None => Value::Null,
    };
    match expanded {
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                match item {
                    Value::Array(pair) => {
                        let get = |i: usize| pair.get(i).and_then(Value::as_str).map(str::to_string);
                        add(get(0).unwrap_or_default(), get(1));
                    }
                    other => add(py_str(&other), None),
                }
            }
        }
        _ if pkg.has_version() => add(pkg.name.clone(), Some(pkg.version.clone())),
        _ => add(pkg.name.clone(), None),
    }
    let installed = |name: &str, versions: &[String]| match current.get(name) {
        None => false,
        Some(v) => versions.is_empty() || versions.iter().any(|ver| Installed(v).has_version(ver)),
    };
    let mut checks = wanted.iter().map(|(n, v)| installed(n, v));
    Ok(if match_any { checks.any(|c| c) } else { checks.all(|c| c) })
}

/// pyinfra's `ensure_packages`: emit one install (or remove) command for the packages not yet
/// in the wanted state, then, with `latest`, one upgrade command for installed unpinned ones.
/// Says "package X is installed" and the like for packages that need nothing.
pub fn ensure_packages(ctx: &mut Ctx<'_>, current: &Value, spec: &Ensure<'_>) -> Result<(), PlanError> {
    if spec.packages.is_empty() {
        return Ok(());
    }
    let mut diff: Vec<String> = Vec::new();
    let mut upgrade: Vec<String> = Vec::new();

    if spec.present == Some(true) {
        for pkg in &spec.packages {
            if !has_package(ctx, pkg, current, spec.expand, spec.expand_match_any)? {
                diff.push(pkg.inst_vers());
                continue;
            }
            let entry = current.get(&pkg.name).map(Installed);
            let status = entry.as_ref().and_then(Installed::status);
            if status == Some(Status::Held) {
                ctx.noop(format!("package {} is held", pkg.name));
                continue;
            }
            if !pkg.has_version() && (status == Some(Status::Upgradeable) || (spec.latest && status.is_none())) {
                upgrade.push(pkg.inst_vers());
            }
            let shown = entry.as_ref().map(Installed::display).unwrap_or_default();
            let suffix = if shown.is_empty() { String::new() } else { format!(" ({shown})") };
            if !spec.latest {
                ctx.noop(format!("package {} is installed{suffix}", pkg.name));
            } else if status == Some(Status::Installed) {
                ctx.noop(format!("package {} is up to date{suffix}", pkg.name));
            }
        }
    }
    if spec.present == Some(false) {
        for pkg in &spec.packages {
            if has_package(ctx, pkg, current, spec.expand, true)? {
                diff.push(pkg.inst_vers());
            } else {
                ctx.noop(format!("package {} is not installed", pkg.name));
            }
        }
    }

    if !diff.is_empty() {
        let command = if spec.present == Some(true) { &spec.install_command } else { &spec.uninstall_command };
        ctx.change(format!("{} {}", if spec.present == Some(true) { "install" } else { "remove" }, diff.join(" ")));
        ctx.shell(format!("{command} {}", diff.join(" ")));
    }
    if let Some(cmd) = spec.upgrade_command.as_deref().filter(|c| spec.latest && !c.is_empty() && !upgrade.is_empty()) {
        ctx.change(format!("upgrade {}", upgrade.join(" ")));
        ctx.shell(format!("{cmd} {}", upgrade.join(" ")));
    }
    Ok(())
}

/// pyinfra's `ensure_rpm`: install or remove a package from an `.rpm` file on the host or at a URL
/// (downloaded first), comparing the archive's name and version with the installed package.
/// `package_manager` (`yum`, `dnf`, `zypper`) removes packages.
pub fn ensure_rpm(ctx: &mut Ctx<'_>, source: &str, present: bool, package_manager: &str) -> Result<(), PlanError> {
    let original = source;
    let mut source = source.to_string();
    if !urlparse(&source).scheme.is_empty() {
        // yum wants the `.rpm` extension.
        let temp = format!("{}.rpm", ctx.env.temp_filename(&source));
        crate::nested(ctx, "files.download", &[("src", json!(source)), ("dest", json!(temp))])?;
        source = temp;
    }
    let info = ctx.fact("rpm.RpmPackage", &[("package", json!(source))])?;
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let mut exists = false;
    if truthy(&info) {
        let current = ctx.fact("rpm.RpmPackage", &[("package", field(&info, "name"))])?;
        exists = truthy(&current) && field(&current, "version") == field(&info, "version");
    }
    if present && !exists {
        ctx.change(format!("install {original}"));
        if truthy(&info) {
            ctx.shell(format!("rpm -i {source}"));
        } else {
            // Downloaded mid-deploy, so nothing is known yet: check on the host at run time.
            ctx.shell(format!("rpm -q `rpm -qp {source}` 2> /dev/null || rpm -i {source}"));
        }
    } else if exists && !present {
        let name = py_str(&field(&info, "name"));
        ctx.change(format!("remove {name}"));
        ctx.shell(format!("{package_manager} remove -y {name}"));
    } else {
        ctx.noop(format!("rpm {original} is {}", if present { "installed" } else { "not installed" }));
    }
    Ok(())
}

/// A yum/dnf/zypper repository definition for [`ensure_yum_repo`].
pub struct YumRepo<'a> {
    /// Repository name, or URL of a `.repo` file to download.
    pub name_or_url: &'a str,
    /// Base URL of the packages (needed unless `name_or_url` is a URL).
    pub baseurl: Option<&'a str>,
    /// Whether the repository file should exist.
    pub present: bool,
    /// Human-readable name; defaults to the repository name.
    pub description: Option<&'a str>,
    /// `enabled=1` or `0`.
    pub enabled: bool,
    /// `gpgcheck=1` or `0`.
    pub gpgcheck: bool,
    /// Space-separated URLs or absolute paths of signing keys.
    pub gpgkey: Option<&'a str>,
    /// Directory of `.repo` files, with a trailing slash (`/etc/yum.repos.d/`).
    pub repo_directory: &'a str,
    /// The `type=` line (zypper), if any.
    pub type_: Option<&'a str>,
}

/// pyinfra's `ensure_yum_repo`: write, download or delete `<repo_directory><name>.repo`.
pub fn ensure_yum_repo(ctx: &mut Ctx<'_>, repo: &YumRepo<'_>) -> Result<(), PlanError> {
    let mut name = repo.name_or_url.to_string();
    let parts = urlparse(repo.name_or_url);
    let url = (!parts.scheme.is_empty()).then(|| repo.name_or_url.to_string());
    if url.is_some() {
        name = parts.path.rsplit('/').next().unwrap_or_default().to_string();
        if let Some(stem) = name.strip_suffix(".repo") {
            name = stem.to_string();
        }
    }
    let filename = format!("{}{name}.repo", repo.repo_directory);
    if !repo.present {
        return crate::nested(ctx, "files.file", &[("path", json!(filename)), ("present", json!(false))]);
    }
    if let Some(url) = url {
        if !truthy(&ctx.fact("files.File", &[("path", json!(filename))])?) {
            crate::nested(ctx, "files.download", &[("src", json!(url)), ("dest", json!(filename))])?;
        }
        return Ok(());
    }
    // pyinfra asserts a base URL here.
    let baseurl = repo.baseurl.ok_or_else(|| PlanError::value("baseurl is required for a repository by name"))?;
    let description = repo.description.filter(|d| !d.is_empty()).unwrap_or(&name);
    let mut lines = vec![
        format!("[{name}]"),
        format!("name={description}"),
        format!("baseurl={baseurl}"),
        format!("enabled={}", u8::from(repo.enabled)),
        format!("gpgcheck={}", u8::from(repo.gpgcheck)),
    ];
    if let Some(t) = repo.type_.filter(|t| !t.is_empty()) {
        lines.push(format!("type={t}"));
    }
    if let Some(keys) = repo.gpgkey.filter(|k| !k.is_empty()) {
        for key in keys.split_whitespace() {
            if urlparse(key).scheme.is_empty() && !key.starts_with('/') {
                return Err(PlanError::value(format!("gpgkey must be a valid URL or an absolute path, got: {key}")));
            }
        }
        lines.push(format!("gpgkey={keys}"));
    }
    lines.push(String::new());
    let content = lines.join("\n");
    crate::nested(
        ctx,
        "files.put",
        &[("src", json!(format!("io:{content}"))), ("dest", json!(filename)), ("mode", json!("0644"))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact_source::NoFacts;
    use crate::fact_source::testing::{DisplayFacts, FixedEnv};
    use crate::local_files::NoLocalFiles;
    use crate::plan::Command;
    use serde_json::json;

    const ENV: FixedEnv = FixedEnv("_tempfile_");

    #[test]
    fn rpm_files() {
        let facts = DisplayFacts(vec![
            ("rpm.RpmPackage(package=/x.rpm)", json!({"name": "x", "version": "1"})),
            ("rpm.RpmPackage(package=x)", json!({"name": "x", "version": "1"})),
        ]);
        let mut ctx = Ctx::new(&facts, &NoLocalFiles, &ENV);
        ensure_rpm(&mut ctx, "/x.rpm", true, "dnf").expect("plans");
        ensure_rpm(&mut ctx, "/x.rpm", false, "dnf").expect("plans");
        let plan = ctx.finish();
        assert_eq!(plan.commands, vec![Command::Shell("dnf remove -y x".into())]);

        let facts = DisplayFacts(vec![("rpm.RpmPackage(package=/y.rpm)", Value::Null)]);
        let mut ctx = Ctx::new(&facts, &NoLocalFiles, &ENV);
        ensure_rpm(&mut ctx, "/y.rpm", true, "yum").expect("plans");
        let want = "rpm -q `rpm -qp /y.rpm` 2> /dev/null || rpm -i /y.rpm";
        assert_eq!(ctx.finish().commands, vec![Command::Shell(want.into())]);
    }

    #[test]
    fn yum_repo_rejects_relative_keys() {
        let mut ctx = Ctx::new(&NoFacts, &NoLocalFiles, &ENV);
        let repo = YumRepo {
            name_or_url: "r",
            baseurl: Some("http://x"),
            present: true,
            description: None,
            enabled: true,
            gpgcheck: true,
            gpgkey: Some("http://k /k2 k3"),
            repo_directory: "/etc/yum.repos.d/",
            type_: None,
        };
        let err = ensure_yum_repo(&mut ctx, &repo).expect_err("fails");
        assert_eq!(err, PlanError::value("gpgkey must be a valid URL or an absolute path, got: k3"));
    }

    fn run(current: Value, spec: &Ensure<'_>) -> (Vec<String>, Option<String>) {
        let mut ctx = Ctx::new(&NoFacts, &NoLocalFiles, &ENV);
        ensure_packages(&mut ctx, &current, spec).expect("plans");
        let plan = ctx.finish();
        let cmds = plan
            .commands
            .iter()
            .map(|c| match c {
                Command::Shell(s) => s.raw.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        (cmds, plan.noop)
    }

    #[test]
    fn pairs_and_pep508() {
        let p = PkgInfo::from_possible_pair("libc=2:1.0=x", Some("="));
        assert_eq!((p.name.as_str(), p.version.as_str()), ("libc=2:1.0", "x"));
        assert_eq!(PkgInfo::from_pep508("ANoTHEr>1").inst_vers(), "'another>1'");
        assert_eq!(PkgInfo::from_pep508("a>1,<2").name, "a>1,<2");
        assert_eq!(PkgInfo::from_pep508("x @ https://h/x.whl").inst_vers(), "https://h/x.whl");
    }

    #[test]
    fn install_upgrade_and_noops() {
        let mut spec =
            Ensure::new(packages_from_arg(&json!(["git", "vim=2"]), Some("=")), Some(true), "i".into(), "r".into());
        spec.latest = true;
        spec.upgrade_command = Some("u".into());
        let (cmds, _) = run(json!({"git": ["1"], "vim": ["1"]}), &spec);
        assert_eq!(cmds, vec!["i vim=2", "u git"]);

        let spec = Ensure::new(packages_from_arg(&json!("git"), None), Some(true), "i".into(), "r".into());
        let (cmds, noop) = run(json!({"git": ["2", "10"]}), &spec);
        assert!(cmds.is_empty());
        assert_eq!(noop.as_deref(), Some("package git is installed (10,2)"));

        let spec = Ensure::new(packages_from_arg(&json!(["a", "b"]), None), Some(false), "i".into(), "r".into());
        assert_eq!(run(json!({"a": [""]}), &spec).0, vec!["r a"]);

        let spec = Ensure::new(packages_from_arg(&json!("a"), None), None, "i".into(), "r".into());
        assert!(run(json!({}), &spec).0.is_empty());
    }

    #[test]
    fn package_info_shape() {
        let mut spec =
            Ensure::new(packages_from_arg(&json!(["held", "up", "ok"]), None), Some(true), "i".into(), "r".into());
        spec.latest = true;
        spec.upgrade_command = Some("u".into());
        let current = json!({
            "held": {"installed_versions": ["1"], "status": "held"},
            "up": {"installed_versions": ["1"], "status": "upgradeable"},
            "ok": {"installed_versions": ["3"], "status": "installed"},
        });
        let (cmds, noop) = run(current, &spec);
        assert_eq!(cmds, vec!["u up"]);
        assert_eq!(noop.as_deref(), Some("package ok is up to date (3)"));
    }
}
