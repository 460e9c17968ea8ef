//! The global arguments every operation accepts (`_sudo`, `_env`, `_if`, ...).
//!
//! They are not the operation's own: the executor reads them to wrap, schedule and check
//! commands; the language server completes and validates them after an operation's own arguments.

use crate::schema::{Arg, Dflt, arg};

/// All 32 global arguments, in pyinfra's order.
pub const GLOBAL_ARGS: &[Arg] = &[
    // Privilege escalation.
    arg("_sudo", "bool", Dflt::Bool(false), "Run the operation's commands through sudo."),
    arg("_sudo_user", "str", Dflt::None, "Become this user with sudo (`sudo -u`) instead of root."),
    arg(
        "_use_sudo_login",
        "bool",
        Dflt::Bool(false),
        "Start a login shell under sudo (`sudo -H -i`), loading the target user's profile.",
    ),
    arg("_sudo_password", "str", Dflt::None, "Password for sudo; passed through an askpass helper, never printed."),
    arg(
        "_preserve_sudo_env",
        "bool",
        Dflt::Bool(false),
        "Keep the caller's environment variables under sudo (`sudo -E`).",
    ),
    arg("_su_user", "str", Dflt::None, "Switch to this user with `su` before running commands."),
    arg("_use_su_login", "bool", Dflt::Bool(false), "Start a login shell with `su -l`."),
    arg("_preserve_su_env", "bool", Dflt::Bool(false), "Keep the caller's environment under su (`su -m`)."),
    arg(
        "_su_shell",
        "str",
        Dflt::Bool(false),
        "Shell that `su` starts (`su -s SHELL`), for users whose login shell is not a real shell.",
    ),
    arg("_su_password", "str", Dflt::None, "Password for su; never printed."),
    arg("_doas", "bool", Dflt::Bool(false), "Run the operation's commands through OpenBSD's doas."),
    arg("_doas_user", "str", Dflt::None, "Become this user with `doas -u`."),
    arg("_dzdo", "bool", Dflt::Bool(false), "Run the operation's commands through Centrify's dzdo."),
    arg("_dzdo_user", "str", Dflt::None, "Become this user with `dzdo -u`."),
    // Shell and environment.
    arg(
        "_shell_executable",
        "str",
        Dflt::Str("sh"),
        "Shell that runs each command (`sh -c '...'`); `None` runs commands unwrapped.",
    ),
    arg("_chdir", "str", Dflt::None, "Change to this directory on the host before each command."),
    arg(
        "_env",
        "collections.abc.Mapping[str, str | pyinfra.api.hiddenvalue.HiddenValue]",
        Dflt::Json("{}"),
        "Environment variables set for the operation's commands.",
    ),
    // Execution control.
    arg("_success_exit_codes", "collections.abc.Iterable[int]", Dflt::Json("[0]"), "Exit codes that count as success."),
    arg("_timeout", "int", Dflt::None, "Fail a command that runs longer than this many seconds."),
    arg(
        "_get_pty",
        "bool",
        Dflt::Bool(false),
        "Allocate a pseudo-terminal for the commands (some programs insist on one).",
    ),
    arg(
        "_stdin",
        "str | list[str] | collections.abc.Iterable[str]",
        Dflt::None,
        "Text (or lines) written to each command's standard input.",
    ),
    arg("_temp_dir", "str", Dflt::None, "Directory on the host for temporary files, instead of the default."),
    // Operation meta.
    arg(
        "name",
        "str",
        Dflt::None,
        "Name shown for this operation in output, instead of one derived from its arguments.",
    ),
    arg(
        "_ignore_errors",
        "bool",
        Dflt::Bool(false),
        "Treat a failure as a warning: the host carries on with later operations.",
    ),
    arg(
        "_continue_on_error",
        "bool",
        Dflt::Bool(false),
        "When a command fails, still run the operation's remaining commands.",
    ),
    arg(
        "_if",
        "list[collections.abc.Callable[[], bool]] | collections.abc.Callable[[], bool] | None",
        Dflt::Json("[]"),
        "Run only if this callable (or every callable in the list) returns true at execution time, e.g. `other_op.did_change`.",
    ),
    // Scheduling.
    arg("_parallel", "int", Dflt::Int(0), "Run on at most this many hosts at a time (0: no limit)."),
    arg("_run_once", "bool", Dflt::Bool(false), "Run on the first host only; the others skip it."),
    arg("_serial", "bool", Dflt::Bool(false), "Run on one host at a time, in inventory order."),
    arg("_retries", "int", Dflt::Int(0), "Retry a failed command this many times."),
    arg("_retry_delay", "int | float", Dflt::Int(5), "Seconds to wait between retries."),
    arg(
        "_retry_until",
        "collections.abc.Callable[[dict], bool]",
        Dflt::None,
        "Called after each successful attempt with the output (`stdout_lines`, `stderr_lines`, `commands`, ...); returning true retries (within `_retries`).",
    ),
];

/// Whether a keyword argument of an operation call is a global argument rather than the operation's own.
pub fn is_global(name: &str) -> bool {
    GLOBAL_ARGS.iter().any(|a| a.name == name)
}
