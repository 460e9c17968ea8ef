//! `pyinfra.facts.iptables`: schema only for now.

use crate::schema::{Arg, Dflt, Fact, arg};

/// The `table` argument shared by every fact.
const TABLE: &[Arg] = &[arg("table", "str", Dflt::Str("filter"), "Table to read, e.g. `filter`, `nat` or `mangle`.")];

/// The facts of `iptables`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "IptablesRules",
        doc: "The IPv4 rules of one table as reported by `iptables-save`, one dict per rule with keys such as \
              `chain`, `jump`, `protocol`, `source` (and `not_*` for negated matches); any other arguments \
              are collected as a set of words under `extras`.",
        args: TABLE,
        returns: "list[dict[str, str | set[str]]]",
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "Ip6tablesRules",
        doc: "The IPv6 rules of one table from `ip6tables-save`, in the same shape as `iptables.IptablesRules`.",
        args: TABLE,
        returns: "list[dict[str, str | set[str]]]",
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "IptablesChains",
        doc: "The IPv4 chains of one table from `iptables-save`, chain name mapped to its policy (`-` for \
              user-defined chains, which have none).",
        args: TABLE,
        returns: "dict[str, str]",
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Ip6tablesChains",
        doc: "The IPv6 chains of one table from `ip6tables-save`, chain name mapped to its policy (`-` for \
              user-defined chains).",
        args: TABLE,
        returns: "dict[str, str]",
        default: "{}",
        ..Fact::NEW
    },
];
