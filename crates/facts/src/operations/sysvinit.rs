//! `pyinfra.operations.sysvinit`: schema only for now.

use crate::schema::{Dflt, Operation, arg};

/// What this module manages.
pub const DOC: &str = "Control SysV init scripts in `/etc/init.d` and their `/etc/rcN.d` start/stop links.";

/// The operations of `sysvinit`, in pyinfra's order.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        name: "service",
        doc: "Start or stop an init script (`/etc/init.d/<service> start|stop`) when its status says it is \
              in the other state; restart and reload happen only when it is running, and a custom \
              `command` always runs. `enabled=True` registers the script only when no `/etc/rc*.d/S*` link \
              exists, and only on Debian/Ubuntu (`update-rc.d`), CentOS/Fedora/RHEL (`chkconfig`) and \
              Gentoo (`rc-update`); `enabled=False` deletes every start link found. For other systems or \
              finer control use `sysvinit.enable`.",
        args: &[
            arg("service", "str", Dflt::Required, "Name of the init script in /etc/init.d."),
            arg("running", "bool", Dflt::Bool(true), "Whether the service should be running (False: stopped)."),
            arg("restarted", "bool", Dflt::Bool(false), "Restart the service if it is already running."),
            arg("reloaded", "bool", Dflt::Bool(false), "Reload the service if it is already running."),
            arg(
                "enabled",
                "bool | None",
                Dflt::None,
                "Start at boot (True) or remove the start links (False); None: leave.",
            ),
            arg("command", "str | None", Dflt::None, "Extra init script verb to run every time, e.g. `reload`."),
        ],
        ..Operation::NEW
    },
    Operation {
        name: "enable",
        doc: "Enable an init script by hand: create `/etc/rc<level>.d/S<priority><service>` links for the \
              start runlevels and `K<priority><service>` links for the stop runlevels, all pointing at \
              `/etc/init.d/<service>`. Links that already exist are left alone; others in those \
              directories are not removed.",
        args: &[
            arg("service", "str", Dflt::Required, "Name of the init script in /etc/init.d."),
            arg("start_priority", "int", Dflt::Int(20), "Two-digit order of the start (`S`) links."),
            arg("stop_priority", "int", Dflt::Int(80), "Two-digit order of the kill (`K`) links."),
            arg("start_levels", "list", Dflt::Json("[2, 3, 4, 5]"), "Runlevels in which the service is started."),
            arg("stop_levels", "list", Dflt::Json("[0, 1, 6]"), "Runlevels in which the service is stopped."),
        ],
        ..Operation::NEW
    },
];
