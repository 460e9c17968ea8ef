//! `pyinfra.facts.gpg`: schema only for now.

use crate::schema::{Dflt, Fact, arg};

/// Doc of the optional `keyring` argument.
const KEYRING: &str = "Keyring file to list instead of the user's default keyring.";

/// The facts of `gpg`.
pub const FACTS: &[Fact] = &[
    Fact {
        name: "GpgKey",
        doc: "The keys contained in a key file or at a URL, keyed by key ID. Each entry holds `validity`, \
              `length`, `fingerprint`, `uid`, `uid_hash` (when present) and a `subkeys` dict of the same \
              shape.",
        args: &[arg("src", "str", Dflt::Required, "Path or URL of the key file.")],
        returns: "dict[str, dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "GpgKeys",
        doc: "The public keys in a keyring (the user's default one unless `keyring` is given), keyed by key \
              ID, each with validity, length, fingerprint, user ID and subkeys.",
        args: &[arg("keyring", "str | None", Dflt::None, KEYRING)],
        returns: "dict[str, dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "GpgSecretKeys",
        doc: "The secret keys in a keyring (the user's default one unless `keyring` is given), keyed by key \
              ID, in the same shape as `gpg.GpgKeys`.",
        args: &[arg("keyring", "str | None", Dflt::None, KEYRING)],
        returns: "dict[str, dict[str, Any]]",
        ..Fact::NEW
    },
    Fact {
        name: "GpgKeyrings",
        doc: "Every keyring file (`*.gpg`, `*.kbx`, `*.asc`) found under the given directories, keyed by path. \
              Each entry has its `format` (the file extension) and its `keys` in the `gpg.GpgKeys` shape; \
              files without readable keys are left out.",
        args: &[arg(
            "directories",
            "str | list[str]",
            Dflt::Required,
            "Directory or directories to search, e.g. `[\"/etc/apt/keyrings\"]`.",
        )],
        returns: "dict[str, dict[str, Any]]",
        ..Fact::NEW
    },
];
