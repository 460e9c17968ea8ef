//! `pyinfra.facts.iptables`: rules and chains from `iptables-save`/`ip6tables-save`.

use crate::fact_source::FactCtx;
use crate::schema::{Arg, Dflt, Fact, arg};
use crate::value::{Map, Value, py_str};

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
        command: Some(|a| format!("iptables-save -t {}", py_str(a.get("table")))),
        requires: Some(|_| Some("iptables-save".into())),
        parse: Some(parse_rules),
        ..Fact::NEW
    },
    Fact {
        name: "Ip6tablesRules",
        doc: "The IPv6 rules of one table from `ip6tables-save`, in the same shape as `iptables.IptablesRules`.",
        args: TABLE,
        returns: "list[dict[str, str | set[str]]]",
        default: "[]",
        command: Some(|a| format!("ip6tables-save -t {}", py_str(a.get("table")))),
        requires: Some(|_| Some("ip6tables-save".into())),
        parse: Some(parse_rules),
        ..Fact::NEW
    },
    Fact {
        name: "IptablesChains",
        doc: "The IPv4 chains of one table from `iptables-save`, chain name mapped to its policy (`-` for \
              user-defined chains, which have none).",
        args: TABLE,
        returns: "dict[str, str]",
        default: "{}",
        command: Some(|a| format!("iptables-save -t {}", py_str(a.get("table")))),
        requires: Some(|_| Some("iptables-save".into())),
        parse: Some(parse_chains),
        ..Fact::NEW
    },
    Fact {
        name: "Ip6tablesChains",
        doc: "The IPv6 chains of one table from `ip6tables-save`, chain name mapped to its policy (`-` for \
              user-defined chains).",
        args: TABLE,
        returns: "dict[str, str]",
        default: "{}",
        command: Some(|a| format!("ip6tables-save -t {}", py_str(a.get("table")))),
        requires: Some(|_| Some("ip6tables-save".into())),
        parse: Some(parse_chains),
        ..Fact::NEW
    },
];

/// iptables-save option to rule field name.
const IPTABLES_ARGS: &[(&str, &str)] = &[
    ("-A", "chain"),
    ("-j", "jump"),
    ("-p", "protocol"),
    ("-s", "source"),
    ("-d", "destination"),
    ("-i", "in_interface"),
    ("-o", "out_interface"),
    ("--log-prefix", "log_prefix"),
    ("--to-destination", "to_destination"),
    ("--to-source", "to_source"),
    ("--to-ports", "to_ports"),
];

/// Collects one rule's fields; unknown options and their arguments land in `extras`.
#[derive(Default)]
struct RuleBuilder {
    definition: Map<String, Value>,
    extras: Vec<String>,
}

impl RuleBuilder {
    fn add(&mut self, key: &str, args: &[&str], negated: bool) {
        let arg_string = args.join(" ");
        match IPTABLES_ARGS.iter().find(|(k, _)| *k == key) {
            Some((_, name)) => {
                let name = if negated { format!("not_{name}") } else { name.to_string() };
                self.definition.insert(name, Value::String(arg_string));
            }
            None => self.extras.extend([key.to_string(), arg_string]),
        }
    }
}

/// pyinfra's `parse_iptables_rule`: `-A CHAIN ! -s 1.2.3.4/32 -j DROP ...` to a field mapping;
/// `extras` is a set, given as a sorted list.
fn parse_rule(line: &str) -> Value {
    let mut rule = RuleBuilder::default();
    let mut key: Option<&str> = None;
    let mut args: Vec<&str> = Vec::new();
    let mut negated = false;
    for bit in line.split_whitespace() {
        if bit == "!" {
            if let Some(k) = key.take() {
                rule.add(k, &args, negated);
                args.clear();
            }
            negated = true;
        } else if bit.starts_with('-') {
            if let Some(k) = key {
                rule.add(k, &args, negated);
                args.clear();
                negated = false;
            }
            key = Some(bit);
        } else {
            args.push(bit);
        }
    }
    if let Some(k) = key {
        rule.add(k, &args, negated);
    }
    let mut definition = rule.definition;
    if !rule.extras.is_empty() {
        rule.extras.sort();
        rule.extras.dedup();
        definition.insert("extras".into(), Value::Array(rule.extras.into_iter().map(Value::String).collect()));
    }
    Value::Object(definition)
}

fn parse_rules(f: &FactCtx<'_>) -> Result<Value, String> {
    Ok(Value::Array(f.output.iter().filter(|l| l.starts_with('-')).map(|l| parse_rule(l)).collect()))
}

/// `:NAME POLICY [packets:bytes]` lines.
fn parse_chains(f: &FactCtx<'_>) -> Result<Value, String> {
    let mut chains = Map::new();
    for line in f.output.iter().filter_map(|l| l.strip_prefix(':')) {
        match line.split_whitespace().collect::<Vec<_>>()[..] {
            [name, policy, _] => {
                chains.insert(name.to_string(), Value::String(policy.to_string()));
            }
            _ => return Err(format!("ValueError: cannot unpack chain line ':{line}'")),
        }
    }
    Ok(Value::Object(chains))
}

#[cfg(test)]
mod tests {
    use super::parse_rule;
    use serde_json::json;

    #[test]
    fn negated_and_extras() {
        let got = parse_rule("-A OUTPUT -o eth1 ! -s 10.0.0.1/32 -j DROP -m tcp --dport 22");
        let want = json!({
            "chain": "OUTPUT", "out_interface": "eth1", "not_source": "10.0.0.1/32", "jump": "DROP",
            "extras": ["--dport", "-m", "22", "tcp"],
        });
        assert_eq!(got, want);
    }
}
