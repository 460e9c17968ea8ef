//! File transfer over one SFTP channel. Uploads write a temporary file beside the destination and
//! move it into place with `posix-rename@openssh.com` (plain SFTP rename refuses to replace an
//! existing file). Reads and writes are pipelined: many requests in flight, not one per round trip.

use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use std::task::Poll;

use futures::stream::{FuturesOrdered, FuturesUnordered, StreamExt};
use russh::Channel;
use russh::client::Msg;
use russh_sftp::client::RawSftpSession;
use russh_sftp::client::error::Error as SftpError;
use russh_sftp::protocol::{FileAttributes, OpenFlags, Packet, StatusCode};
use tokio::io::AsyncWriteExt;

use crate::connector::local::AtomicFile;
use crate::connector::{Payload, temp_path_for};

/// Bytes per read or write request; OpenSSH takes up to ~255 KiB, but ~64 KiB keeps the pipeline smooth.
/// 1 KiB short of 64 KiB so that a write request with its header fits two 32 KiB SSH packets: at
/// exactly 64 KiB the header spilled into a third, tiny packet, and russh's write buffer (which keeps
/// its largest size until the connection closes) doubled to ~130 KB per host (heaptrack at N=100,
/// all hosts' buffers at the heap's peak: 14.2 MB -> 8.4 MB allocated, though little of the doubled
/// half was ever resident; same upload time). 32 KiB requests
/// make the buffer smaller again but the 1 MiB upload to 100 hosts 0.1-0.35 s slower.
const CHUNK: u64 = 63 * 1024;
/// Requests in flight at once (32 x ~64 KiB = the 2 MiB channel window).
const IN_FLIGHT: usize = 32;
/// Write requests in flight across all hosts at once (2 MiB): uploading one file to 100 hosts at
/// once would otherwise hold 100 files' worth of buffers in the controller's memory. Measured on
/// the fleet workload at N=100: peak RSS 96 MB with 8 MiB in flight, 82 MB with 2 MiB, same wall time.
const ALL_IN_FLIGHT: usize = 32;
static BUDGET: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(ALL_IN_FLIGHT);
/// SFTP sessions open now (about one per host of the run). Each session's share of the budget is
/// what it may have in flight: russh queues all of a connection's pending writes into one buffer that
/// never shrinks, so with 100 hosts and the whole budget open to whichever host came first, the
/// buffers kept ~85 KB per connection after the upload; ~66 KB with one request each.
static OPEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts a session in [`OPEN`] while it lives.
struct Counted;

impl Counted {
    fn new() -> Counted {
        OPEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Counted
    }

    /// Requests a session may have in flight now: its share of the budget, at least one.
    fn share(&self) -> usize {
        let sessions = OPEN.load(std::sync::atomic::Ordering::Relaxed).max(1);
        (ALL_IN_FLIGHT / sessions).clamp(1, IN_FLIGHT)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Seconds to wait for any one SFTP reply.
const REQUEST_TIMEOUT: u64 = 60;
const POSIX_RENAME: &str = "posix-rename@openssh.com";

/// An SFTP session on its own channel of the connection.
pub(super) struct Sftp {
    raw: RawSftpSession,
    posix_rename: bool,
    chunk: u64,
    counted: Counted,
}

fn describe(e: SftpError) -> String {
    match e {
        SftpError::Status(s) if s.error_message.is_empty() => s.status_code.to_string(),
        SftpError::Status(s) => format!("{} ({})", s.error_message, s.status_code),
        e => e.to_string(),
    }
}

fn is_status(e: &SftpError, code: StatusCode) -> bool {
    matches!(e, SftpError::Status(s) if s.status_code == code)
}

/// SFTP `string`: a big-endian length, then the bytes.
fn put_string(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_be_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// Parent directory of a remote path, with its trailing slash (`""` for a bare name).
fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

impl Sftp {
    /// Start the `sftp` subsystem on a fresh session channel.
    pub(super) async fn open(channel: Channel<Msg>) -> Result<Sftp, String> {
        channel.request_subsystem(true, "sftp").await.map_err(|e| e.to_string())?;
        let raw = RawSftpSession::new(channel.into_stream());
        raw.set_timeout(REQUEST_TIMEOUT);
        let version = raw.init().await.map_err(describe)?;
        let posix_rename = version.extensions.get(POSIX_RENAME).is_some_and(|v| v == "1");
        let mut chunk = CHUNK;
        if version.extensions.get("limits@openssh.com").is_some_and(|v| v == "1")
            && let Ok(l) = raw.limits().await
        {
            let most = l.max_write_len.min(l.max_read_len);
            if most > 0 {
                chunk = chunk.min(most);
            }
        }
        Ok(Sftp { raw, posix_rename, chunk, counted: Counted::new() })
    }

    /// Close the channel.
    pub(super) fn close(&self) {
        let _ = self.raw.close_session();
    }

    /// Where a write to `dest` lands: through a symlink to its target, as an in-place write would.
    /// Also returns the existing file's attributes, if any.
    async fn resolve(&self, dest: &str) -> Result<(String, Option<FileAttributes>), String> {
        match self.raw.lstat(dest).await {
            Ok(a) if a.attrs.is_symlink() => {
                let name = self.raw.readlink(dest).await.map_err(describe)?;
                let target = name.files.first().map(|f| f.filename.clone()).unwrap_or_default();
                let target = if target.starts_with('/') { target } else { format!("{}{target}", dir_of(dest)) };
                let attrs = self.raw.stat(target.as_str()).await.ok().map(|a| a.attrs);
                Ok((target, attrs))
            }
            Ok(a) if a.attrs.is_dir() => Err("it is a directory".to_string()),
            Ok(a) => Ok((dest.to_string(), Some(a.attrs))),
            Err(e) if is_status(&e, StatusCode::NoSuchFile) => Ok((dest.to_string(), None)),
            Err(e) => Err(describe(e)),
        }
    }

    /// Upload atomically: temporary file, pipelined writes, old permissions and owner, rename.
    pub(super) async fn upload(&self, payload: Payload<'_>, dest: &str) -> Result<(), String> {
        let (target, old) = self.resolve(dest).await?;
        let tmp = temp_path_for(&target);
        let mode = old.as_ref().and_then(|a| a.permissions).map(|p| p & 0o7777);
        let attrs = FileAttributes { permissions: mode, ..FileAttributes::empty() };
        let handle = self
            .raw
            .open(tmp.as_str(), OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUDE, attrs)
            .await
            .map_err(describe)?
            .handle;
        let written = self.write_all(&handle, payload).await;
        let closed = self.raw.close(handle).await.map_err(describe);
        let finished = match (written, closed) {
            (Err(e), _) | (Ok(()), Err(e)) => Err(e),
            (Ok(()), Ok(_)) => self.finish(&tmp, &target, old).await,
        };
        if finished.is_err() {
            let _ = self.raw.remove(tmp.as_str()).await;
        }
        finished
    }

    /// Give the temporary file the old file's mode and owner, then move it over the target.
    async fn finish(&self, tmp: &str, target: &str, old: Option<FileAttributes>) -> Result<(), String> {
        if let Some(old) = old {
            // The open mode was filtered by the server's umask; set it exactly.
            let mode = FileAttributes { permissions: old.permissions.map(|p| p & 0o7777), ..FileAttributes::empty() };
            self.raw.setstat(tmp, mode).await.map_err(describe)?;
            // Only root (or the owner) may keep another owner; otherwise the file becomes ours, as after
            // any replace-by-rename.
            let owner = FileAttributes { uid: old.uid, gid: old.gid, ..FileAttributes::empty() };
            let _ = self.raw.setstat(tmp, owner).await;
        }
        self.rename(tmp, target).await
    }

    async fn rename(&self, from: &str, to: &str) -> Result<(), String> {
        if !self.posix_rename {
            // Without the extension, SFTP rename fails when the target exists: remove it first
            // (not atomic, only on servers that are not OpenSSH).
            let _ = self.raw.remove(to).await;
            return self.raw.rename(from, to).await.map(|_| ()).map_err(describe);
        }
        let mut data = Vec::with_capacity(from.len() + to.len() + 8);
        put_string(&mut data, from);
        put_string(&mut data, to);
        match self.raw.extended(POSIX_RENAME, data).await.map_err(describe)? {
            Packet::Status(s) if s.status_code == StatusCode::Ok => Ok(()),
            Packet::Status(s) => Err(format!("rename failed: {} ({})", s.error_message, s.status_code)),
            _ => Err("rename failed: unexpected reply".to_string()),
        }
    }

    /// Write the payload with up to [`IN_FLIGHT`] requests outstanding (fewer when many hosts write).
    async fn write_all(&self, handle: &str, payload: Payload<'_>) -> Result<(), String> {
        let file = match payload {
            Payload::File(p) => {
                let path = p.to_path_buf();
                let opened = tokio::task::spawn_blocking(move || std::fs::File::open(path)).await;
                let f = opened.map_err(|e| e.to_string())?.map_err(|e| format!("{}: {e}", p.display()))?;
                Some(Arc::new(f))
            }
            Payload::Bytes(_) => None,
        };
        let mut inflight = FuturesUnordered::new();
        let mut offset = 0u64;
        loop {
            // A permit from the global budget, taken before the chunk is read (a host waiting for
            // one holds no buffer); while there is none, finish our own requests first (so no host
            // waits holding permits), or wait for another host's.
            let permit = loop {
                match BUDGET.try_acquire() {
                    Ok(p) => break p,
                    Err(_) if !inflight.is_empty() => {
                        let done: Option<Result<russh_sftp::protocol::Status, SftpError>> = inflight.next().await;
                        if let Some(r) = done {
                            r.map_err(describe)?;
                        }
                    }
                    Err(_) => break BUDGET.acquire().await.map_err(|e| e.to_string())?,
                }
            };
            let chunk = match (&payload, &file) {
                (Payload::Bytes(b), _) => {
                    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
                    let end = start.saturating_add(self.chunk as usize).min(b.len());
                    b[start..end].to_vec()
                }
                (_, Some(f)) => read_chunk(f, offset, self.chunk).await?,
                (Payload::File(_), None) => Vec::new(),
            };
            if chunk.is_empty() {
                break;
            }
            let len = chunk.len() as u64;
            let write = self.raw.write(handle, offset, chunk);
            inflight.push(async move {
                let r = write.await;
                drop(permit);
                r
            });
            offset += len;
            // Start the new request now and collect finished ones; wait only when the pipe is full.
            poll_ready(&mut inflight).await?;
            while inflight.len() >= self.counted.share()
                && let Some(r) = inflight.next().await
            {
                r.map_err(describe)?;
            }
        }
        while let Some(r) = inflight.next().await {
            r.map_err(describe)?;
        }
        Ok(())
    }

    /// Download `remote` to `local` (written atomically), with pipelined reads.
    pub(super) async fn download(&self, remote: &str, local: &Path) -> Result<(), String> {
        let handle = self.raw.open(remote, OpenFlags::READ, FileAttributes::empty()).await.map_err(describe)?.handle;
        let result = self.read_into(&handle, local).await;
        let _ = self.raw.close(handle).await;
        result
    }

    async fn read_into(&self, handle: &str, local: &Path) -> Result<(), String> {
        let size = self.raw.fstat(handle).await.map_err(describe)?.attrs.size.unwrap_or(0);
        let mut out = AtomicFile::create(local).await.map_err(|e| format!("{}: {e}", local.display()))?;
        let local_err = |e: std::io::Error| format!("{}: {e}", local.display());
        let mut planned = FuturesOrdered::new();
        let mut next = 0u64;
        let mut offset = 0u64;
        loop {
            while planned.len() < IN_FLIGHT && next < size {
                let len = self.chunk.min(size - next);
                planned.push_back(self.raw.read(handle, next, len as u32));
                next += len;
            }
            let Some(r) = planned.next().await else { break };
            let data = match r {
                Ok(d) => d.data,
                Err(e) if is_status(&e, StatusCode::Eof) => Vec::new(),
                Err(e) => return Err(describe(e)),
            };
            out.file().write_all(&data).await.map_err(local_err)?;
            let expected_end = (offset + self.chunk).min(size);
            offset += data.len() as u64;
            // A short reply (or a file that shrank): fetch the rest of this chunk before the next one.
            while offset < expected_end {
                match self.raw.read(handle, offset, (expected_end - offset) as u32).await {
                    Ok(d) if !d.data.is_empty() => {
                        out.file().write_all(&d.data).await.map_err(local_err)?;
                        offset += d.data.len() as u64;
                    }
                    Ok(_) => break,
                    Err(e) if is_status(&e, StatusCode::Eof) => return self.finish_download(out, local).await,
                    Err(e) => return Err(describe(e)),
                }
            }
        }
        // The file may have grown since fstat: read on to the end.
        loop {
            match self.raw.read(handle, offset, self.chunk as u32).await {
                Ok(d) if !d.data.is_empty() => {
                    out.file().write_all(&d.data).await.map_err(local_err)?;
                    offset += d.data.len() as u64;
                }
                Ok(_) => break,
                Err(e) if is_status(&e, StatusCode::Eof) => break,
                Err(e) => return Err(describe(e)),
            }
        }
        self.finish_download(out, local).await
    }

    async fn finish_download(&self, out: AtomicFile, local: &Path) -> Result<(), String> {
        out.commit().await.map_err(|e| format!("{}: {e}", local.display()))
    }
}

/// Read up to `n` bytes at `offset` (fewer only at the end of the file) into a buffer of its own,
/// which becomes the write request: `tokio::fs::File` would also keep a copy in its own buffer, one
/// per upload under way (6 MB with 100 hosts uploading at once).
async fn read_chunk(f: &Arc<std::fs::File>, offset: u64, n: u64) -> Result<Vec<u8>, String> {
    let f = Arc::clone(f);
    let read = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0; n as usize];
        let mut filled = 0;
        while filled < buf.len() {
            match f.read_at(&mut buf[filled..], offset + filled as u64) {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(filled);
        Ok(buf)
    });
    read.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
}

/// Poll every pending request once (sending new ones) and take the finished ones, without waiting.
async fn poll_ready<F, T>(inflight: &mut FuturesUnordered<F>) -> Result<(), String>
where
    F: std::future::Future<Output = Result<T, SftpError>>,
{
    futures::future::poll_fn(|cx| {
        loop {
            match inflight.poll_next_unpin(cx) {
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(describe(e))),
                Poll::Ready(Some(Ok(_))) => continue,
                Poll::Ready(None) | Poll::Pending => return Poll::Ready(Ok(())),
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_length_prefixed() {
        let mut b = Vec::new();
        put_string(&mut b, "ab");
        assert_eq!(b, vec![0, 0, 0, 2, b'a', b'b']);
        assert_eq!(dir_of("/etc/x"), "/etc/");
        assert_eq!(dir_of("x"), "");
    }
}
