//! `pyinfra.operations.server`: operating-system state of POSIX hosts (Linux and the BSDs).

mod accounts;
mod dispatch;
mod py;
mod run;
mod system;

use crate::schema::{ArgKind, Dflt, Operation, arg, var_arg};

/// What this module manages.
pub const DOC: &str = "Operating-system state of POSIX hosts: users and groups, hostname, time zone, mounts, \
                       kernel modules and sysctls, services and packages through whatever tools the host has, \
                       and running shell code or scripts.";

/// The operations of `server`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "reboot",
        doc: "Reboot the host and wait until it is reachable again, confirming the reboot by a reset uptime. \
              Always counts as a change; fails when the host does not come back within the timeout.",
        args: &[
            arg("delay", "int", Dflt::Int(10), "Seconds to wait after issuing the reboot before trying to reconnect."),
            arg("interval", "int", Dflt::Int(1), "Seconds between reconnection attempts."),
            arg(
                "reboot_timeout",
                "int",
                Dflt::Int(300),
                "Give up after this many seconds without the host coming back.",
            ),
        ],
        planner: Some(run::reboot),
        ..Operation::NEW
    },
    Operation {
        name: "wait",
        doc: "Block until something listens on a TCP or UDP port of the host, checking `netstat` once a second. \
              Always counts as a change.",
        args: &[arg("port", "int", Dflt::Required, "The port to wait for.")],
        planner: Some(run::wait),
        ..Operation::NEW
    },
    Operation {
        name: "shell",
        doc: "Run shell commands on the host as given. Not idempotent: the commands run every time, and facts \
              gathered before the run do not see their effects.",
        args: &[arg("commands", "str | list[str]", Dflt::Required, "A command or a list of commands to run in order.")],
        planner: Some(run::shell),
        ..Operation::NEW
    },
    Operation {
        name: "script",
        doc: "Upload a script from the controller to a temporary file on the host, make it executable and run \
              it with the given arguments. Runs every time.",
        args: &[
            arg("src", "str", Dflt::Required, "Path of the script on the controller."),
            arg(
                "args",
                "list",
                Dflt::Json("[]"),
                "Arguments passed to the script (written into the command unquoted).",
            ),
        ],
        planner: Some(run::script),
        ..Operation::NEW
    },
    Operation {
        name: "script_template",
        doc: "Render a Jinja2 template from the controller into a script on the host, make it executable and run \
              it. Extra keyword arguments are available to the template. Runs every time.",
        args: &[
            arg("src", "str", Dflt::Required, "Path of the template on the controller."),
            arg("args", "list", Dflt::Json("[]"), "Arguments passed to the rendered script."),
            var_arg("data", ArgKind::VarKwargs, "Variables for the template."),
        ],
        planner: Some(run::script_template),
        ..Operation::NEW
    },
    Operation {
        name: "modprobe",
        doc: "Load or unload kernel modules with `modprobe`, only touching those not already in the wanted \
              state (judged from `/proc/modules`).",
        args: &[
            arg("module", "str", Dflt::Required, "The module, or a list of modules."),
            arg("present", "bool", Dflt::Bool(true), "Whether the modules should be loaded."),
            arg("force", "bool", Dflt::Bool(false), "Pass `-f` to force loading or unloading."),
        ],
        planner: Some(system::modprobe),
        ..Operation::NEW
    },
    Operation {
        name: "mount",
        doc: "Mount or unmount a filesystem, and remount a mounted one that lacks some of the wanted options. \
              An existing mount is recognised by its path or, failing that, its device. `/etc/fstab` is not \
              edited (use `files.line` for that).",
        args: &[
            arg("path", "str", Dflt::Required, "The mount point."),
            arg("mounted", "bool", Dflt::Bool(true), "Whether the filesystem should be mounted."),
            arg("options", "list[str] | None", Dflt::None, "Mount options that must be in effect."),
            arg("device", "str | None", Dflt::None, "The device (or source) to mount."),
            arg("fs_type", "str | None", Dflt::None, "The filesystem type (`mount -t`)."),
        ],
        planner: Some(system::mount),
        ..Operation::NEW
    },
    Operation {
        name: "hostname",
        doc: "Set the hostname: with `hostnamectl` where available; otherwise with `hostname`, also writing the \
              hostname file so it survives a reboot (`/etc/hostname` on Linux, `/etc/myname` on OpenBSD).",
        args: &[
            arg("hostname", "str", Dflt::Required, "The wanted hostname."),
            arg(
                "hostname_file",
                "str | None",
                Dflt::None,
                "File that stores the hostname when `hostnamectl` is absent; `None` picks it per OS, `False` writes none.",
            ),
        ],
        planner: Some(system::hostname),
        ..Operation::NEW
    },
    Operation {
        name: "etc_hosts",
        doc: "Manage the line of one IP address in `/etc/hosts` (or another hosts file): make it list exactly \
              the given names, remove some names, or remove the address entirely. Other lines and comments are \
              kept; a comment on the edited line is lost. The file is only rewritten when it must change.",
        args: &[
            arg("ip", "str", Dflt::Required, "The IP address whose line is managed."),
            arg(
                "hostnames",
                "str | list[str] | None",
                Dflt::None,
                "Names for the address (a string is split on whitespace).",
            ),
            arg(
                "present",
                "bool",
                Dflt::Bool(true),
                "Whether the entry (or, when removing, the given names) should exist.",
            ),
            arg("path", "str", Dflt::Str("/etc/hosts"), "The hosts file to edit."),
        ],
        planner: Some(system::etc_hosts),
        ..Operation::NEW
    },
    Operation {
        name: "timezone",
        doc: "Set the system time zone: with `timedatectl` on systemd hosts, otherwise by linking \
              `/etc/localtime` to the zoneinfo file and writing `/etc/timezone`.",
        args: &[arg("timezone", "str", Dflt::Required, "The zone name, e.g. `Europe/Amsterdam` or `UTC`.")],
        planner: Some(system::timezone),
        ..Operation::NEW
    },
    Operation {
        name: "sysctl",
        doc: "Set a kernel parameter with `sysctl` when its current value differs, and optionally persist it \
              in a sysctl configuration file.",
        args: &[
            arg("key", "str", Dflt::Required, "The parameter name, e.g. `net.ipv4.ip_forward`."),
            arg(
                "value",
                "str | int | list[str | int]",
                Dflt::Required,
                "The value; a list for multi-value parameters.",
            ),
            arg("persist", "bool", Dflt::Bool(false), "Also write `key = value` to the persist file."),
            arg("persist_file", "str", Dflt::Str("/etc/sysctl.conf"), "The file to persist the setting in."),
        ],
        planner: Some(system::sysctl),
        ..Operation::NEW
    },
    Operation {
        name: "service",
        doc: "Manage a service with whichever init system the host has (systemd, OpenRC, Upstart, runit, BSD \
              rc.d or SysV init), by handing over to that module's `service` operation.",
        args: &[
            arg("service", "str", Dflt::Required, "The service name."),
            arg("running", "bool", Dflt::Bool(true), "Whether the service should be running."),
            arg("restarted", "bool", Dflt::Bool(false), "Restart the service."),
            arg("reloaded", "bool", Dflt::Bool(false), "Reload the service."),
            arg("command", "str | None", Dflt::None, "A custom command to run through the init system."),
            arg("enabled", "bool | None", Dflt::None, "Whether the service starts at boot; `None` leaves it."),
        ],
        planner: Some(dispatch::service),
        ..Operation::NEW
    },
    Operation {
        name: "packages",
        doc: "Install or remove packages with whichever package manager the host has (zypper, apk, apt, brew, \
              dnf, pacman, xbps, yum or pkg), by handing over to that module's `packages` operation.",
        args: &[
            arg("packages", "str | list[str]", Dflt::Required, "A package or list of packages."),
            arg("present", "bool", Dflt::Bool(true), "Whether the packages should be installed."),
        ],
        planner: Some(dispatch::packages),
        ..Operation::NEW
    },
    Operation { name: "crontab", alias_of: Some("crontab.crontab"), ..Operation::NEW },
    Operation {
        name: "group",
        doc: "Add or delete a group (`groupadd`/`groupdel`, or `pw` on FreeBSD). System groups do not exist on \
              the BSDs, so `system` is ignored there.",
        args: &[
            arg("group", "str", Dflt::Required, "The group name."),
            arg("present", "bool", Dflt::Bool(true), "Whether the group should exist."),
            arg("system", "bool", Dflt::Bool(false), "Create a system group."),
            arg("gid", "int | str | None", Dflt::None, "A specific group id for a new group."),
        ],
        planner: Some(accounts::group),
        ..Operation::NEW
    },
    Operation {
        name: "user_authorized_keys",
        doc: "Make sure a user's `~/.ssh` (mode 700) and `authorized_keys` (mode 600) exist with the right owner \
              and contain the given public keys, appending the missing ones; with `delete_keys` the file is \
              rewritten to hold exactly those keys. A key may also be the path of a key file on the controller.",
        args: &[
            arg("user", "str", Dflt::Required, "The user whose keys to manage."),
            arg(
                "public_keys",
                "str | list[str]",
                Dflt::Required,
                "Public keys, or paths of public key files on the controller.",
            ),
            arg("group", "str | None", Dflt::None, "Group owning the files (default: the user's name)."),
            arg("delete_keys", "bool", Dflt::Bool(false), "Remove every key not given."),
            arg(
                "authorized_key_directory",
                "str | None",
                Dflt::None,
                "Directory of the keys file (default: `~user/.ssh`).",
            ),
            arg(
                "authorized_key_filename",
                "str | None",
                Dflt::None,
                "Name of the keys file (default: `authorized_keys`).",
            ),
        ],
        planner: Some(accounts::user_authorized_keys),
        ..Operation::NEW
    },
    Operation {
        name: "user",
        doc: "Add, update or delete a user (`useradd`/`usermod`/`userdel`, or `pw` on FreeBSD), then make sure \
              its home directory exists with the right owner and manage its SSH keys. Without `home`, new users \
              get `/home/NAME` and existing users keep theirs. Only the settings that differ are changed.",
        args: &[
            arg("user", "str", Dflt::Required, "The user name."),
            arg("present", "bool", Dflt::Bool(true), "Whether the user should exist."),
            arg("home", "str | None", Dflt::None, "The home directory."),
            arg("shell", "str | None", Dflt::None, "The login shell."),
            arg("group", "str | None", Dflt::None, "The primary group."),
            arg("groups", "list[str] | None", Dflt::None, "Secondary groups."),
            arg("append", "bool", Dflt::Bool(false), "Add the secondary groups without removing others."),
            arg(
                "public_keys",
                "str | list[str] | None",
                Dflt::None,
                "Public keys (or key files on the controller) to authorize.",
            ),
            arg("delete_keys", "bool", Dflt::Bool(false), "Remove authorized keys that are not given."),
            arg(
                "ensure_home",
                "bool",
                Dflt::Bool(true),
                "Make sure the home directory exists and belongs to the user.",
            ),
            arg(
                "create_home",
                "bool",
                Dflt::Bool(false),
                "Create a new user's home from the skeleton directory (`-m`).",
            ),
            arg("system", "bool", Dflt::Bool(false), "Create a system account (not on the BSDs)."),
            arg("uid", "int | None", Dflt::None, "A specific user id for a new user."),
            arg("comment", "str | None", Dflt::None, "The GECOS comment (full name)."),
            arg("unique", "bool", Dflt::Bool(true), "Refuse a uid already in use (`False` passes `-o`)."),
            arg("password", "str | None", Dflt::None, "The encrypted password hash."),
        ],
        planner: Some(accounts::user),
        ..Operation::NEW
    },
    Operation {
        name: "locale",
        doc: "Enable or disable a locale by uncommenting or commenting its line in `/etc/locale.gen`, then run \
              `locale-gen`. Fails when the locale has no line, or several, in that file.",
        args: &[
            arg("locale", "str", Dflt::Required, "The locale, e.g. `en_GB.UTF-8`."),
            arg("present", "bool", Dflt::Bool(true), "Whether the locale should be available."),
        ],
        planner: Some(system::locale),
        ..Operation::NEW
    },
    Operation {
        name: "kill",
        doc: "Send a signal to a process. Always counts as a change.",
        args: &[
            arg("pid", "int", Dflt::Required, "The process id."),
            arg("signal", "str", Dflt::Str("TERM"), "The signal name or number, without `SIG` or a dash."),
        ],
        planner: Some(run::kill),
        ..Operation::NEW
    },
    Operation {
        name: "security_limit",
        doc: "Set one resource limit in `/etc/security/limits.conf`, replacing the line for the same domain, \
              type and item or adding one.",
        args: &[
            arg("domain", "str", Dflt::Required, "Who the limit applies to: a user, `@group` or `*`."),
            arg("limit_type", "str", Dflt::Required, "`soft`, `hard` or `-` (both)."),
            arg("item", "str", Dflt::Required, "The resource, e.g. `nofile` or `nproc`."),
            arg("value", "int", Dflt::Required, "The limit (a number, or e.g. `unlimited`)."),
        ],
        planner: Some(system::security_limit),
        ..Operation::NEW
    },
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::fact_source::testing::{DisplayFacts, FixedEnv};
    use crate::local_files::NoLocalFiles;
    use crate::plan::{Command, Plan, PlanError};
    use crate::value::{Map, Value};

    fn plan(op: &str, args: &[Value], kw: Value, facts: Vec<(&'static str, Value)>) -> Result<Plan, PlanError> {
        let kw: Map<String, Value> = kw.as_object().cloned().unwrap_or_default();
        crate::plan_operation(op, args, &kw, &DisplayFacts(facts), &NoLocalFiles, &FixedEnv("/tmp/x"))
    }

    fn shells(p: &Plan) -> Vec<String> {
        p.commands.iter().filter_map(|c| if let Command::Shell(s) = c { Some(s.raw.clone()) } else { None }).collect()
    }

    #[test]
    fn sysctl_compares_space_separated_values_as_lists() {
        let facts = vec![("server.Sysctl(keys=['r'])", json!({"r": [1, 2]}))];
        let p = plan("server.sysctl", &[json!("r"), json!("1 2")], json!({}), facts).unwrap();
        assert!(p.commands.is_empty());
        assert_eq!(p.noop.as_deref(), Some("sysctl r is set to 1 2"));
    }

    #[test]
    fn group_on_freebsd_uses_pw() {
        let facts = vec![("server.Groups", json!([])), ("server.Os", json!("FreeBSD"))];
        let p = plan("server.group", &[json!("g")], json!({"system": true, "gid": 7}), facts).unwrap();
        assert_eq!(shells(&p), vec!["pw groupadd -n g -g 7"]);
    }

    #[test]
    fn missing_fact_is_reported_not_guessed() {
        let err = plan("server.timezone", &[json!("UTC")], json!({}), vec![]).unwrap_err();
        assert!(matches!(err, PlanError::FactMissing(k) if k.fact == "server.Timezone"));
    }
}
