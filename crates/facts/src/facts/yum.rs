//! `pyinfra.facts.yum`: the repositories yum is configured with.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::Value;

use super::util::packaging::{REPO_FILENAME_MARKER, cat_files_with_markers, parse_ini_repositories};

/// The facts of `yum`.
pub const FACTS: &[Fact] = &[Fact {
    name: "YumRepositories",
    doc: "Every repository section of `/etc/yum.conf` and `/etc/yum.repos.d/*.repo`, in file order: its \
          `key=value` settings as strings, plus `repoid` (the section name), `name` (defaults to the id) and \
          `filename` (the file it came from).",
    returns: "list[dict[str, str]]",
    command: Some(repositories_command),
    requires: Some(requires_yum),
    parse: Some(parse_repositories),
    default: "[]",
    ..Fact::NEW
}];

fn requires_yum(_: &Args) -> Option<String> {
    Some("yum".into())
}

fn repositories_command(_: &Args) -> String {
    cat_files_with_markers(REPO_FILENAME_MARKER, &["/etc/yum.conf", "/etc/yum.repos.d/*.repo"])
}

fn parse_repositories(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_ini_repositories(ctx.output))
}
