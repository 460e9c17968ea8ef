//! `pyinfra.operations.freebsd.*`: FreeBSD's updater, packages, services and rc.conf.

pub mod freebsd_update;
pub mod pkg;
pub mod service;
pub mod sysrc;

use crate::args::Args;
use crate::quote::quote;
use crate::value::{Value, py_str};

/// `flag <quoted value>` when the argument is not None (pyinfra's `if x is not None: args.extend(...)`).
fn push_opt(words: &mut Vec<String>, a: &Args, name: &str, flag: &str) {
    if !a.get(name).is_null() {
        words.push(flag.to_string());
        words.push(quote(&py_str(a.get(name))));
    }
}

/// A command word list starting with `program [-j <jail>]`.
fn with_jail(program: &str, a: &Args) -> Vec<String> {
    let mut words = vec![program.to_string()];
    push_opt(&mut words, a, "jail", "-j");
    words
}

/// The `jail` argument as pyinfra passes it to the freebsd facts.
fn jail(a: &Args) -> Value {
    a.get("jail").clone()
}
