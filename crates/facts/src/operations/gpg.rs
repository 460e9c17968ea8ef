//! `pyinfra.operations.gpg`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Install and remove GPG keys and keyring files, e.g. the signing keys of package \
                       repositories under `/etc/apt/keyrings`.";

/// The operations of `gpg`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "key",
        doc: "Install a GPG key into a keyring file, or remove keys or keyring files. Installing takes the key \
              from `src` (a local file or an http(s) URL, downloaded first; ASCII-armored keys are converted \
              to binary unless `dearmor=False`) or fetches `keyid` from a `keyserver`, then sets `mode` on \
              `dest`. It is skipped (only the mode is enforced) when `dest` already exists, or, with `keyid`, \
              when all those keys are already in `dest`. Removal (`present=False`) deletes `dest`, or just \
              the keys matching `keyid` from `dest` or from every keyring found in `working_dirs`; an \
              armored `.asc` keyring can only be removed as a whole.",
        args: &[
            arg(
                "src",
                "str | None",
                Dflt::None,
                "Local path or http(s) URL of the key (armored `.asc` or binary `.gpg`).",
            ),
            arg("dest", "str | None", Dflt::None, "Keyring file to write; required to install, optional to remove."),
            arg(
                "keyserver",
                "str | None",
                Dflt::None,
                "Keyserver to fetch `keyid` from, e.g. `hkps://keyserver.ubuntu.com`.",
            ),
            arg(
                "keyid",
                "str | list[str] | None",
                Dflt::None,
                "Key ID(s) or fingerprint(s): needed with `keyserver`, selects keys to remove.",
            ),
            arg("dearmor", "bool", Dflt::Bool(true), "Convert an ASCII-armored `src` key to binary format."),
            arg("mode", "str", Dflt::Str("0644"), "File mode of the installed keyring."),
            arg("present", "bool", Dflt::Bool(true), "Install the key when true, remove it when false."),
            arg(
                "working_dirs",
                "list[str] | None",
                Dflt::None,
                "Directories whose keyrings are searched when removing `keyid` without a `dest`.",
            ),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "dearmor",
        doc: "Convert an ASCII-armored key file on the host to a binary keyring with `gpg --dearmor`, creating \
              the destination directory and setting the file mode. The conversion runs on every deploy.",
        args: &[
            arg("src", "str", Dflt::Required, "ASCII-armored key file on the host."),
            arg("dest", "str", Dflt::Required, "Binary keyring file to write."),
            arg("mode", "str", Dflt::Str("0644"), "File mode of the written keyring."),
        ],
        ..Operation::NEW
    },
];
