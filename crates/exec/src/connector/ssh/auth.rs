//! Logging in, in pyinfra's (paramiko's) order: an explicit key file alone, or else the SSH config's
//! identity files, the agent's keys and the default key files; then the password. Each refusal is recorded so the final error says what was
//! tried and what the server would accept.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use russh::client::{AuthResult, Handle};
use russh::keys::agent::AgentIdentity;
use russh::keys::agent::client::AgentClient;
use russh::keys::{HashAlg, PrivateKey, PrivateKeyWithHashAlg};

use super::{ClientHandler, SshConfig};
use crate::connector::ConnectorError;

/// Default key files, in OpenSSH's order.
const DEFAULT_KEYS: &[&str] = &["id_ed25519", "id_ecdsa", "id_rsa"];

/// Tracks attempts for the error message.
struct Attempts {
    tried: Vec<String>,
    accepted: Vec<&'static str>,
}

impl Attempts {
    fn failed(&mut self, what: String, result: &AuthResult) {
        self.tried.push(what);
        if let AuthResult::Failure { remaining_methods, .. } = result {
            self.accepted = remaining_methods.iter().map(<&'static str>::from).collect();
        }
    }

    /// Whether the server still takes this method (unknown until the first refusal).
    fn open(&self, method: &str) -> bool {
        self.accepted.is_empty() || self.accepted.contains(&method)
    }
}

/// Log in on `handle`; `allow_password` is false after a changed host key was let through.
pub(super) async fn authenticate(
    handle: &mut Handle<ClientHandler>,
    cfg: &SshConfig,
    host: &str,
    allow_password: bool,
) -> Result<(), ConnectorError> {
    let ssh_err = |e: russh::Error| ConnectorError::Ssh { host: host.to_string(), reason: e.to_string() };
    let mut at = Attempts { tried: Vec::new(), accepted: Vec::new() };
    if let Some(path) = &cfg.key_file {
        let key = load_key(path, cfg.key_password.as_deref()).map_err(|reason| ConnectorError::Key {
            host: host.to_string(),
            file: path.clone(),
            reason,
        })?;
        if try_key(handle, cfg, key, path, &mut at).await.map_err(ssh_err)? {
            return Ok(());
        }
    } else {
        // Keys we cannot open (encrypted without a passphrase, unsupported) are skipped, as OpenSSH does.
        for path in cfg.identity_files.iter().filter(|p| p.is_file()) {
            let Ok(key) = load_key(path, cfg.key_password.as_deref()) else { continue };
            if at.open("publickey") && try_key(handle, cfg, key, path, &mut at).await.map_err(ssh_err)? {
                return Ok(());
            }
        }
        if cfg.allow_agent && try_agent(handle, cfg, &mut at).await {
            return Ok(());
        }
        if cfg.look_for_keys {
            for path in default_key_files().iter().filter(|p| !cfg.identity_files.contains(p)) {
                let Ok(key) = load_key(path, cfg.key_password.as_deref()) else { continue };
                if at.open("publickey") && try_key(handle, cfg, key, path, &mut at).await.map_err(ssh_err)? {
                    return Ok(());
                }
            }
        }
    }
    if let Some(pw) = cfg.password.as_deref().filter(|_| allow_password && at.open("password")) {
        let r = handle.authenticate_password(cfg.user.as_str(), pw).await.map_err(ssh_err)?;
        if r.success() {
            return Ok(());
        }
        at.failed("password".to_string(), &r);
    } else if cfg.password.is_some() && !allow_password {
        at.tried.push("password (disabled: the host key changed)".to_string());
    } else if cfg.password.is_some() {
        at.tried.push("password (not offered by the server)".to_string());
    }
    Err(ConnectorError::Auth {
        host: host.to_string(),
        user: cfg.user.clone(),
        address: cfg.address(),
        tried: if at.tried.is_empty() {
            "no key, agent or password available".to_string()
        } else {
            at.tried.join(", ")
        },
        accepted: if at.accepted.is_empty() { "unknown".to_string() } else { at.accepted.join(",") },
    })
}

fn default_key_files() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME") else { return Vec::new() };
    let dir = PathBuf::from(home).join(".ssh");
    DEFAULT_KEYS.iter().map(|k| dir.join(k)).filter(|p| p.is_file()).collect()
}

/// Load a private key, explaining a passphrase problem in the user's terms.
fn load_key(path: &Path, passphrase: Option<&str>) -> Result<PrivateKey, String> {
    match russh::keys::load_secret_key(path, passphrase) {
        Ok(k) => Ok(k),
        Err(russh::keys::Error::KeyIsEncrypted) => {
            Err("it is protected by a passphrase: set ssh_key_password".to_string())
        }
        Err(russh::keys::Error::IO(e)) => Err(super::io_reason(&e)),
        Err(e) if passphrase.is_some() => Err(format!("cannot decrypt it with the given passphrase ({e})")),
        Err(e) => Err(e.to_string()),
    }
}

/// The RSA signature hash the server accepts (rsa-sha2-512/256 when it says so, else ssh-rsa).
async fn rsa_hash(handle: &Handle<ClientHandler>) -> Option<HashAlg> {
    handle.best_supported_rsa_hash().await.ok().flatten().flatten()
}

async fn try_key(
    handle: &mut Handle<ClientHandler>,
    cfg: &SshConfig,
    key: PrivateKey,
    path: &Path,
    at: &mut Attempts,
) -> Result<bool, russh::Error> {
    let hash = if key.algorithm().is_rsa() { rsa_hash(handle).await } else { None };
    let r = handle.authenticate_publickey(cfg.user.as_str(), PrivateKeyWithHashAlg::new(Arc::new(key), hash)).await?;
    if r.success() {
        return Ok(true);
    }
    at.failed(format!("key {}", path.display()), &r);
    Ok(false)
}

/// Try each key the agent holds; an absent or failing agent just means no agent keys.
async fn try_agent(handle: &mut Handle<ClientHandler>, cfg: &SshConfig, at: &mut Attempts) -> bool {
    let socket = match &cfg.agent_socket {
        Some(p) => p.clone(),
        None => match std::env::var_os("SSH_AUTH_SOCK") {
            Some(s) => PathBuf::from(s),
            None => return false,
        },
    };
    let Ok(mut agent) = AgentClient::connect_uds(&socket).await else { return false };
    let Ok(identities) = agent.request_identities().await else { return false };
    for id in identities {
        let AgentIdentity::PublicKey { key, comment } = id else { continue };
        if !at.open("publickey") {
            return false;
        }
        let hash = if key.algorithm().is_rsa() { rsa_hash(handle).await } else { None };
        match handle.authenticate_publickey_with(cfg.user.as_str(), key, hash, &mut agent).await {
            Ok(r) if r.success() => return true,
            Ok(r) => at.failed(format!("agent key {comment}"), &r),
            Err(e) => at.tried.push(format!("agent key {comment} ({e})")),
        }
    }
    false
}
