//! `pyinfra.facts.brew`: Homebrew version, formulae, casks, taps and trust.

use crate::fact_source::FactCtx;
use crate::facts::util::packaging::{parse_packages, take_run};
use crate::schema::Fact;
use crate::value::{Map, Value};

/// The facts of `brew`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "BrewVersion",
        doc: "The installed Homebrew version as `[major, minor, patch]`, read from `brew --version`. \
              `[0, 0, 0]` when brew is missing or its output cannot be parsed.",
        returns: "collections.abc.Sequence[int]",
        default: "[0, 0, 0]",
        command: Some(|_| "brew --version".into()),
        requires: Some(|_| Some("brew".into())),
        parse: Some(parse_version),
        ..Fact::NEW
    },
    Fact {
        name: "BrewPackages",
        doc: "The installed Homebrew formulae, from `brew list --versions`: formula name mapped to the set \
              of installed versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|_| "brew list --versions".into()),
        requires: Some(|_| Some("brew".into())),
        parse: Some(parse_list),
        ..Fact::NEW
    },
    Fact {
        name: "BrewCasks",
        doc: "The installed Homebrew casks with their versions (name mapped to a set of versions), using the \
              cask listing command that matches the Homebrew version.",
        returns: "dict[str, set[str]]",
        default: "{}",
        command: Some(|_| CASKS_COMMAND.into()),
        requires: Some(|_| Some("brew".into())),
        parse: Some(parse_list),
        ..Fact::NEW
    },
    Fact {
        name: "BrewTaps",
        doc: "The names of the taps Homebrew has added (`brew tap`), one `user/repo` per entry.",
        returns: "collections.abc.Iterable[str]",
        default: "[]",
        command: Some(|_| "brew tap".into()),
        requires: Some(|_| Some("brew".into())),
        parse: Some(parse_taps),
        ..Fact::NEW
    },
    Fact {
        name: "BrewTrusted",
        doc: "What Homebrew marks as trusted, from `brew trust --json=v1`: a mapping with the keys `casks`, \
              `commands`, `formulae` and `taps`, each a list of names. All lists are empty when the output \
              is not the expected JSON.",
        returns: "collections.abc.Mapping[str, collections.abc.Sequence[str]]",
        default: r#"{"casks": [], "commands": [], "formulae": [], "taps": []}"#,
        command: Some(|_| "brew trust --json=v1".into()),
        requires: Some(|_| Some("brew".into())),
        parse: Some(parse_trusted),
        ..Fact::NEW
    },
];

/// Lists casks with the command of the installed Homebrew (`brew cask` before 2.6).
const CASKS_COMMAND: &str = r#"if brew --version | grep -q -e "Homebrew\ +(1\.|2\.[0-5]).*" 1>/dev/null;then brew cask list --versions; else brew list --cask --versions; fi"#;

/// The four kinds of trusted items, the keys of `brew trust --json=v1`.
const TRUST_KINDS: [&str; 4] = ["casks", "commands", "formulae", "taps"];

/// `Homebrew X.Y.Z...` on the first line; `[0, 0, 0]` when it is not there.
fn parse_version(f: &FactCtx<'_>) -> Result<Value, String> {
    let version = f.output.first().and_then(|l| version_line(l)).unwrap_or([0, 0, 0]);
    Ok(Value::Array(version.iter().map(|n| Value::from(*n)).collect()))
}

fn version_line(line: &str) -> Option<[u64; 3]> {
    let rest = line.strip_prefix("Homebrew")?;
    let (_, rest) = take_run(rest, char::is_whitespace)?;
    let digits = |s| take_run(s, |c: char| c.is_ascii_digit());
    let (major, rest) = digits(rest)?;
    let (minor, rest) = digits(rest.strip_prefix('.')?)?;
    let (patch, _) = digits(rest.strip_prefix('.')?)?;
    Some([major.parse().ok()?, minor.parse().ok()?, patch.parse().ok()?])
}

/// `name version...` lines: the name and its first version.
fn parse_list(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(parse_packages(f.output, |line| {
        let (name, rest) = take_run(line, |c| !c.is_whitespace())?;
        let rest = rest.strip_prefix(char::is_whitespace)?;
        let (version, _) =
            take_run(rest, |c| c.is_ascii_digit() || c.is_ascii_lowercase() || matches!(c, '.' | '_' | '+' | '-'))?;
        Some((name.to_string(), version.to_string()))
    }))
}

fn parse_taps(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::Array(f.output.iter().map(|l| Value::String(l.clone())).collect()))
}

/// The JSON document, if it has every kind; otherwise empty lists of each.
fn parse_trusted(f: &FactCtx<'_>) -> Result<Value, String> {
    let parsed: Option<Value> = serde_json::from_str(&f.output.join("\n")).ok();
    let has_all = |v: &Value| match v {
        Value::Object(m) => TRUST_KINDS.iter().all(|k| m.contains_key(*k)),
        Value::Array(l) => TRUST_KINDS.iter().all(|k| l.iter().any(|e| e.as_str() == Some(k))),
        _ => false,
    };
    Ok(match parsed {
        Some(v) if has_all(&v) => v,
        _ => Value::Object(TRUST_KINDS.iter().map(|k| (k.to_string(), Value::Array(vec![]))).collect::<Map<_, _>>()),
    })
}

#[cfg(test)]
mod tests {
    use super::version_line;

    #[test]
    fn versions() {
        assert_eq!(version_line("Homebrew 4.2.1-12-gabc"), Some([4, 2, 1]));
        assert_eq!(version_line("Homebrew 4.2"), None);
        assert_eq!(version_line("Homebrew/homebrew-core"), None);
    }
}
