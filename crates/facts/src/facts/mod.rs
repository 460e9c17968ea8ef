//! Fact tables, one file per pyinfra module (`server.rs` mirrors `pyinfra/facts/server.py`).

use crate::schema::FactModule;

pub mod apk;
pub mod apt;
pub mod brew;
pub mod bsdinit;
pub mod cargo;
pub mod choco;
pub mod crontab;
pub mod deb;
pub mod dnf;
pub mod docker;
pub mod efibootmgr;
pub mod files;
pub mod flatpak;
pub mod freebsd;
pub mod gem;
pub mod git;
pub mod go;
pub mod gpg;
pub mod hardware;
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
pub mod podman;
pub mod postgres;
pub mod postgresql;
pub mod rpm;
pub mod runit;
pub mod selinux;
pub mod server;
pub mod snap;
pub mod systemd;
pub mod sysvinit;
pub mod upstart;
pub mod util;
pub mod uv;
pub mod vzctl;
pub mod xbps;
pub mod yum;
pub mod zfs;
pub mod zypper;

/// Every facts module, sorted by name.
pub const MODULES: &[FactModule] = &[
    FactModule { name: "apk", facts: apk::FACTS },
    FactModule { name: "apt", facts: apt::FACTS },
    FactModule { name: "brew", facts: brew::FACTS },
    FactModule { name: "bsdinit", facts: bsdinit::FACTS },
    FactModule { name: "cargo", facts: cargo::FACTS },
    FactModule { name: "choco", facts: choco::FACTS },
    FactModule { name: "crontab", facts: crontab::FACTS },
    FactModule { name: "deb", facts: deb::FACTS },
    FactModule { name: "dnf", facts: dnf::FACTS },
    FactModule { name: "docker", facts: docker::FACTS },
    FactModule { name: "efibootmgr", facts: efibootmgr::FACTS },
    FactModule { name: "files", facts: files::FACTS },
    FactModule { name: "flatpak", facts: flatpak::FACTS },
    FactModule { name: "freebsd", facts: freebsd::FACTS },
    FactModule { name: "gem", facts: gem::FACTS },
    FactModule { name: "git", facts: git::FACTS },
    FactModule { name: "go", facts: go::FACTS },
    FactModule { name: "gpg", facts: gpg::FACTS },
    FactModule { name: "hardware", facts: hardware::FACTS },
    FactModule { name: "iptables", facts: iptables::FACTS },
    FactModule { name: "launchd", facts: launchd::FACTS },
    FactModule { name: "lxd", facts: lxd::FACTS },
    FactModule { name: "mysql", facts: mysql::FACTS },
    FactModule { name: "npm", facts: npm::FACTS },
    FactModule { name: "openrc", facts: openrc::FACTS },
    FactModule { name: "opkg", facts: opkg::FACTS },
    FactModule { name: "pacman", facts: pacman::FACTS },
    FactModule { name: "pip", facts: pip::FACTS },
    FactModule { name: "pipx", facts: pipx::FACTS },
    FactModule { name: "pkg", facts: pkg::FACTS },
    FactModule { name: "pkgin", facts: pkgin::FACTS },
    FactModule { name: "podman", facts: podman::FACTS },
    FactModule { name: "postgres", facts: postgres::FACTS },
    FactModule { name: "postgresql", facts: postgresql::FACTS },
    FactModule { name: "rpm", facts: rpm::FACTS },
    FactModule { name: "runit", facts: runit::FACTS },
    FactModule { name: "selinux", facts: selinux::FACTS },
    FactModule { name: "server", facts: server::FACTS },
    FactModule { name: "snap", facts: snap::FACTS },
    FactModule { name: "systemd", facts: systemd::FACTS },
    FactModule { name: "sysvinit", facts: sysvinit::FACTS },
    FactModule { name: "upstart", facts: upstart::FACTS },
    FactModule { name: "uv", facts: uv::FACTS },
    FactModule { name: "vzctl", facts: vzctl::FACTS },
    FactModule { name: "xbps", facts: xbps::FACTS },
    FactModule { name: "yum", facts: yum::FACTS },
    FactModule { name: "zfs", facts: zfs::FACTS },
    FactModule { name: "zypper", facts: zypper::FACTS },
];
