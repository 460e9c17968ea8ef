//! [`SshConfig`] from pyinfra host data: the `ssh_*` keys of an inventory or group_data, with
//! pyinfra's defaults (accept-new host keys, agent and default keys unless `ssh_key` is given, no
//! connection retries, 0.1-0.5 s between retries).

use std::path::PathBuf;
use std::time::Duration;

use rinfra_facts::value::{Map, Value, truthy};

use super::SshConfig;
use crate::connector::ConnectorError;

/// `~/x` → `$HOME/x`, as pyinfra's `os.path.expanduser`.
fn expand_user(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ if path == "~" => std::env::var_os("HOME").map_or_else(|| PathBuf::from(path), PathBuf::from),
        _ => PathBuf::from(path),
    }
}

impl SshConfig {
    /// Settings for the inventory host `name` (`web1` or `@ssh/web1`) from its data. Unset or `None`
    /// keys keep pyinfra's defaults; a value of the wrong kind is an error naming the key.
    pub fn from_host_data(name: &str, data: &Map<String, Value>) -> Result<SshConfig, ConnectorError> {
        let bad = |key: &str, why: &str| ConnectorError::Config {
            host: name.to_string(),
            reason: format!("{key}: {why} (got {})", data.get(key).map_or_else(String::new, Value::to_string)),
        };
        let get = |key: &str| data.get(key).filter(|v| !v.is_null());
        let string = |key: &str| -> Result<Option<String>, ConnectorError> {
            match get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(key, "expected a string")),
            }
        };
        let number = |key: &str| -> Result<Option<f64>, ConnectorError> {
            match get(key) {
                None => Ok(None),
                Some(Value::Number(n)) => n.as_f64().map(Some).ok_or_else(|| bad(key, "expected a number")),
                Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(key, "expected a number")),
                Some(_) => Err(bad(key, "expected a number")),
            }
        };
        let hostname =
            string("ssh_hostname")?.unwrap_or_else(|| name.strip_prefix("@ssh/").unwrap_or(name).to_string());
        let mut c = SshConfig::new(hostname);
        if let Some(p) = number("ssh_port")? {
            // pyinfra: `int(ssh_port or 0)`, and 0 means the default port.
            if p.fract() != 0.0 || !(0.0..=65535.0).contains(&p) {
                return Err(bad("ssh_port", "expected a port number"));
            }
            if p > 0.0 {
                c.port = p as u16;
            }
        }
        if let Some(u) = string("ssh_user")? {
            c.user = u;
        }
        c.password = string("ssh_password")?.filter(|p| !p.is_empty());
        c.key_file = string("ssh_key")?.filter(|k| !k.is_empty()).map(|k| expand_user(&k));
        c.key_password = string("ssh_key_password")?;
        if let Some(v) = get("ssh_allow_agent") {
            c.allow_agent = truthy(v);
        }
        if let Some(v) = get("ssh_look_for_keys") {
            c.look_for_keys = truthy(v);
        }
        if let Some(f) = string("ssh_known_hosts_file")?.filter(|f| !f.is_empty()) {
            c.known_hosts_file = expand_user(&f);
        }
        if let Some(mode) = string("ssh_strict_host_key_checking")? {
            c.strict_host_key_checking =
                mode.parse().map_err(|e: String| ConnectorError::Config { host: name.to_string(), reason: e })?;
        }
        if let Some(n) = number("ssh_connect_retries")? {
            if n.fract() != 0.0 || n < 0.0 {
                return Err(bad("ssh_connect_retries", "expected a whole number"));
            }
            c.connect_retries = n as u32;
        }
        let seconds = |key: &str, default: Duration| -> Result<Duration, ConnectorError> {
            match number(key)? {
                None => Ok(default),
                Some(s) => Duration::try_from_secs_f64(s).map_err(|_| bad(key, "expected seconds")),
            }
        };
        c.retry_delay = (
            seconds("ssh_connect_retry_min_delay", c.retry_delay.0)?,
            seconds("ssh_connect_retry_max_delay", c.retry_delay.1)?,
        );
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::ssh::StrictHostKeyChecking;
    use serde_json::json;

    fn data(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn defaults_follow_pyinfra() {
        let c = SshConfig::from_host_data("@ssh/web1", &Map::new()).expect("config");
        assert_eq!((c.hostname.as_str(), c.port), ("web1", 22));
        assert!(c.allow_agent && c.look_for_keys && c.key_file.is_none() && c.password.is_none());
        assert_eq!(c.strict_host_key_checking, StrictHostKeyChecking::AcceptNew);
        assert_eq!(c.connect_retries, 0);
        assert_eq!(c.retry_delay, (Duration::from_millis(100), Duration::from_millis(500)));
    }

    #[test]
    fn keys_are_read() {
        let d = data(json!({
            "ssh_hostname": "10.0.0.5", "ssh_port": "2222", "ssh_user": "deploy", "ssh_key": "/k/id",
            "ssh_key_password": "pp", "ssh_password": "pw", "ssh_allow_agent": false, "ssh_look_for_keys": 0,
            "ssh_known_hosts_file": "/k/known", "ssh_strict_host_key_checking": "no", "ssh_connect_retries": 2,
            "ssh_connect_retry_min_delay": 1, "ssh_connect_retry_max_delay": 2.5, "ssh_forward_agent": null
        }));
        let c = SshConfig::from_host_data("web1", &d).expect("config");
        assert_eq!((c.hostname.as_str(), c.port, c.user.as_str()), ("10.0.0.5", 2222, "deploy"));
        assert_eq!(c.key_file, Some(PathBuf::from("/k/id")));
        assert_eq!((c.key_password.as_deref(), c.password.as_deref()), (Some("pp"), Some("pw")));
        assert!(!c.allow_agent && !c.look_for_keys);
        assert_eq!(c.known_hosts_file, PathBuf::from("/k/known"));
        assert_eq!(c.strict_host_key_checking, StrictHostKeyChecking::No);
        assert_eq!(c.connect_retries, 2);
        assert_eq!(c.retry_delay, (Duration::from_secs(1), Duration::from_millis(2500)));
    }

    #[test]
    fn bad_values_name_the_key() {
        for (k, v) in [
            ("ssh_port", json!("http")),
            ("ssh_port", json!(70000)),
            ("ssh_user", json!(["a"])),
            ("ssh_connect_retries", json!(-1)),
            ("ssh_strict_host_key_checking", json!("maybe")),
        ] {
            let mut d = Map::new();
            d.insert(k.to_string(), v);
            let err = SshConfig::from_host_data("web1", &d).expect_err(k).to_string();
            assert!(err.starts_with("web1: bad SSH settings:"), "{err}");
            assert!(err.contains(k.trim_start_matches("ssh_")), "{err}");
        }
    }
}
