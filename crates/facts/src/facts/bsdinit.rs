//! `pyinfra.facts.bsdinit`: the status of every BSD rc.d script.

use crate::facts::sysvinit::parse_status;
use crate::schema::Fact;

/// The facts of `bsdinit`.
pub const FACTS: &[Fact] = &[Fact {
    name: "RcdStatus",
    doc: "The status of every rc.d script in `/etc/rc.d` and `/usr/local/etc/rc.d`, keyed by script name: \
          true when its status check exits 0 (running), false for exit codes 1-3 (stopped), None for any \
          other code.",
    returns: "dict[str, bool | None]",
    command: Some(|_| STATUS_COMMAND.into()),
    parse: Some(parse_status),
    default: "{}",
    ..Fact::NEW
}];

/// Runs `status` (or OpenBSD's `check`) of every rc.d script and prints `name=exit code`.
const STATUS_COMMAND: &str = "
            for SERVICE in `find /etc/rc.d /usr/local/etc/rc.d -type f`; do
                $SERVICE status 2> /dev/null || $SERVICE check 2> /dev/null
                echo \"`basename $SERVICE`=$?\"
            done
        ";
