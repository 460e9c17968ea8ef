//! `pyinfra.operations.git`: clones, worktrees, bare repositories and git configuration.

use serde_json::json;

use crate::args::Args;
use crate::operations::files::util::{self, unix_path_join};
use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Value, py_str, truthy};

/// What this module manages.
pub const DOC: &str = "Clone and update git repositories, manage worktrees and bare repositories, and set \
                       git configuration (per repository, per user or system-wide).";

/// The operations of `git`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "config",
        doc: "Make sure a git config key has a value, in a repository's local config, the user's global \
              config or the system config. A single-valued key is set when its current values differ; \
              with `multi_value` the value is added unless already among the key's values.",
        args: &[
            arg("key", "str", Dflt::Required, "Config key (`user.name`, `fetch.prune`...)."),
            arg("value", "str", Dflt::Required, "Value the key should have."),
            arg("multi_value", "bool", Dflt::Bool(false), "Add the value to a multi-valued key instead of replacing."),
            arg("repo", "str | None", Dflt::None, "Repository whose local config to edit (None: global/system)."),
            arg(
                "system",
                "bool",
                Dflt::Bool(false),
                "Without `repo`, edit the system config instead of the global one.",
            ),
        ],
        planner: Some(config),
        ..Operation::NEW
    },
    Operation {
        name: "repo",
        doc: "Clone a repository into a directory (created if needed), or update an existing clone: \
              point `origin` at `src` if it changed, switch to `branch` (fetching first), and pull unless \
              the local branch already matches the remote tip. Submodules can be updated, ownership \
              fixed afterwards, and the git server's SSH host key recorded before cloning.",
        args: &[
            arg("src", "str", Dflt::Required, "URL of the repository to clone."),
            arg("dest", "str", Dflt::Required, "Directory to clone into."),
            arg("branch", "str | None", Dflt::None, "Branch or tag to check out."),
            arg("pull", "bool", Dflt::Bool(true), "Pull new commits into an existing clone."),
            arg("rebase", "bool", Dflt::Bool(false), "Pull with `--rebase`."),
            arg("user", "str | None", Dflt::None, "Owner to give the files when anything changed."),
            arg("group", "str | None", Dflt::None, "Group to give the files when anything changed."),
            arg(
                "ssh_keyscan",
                "bool",
                Dflt::Bool(false),
                "Record the server's SSH host key first (`user@host:...` URLs).",
            ),
            arg("update_submodules", "bool", Dflt::Bool(false), "Run `git submodule update --init`."),
            arg("recursive_submodules", "bool", Dflt::Bool(false), "Update submodules recursively."),
            arg("depth", "int | None", Dflt::None, "Make a shallow clone of this many commits."),
            arg("fetch_tags", "bool", Dflt::Bool(false), "Fetch all tags before switching branch."),
        ],
        planner: Some(repo),
        ..Operation::NEW
    },
    Operation {
        name: "worktree",
        doc: "Create or remove a linked worktree of a repository. A new worktree can get a new branch, a \
              detached HEAD or a given commit-ish; an existing one is pulled when it tracks a remote \
              branch (or `from_remote_branch` is given) and is behind that branch's tip.",
        args: &[
            arg("worktree", "str", Dflt::Required, "Directory of the worktree."),
            arg("repo", "str | None", Dflt::None, "Main repository the worktree belongs to (needed to create)."),
            arg("detached", "bool", Dflt::Bool(false), "Create the worktree with a detached HEAD."),
            arg("new_branch", "str | None", Dflt::None, "Create this local branch for the worktree."),
            arg("commitish", "str | None", Dflt::None, "Commit, branch or tag to start the worktree from."),
            arg("pull", "bool", Dflt::Bool(true), "Pull an existing worktree."),
            arg("rebase", "bool", Dflt::Bool(false), "Pull with `--rebase`."),
            arg(
                "from_remote_branch",
                "tuple[str, str] | None",
                Dflt::None,
                "`(remote, branch)` to pull from instead of the tracking branch.",
            ),
            arg("present", "bool", Dflt::Bool(true), "Whether the worktree should exist."),
            arg("assume_repo_exists", "bool", Dflt::Bool(false), "Skip checking that `repo` is a git repository."),
            arg("force", "bool", Dflt::Bool(false), "Pass `--force` when adding or removing."),
            arg("user", "str | None", Dflt::None, "Owner to give the new worktree's files."),
            arg("group", "str | None", Dflt::None, "Group to give the new worktree's files."),
        ],
        planner: Some(worktree),
        ..Operation::NEW
    },
    Operation {
        name: "bare_repo",
        doc: "Create (`git init --bare`) or remove a bare repository. An existing one (it has a `HEAD` \
              file) is left alone, except that its ownership is fixed when `user`/`group` differ.",
        args: &[
            arg("path", "str", Dflt::Required, "Directory of the bare repository."),
            arg("user", "str | None", Dflt::None, "Owner to give the repository's files."),
            arg("group", "str | None", Dflt::None, "Group to give the repository's files."),
            arg("present", "bool", Dflt::Bool(true), "Whether the repository should exist."),
        ],
        planner: Some(bare_repo),
        ..Operation::NEW
    },
];

/// pyinfra's `chown` helper on optional (truthy) user and group values.
fn chown(target: &str, user: &Value, group: &Value, recursive: bool) -> Result<String, PlanError> {
    let text = |v: &Value| truthy(v).then(|| py_str(v));
    util::chown(target, text(user).as_deref(), text(group).as_deref(), recursive, true)
}

/// `files.Directory` for a path (truthy when the directory exists).
fn directory(ctx: &Ctx<'_>, path: &str) -> Result<bool, PlanError> {
    Ok(truthy(&ctx.fact("files.Directory", &[("path", json!(path))])?))
}

/// `git.GitConfig` of a repository, or of the global/system level when `repo` is None.
fn git_config(ctx: &Ctx<'_>, repo: &Value, system: &Value) -> Result<Value, PlanError> {
    ctx.fact("git.GitConfig", &[("repo", repo.clone()), ("system", system.clone())])
}

fn config(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let key = a.str("key")?;
    let value = a.get("value");
    let repo = a.get("repo");
    let existing = if !truthy(repo) {
        git_config(ctx, &Value::Null, a.get("system"))?
    } else if directory(ctx, &unix_path_join(&[&py_str(repo), ".git"]))? {
        // Only read the repository's config once it exists.
        git_config(ctx, repo, &json!(false))?
    } else {
        Value::Null
    };
    let current = existing.get(&key).cloned().unwrap_or(Value::Null);

    let base = match repo {
        Value::Null => format!("git config {}", if a.flag("system") { "--system" } else { "--global" }),
        repo => format!("cd {} && git config --local", quote(&py_str(repo))),
    };
    // pyinfra wraps the value in double quotes without escaping it.
    let quoted_value = format!("\"{}\"", py_str(value));
    let text = py_str(value);

    if !a.flag("multi_value") && current != json!([value]) {
        ctx.change(format!("set git config {key} to {text}"));
        ctx.shell(format!("{base} {} {quoted_value}", quote(&key)));
    } else if a.flag("multi_value") && !current.as_array().is_some_and(|v| v.contains(value)) {
        ctx.change(format!("add {text} to git config {key}"));
        ctx.shell(format!("{base} --add {} {quoted_value}", quote(&key)));
    } else {
        ctx.noop(format!("git config {key} is set to {text}"));
    }
    Ok(())
}

/// The host of a `user@host:path` URL, as pyinfra's `^[a-zA-Z0-9]+@([0-9a-zA-Z.-]+)` finds it.
fn ssh_domain(src: &str) -> Option<&str> {
    let (user, rest) = src.split_once('@')?;
    if user.is_empty() || !user.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-')).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The `git` sub-commands that bring an existing clone up to date (pyinfra's "ensuring existing repo").
fn update_commands(ctx: &mut Ctx<'_>, a: &Args, src: &str, dest: &str) -> Result<Vec<String>, PlanError> {
    let mut cmds = Vec::new();
    let config = git_config(ctx, &json!(dest), &json!(false))?;
    let remote_changed = config.get("remote.origin.url").is_some_and(|u| !u.is_null() && *u != json!([src]));
    if remote_changed {
        cmds.push(format!("remote set-url origin {}", quote(src)));
    }

    let branch = a.get("branch");
    let current = ctx.fact("git.GitBranch", &[("repo", json!(dest))])?;
    if !branch.is_null() && current != *branch {
        cmds.push(if a.flag("fetch_tags") { "fetch --tags" } else { "fetch" }.to_string());
        cmds.push(format!("checkout {}", quote(&py_str(branch))));
    }
    let mut is_tag = false;
    if truthy(branch) {
        let tags = ctx.fact("git.GitTag", &[("repo", json!(dest))])?;
        if tags.as_array().is_some_and(|t| t.contains(branch)) {
            cmds.push(format!("checkout {}", quote(&py_str(branch))));
            is_tag = true;
        }
    }

    if a.flag("pull") && !is_tag {
        let effective = if truthy(branch) { branch.clone() } else { current };
        let mut up_to_date = false;
        // After a remote change the remote tip fact describes the old origin: always pull.
        if !remote_changed && truthy(&effective) {
            let local = ctx.fact("git.GitLocalCommit", &[("repo", json!(dest)), ("ref", effective.clone())])?;
            let remote = ctx.fact(
                "git.GitRemoteBranchCommit",
                &[("repo", json!(dest)), ("remote", json!("origin")), ("branch", effective)],
            )?;
            up_to_date = truthy(&local) && truthy(&remote) && local == remote;
        }
        if up_to_date {
            ctx.noop(format!("git repository {dest} is already up to date"));
        } else if a.flag("rebase") {
            cmds.push("pull --rebase".into());
        } else {
            cmds.push("pull".into());
        }
    }
    Ok(cmds)
}

fn repo(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let src = a.str("src")?;
    let dest = a.str("dest")?;
    crate::nested(ctx, "files.directory", &[("path", json!(dest))])?;

    if a.flag("ssh_keyscan") {
        let domain = ssh_domain(&src)
            .ok_or_else(|| PlanError::op(format!("Could not parse domain (to SSH keyscan) from: {src}")))?;
        crate::nested(ctx, "ssh.keyscan", &[("hostname", json!(domain))])?;
    }

    let mut git_commands = if directory(ctx, &unix_path_join(&[&dest, ".git"]))? {
        update_commands(ctx, a, &src, &dest)?
    } else {
        let mut clone = format!("clone {}", quote(&src));
        if let Some(depth) = a.opt_str("depth") {
            clone.push_str(&format!(" --depth {depth}"));
        }
        if a.flag("branch") {
            clone.push_str(&format!(" --branch {}", quote(&py_str(a.get("branch")))));
        }
        ctx.change(format!("clone {src} into {dest}"));
        vec![format!("{clone} .")]
    };

    if a.flag("update_submodules") {
        git_commands.push(
            if a.flag("recursive_submodules") {
                "submodule update --init --recursive"
            } else {
                "submodule update --init"
            }
            .into(),
        );
    }
    for cmd in &git_commands {
        ctx.shell(format!("cd {} && git {cmd}", quote(&dest)));
    }
    if !git_commands.is_empty() && (a.flag("user") || a.flag("group")) {
        ctx.shell(chown(&dest, a.get("user"), a.get("group"), true)?);
    }
    Ok(())
}

/// `git worktree add ...` and the ownership fixes for what it writes.
fn add_worktree(ctx: &mut Ctx<'_>, a: &Args, worktree: &str) -> Result<(), PlanError> {
    let repo = a.get("repo");
    let repo_path = repo.as_str().map(str::to_string);
    if !a.flag("assume_repo_exists") {
        // pyinfra fails on a missing `repo` here already (joining None); say why instead.
        let Some(repo_path) = &repo_path else {
            return Err(PlanError::op("repo must be specified when creating a worktree"));
        };
        if !directory(ctx, &unix_path_join(&[repo_path, ".git"]))? {
            return Err(PlanError::op(format!(
                "The following folder is not a valid GIT repository : {}",
                py_str(repo)
            )));
        }
    }
    let Some(repo_path) = repo_path else {
        return Err(PlanError::op("repo must be specified when creating a worktree"));
    };

    let mut cmd = format!("cd {} && git worktree add", quote(&repo_path));
    let new_branch = a.get("new_branch");
    if truthy(new_branch) {
        cmd.push_str(&format!(" -b {}", quote(&py_str(new_branch))));
    } else if a.flag("detached") {
        cmd.push_str(" --detach");
    }
    if a.flag("force") {
        cmd.push_str(" --force");
    }
    cmd.push_str(&format!(" {}", quote(worktree)));
    if a.flag("commitish") {
        cmd.push_str(&format!(" {}", quote(&py_str(a.get("commitish")))));
    }
    ctx.change(format!("add worktree {worktree}"));
    ctx.shell(cmd);

    let (user, group) = (a.get("user"), a.get("group"));
    if !(truthy(user) || truthy(group)) {
        return Ok(());
    }
    ctx.shell(chown(worktree, user, group, true)?);
    // `git worktree add` (often run as root) also writes metadata and branch refs in the main repo.
    let name = worktree.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    ctx.shell(chown(&unix_path_join(&[&repo_path, ".git", "worktrees", name]), user, group, true)?);
    let branch = if truthy(new_branch) {
        Some(py_str(new_branch))
    } else if !a.flag("detached") && !a.flag("commitish") {
        Some(name.to_string())
    } else {
        None
    };
    if let Some(branch) = branch.filter(|b| !b.is_empty()) {
        ctx.shell(chown(&unix_path_join(&[&repo_path, ".git", "refs", "heads", &branch]), user, group, false)?);
        ctx.shell(chown(&unix_path_join(&[&repo_path, ".git", "logs", "refs", "heads", &branch]), user, group, true)?);
    }
    Ok(())
}

/// Pull an existing worktree when it has somewhere to pull from and is behind.
fn pull_worktree(ctx: &mut Ctx<'_>, a: &Args, worktree: &str) -> Result<(), PlanError> {
    if !a.flag("pull") {
        ctx.noop("Pull is disabled");
        return Ok(());
    }
    let tracking = ctx.fact("git.GitTrackingBranch", &[("repo", json!(worktree))])?;
    let from_remote = a.get("from_remote_branch");
    if !truthy(&tracking) && !truthy(from_remote) {
        return Ok(());
    }
    let pair = match from_remote {
        Value::Array(p) if p.len() == 2 => Some((p[0].clone(), p[1].clone())),
        v if truthy(v) => {
            return Err(PlanError::op(
                "The remote branch must be a 2-tuple (remote, branch) such as (\"origin\", \"master\")",
            ));
        }
        _ => None,
    };

    let target = match &pair {
        Some(p) => Some(p.clone()),
        None => tracking
            .as_str()
            .and_then(|t| t.split_once('/'))
            .map(|(r, b)| (Value::String(r.into()), Value::String(b.into()))),
    };
    let mut up_to_date = false;
    if let Some((remote, branch)) = target.filter(|(r, b)| truthy(r) && truthy(b)) {
        let local = ctx.fact("git.GitLocalCommit", &[("repo", json!(worktree)), ("ref", json!("HEAD"))])?;
        let tip = ctx
            .fact("git.GitRemoteBranchCommit", &[("repo", json!(worktree)), ("remote", remote), ("branch", branch)])?;
        up_to_date = truthy(&local) && truthy(&tip) && local == tip;
    }
    if up_to_date {
        ctx.noop(format!("git worktree {worktree} is already up to date"));
        return Ok(());
    }

    let mut cmd = format!("cd {} && git pull", quote(worktree));
    if a.flag("rebase") {
        cmd.push_str(" --rebase");
    }
    if let Some((remote, branch)) = pair {
        cmd.push_str(&format!(" {} {}", quote(&py_str(&remote)), quote(&py_str(&branch))));
    }
    ctx.change(format!("pull worktree {worktree}"));
    ctx.shell(cmd);
    Ok(())
}

fn worktree(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let worktree = a.str("worktree")?;
    let exists = directory(ctx, &worktree)?;
    match (exists, a.flag("present")) {
        (false, true) => add_worktree(ctx, a, &worktree),
        (true, false) => {
            let force = if a.flag("force") { " --force" } else { "" };
            ctx.change(format!("remove worktree {worktree}"));
            ctx.shell(format!("cd {} && git worktree remove .{force}", quote(&worktree)));
            Ok(())
        }
        (true, true) => pull_worktree(ctx, a, &worktree),
        (false, false) => Ok(()),
    }
}

fn bare_repo(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let path = a.str("path")?;
    crate::nested(ctx, "files.directory", &[("path", json!(path)), ("present", a.get("present").clone())])?;
    if !a.flag("present") {
        return Ok(());
    }
    let (user, group) = (a.get("user"), a.get("group"));
    let head = ctx.fact("files.File", &[("path", json!(unix_path_join(&[&path, "HEAD"])))])?;
    if !truthy(&head) {
        ctx.change(format!("create bare repository {path}"));
        ctx.shell(format!("git init --bare {}", quote(&path)));
        if truthy(user) || truthy(group) {
            ctx.shell(chown(&path, user, group, true)?);
        }
    } else if (truthy(user) && head.get("user") != Some(user)) || (truthy(group) && head.get("group") != Some(group)) {
        ctx.change(format!("set ownership of {path}"));
        ctx.shell(chown(&path, user, group, true)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyscan_domain() {
        assert_eq!(ssh_domain("git@github.com:Fizzadar/pyinfra"), Some("github.com"));
        assert_eq!(ssh_domain("git@"), None);
        assert_eq!(ssh_domain("https://x@y.org/a"), None);
        assert_eq!(ssh_domain("u1@my-host.example:repo"), Some("my-host.example"));
    }

    #[test]
    fn ownership_commands() {
        assert_eq!(chown("/a b", &json!("u"), &json!(null), true).unwrap(), "chown -R u '/a b'");
        assert_eq!(chown("/a", &json!(null), &json!("g"), false).unwrap(), "chgrp g /a");
        assert!(chown("/a", &json!(null), &json!(""), false).is_err());
    }
}
