//! `pyinfra.facts.efibootmgr`: schema only for now.

use crate::schema::Fact;

/// The facts of `efibootmgr`.
pub const FACTS: &[Fact] = &[Fact {
    name: "EFIBootMgr",
    doc: "The UEFI boot configuration as shown by `efibootmgr`: a dict with `BootNext`, `BootCurrent` and \
          `Timeout` (ints or None), `BootOrder` (list of entry numbers) and `Entries` (entry number mapped to \
          an `(active, description)` pair). None on systems without UEFI variables.",
    returns: "dict[str, int | list[int] | dict[int, tuple[bool, str]] | None] | None",
    ..Fact::NEW
}];
