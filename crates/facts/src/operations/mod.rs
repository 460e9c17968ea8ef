//! Operation tables, one file per pyinfra module (`apt.rs` mirrors `pyinfra/operations/apt.py`).

use crate::schema::OperationModule;

pub mod apk;
pub mod apt;
pub mod brew;
pub mod bsdinit;
pub mod cargo;
pub mod choco;
pub mod crontab;
pub mod dnf;
pub mod docker;
pub mod files;
pub mod flatpak;
pub mod freebsd;
pub mod gem;
pub mod git;
pub mod go;
pub mod gpg;
pub mod iptables;
pub mod launchd;
pub mod lxd;
pub mod mysql;
pub mod npm;
pub mod openrc;
pub mod opkg;
pub mod pacman;
pub mod pip;
pub mod pipx;
pub mod pkg;
pub mod pkgin;
pub mod postgres;
pub mod postgresql;
pub mod puppet;
pub mod python;
pub mod runit;
pub mod selinux;
pub mod server;
pub mod snap;
pub mod ssh;
pub mod systemd;
pub mod sysvinit;
pub mod upstart;
pub mod uv;
pub mod vzctl;
pub mod xbps;
pub mod yum;
pub mod zfs;
pub mod zypper;

/// Every operations module, sorted by name.
pub const MODULES: &[OperationModule] = &[
    OperationModule { name: "apk", doc: apk::DOC, operations: apk::OPERATIONS },
    OperationModule { name: "apt", doc: apt::DOC, operations: apt::OPERATIONS },
    OperationModule { name: "brew", doc: brew::DOC, operations: brew::OPERATIONS },
    OperationModule { name: "bsdinit", doc: bsdinit::DOC, operations: bsdinit::OPERATIONS },
    OperationModule { name: "cargo", doc: cargo::DOC, operations: cargo::OPERATIONS },
    OperationModule { name: "choco", doc: choco::DOC, operations: choco::OPERATIONS },
    OperationModule { name: "crontab", doc: crontab::DOC, operations: crontab::OPERATIONS },
    OperationModule { name: "dnf", doc: dnf::DOC, operations: dnf::OPERATIONS },
    OperationModule { name: "docker", doc: docker::DOC, operations: docker::OPERATIONS },
    OperationModule { name: "files", doc: files::DOC, operations: files::OPERATIONS },
    OperationModule { name: "flatpak", doc: flatpak::DOC, operations: flatpak::OPERATIONS },
    OperationModule {
        name: "freebsd.freebsd_update",
        doc: freebsd::freebsd_update::DOC,
        operations: freebsd::freebsd_update::OPERATIONS,
    },
    OperationModule { name: "freebsd.pkg", doc: freebsd::pkg::DOC, operations: freebsd::pkg::OPERATIONS },
    OperationModule { name: "freebsd.service", doc: freebsd::service::DOC, operations: freebsd::service::OPERATIONS },
    OperationModule { name: "freebsd.sysrc", doc: freebsd::sysrc::DOC, operations: freebsd::sysrc::OPERATIONS },
    OperationModule { name: "gem", doc: gem::DOC, operations: gem::OPERATIONS },
    OperationModule { name: "git", doc: git::DOC, operations: git::OPERATIONS },
    OperationModule { name: "go", doc: go::DOC, operations: go::OPERATIONS },
    OperationModule { name: "gpg", doc: gpg::DOC, operations: gpg::OPERATIONS },
    OperationModule { name: "iptables", doc: iptables::DOC, operations: iptables::OPERATIONS },
    OperationModule { name: "launchd", doc: launchd::DOC, operations: launchd::OPERATIONS },
    OperationModule { name: "lxd", doc: lxd::DOC, operations: lxd::OPERATIONS },
    OperationModule { name: "mysql", doc: mysql::DOC, operations: mysql::OPERATIONS },
    OperationModule { name: "npm", doc: npm::DOC, operations: npm::OPERATIONS },
    OperationModule { name: "openrc", doc: openrc::DOC, operations: openrc::OPERATIONS },
    OperationModule { name: "opkg", doc: opkg::DOC, operations: opkg::OPERATIONS },
    OperationModule { name: "pacman", doc: pacman::DOC, operations: pacman::OPERATIONS },
    OperationModule { name: "pip", doc: pip::DOC, operations: pip::OPERATIONS },
    OperationModule { name: "pipx", doc: pipx::DOC, operations: pipx::OPERATIONS },
    OperationModule { name: "pkg", doc: pkg::DOC, operations: pkg::OPERATIONS },
    OperationModule { name: "pkgin", doc: pkgin::DOC, operations: pkgin::OPERATIONS },
    OperationModule { name: "postgres", doc: postgres::DOC, operations: postgres::OPERATIONS },
    OperationModule { name: "postgresql", doc: postgresql::DOC, operations: postgresql::OPERATIONS },
    OperationModule { name: "puppet", doc: puppet::DOC, operations: puppet::OPERATIONS },
    OperationModule { name: "python", doc: python::DOC, operations: python::OPERATIONS },
    OperationModule { name: "runit", doc: runit::DOC, operations: runit::OPERATIONS },
    OperationModule { name: "selinux", doc: selinux::DOC, operations: selinux::OPERATIONS },
    OperationModule { name: "server", doc: server::DOC, operations: server::OPERATIONS },
    OperationModule { name: "snap", doc: snap::DOC, operations: snap::OPERATIONS },
    OperationModule { name: "ssh", doc: ssh::DOC, operations: ssh::OPERATIONS },
    OperationModule { name: "systemd", doc: systemd::DOC, operations: systemd::OPERATIONS },
    OperationModule { name: "sysvinit", doc: sysvinit::DOC, operations: sysvinit::OPERATIONS },
    OperationModule { name: "upstart", doc: upstart::DOC, operations: upstart::OPERATIONS },
    OperationModule { name: "uv", doc: uv::DOC, operations: uv::OPERATIONS },
    OperationModule { name: "vzctl", doc: vzctl::DOC, operations: vzctl::OPERATIONS },
    OperationModule { name: "xbps", doc: xbps::DOC, operations: xbps::OPERATIONS },
    OperationModule { name: "yum", doc: yum::DOC, operations: yum::OPERATIONS },
    OperationModule { name: "zfs", doc: zfs::DOC, operations: zfs::OPERATIONS },
    OperationModule { name: "zypper", doc: zypper::DOC, operations: zypper::OPERATIONS },
];
