//! `pyinfra.operations.iptables`: iptables/ip6tables chains and rules.

use serde_json::json;

use crate::args::Args;
use crate::plan::{Ctx, PlanError};
use crate::schema::{Dflt, Operation, arg};
use crate::value::{Map, Value, py_str, truthy};

/// Doc of the `table` argument.
const TABLE: &str = "iptables table: `filter`, `nat`, `mangle`, `raw` or `security`.";
/// Doc of the `version` argument.
const VERSION: &str = "4 for iptables; any other value targets ip6tables.";

/// What this module manages.
pub const DOC: &str = "Manage the live Linux firewall with iptables and ip6tables: user chains, chain \
                       policies and individual rules. Changes are not saved across reboots by this module.";

/// The operations of `iptables`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "chain",
        doc: "Create or delete a chain in an iptables table and optionally set its policy. The chains of the \
              table come from `iptables-save` (`iptables.IptablesChains` or `Ip6tablesChains`): a chain is \
              only created (`-N`) when missing and deleted (`-X`) when present, and the policy is only set \
              when it differs. Policies only exist for built-in chains such as INPUT or FORWARD.",
        args: &[
            arg("chain", "str", Dflt::Required, "Name of the chain."),
            arg("present", "bool", Dflt::Bool(true), "Whether the chain should exist."),
            arg("table", "str", Dflt::Str("filter"), TABLE),
            arg("policy", "str | None", Dflt::None, "Default policy of a built-in chain, e.g. `DROP` or `ACCEPT`."),
            arg("version", "int", Dflt::Int(4), VERSION),
        ],
        planner: Some(chain),
        ..Operation::NEW
    },
    Operation {
        name: "rule",
        doc: "Add or delete one iptables rule. The rule is rebuilt from the arguments and compared with the \
              rules `iptables-save` reports for the table (single addresses count as `/32`), so it is only \
              appended (`-A`) or inserted (`-I`) when missing and deleted (`-D`) when present. Ports need a \
              `protocol`; `to_destination`/`to_source`/`to_ports` need the nat table with the DNAT/SNAT/ \
              REDIRECT jump, and `log_prefix` the LOG jump, otherwise the operation fails.",
        args: &[
            arg("chain", "str", Dflt::Required, "Chain the rule lives in, e.g. `INPUT`."),
            arg("jump", "str", Dflt::Required, "Target of the rule (`-j`), e.g. `ACCEPT`, `DROP`, `DNAT` or a chain."),
            arg("present", "bool", Dflt::Bool(true), "Whether the rule should exist."),
            arg("table", "str", Dflt::Str("filter"), TABLE),
            arg(
                "append",
                "bool",
                Dflt::Bool(true),
                "Append a new rule at the end of the chain; false inserts it first.",
            ),
            arg("version", "int", Dflt::Int(4), VERSION),
            arg("protocol", "str | None", Dflt::None, "Match this protocol (`-p`), e.g. `tcp` or `udp`."),
            arg("not_protocol", "str | None", Dflt::None, "Match any protocol except this one (`! -p`)."),
            arg("source", "str | None", Dflt::None, "Match this source address or CIDR (`-s`)."),
            arg("not_source", "str | None", Dflt::None, "Match any source except this one (`! -s`)."),
            arg("destination", "str | None", Dflt::None, "Match this destination address or CIDR (`-d`)."),
            arg("not_destination", "str | None", Dflt::None, "Match any destination except this one (`! -d`)."),
            arg("in_interface", "str | None", Dflt::None, "Match packets arriving on this interface (`-i`)."),
            arg("not_in_interface", "str | None", Dflt::None, "Match packets not arriving on this interface (`! -i`)."),
            arg("out_interface", "str | None", Dflt::None, "Match packets leaving through this interface (`-o`)."),
            arg(
                "not_out_interface",
                "str | None",
                Dflt::None,
                "Match packets not leaving through this interface (`! -o`).",
            ),
            arg("to_destination", "str | None", Dflt::None, "New destination for the DNAT jump (nat table only)."),
            arg("to_source", "str | None", Dflt::None, "New source for the SNAT jump (nat table only)."),
            arg("to_ports", "int | str | None", Dflt::None, "Port or range for the REDIRECT jump (nat table only)."),
            arg("log_prefix", "str | None", Dflt::None, "Prefix of log messages for the LOG jump."),
            arg(
                "destination_port",
                "int | None",
                Dflt::None,
                "Match this destination port (`--dport`); needs `protocol`.",
            ),
            arg("source_port", "int | None", Dflt::None, "Match this source port (`--sport`); needs `protocol`."),
            arg(
                "extras",
                "str",
                Dflt::Str(""),
                "Further match arguments, e.g. `-m limit --limit 5/min`; compared as a set of words.",
            ),
        ],
        planner: Some(rule),
        ..Operation::NEW
    },
];

/// `version == 4` selects iptables; anything else ip6tables.
fn is_v4(a: &Args) -> bool {
    a.get("version").as_f64() == Some(4.0)
}

/// The rules or chains fact of the chosen iptables version for `table`.
fn table_fact(ctx: &Ctx<'_>, a: &Args, kind: &str) -> Result<Value, PlanError> {
    let prefix = if is_v4(a) { "Iptables" } else { "Ip6tables" };
    ctx.fact(&format!("iptables.{prefix}{kind}"), &[("table", a.get("table").clone())])
}

fn chain(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let chains = table_fact(ctx, a, "Chains")?;
    let name = py_str(a.get("chain"));
    let table = py_str(a.get("table"));
    let command = format!("{} -t {table}", if is_v4(a) { "iptables" } else { "ip6tables" });
    let existing = chains.get(&name);
    if !a.flag("present") {
        if existing.is_some() {
            ctx.change(format!("delete chain {name}"));
            ctx.shell(format!("{command} -X {name}"));
        } else {
            ctx.noop(format!("iptables chain {name} does not exist"));
        }
        return Ok(());
    }
    if existing.is_none() {
        ctx.change(format!("create chain {name}"));
        ctx.shell(format!("{command} -N {name}"));
    } else {
        ctx.noop(format!("iptables chain {name} exists"));
    }
    let policy = a.get("policy");
    if truthy(policy) && existing != Some(policy) {
        ctx.change(format!("set the policy of {name} to {}", py_str(policy)));
        ctx.shell(format!("{command} -P {name} {}", py_str(policy)));
    }
    Ok(())
}

/// Fails with pyinfra's message when a NAT/LOG-only argument is used with the wrong table/jump.
fn check_jump_args(a: &Args, to_ports: &Value, table: &str, jump: &str) -> Result<(), PlanError> {
    let nat_only = [
        ("to_destination", a.get("to_destination"), "DNAT"),
        ("to_source", a.get("to_source"), "SNAT"),
        ("to_ports", to_ports, "REDIRECT"),
    ];
    for (name, value, wanted) in nat_only {
        if truthy(value) && (table != "nat" || jump != wanted) {
            return Err(PlanError::op(format!(
                "iptables only supports {name} on the nat table and the {wanted} jump (table={table}, jump={jump})"
            )));
        }
    }
    if a.flag("log_prefix") && jump != "LOG" {
        return Err(PlanError::op(format!("iptables only supports log_prefix with the LOG jump (jump={jump})")));
    }
    Ok(())
}

/// Whether a rule from the fact equals the wanted definition (`extras` compared as sets).
fn same_rule(rule: &Value, definition: &Map<String, Value>) -> bool {
    let Some(rule) = rule.as_object() else { return false };
    rule.len() == definition.len()
        && definition.iter().all(|(k, v)| match rule.get(k) {
            Some(other) if k == "extras" => string_set(other) == string_set(v),
            Some(other) => other == v,
            None => false,
        })
}

/// A list of strings as a sorted, deduplicated list.
fn string_set(v: &Value) -> Vec<String> {
    let mut items: Vec<String> = v.as_array().into_iter().flatten().map(py_str).collect();
    items.sort();
    items.dedup();
    items
}

fn rule(ctx: &mut Ctx<'_>, a: &Args) -> Result<(), PlanError> {
    let chain = py_str(a.get("chain"));
    let jump = py_str(a.get("jump"));
    let table = py_str(a.get("table"));
    let to_ports = match a.get("to_ports") {
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    };
    // The port arguments are shortcuts for extras.
    let mut extras = py_str(a.get("extras"));
    if a.flag("destination_port") {
        extras = format!("{extras} --dport {}", py_str(a.get("destination_port")));
    }
    if a.flag("source_port") {
        extras = format!("{extras} --sport {}", py_str(a.get("source_port")));
    }
    let mut extras_set: Vec<String> = extras.split_whitespace().map(str::to_string).collect();
    // iptables adds `-m <protocol>` itself when a protocol is given (it shows in iptables-save).
    let protocol = a.opt_str("protocol").filter(|p| !p.is_empty()).map(|p| p.to_lowercase());
    if let Some(p) = &protocol {
        extras_set.extend(["-m".to_string(), p.clone()]);
    } else if a.flag("destination_port") || a.flag("source_port") {
        return Err(PlanError::op("iptables cannot filter by destination_port/source_port without a protocol"));
    }
    check_jump_args(a, &to_ports, &table, &jump)?;

    let mut definition = Map::new();
    let fields = [
        ("chain", a.get("chain").clone()),
        ("jump", a.get("jump").clone()),
        ("protocol", protocol.clone().map_or(Value::Null, Value::String)),
        ("source", a.get("source").clone()),
        ("destination", a.get("destination").clone()),
        ("in_interface", a.get("in_interface").clone()),
        ("out_interface", a.get("out_interface").clone()),
        ("not_protocol", a.get("not_protocol").clone()),
        ("not_source", a.get("not_source").clone()),
        ("not_destination", a.get("not_destination").clone()),
        ("not_in_interface", a.get("not_in_interface").clone()),
        ("not_out_interface", a.get("not_out_interface").clone()),
        ("log_prefix", a.get("log_prefix").clone()),
        ("to_destination", a.get("to_destination").clone()),
        ("to_source", a.get("to_source").clone()),
        ("to_ports", to_ports.clone()),
        ("extras", json!(extras_set)),
    ];
    for (key, value) in fields {
        if !truthy(&value) {
            continue;
        }
        let is_address = matches!(key, "source" | "not_source" | "destination" | "not_destination");
        let value = match value {
            Value::String(s) if is_address && !s.contains('/') => Value::String(format!("{s}/32")),
            other => other,
        };
        definition.insert(key.to_string(), value);
    }

    let rules = table_fact(ctx, a, "Rules")?;
    let exists = rules.as_array().into_iter().flatten().any(|r| same_rule(r, &definition));
    let present = a.flag("present");
    let action = match (present, exists) {
        (true, false) => {
            if a.flag("append") {
                "-A"
            } else {
                "-I"
            }
        }
        (false, true) => "-D",
        (true, true) => {
            ctx.noop(format!("iptables {chain} rule exists"));
            return Ok(());
        }
        (false, false) => {
            ctx.noop(format!("iptables {chain} rule does not exists"));
            return Ok(());
        }
    };

    let mut words: Vec<String> =
        vec![if is_v4(a) { "iptables" } else { "ip6tables" }.into(), "-t".into(), table, action.into(), chain.clone()];
    if let Some(p) = &protocol {
        words.extend(["-p".into(), p.clone()]);
    }
    for (name, flag) in [("source", "-s"), ("destination", "-d"), ("in_interface", "-i"), ("out_interface", "-o")] {
        if a.flag(name) {
            words.extend([flag.into(), py_str(a.get(name))]);
        }
    }
    if a.flag("not_protocol") {
        words.extend(["!".into(), "-p".into(), py_str(a.get("not_protocol")).to_lowercase()]);
    }
    for (name, flag) in
        [("not_source", "-s"), ("not_destination", "-d"), ("not_in_interface", "-i"), ("not_out_interface", "-o")]
    {
        if a.flag(name) {
            words.extend(["!".into(), flag.into(), py_str(a.get(name))]);
        }
    }
    if !extras.is_empty() {
        words.push(extras.trim().to_string());
    }
    words.extend(["-j".into(), jump]);
    if a.flag("log_prefix") {
        words.extend(["--log-prefix".into(), py_str(a.get("log_prefix"))]);
    }
    for (name, flag) in [("to_destination", "--to-destination"), ("to_source", "--to-source")] {
        if a.flag(name) {
            words.extend([flag.into(), py_str(a.get(name))]);
        }
    }
    if truthy(&to_ports) {
        words.extend(["--to-ports".into(), py_str(&to_ports)]);
    }
    ctx.change(format!("{} rule in {chain}", if action == "-D" { "delete" } else { "add" }));
    ctx.shell(words.join(" "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::same_rule;
    use serde_json::json;

    #[test]
    fn extras_compare_as_sets() {
        let definition = json!({"chain": "INPUT", "jump": "DROP", "extras": ["-m", "tcp", "--dport", "22"]});
        let definition = definition.as_object().cloned().unwrap_or_default();
        let rule = json!({"chain": "INPUT", "jump": "DROP", "extras": ["--dport", "22", "-m", "tcp"]});
        assert!(same_rule(&rule, &definition));
        assert!(!same_rule(&json!({"chain": "INPUT", "jump": "DROP"}), &definition));
    }
}
