//! Start/stop/restart/reload logic shared by the init-system operations (`systemd.service`,
//! `openrc.service`, `runit.service`, `bsdinit.service`, `launchd.service`...): pyinfra's
//! `operations/util/service.py` `handle_service_control`.
//!
//! Each init system gives a command template in which `{0}` is the (quoted) service name and `{1}`
//! the action (`start`, `stop`, ... or the user's own `command`), e.g. `systemctl {1} {0}`.

use crate::plan::{Ctx, PlanError};
use crate::quote::quote;
use crate::value::{Value, truthy};

/// What an operation wants of one service.
#[derive(Debug, Clone)]
pub struct ServiceControl<'a> {
    /// The service name as the status fact keys it.
    pub name: &'a str,
    /// Command template: `{0}` = quoted name, `{1}` = action.
    pub formatter: &'a str,
    /// `true`: should run; `false`: should be stopped; anything else (None): leave as is.
    pub running: &'a Value,
    /// Restart it if it is running.
    pub restarted: bool,
    /// Reload it if it is running.
    pub reloaded: bool,
    /// An extra action to run every time (`None` or empty: none).
    pub command: Option<String>,
}

/// Emit the commands that bring the service to the wanted state, given `statuses`
/// (service name -> running, the init system's status fact).
pub fn handle_service_control(ctx: &mut Ctx<'_>, statuses: &Value, sc: &ServiceControl<'_>) -> Result<(), PlanError> {
    let is_running = statuses.get(sc.name).is_some_and(truthy);
    let name = sc.name;
    match sc.running {
        Value::Bool(false) if is_running => emit(ctx, sc, "stop")?,
        Value::Bool(false) => ctx.noop(format!("service {name} is stopped")),
        Value::Bool(true) if !is_running => emit(ctx, sc, "start")?,
        Value::Bool(true) => ctx.noop(format!("service {name} is running")),
        _ => {}
    }
    // Restart and reload only make sense for a running service.
    if sc.restarted && is_running {
        emit(ctx, sc, "restart")?;
    }
    if sc.reloaded && is_running {
        emit(ctx, sc, "reload")?;
    }
    // A custom command always runs: it may not depend on the service's state.
    if let Some(command) = sc.command.as_deref().filter(|c| !c.is_empty()) {
        emit(ctx, sc, command)?;
    }
    Ok(())
}

fn emit(ctx: &mut Ctx<'_>, sc: &ServiceControl<'_>, action: &str) -> Result<(), PlanError> {
    let cmd = format_service_command(sc.formatter, &quote(sc.name), action)?;
    ctx.change(format!("{action} {}", sc.name));
    ctx.shell(cmd);
    Ok(())
}

/// pyinfra's `make_formatted_string_command(formatter, name, action)`: split the template as a
/// shell would, fill `{0}`/`{1}` in each word, join the words with spaces.
pub fn format_service_command(formatter: &str, name: &str, action: &str) -> Result<String, PlanError> {
    let words =
        crate::quote::split(formatter, false).map_err(|e| PlanError::new(crate::plan::ErrorKind::ValueError, e))?;
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        let filled = fill_fields(&word, &[name, action])?;
        if !filled.is_empty() {
            out.push(filled);
        }
    }
    Ok(out.join(" "))
}

/// Python's `str.format`-style fields (`{0}`, `{1}`, `{{`, `}}`) of one word.
fn fill_fields(word: &str, args: &[&str]) -> Result<String, PlanError> {
    let bad = || PlanError::new(crate::plan::ErrorKind::ValueError, format!("bad format field in {word:?}"));
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let field: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let index: usize = field.parse().map_err(|_| bad())?;
                out.push_str(args.get(index).ok_or_else(bad)?);
            }
            '}' => return Err(bad()),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_templates() {
        let cmd = format_service_command("systemctl --user {1} {0}", "'a b.service'", "start").unwrap();
        assert_eq!(cmd, "systemctl --user start 'a b.service'");
        let cmd = format_service_command("test -e /etc/rc.d/{0} && /etc/rc.d/{0} {1}", "x", "stop").unwrap();
        assert_eq!(cmd, "test -e /etc/rc.d/x && /etc/rc.d/x stop");
        assert!(format_service_command("{name}", "x", "y").is_err());
    }
}
