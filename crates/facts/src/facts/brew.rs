//! `pyinfra.facts.brew`: schema only for now.

use crate::schema::Fact;

/// The facts of `brew`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "BrewVersion",
        doc: "The installed Homebrew version as `[major, minor, patch]`, read from `brew --version`. \
              `[0, 0, 0]` when brew is missing or its output cannot be parsed.",
        returns: "collections.abc.Sequence[int]",
        default: "[0, 0, 0]",
        ..Fact::NEW
    },
    Fact {
        name: "BrewPackages",
        doc: "The installed Homebrew formulae, from `brew list --versions`: formula name mapped to the set \
              of installed versions.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "BrewCasks",
        doc: "The installed Homebrew casks with their versions (name mapped to a set of versions), using the \
              cask listing command that matches the Homebrew version.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "BrewTaps",
        doc: "The names of the taps Homebrew has added (`brew tap`), one `user/repo` per entry.",
        returns: "collections.abc.Iterable[str]",
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "BrewTrusted",
        doc: "What Homebrew marks as trusted, from `brew trust --json=v1`: a mapping with the keys `casks`, \
              `commands`, `formulae` and `taps`, each a list of names. All lists are empty when the output \
              is not the expected JSON.",
        returns: "collections.abc.Mapping[str, collections.abc.Sequence[str]]",
        default: r#"{"casks": [], "commands": [], "formulae": [], "taps": []}"#,
        ..Fact::NEW
    },
];
