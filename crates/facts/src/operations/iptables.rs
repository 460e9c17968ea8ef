//! `pyinfra.operations.iptables`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

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
        ..Operation::NEW
    },
];
