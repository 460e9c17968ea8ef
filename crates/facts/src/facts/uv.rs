//! `pyinfra.facts.uv`: schema only for now.

use crate::schema::{Arg, Dflt, Fact, arg};

/// `is_managed`: restricts the Python listings to uv-managed interpreters.
const IS_MANAGED: &[Arg] =
    &[arg("is_managed", "bool", Dflt::Bool(true), "Only list interpreters managed by uv (`--managed-python`).")];

/// The facts of `uv`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "UvPipPackages",
        doc: "The Python packages installed in the environment `uv pip` targets, from `uv pip list`: package \
              name mapped to the set of installed versions. Empty when uv is missing or its output is not \
              valid JSON.",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "UvAvailablePythonsByImplementation",
        doc: "The Python interpreters uv can install or already has, from `uv python list`: the interpreter \
              key (e.g. `cpython-3.13.4-linux-x86_64-gnu`) mapped to the set of its versions.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "UvAvailablePythonsByVersion",
        doc: "The Python interpreters uv can install or already has, by version: each version (e.g. \
              `3.13.4`) mapped to the set of interpreter keys providing it.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "UvInstalledPythonsByImplementation",
        doc: "The installed Python interpreters (`uv python list --only-installed`): interpreter key mapped \
              to the set of its versions.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "UvInstalledPythonsByVersion",
        doc: "The installed Python interpreters by version: each installed version mapped to the set of \
              interpreter keys providing it.",
        args: IS_MANAGED,
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "UvPythonDir",
        doc: "The directory uv installs Python interpreters into (`uv python dir`); an empty string when it \
              cannot be determined.",
        returns: "str",
        default: "\"\"",
        ..Fact::NEW
    },
    Fact {
        name: "UvToolDir",
        doc: "The directory uv installs tools into (`uv tool dir`); an empty string when it cannot be \
              determined.",
        returns: "str",
        default: "\"\"",
        ..Fact::NEW
    },
    Fact {
        name: "UvTools",
        doc: "The tools installed with `uv tool`: package name mapped to the set holding its version (without \
              the leading `v`).",
        returns: "dict[str, set[str]]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "UvVersion",
        doc: "The line printed by `uv --version`, e.g. `uv 0.8.5`; an empty string when uv is missing.",
        returns: "str",
        default: "\"\"",
        ..Fact::NEW
    },
];
