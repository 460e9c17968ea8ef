//! `pyinfra.facts.server`: what the host is (kernel, distribution, hostname, time), who is on it
//! (users, groups, keys, logins) and what runs on it (processes, ports, mounts, sysctls, modules).

mod basic;
mod distro;
mod mounts;
mod network;
mod processes;
mod users;
pub(crate) mod util;

use crate::args::Args;
use crate::schema::{Dflt, Fact, arg, enum_arg};

fn requires_sw_vers(_: &Args) -> Option<String> {
    Some("sw_vers".into())
}
fn requires_lsb_release(_: &Args) -> Option<String> {
    Some("lsb_release".into())
}
fn requires_sestatus(_: &Args) -> Option<String> {
    Some("sestatus".into())
}
fn requires_locale(_: &Args) -> Option<String> {
    Some("locale".into())
}
fn requires_last(_: &Args) -> Option<String> {
    Some("last".into())
}
fn requires_lastb(_: &Args) -> Option<String> {
    Some("lastb".into())
}

/// A fact whose command is a fixed string and whose value is the output as text.
macro_rules! text_fact {
    ($name:literal, $cmd:literal, $doc:literal) => {
        Fact {
            name: $name,
            doc: $doc,
            returns: "str",
            command: Some(|_| $cmd.to_string()),
            parse: Some(basic::parse_joined),
            ..Fact::NEW
        }
    };
}

const TMP_DIR_COMMAND: &str = r#"if [ -n "$TMPDIR" ] && [ -d "$TMPDIR" ] && [ -w "$TMPDIR" ]; then
    echo "$TMPDIR";
elif [ -n "$TMP" ] && [ -d "$TMP" ] && [ -w "$TMP" ]; then
    echo "$TMP";
elif [ -n "$TEMP" ] && [ -d "$TEMP" ] && [ -w "$TEMP" ]; then
    echo "$TEMP";
else
    echo "";
fi"#;

const REBOOT_REQUIRED_COMMAND: &str = r#"
# Get OS type
OS_TYPE=$(uname -s)
if [ "$OS_TYPE" = "Linux" ]; then
    # Check if it's Alpine Linux
    if [ -f /etc/alpine-release ]; then
        RUNNING_KERNEL=$(uname -r)
        INSTALLED_KERNEL=$(ls -1 /lib/modules | sort -V | tail -n1)
        if [ "$RUNNING_KERNEL" != "$INSTALLED_KERNEL" ]; then
            echo "reboot_required"
            exit 0
        fi
    else
        # Check standard Linux reboot required files
        if [ -f /var/run/reboot-required ] || [ -f /var/run/reboot-required.pkgs ]; then
            echo "reboot_required"
            exit 0
        fi
    fi
elif [ "$OS_TYPE" = "FreeBSD" ]; then
    RUNNING_VERSION=$(freebsd-version -r)
    INSTALLED_VERSION=$(freebsd-version -k)
    if [ "$RUNNING_VERSION" != "$INSTALLED_VERSION" ]; then
        echo "reboot_required"
        exit 0
    fi
fi
echo "no_reboot_required"
"#;

/// The facts of `server`, in pyinfra's order.
pub const FACTS: &[Fact] = &[
    text_fact!("User", "echo $USER", "The name of the user the connection runs commands as (`$USER`)."),
    Fact {
        name: "Home",
        doc: "The home directory of a user (by default the connected user), found by the shell's `~user` \
              expansion. The user name must be a plain word, since it cannot be quoted.",
        args: &[arg("user", "str", Dflt::Str(""), "User whose home to look up; empty for the current user.")],
        returns: "str | None",
        command_with: Some(basic::home_command),
        parse: Some(basic::parse_joined),
        ..Fact::NEW
    },
    text_fact!("Path", "echo $PATH", "The `$PATH` search path of the connected user."),
    Fact {
        name: "TmpDir",
        doc: "A writable temporary directory of the host: the first of `$TMPDIR`, `$TMP` and `$TEMP` that \
              names an existing writable directory, or an empty string when none does.",
        returns: "str",
        command: Some(|_| TMP_DIR_COMMAND.to_string()),
        parse: Some(basic::parse_joined),
        ..Fact::NEW
    },
    text_fact!("Hostname", "uname -n", "The host's network node name (`uname -n`)."),
    text_fact!("Kernel", "uname -s", "The kernel name (`uname -s`): `Linux`, `FreeBSD`, `Darwin`, ..."),
    text_fact!("KernelVersion", "uname -r", "The kernel release (`uname -r`)."),
    Fact {
        name: "Uptime",
        doc: "How many seconds the host has been up, from `/proc/uptime` or, on Darwin and FreeBSD, from \
              the kernel's boot time.",
        returns: "int",
        command_with: Some(basic::uptime_command),
        parse: Some(basic::uptime_parse),
        ..Fact::NEW
    },
    Fact {
        deprecated: true,
        ..text_fact!("Os", "uname -s", "The kernel name (`uname -s`). Deprecated name of `server.Kernel`.")
    },
    Fact {
        deprecated: true,
        ..text_fact!(
            "OsVersion",
            "uname -r",
            "The kernel release (`uname -r`). Deprecated name of `server.KernelVersion`."
        )
    },
    text_fact!("Arch", "uname -m", "The machine hardware name (`uname -m`), e.g. `x86_64` or `aarch64`."),
    Fact {
        name: "Command",
        doc: "The output of an arbitrary shell command, as one string.",
        args: &[arg("command", "str", Dflt::Required, "The shell command to run.")],
        returns: "str",
        command: Some(basic::command_command),
        parse: Some(basic::parse_joined),
        ..Fact::NEW
    },
    Fact {
        name: "Timezone",
        doc: "The system time zone name (e.g. `Europe/Amsterdam`), read from where `/etc/localtime` points.",
        returns: "str",
        command: Some(|_| "readlink -f /etc/localtime | sed 's|.*/zoneinfo/||'".to_string()),
        parse: Some(basic::first_line_parse),
        ..Fact::NEW
    },
    Fact {
        name: "Which",
        doc: "Where a command is found on the `$PATH` (`command -v`); empty when it is not installed.",
        args: &[arg("command", "str", Dflt::Required, "The command to look for.")],
        returns: "str | None",
        command: Some(basic::which_command),
        parse: Some(basic::parse_joined),
        ..Fact::NEW
    },
    Fact {
        name: "Date",
        doc: "The host's current date and time, with its UTC offset.",
        returns: "datetime",
        command: Some(|_| "date +'%Y-%m-%dT%H:%M:%S%z'".to_string()),
        parse: Some(basic::date_parse),
        ..Fact::NEW
    },
    Fact {
        name: "MacosVersion",
        doc: "The macOS product version (`sw_vers -productVersion`); only gathered where `sw_vers` exists.",
        returns: "str",
        command: Some(|_| "sw_vers -productVersion".to_string()),
        requires: Some(requires_sw_vers),
        parse: Some(basic::parse_joined),
        ..Fact::NEW
    },
    Fact {
        name: "Mounts",
        doc: "Mounted filesystems by mount point, each with its device, filesystem type and mount options. \
              Read from `/proc/self/mountinfo` on Linux, `mount -p --libxo json` on FreeBSD and `mount -v` \
              on OpenBSD.",
        returns: "dict[str, pyinfra.facts.server.MountsDict]",
        command_with: Some(mounts::command),
        parse: Some(mounts::parse),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Port",
        doc: "The process listening on a port and its PID, as `(name, pid)`, or `(None, None)` when nothing \
              listens. Uses `ss` (or `netstat`) on Linux and `sockstat` on FreeBSD.",
        args: &[
            arg("port", "int", Dflt::Required, "The port number."),
            enum_arg("protocol", "str", &["tcp", "udp"], Dflt::Str("tcp"), "`tcp` or `udp`."),
        ],
        returns: "tuple[str, int] | tuple[None, None]",
        command_with: Some(network::port_command),
        parse: Some(network::port_parse),
        ..Fact::NEW
    },
    Fact {
        name: "Ports",
        doc: "Every listening socket, as records of port, address, protocol and process name. Uses `ss` \
              (or `netstat`) on Linux and `sockstat` on FreeBSD.",
        returns: "list[dict[str, int | str]]",
        command_with: Some(network::ports_command),
        parse: Some(network::ports_parse),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "KernelModules",
        doc: "Loaded kernel modules by name: size, use count, state and dependencies from `/proc/modules`, \
              or id, references, address and size from FreeBSD's `kldstat`.",
        returns: "dict[str, dict]",
        command_with: Some(processes::kernel_modules_command),
        parse: Some(processes::kernel_modules_parse),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "LsbRelease",
        doc: "Release information from `lsb_release` (id, description, release, codename); only gathered \
              where `lsb_release` exists.",
        returns: "dict[str, str]",
        command: Some(|_| "lsb_release -ca".to_string()),
        requires: Some(requires_lsb_release),
        parse: Some(basic::lsb_release_parse),
        ..Fact::NEW
    },
    Fact {
        name: "OsRelease",
        doc: "The key/value pairs of `/etc/os-release`, with lower-case keys and unquoted values.",
        returns: "dict[str, str]",
        command: Some(|_| "cat /etc/os-release".to_string()),
        parse: Some(basic::os_release_parse),
        ..Fact::NEW
    },
    Fact {
        name: "Sysctl",
        doc: "Kernel parameters from `sysctl` (all of them, or only the given keys). Numeric values become \
              integers and space-separated values lists.",
        args: &[arg("keys", "list[str] | None", Dflt::None, "Only these keys; `None` for all.")],
        returns: "dict[str, int | str | list[int | str]]",
        command: Some(basic::sysctl_command),
        parse: Some(basic::sysctl_parse),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Groups",
        doc: "The names of the groups in `/etc/group`.",
        returns: "list[str]",
        command: Some(|_| "cat /etc/group".to_string()),
        parse: Some(basic::groups_parse),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "Users",
        doc: "Local users by name: home, shell, comment, primary and secondary groups, uid and gid, last \
              login (raw and parsed) and password hash (when readable).",
        returns: "dict[str, dict]",
        command: Some(|_| users::COMMAND.to_string()),
        parse: Some(users::parse),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "AuthorizedKeys",
        doc: "The public keys in a user's `authorized_keys` file (by default `~user/.ssh/authorized_keys`), \
              in file order, without blank lines and comments.",
        args: &[
            arg("user", "str", Dflt::Required, "The user whose keys to read."),
            arg("path", "str | None", Dflt::None, "Read this file instead of the user's default one."),
        ],
        returns: "list[str]",
        command_with: Some(basic::authorized_keys_command),
        parse: Some(basic::authorized_keys_parse),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "LinuxDistribution",
        doc: "The Linux distribution: its name, major and minor version numbers (from the most precise \
              source among `/etc/os-release` and the distribution's own release file) and the os-release \
              keys as `release_meta`.",
        returns: "LinuxDistributionDict",
        command: Some(|_| distro::COMMAND.to_string()),
        parse: Some(distro::parse),
        default: r#"{"name": null, "major": null, "minor": null, "release_meta": {}}"#,
        ..Fact::NEW
    },
    Fact {
        name: "LinuxName",
        doc: "The name of the Linux distribution (`name` of `server.LinuxDistribution`).",
        returns: "str",
        short: Some(("server.LinuxDistribution", basic::linux_name)),
        ..Fact::NEW
    },
    Fact {
        name: "Selinux",
        doc: "The SELinux status reported by `sestatus` (`mode`: `enabled`, `disabled`, or `None`); only \
              gathered where `sestatus` exists.",
        returns: "SelinuxDict",
        command: Some(|_| "sestatus".to_string()),
        requires: Some(requires_sestatus),
        parse: Some(basic::selinux_parse),
        default: r#"{"mode": null}"#,
        ..Fact::NEW
    },
    Fact {
        name: "LinuxGui",
        doc: "Desktop environments installed, recognised by their session binaries in `/usr/bin` (GNOME, \
              MATE, LXDE, KDE Plasma, XFCE 4).",
        returns: "list[str]",
        command: Some(|_| "ls /usr/bin/*session || true".to_string()),
        parse: Some(basic::linux_gui_parse),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "HasGui",
        doc: "Whether any desktop environment is installed (`server.LinuxGui` is not empty).",
        returns: "bool",
        short: Some(("server.LinuxGui", basic::has_gui)),
        ..Fact::NEW
    },
    Fact {
        name: "Locales",
        doc: "The locales available on the host (`locale -a`), with `utf8` written `UTF-8` as in \
              `/etc/locale.gen`.",
        returns: "list[str]",
        command: Some(|_| "locale -a".to_string()),
        requires: Some(requires_locale),
        parse: Some(basic::locales_parse),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "SecurityLimits",
        doc: "The entries of `/etc/security/limits.conf`: domain, limit type, item and value of each.",
        returns: "list[dict[str, str]]",
        command: Some(|_| "! test -e /etc/security/limits.conf || cat /etc/security/limits.conf".to_string()),
        parse: Some(basic::security_limits_parse),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "RebootRequired",
        doc: "Whether the host needs a reboot: the reboot-required marker files on Linux, a newer installed \
              kernel on Alpine, or differing running and installed kernels on FreeBSD.",
        returns: "bool",
        command: Some(|_| REBOOT_REQUIRED_COMMAND.to_string()),
        parse: Some(basic::reboot_required_parse),
        ..Fact::NEW
    },
    Fact {
        name: "Processes",
        doc: "Running processes by PID (all, or one): user, state, CPU and memory percentages, command \
              name and full arguments. BusyBox `ps` reports no CPU or memory use (0.0).",
        args: &[arg("pid", "int | None", Dflt::None, "Only this process; `None` for all.")],
        returns: "dict[int, pyinfra.facts.server.ProcessDict]",
        command_with: Some(processes::processes_command),
        parse: Some(processes::processes_parse),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "EtcHosts",
        doc: "A hosts file (`/etc/hosts` by default) as IP address -> host names; names of repeated \
              addresses are merged in file order, comments ignored.",
        args: &[arg("path", "str", Dflt::Str("/etc/hosts"), "The hosts file to read.")],
        returns: "dict[str, list[str]]",
        command: Some(basic::etc_hosts_command),
        parse: Some(basic::etc_hosts_parse),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Last",
        doc: "Login records from `last`: user, terminal, remote host and the time text as printed; only \
              gathered where `last` exists.",
        returns: "list[pyinfra.facts.server.LastRecordDict]",
        command: Some(|_| "last -Fwi 2>/dev/null || last -w 2>/dev/null || last 2>/dev/null || true".to_string()),
        requires: Some(requires_last),
        parse: Some(basic::last_parse),
        default: "[]",
        ..Fact::NEW
    },
    Fact {
        name: "LoadAverage",
        doc: "The 1, 5 and 15 minute load averages, from `/proc/loadavg` or `uptime`.",
        returns: "dict[str, float]",
        command: Some(|_| "cat /proc/loadavg 2>/dev/null || uptime".to_string()),
        parse: Some(basic::load_average_parse),
        default: "{}",
        ..Fact::NEW
    },
    Fact {
        name: "Lastb",
        doc: "Failed login attempts from `lastb`, in the shape of `server.Last`; reading them usually needs \
              root. Only gathered where `lastb` exists.",
        returns: "list[pyinfra.facts.server.LastRecordDict]",
        command: Some(|_| "lastb -Fwi 2>/dev/null || lastb 2>/dev/null || true".to_string()),
        requires: Some(requires_lastb),
        parse: Some(basic::last_parse),
        default: "[]",
        ..Fact::NEW
    },
];
