//! `pyinfra.facts.git`: branches, tags, config and commits of git repositories on the host.
//!
//! The repository path is interpolated into the commands unquoted, exactly as pyinfra does.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

/// `repo`: the one argument of most git facts.
const REPO: &[Arg] = &[arg("repo", "str", Dflt::Required, "Path of the repository on the host.")];

/// The facts of `git`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "GitFactBase",
        doc: "Common base of the git facts: they are only gathered when `git` is installed. Not a fact to \
              ask for on its own.",
        returns: "Any",
        ..Fact::NEW
    },
    Fact {
        name: "GitBranch",
        doc: "What `git describe --all` says HEAD is in the repository, without the `heads/` or `tags/` \
              prefix (a branch or tag name); empty when the directory does not exist.",
        args: REPO,
        returns: "str",
        command: Some(branch_command),
        requires: Some(requires_git),
        parse: Some(parse_branch),
        ..Fact::NEW
    },
    Fact {
        name: "GitTag",
        doc: "The tags of the repository, one per line of `git tag`.",
        args: REPO,
        returns: "list[str]",
        command: Some(tag_command),
        requires: Some(requires_git),
        parse: Some(parse_lines),
        ..Fact::NEW
    },
    Fact {
        name: "GitConfig",
        doc: "Git configuration as a mapping of key to its list of values (keys may repeat). Reads the \
              repository's local config when `repo` is given, else the global (or, with `system`, the \
              system-wide) config.",
        args: &[
            arg("repo", "str | None", Dflt::None, "Repository whose local config to read (None: global/system)."),
            arg(
                "system",
                "bool",
                Dflt::Bool(false),
                "Without `repo`, read the system config instead of the global one.",
            ),
        ],
        returns: "dict[str, list[str]]",
        command: Some(config_command),
        requires: Some(requires_git),
        parse: Some(parse_config),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "GitTrackingBranch",
        doc: "The upstream (`remote/branch`) the checked-out branch tracks, from `git status --branch \
              --porcelain`; None when it tracks nothing.",
        args: REPO,
        returns: "str | None",
        command: Some(tracking_command),
        requires: Some(requires_git),
        parse: Some(parse_tracking),
        ..Fact::NEW
    },
    Fact {
        name: "GitLocalCommit",
        doc: "The full commit hash a ref resolves to in the repository; None when the repository or the \
              ref does not exist.",
        args: &[
            arg("repo", "str", Dflt::Required, "Path of the repository on the host."),
            arg("ref", "str", Dflt::Str("HEAD"), "Ref to resolve (branch, tag, HEAD...)."),
        ],
        returns: "str | None",
        command: Some(local_commit_command),
        requires: Some(requires_git),
        parse: Some(parse_local_commit),
        ..Fact::NEW
    },
    Fact {
        name: "GitRemoteBranchCommit",
        doc: "The commit hash at the tip of a branch on a remote, from `git ls-remote`; None when the \
              remote is unreachable, the branch is unknown there or the repository is missing.",
        args: &[
            arg("repo", "str", Dflt::Required, "Path of the repository on the host."),
            arg("remote", "str", Dflt::Str("origin"), "Remote to ask."),
            arg("branch", "str | None", Dflt::None, "Branch on the remote (None: its HEAD)."),
        ],
        returns: "str | None",
        command: Some(remote_commit_command),
        requires: Some(requires_git),
        parse: Some(parse_remote_commit),
        ..Fact::NEW
    },
];

/// Every git fact needs the `git` binary.
fn requires_git(_: &Args) -> Option<String> {
    Some("git".into())
}

/// `! test -d REPO || (cd REPO && INNER)`: run only when the repository directory exists.
fn in_repo(a: &Args, inner: &str) -> String {
    let repo = py_str(a.get("repo"));
    format!("! test -d {repo} || (cd {repo} && {inner})")
}

fn branch_command(a: &Args) -> String {
    in_repo(a, "git describe --all")
}

fn tag_command(a: &Args) -> String {
    in_repo(a, "git tag")
}

fn tracking_command(a: &Args) -> String {
    in_repo(a, "git status --branch --porcelain")
}

fn config_command(a: &Args) -> String {
    if a.get("repo").is_null() {
        let level = if a.flag("system") { "--system" } else { "--global" };
        return format!("git config {level} -l || true");
    }
    in_repo(a, "git config --local -l")
}

fn local_commit_command(a: &Args) -> String {
    format!("{} || true", in_repo(a, &format!("git rev-parse {} 2>/dev/null", py_str(a.get("ref")))))
}

fn remote_commit_command(a: &Args) -> String {
    let branch = a.get("branch");
    let git_ref = if crate::value::truthy(branch) { py_str(branch) } else { "HEAD".into() };
    in_repo(a, &format!("git ls-remote {} {git_ref} 2>/dev/null | head -n1", py_str(a.get("remote"))))
}

/// Remove every `heads/` and `tags/` in one left-to-right pass (pyinfra's `re.sub`).
fn strip_ref_prefixes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("heads/").or_else(|| rest.strip_prefix("tags/")) {
            rest = r;
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out
}

fn parse_branch(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::String(strip_ref_prefixes(&f.output.join("\n"))))
}

fn parse_lines(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::Array(f.output.iter().map(|l| Value::String(l.clone())).collect()))
}

fn parse_config(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut items: Map<String, Value> = Map::new();
    for line in f.output {
        let (key, value) = line.split_once('=').ok_or_else(|| format!("config line without `=`: {line:?}"))?;
        let entry = items.entry(key.to_string()).or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(values) = entry {
            values.push(Value::String(value.to_string()));
        }
    }
    Ok(Value::Object(items))
}

/// The first `...UPSTREAM` of the status line, as `\.{3}(\S+)\b` finds it.
fn tracking_of(line: &str) -> Option<String> {
    let mut search = line;
    while let Some(i) = search.find("...") {
        let after = &search[i + 3..];
        let word: String = after.chars().take_while(|c| !c.is_whitespace()).collect();
        // `\b` after a greedy `\S+`: backtrack to the last word character boundary.
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let chars: Vec<char> = word.chars().collect();
        let end = (1..=chars.len()).rev().find(|&n| {
            let prev = is_word(chars[n - 1]);
            let next = chars.get(n).copied().or_else(|| after[word.len()..].chars().next()).is_some_and(is_word);
            prev != next
        });
        if let Some(n) = end {
            return Some(chars[..n].iter().collect());
        }
        search = &search[i + 1..];
    }
    None
}

fn parse_tracking(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(f.output.first().and_then(|l| tracking_of(l)).map(Value::String).unwrap_or(Value::Null))
}

/// A full SHA-1 or SHA-256 hex object name.
fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn parse_local_commit(f: &FactCtx<'_>) -> Result<Value, String> {
    let line = f.output.first().map(|l| l.trim()).unwrap_or_default();
    Ok(if is_sha(line) { Value::String(line.into()) } else { Value::Null })
}

fn parse_remote_commit(f: &FactCtx<'_>) -> Result<Value, String> {
    let line = f.output.first().map(|l| l.trim()).unwrap_or_default();
    let first = line.split('\t').next().unwrap_or_default();
    Ok(if is_sha(first) { Value::String(first.into()) } else { Value::Null })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_prefixes_go_in_one_pass() {
        assert_eq!(strip_ref_prefixes("heads/develop"), "develop");
        assert_eq!(strip_ref_prefixes("tags/v1"), "v1");
        assert_eq!(strip_ref_prefixes("remotes/origin/main"), "remotes/origin/main");
        assert_eq!(strip_ref_prefixes("heatags/ds/x"), "heads/x");
    }

    #[test]
    fn tracking_branch_from_status() {
        assert_eq!(tracking_of("## b...origin/master [behind 2]").as_deref(), Some("origin/master"));
        assert_eq!(tracking_of("## b...origin/x-"), Some("origin/x".into()));
        assert_eq!(tracking_of("## branch1"), None);
    }

    #[test]
    fn sha_shapes() {
        assert!(is_sha(&"a".repeat(40)));
        assert!(is_sha(&"0".repeat(64)));
        assert!(!is_sha(&"A".repeat(40)));
        assert!(!is_sha("abc"));
    }
}
