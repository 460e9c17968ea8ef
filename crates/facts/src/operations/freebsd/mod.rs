//! `pyinfra.operations.freebsd.*`: FreeBSD's updater, packages, services and rc.conf.

pub mod freebsd_update;
pub mod pkg;
pub mod service;
pub mod sysrc;
