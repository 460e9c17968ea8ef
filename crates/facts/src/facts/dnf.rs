//! `pyinfra.facts.dnf`: dnf repositories and enabled/disabled module streams.

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::schema::Fact;
use crate::value::{Map, Value};

use super::util::packaging::{REPO_FILENAME_MARKER, cat_files_with_markers, parse_ini_repositories};

/// The facts of `dnf`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "DnfRepositories",
        doc: "The repositories configured for dnf, read from `/etc/dnf.conf`, `/etc/dnf.repos.d/*.repo` and \
              `/etc/yum.repos.d/*.repo`: one dict per section with its settings as strings (`repoid`, `name`, \
              `baseurl`, `enabled`, ...) plus the `filename` it came from.",
        returns: "list[dict[str, str]]",
        command: Some(repositories_command),
        requires: Some(requires_dnf),
        parse: Some(parse_repositories),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "DnfEnabledModules",
        doc: "The dnf modules that have a stream enabled (`dnf module list --enabled`), as a mapping of module \
              name to the enabled stream.",
        returns: "dict[str, str]",
        command: Some(enabled_command),
        requires: Some(requires_dnf),
        parse: Some(parse_enabled),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "DnfDisabledModules",
        doc: "The names of the dnf modules that are explicitly disabled (`dnf module list --disabled`), \
              sorted and without duplicates.",
        returns: "list[str]",
        command: Some(disabled_command),
        requires: Some(requires_dnf),
        parse: Some(parse_disabled),
        default: "[]",
        ..Fact::NEW
    },
];

fn requires_dnf(_: &Args) -> Option<String> {
    Some("dnf".into())
}

fn repositories_command(_: &Args) -> String {
    cat_files_with_markers(
        REPO_FILENAME_MARKER,
        &["/etc/dnf.conf", "/etc/dnf.repos.d/*.repo", "/etc/yum.repos.d/*.repo"],
    )
}

fn parse_repositories(ctx: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_ini_repositories(ctx.output))
}

fn enabled_command(_: &Args) -> String {
    "dnf module list --enabled".into()
}

fn disabled_command(_: &Args) -> String {
    "dnf module list --disabled".into()
}

/// Python's `\w`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `\[<flag>\](?!\w)` anywhere in the line: dnf's `[e]`/`[x]` stream markers.
fn has_flag(line: &str, flag: char) -> bool {
    let marker = format!("[{flag}]");
    line.match_indices(&marker).any(|(i, m)| !line[i + m.len()..].starts_with(is_word))
}

fn parse_enabled(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut modules = Map::new();
    for line in ctx.output.iter().filter(|l| has_flag(l, 'e')) {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if let [name, stream, ..] = tokens[..] {
            modules.insert(name.to_string(), stream.into());
        }
    }
    Ok(Value::Object(modules))
}

fn parse_disabled(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut names: Vec<&str> =
        ctx.output.iter().filter(|l| has_flag(l, 'x')).filter_map(|l| l.split_whitespace().next()).collect();
    names.sort_unstable();
    names.dedup();
    Ok(names.into_iter().map(Value::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_flags() {
        assert!(has_flag("postgresql  16 [d][e]  client, server", 'e'));
        assert!(has_flag("ruby 3.1 [x]", 'x'));
        assert!(!has_flag("ruby 3.1 [x]y", 'x'));
        assert!(has_flag("ruby 3.1 [x]y [x]", 'x'));
        assert!(!has_flag("Hint: [d]efault, [e]nabled", 'e'));
    }
}
