//! `pyinfra.facts.gpg`: keys in key files, keyrings and keyring directories, read from
//! `gpg --with-colons` listings (parsing shared with `apt.AptKeys` in `util::gpg`).

use crate::args::Args;
use crate::fact_source::FactCtx;
use crate::operations::util::url::urlparse;
use crate::schema::{Dflt, Fact, arg};
use crate::value::{Value, py_str, str_or_list, truthy};

use super::util::gpg;

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
        command: Some(key_command),
        requires: Some(requires_gpg),
        parse: Some(parse_public),
        ..Fact::NEW
    },
    Fact {
        name: "GpgKeys",
        doc: "The public keys in a keyring (the user's default one unless `keyring` is given), keyed by key \
              ID, each with validity, length, fingerprint, user ID and subkeys.",
        args: &[arg("keyring", "str | None", Dflt::None, KEYRING)],
        returns: "dict[str, dict[str, Any]]",
        command: Some(keys_command),
        requires: Some(requires_gpg),
        parse: Some(parse_public),
        ..Fact::NEW
    },
    Fact {
        name: "GpgSecretKeys",
        doc: "The secret keys in a keyring (the user's default one unless `keyring` is given), keyed by key \
              ID, in the same shape as `gpg.GpgKeys`.",
        args: &[arg("keyring", "str | None", Dflt::None, KEYRING)],
        returns: "dict[str, dict[str, Any]]",
        command: Some(secret_keys_command),
        requires: Some(requires_gpg),
        parse: Some(parse_secret),
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
        command: Some(keyrings_command),
        requires: Some(requires_gpg),
        parse: Some(parse_keyrings),
        ..Fact::NEW
    },
];

fn requires_gpg(_: &Args) -> Option<String> {
    Some("gpg".into())
}

/// pyinfra passes paths and URLs into these commands unquoted; kept identical.
fn key_command(a: &Args) -> String {
    let src = py_str(a.get("src"));
    if urlparse(&src).scheme.is_empty() {
        format!("gpg --with-colons {src}")
    } else {
        format!("(wget -O - {src} || curl -sSLf {src}) | gpg --with-colons")
    }
}

fn list_command(a: &Args, list: &str) -> String {
    match a.get("keyring") {
        k if truthy(k) => format!("gpg {list} --with-colons --keyring {} --no-default-keyring", py_str(k)),
        _ => format!("gpg {list} --with-colons"),
    }
}

fn keys_command(a: &Args) -> String {
    list_command(a, "--list-keys")
}

fn secret_keys_command(a: &Args) -> String {
    list_command(a, "--list-secret-keys")
}

fn keyrings_command(a: &Args) -> String {
    gpg::keyrings_command(&str_or_list(a.get("directories")))
}

fn parse_public(ctx: &FactCtx<'_>) -> Result<Value, String> {
    gpg::parse_keys(ctx.output, "pub", "sub")
}

fn parse_secret(ctx: &FactCtx<'_>) -> Result<Value, String> {
    gpg::parse_keys(ctx.output, "sec", "ssb")
}

fn parse_keyrings(ctx: &FactCtx<'_>) -> Result<Value, String> {
    gpg::parse_keyrings(ctx.output)
}
