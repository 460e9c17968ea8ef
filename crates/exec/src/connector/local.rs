//! `@local`: commands run as `sh -c` subprocesses of the controller; uploads are atomic local writes.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncRead, AsyncWriteExt};
use tokio::process::Command;

use super::{
    BoxFuture, CommandOutput, Connector, ConnectorError, ExitStatus, Payload, RemoteCommand, RoundTripCounter,
    RoundTrips, random_hex,
};

/// The controller itself, reached without a network.
#[derive(Debug)]
pub struct LocalConnector {
    name: String,
    counter: RoundTripCounter,
}

impl LocalConnector {
    /// A local connector named `@local` in messages.
    pub fn new() -> LocalConnector {
        LocalConnector::named("@local")
    }

    /// A local connector with another inventory name (`@localhost`).
    pub fn named(name: impl Into<String>) -> LocalConnector {
        LocalConnector { name: name.into(), counter: RoundTripCounter::default() }
    }

    async fn run_command(&self, cmd: &RemoteCommand) -> Result<CommandOutput, ConnectorError> {
        cmd.check_env(&self.name)?;
        if cmd.pty {
            return Err(ConnectorError::Spawn {
                host: self.name.clone(),
                command: cmd.command.clone(),
                reason: "_get_pty is not supported on @local (local commands run without a terminal); \
                         remove _get_pty or run the operation over SSH"
                    .to_string(),
            });
        }
        self.counter.command();
        let spawn_error = |e: io::Error| ConnectorError::Spawn {
            host: self.name.clone(),
            command: cmd.command.clone(),
            reason: e.to_string(),
        };
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&cmd.command)
            .envs(cmd.env.iter().map(|(k, v)| (k, v)))
            .stdin(if cmd.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so a timeout kills the command's children too.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(spawn_error)?;
        let pid = child.id();
        // Feed stdin from a task so a command that writes a lot before reading cannot deadlock us.
        let feeder = match (child.stdin.take(), cmd.stdin.clone()) {
            (Some(mut pipe), Some(bytes)) => Some(tokio::spawn(async move {
                // A command that exits without reading its input is not an error (EPIPE).
                let _ = pipe.write_all(&bytes).await;
            })),
            _ => None,
        };
        let waited = match cmd.timeout {
            Some(limit) => match tokio::time::timeout(limit, child.wait_with_output()).await {
                Ok(r) => r,
                Err(_) => {
                    kill_group(pid);
                    return Err(ConnectorError::Timeout {
                        host: self.name.clone(),
                        command: cmd.command.clone(),
                        after: limit,
                    });
                }
            },
            None => child.wait_with_output().await,
        };
        if let Some(f) = feeder {
            let _ = f.await;
        }
        let out = waited.map_err(spawn_error)?;
        Ok(CommandOutput { status: exit_status(out.status), stdout: out.stdout, stderr: out.stderr })
    }

    async fn upload_payload(&self, payload: Payload<'_>, remote: &str) -> Result<(), ConnectorError> {
        self.counter.upload();
        let fail = |e: io::Error| ConnectorError::Transfer {
            host: self.name.clone(),
            action: "upload to",
            path: remote.to_string(),
            reason: e.to_string(),
        };
        match payload {
            Payload::Bytes(b) => write_atomically(Path::new(remote), &mut &b[..]).await.map_err(fail),
            Payload::File(p) => {
                let mut f = tokio::fs::File::open(p).await.map_err(|e| ConnectorError::Transfer {
                    host: self.name.clone(),
                    action: "upload of",
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?;
                write_atomically(Path::new(remote), &mut f).await.map_err(fail)
            }
        }
    }

    async fn download_file(&self, remote: &str, local: &Path) -> Result<(), ConnectorError> {
        self.counter.download();
        let fail = |e: io::Error| ConnectorError::Transfer {
            host: self.name.clone(),
            action: "download of",
            path: remote.to_string(),
            reason: e.to_string(),
        };
        let mut f = tokio::fs::File::open(remote).await.map_err(fail)?;
        write_atomically(local, &mut f).await.map_err(fail)
    }
}

impl Default for LocalConnector {
    fn default() -> Self {
        LocalConnector::new()
    }
}

impl Connector for LocalConnector {
    fn host(&self) -> &str {
        &self.name
    }

    fn run<'a>(&'a self, command: &'a RemoteCommand) -> BoxFuture<'a, Result<CommandOutput, ConnectorError>> {
        Box::pin(self.run_command(command))
    }

    fn upload<'a>(&'a self, payload: Payload<'a>, remote: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>> {
        Box::pin(self.upload_payload(payload, remote))
    }

    fn download<'a>(&'a self, remote: &'a str, local: &'a Path) -> BoxFuture<'a, Result<(), ConnectorError>> {
        Box::pin(self.download_file(remote, local))
    }

    fn round_trips(&self) -> RoundTrips {
        self.counter.get()
    }

    fn close<'a>(&'a self) -> BoxFuture<'a, Result<(), ConnectorError>> {
        Box::pin(async { Ok(()) })
    }
}

fn exit_status(status: std::process::ExitStatus) -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => ExitStatus::Code(c),
        (None, Some(s)) => ExitStatus::Signal(signal_name(s)),
        (None, None) => ExitStatus::Unknown,
    }
}

/// The SSH-style name of a signal number (`KILL`), as the SSH connector reports them.
fn signal_name(sig: i32) -> String {
    match sig {
        1 => "HUP",
        2 => "INT",
        3 => "QUIT",
        4 => "ILL",
        6 => "ABRT",
        8 => "FPE",
        9 => "KILL",
        10 => "USR1",
        11 => "SEGV",
        13 => "PIPE",
        14 => "ALRM",
        15 => "TERM",
        _ => return sig.to_string(),
    }
    .to_string()
}

/// Kill a timed-out command's whole process group.
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

/// Where an atomic write to `dest` really lands: through a symlink to its target, as an in-place
/// write would.
fn resolve_target(dest: &Path) -> PathBuf {
    match std::fs::symlink_metadata(dest) {
        Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(dest) {
            Ok(t) if t.is_absolute() => t,
            Ok(t) => dest.parent().map_or(t.clone(), |p| p.join(&t)),
            Err(_) => dest.to_path_buf(),
        },
        _ => dest.to_path_buf(),
    }
}

/// Write `source` to `dest` atomically: a temporary file in the same directory, synced, given the
/// permissions (and, when allowed, the owner) of any existing file, then renamed over `dest`.
pub(crate) async fn write_atomically<R: AsyncRead + Unpin + ?Sized>(dest: &Path, source: &mut R) -> io::Result<()> {
    let mut tmp = AtomicFile::create(dest).await?;
    tokio::io::copy(source, tmp.file()).await?;
    tmp.commit().await
}

/// A file being written under a temporary name, renamed over its destination on [`commit`](Self::commit);
/// dropped without commit, the temporary file is removed.
pub(crate) struct AtomicFile {
    file: tokio::fs::File,
    tmp: TempGuard,
    target: PathBuf,
}

impl AtomicFile {
    /// Create the temporary file next to `dest` (following a symlink `dest` to its target).
    pub(crate) async fn create(dest: &Path) -> io::Result<AtomicFile> {
        let target = resolve_target(dest);
        let name = target.file_name().ok_or_else(|| io::Error::other("destination has no file name"))?;
        let tmp_name = format!(".{}.rinfra-{}.tmp", name.to_string_lossy(), random_hex(6));
        let tmp = target.with_file_name(tmp_name);
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&tmp).await?;
        Ok(AtomicFile { file, tmp: TempGuard(Some(tmp)), target })
    }

    /// The open temporary file.
    pub(crate) fn file(&mut self) -> &mut tokio::fs::File {
        &mut self.file
    }

    /// Sync, copy the old file's permissions, rename into place.
    pub(crate) async fn commit(self) -> io::Result<()> {
        let AtomicFile { mut file, mut tmp, target } = self;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let Some(path) = tmp.0.clone() else { return Ok(()) };
        if let Ok(old) = tokio::fs::metadata(&target).await {
            tokio::fs::set_permissions(&path, old.permissions()).await?;
            copy_owner(&path, &old);
        }
        tokio::fs::rename(&path, &target).await?;
        tmp.0 = None;
        Ok(())
    }
}

/// Removes a temporary file when dropped, unless it was renamed into place.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Give the new file the old file's owner; only root (or the owner itself) can, so failure is fine:
/// the file then belongs to the writing user, as after any replace-by-rename.
fn copy_owner(path: &Path, old: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let _ = std::os::unix::fs::chown(path, Some(old.uid()), Some(old.gid()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn signal_numbers_get_names() {
        assert_eq!(signal_name(9), "KILL");
        assert_eq!(signal_name(64), "64");
    }

    #[tokio::test]
    async fn atomic_write_keeps_mode_and_follows_symlinks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real");
        std::fs::write(&real, b"old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("real", &link).expect("symlink");
        write_atomically(&link, &mut &b"new"[..]).await.expect("write");
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
        assert!(std::fs::symlink_metadata(&link).expect("lstat").file_type().is_symlink());
        assert_eq!(std::fs::metadata(&real).expect("stat").permissions().mode() & 0o777, 0o640);
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(left.len(), 2, "no temporary file left behind");
    }
}
