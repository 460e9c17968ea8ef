//! Shared test support: a real OpenSSH server on loopback.

#![allow(dead_code)] // each test file uses a different part of the support code

pub mod sshd;
