//! known_hosts files read and written the way OpenSSH does: `host` or `[host]:port` names, comma
//! lists, `*`/`?` wildcards, `!` negation, hashed names (`|1|salt|hash`), `@revoked` keys (refused)
//! and `@cert-authority` lines (skipped: rinfra does not verify host certificates). Unparsable lines
//! are skipped, as OpenSSH skips them.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use data_encoding::BASE64;
use hmac::{Hmac, KeyInit, Mac};
use russh::keys::{Algorithm, PublicKey};

/// What the known_hosts files say about a host's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The key is recorded for the host.
    Known,
    /// No key of this type is recorded for the host.
    Unknown,
    /// Another key of the same type is recorded: the host key changed.
    Changed {
        /// The file with the recorded key.
        file: PathBuf,
        /// Its line (1-based).
        line: usize,
    },
    /// The key is marked `@revoked`.
    Revoked {
        /// The file.
        file: PathBuf,
        /// Its line.
        line: usize,
    },
}

/// The name a host is recorded under: `host` on port 22, `[host]:port` elsewhere.
pub(crate) fn host_entry(host: &str, port: u16) -> String {
    if port == 22 { host.to_string() } else { format!("[{host}]:{port}") }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

/// One usable line of a known_hosts file.
struct Entry {
    marker: Marker,
    key: PublicKey,
    file: PathBuf,
    line: usize,
}

/// Parse the lines of `text` that name `host` (a shared file lists many hosts: only their names
/// are matched, and only the host's own keys decoded); bad lines are skipped.
fn parse(text: &str, file: &Path, host: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        let (marker, patterns) = match first {
            "@revoked" => (Marker::Revoked, fields.next()),
            "@cert-authority" => (Marker::CertAuthority, fields.next()),
            m if m.starts_with('@') => continue,
            p => (Marker::None, Some(p)),
        };
        let (Some(patterns), Some(_key_type), Some(b64)) = (patterns, fields.next(), fields.next()) else { continue };
        if !matches_host(patterns, host) {
            continue;
        }
        let Ok(key) = russh::keys::parse_public_key_base64(b64) else { continue };
        out.push(Entry { marker, key, file: file.to_path_buf(), line: i + 1 });
    }
    out
}

/// Read every existing file's entries for `host`; a missing file holds no entries.
fn load(files: &[PathBuf], host: &str) -> io::Result<Vec<Entry>> {
    let mut all = Vec::new();
    for f in files {
        match std::fs::read(f) {
            Ok(bytes) => all.extend(parse(&String::from_utf8_lossy(&bytes), f, host)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(all)
}

/// Whether OpenSSH would take `a` and `b` as keys of the same type (all RSA signature variants are one).
fn same_type(a: &PublicKey, b: &PublicKey) -> bool {
    match (a.algorithm(), b.algorithm()) {
        (Algorithm::Rsa { .. }, Algorithm::Rsa { .. }) => true,
        (x, y) => x == y,
    }
}

/// Check `key`, presented by `host:port`, against the known_hosts `files` (user file first).
pub(crate) fn check(files: &[PathBuf], host: &str, port: u16, key: &PublicKey) -> io::Result<Verdict> {
    let name = host_entry(host, port);
    let entries: Vec<Entry> = load(files, &name)?;
    if let Some(e) = entries.iter().find(|e| e.marker == Marker::Revoked && e.key.key_data() == key.key_data()) {
        return Ok(Verdict::Revoked { file: e.file.clone(), line: e.line });
    }
    let plain: Vec<&Entry> = entries.iter().filter(|e| e.marker == Marker::None).collect();
    if plain.iter().any(|e| e.key.key_data() == key.key_data()) {
        return Ok(Verdict::Known);
    }
    Ok(match plain.iter().find(|e| same_type(&e.key, key)) {
        Some(e) => Verdict::Changed { file: e.file.clone(), line: e.line },
        None => Verdict::Unknown,
    })
}

/// Key algorithms already recorded for the host, so the client can prefer them (as OpenSSH does)
/// and a host with several key types is checked against the one we know.
pub(crate) fn known_algorithms(files: &[PathBuf], host: &str, port: u16) -> Vec<Algorithm> {
    let name = host_entry(host, port);
    let mut algs: Vec<Algorithm> = Vec::new();
    for e in load(files, &name).unwrap_or_default() {
        if e.marker == Marker::None && !algs.contains(&e.key.algorithm()) {
            algs.push(e.key.algorithm());
        }
    }
    algs
}

/// Serialises appends from concurrent connections in this process.
static LEARN_LOCK: Mutex<()> = Mutex::new(());

/// Append `key` for `host:port` to `file` (created 0600, its directory 0700, when missing).
pub(crate) fn learn(file: &Path, host: &str, port: u16, key: &PublicKey) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let openssh = key.to_openssh().map_err(io::Error::other)?;
    // `to_openssh` appends the comment; a host key's comment means nothing here.
    let mut parts = openssh.split_whitespace();
    let (Some(kind), Some(b64)) = (parts.next(), parts.next()) else {
        return Err(io::Error::other("cannot encode the host key"));
    };
    let _guard = LEARN_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().read(true).append(true).create(true).mode(0o600).open(file)?;
    let mut prefix = "";
    if f.seek(SeekFrom::End(-1)).is_ok() {
        let mut last = [0u8; 1];
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            prefix = "\n";
        }
    }
    let line = format!("{prefix}{} {kind} {b64}\n", host_entry(host, port));
    f.write_all(line.as_bytes())
}

/// OpenSSH's `match_hostname`: any positive pattern matches and no negated one does.
fn matches_host(patterns: &str, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let mut found = false;
    for pat in patterns.split(',') {
        if let Some(hashed) = pat.strip_prefix("|1|") {
            found |= hashed_matches(hashed, &name);
            continue;
        }
        let (negated, pat) = match pat.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pat),
        };
        if glob(&pat.to_ascii_lowercase(), &name) {
            if negated {
                return false;
            }
            found = true;
        }
    }
    found
}

/// `salt|hash` (both base64): HMAC-SHA1 of the name keyed with the salt.
fn hashed_matches(salt_and_hash: &str, name: &str) -> bool {
    let Some((salt, hash)) = salt_and_hash.split_once('|') else { return false };
    let (Ok(salt), Ok(hash)) = (BASE64.decode(salt.as_bytes()), BASE64.decode(hash.as_bytes())) else {
        return false;
    };
    match Hmac::<sha1::Sha1>::new_from_slice(&salt) {
        Ok(mac) => mac.chain_update(name.as_bytes()).verify_slice(&hash).is_ok(),
        Err(_) => false,
    }
}

/// `*` (any run) and `?` (one character) wildcards.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ";
    const ED_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAILIG2T/B0l0gaqj3puu510tu9N1OkQ4znY3LYuEm5zCF";

    fn key(b64: &str) -> PublicKey {
        russh::keys::parse_public_key_base64(b64).expect("test key")
    }

    fn file_with(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("known_hosts");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    #[test]
    fn globs_and_negation() {
        assert!(glob("*.example.com", "a.example.com"));
        assert!(glob("h?st", "host"));
        assert!(!glob("h?st", "hoost"));
        assert!(glob("*", ""));
        assert!(matches_host("*.example.com,!bad.example.com", "good.example.com"));
        assert!(!matches_host("*.example.com,!bad.example.com", "bad.example.com"));
        assert!(matches_host("Host.Example.COM", "host.example.com"));
        assert!(matches_host("[127.0.0.1]:2222", "[127.0.0.1]:2222"));
        assert!(!matches_host("127.0.0.1", "[127.0.0.1]:2222"));
    }

    #[test]
    fn hashed_names() {
        assert!(matches_host("|1|O33ESRMWPVkMYIwJ1Uw+n877jTo=|nuuC5vEqXlEZ/8BXQR7m619W6Ak=", "example.com"));
        assert!(!matches_host("|1|O33ESRMWPVkMYIwJ1Uw+n877jTo=|nuuC5vEqXlEZ/8BXQR7m619W6Ak=", "example.org"));
        assert!(!matches_host("|1|garbage", "example.com"));
    }

    #[test]
    fn verdicts() {
        let text = format!(
            "# comment\n@cert-authority * ssh-ed25519 {ED_B}\nnot a key line\n[h]:2222 ssh-ed25519 {ED_A}\n\
             other ssh-ed25519 {ED_B}\n@revoked bad ssh-ed25519 {ED_A}\nbad ssh-ed25519 {ED_A}\n"
        );
        let (_d, path) = file_with(&text);
        let files = [path.clone(), PathBuf::from("/nonexistent/known_hosts")];
        assert_eq!(check(&files, "h", 2222, &key(ED_A)).expect("check"), Verdict::Known);
        assert_eq!(
            check(&files, "h", 2222, &key(ED_B)).expect("check"),
            Verdict::Changed { file: path.clone(), line: 4 }
        );
        assert_eq!(check(&files, "h", 22, &key(ED_A)).expect("check"), Verdict::Unknown);
        assert_eq!(check(&files, "bad", 22, &key(ED_A)).expect("check"), Verdict::Revoked { file: path, line: 6 });
        assert_eq!(known_algorithms(&files, "h", 2222), vec![Algorithm::Ed25519]);
    }

    #[test]
    fn learnt_keys_are_found_again() {
        let (_d, path) = file_with("x ssh-ed25519 AAAA"); // no final newline, and a bad key
        learn(&path, "h", 2222, &key(ED_A)).expect("learn");
        learn(&path, "plain", 22, &key(ED_B)).expect("learn");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("x ssh-ed25519 AAAA\n[h]:2222 ssh-ed25519 "), "{text}");
        assert_eq!(check(std::slice::from_ref(&path), "h", 2222, &key(ED_A)).expect("check"), Verdict::Known);
        assert_eq!(check(&[path], "plain", 22, &key(ED_B)).expect("check"), Verdict::Known);
    }
}
