//! A long-lived shell on one channel of the connection (`sh -s`, or the fact runner under the same
//! privileges): scripts are written to its input one after another, and each is answered when its
//! end markers come back. sshd forks a session and starts the user's login shell for every exec
//! request, about 10 ms of the host's CPU each time; a script sent to a running shell costs none
//! of that, only the commands it runs.
//!
//! Each script runs inside `( ... )`, so its `exit` (an operation's failed command stops it) and
//! any `cd` end with it; the markers are printed by the outer shell after the subshell, carrying
//! its status. If the shell dies or a script overruns its time limit, the channel is dropped and
//! the next script starts a new shell.

use std::time::Duration;

use russh::client::Msg;
use russh::{Channel, ChannelMsg, ChannelReadHalf, ChannelWriteHalf, Sig};

use crate::connector::{CommandOutput, ExitStatus, random_hex};

/// One running shell.
pub(super) struct Shell {
    reader: ChannelReadHalf,
    writer: ChannelWriteHalf<Msg>,
}

/// Why a script got no complete answer.
pub(super) enum ShellFailure {
    /// The shell (or its channel) ended first; what it printed so far.
    Ended(CommandOutput),
    /// The time limit passed.
    TimedOut,
    /// Writing the script failed.
    Write(String),
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Shell {
    /// A shell on `channel`, whose exec request for the runner was accepted.
    pub(super) fn new(channel: Channel<Msg>) -> Shell {
        let (reader, writer) = channel.split();
        Shell { reader, writer }
    }

    /// Run one script; its output and status once both end markers have arrived.
    pub(super) async fn run(
        &mut self,
        script: String,
        timeout: Option<Duration>,
    ) -> Result<CommandOutput, ShellFailure> {
        let marker = format!("rinfra-end-{}", random_hex(12));
        // The script is `gather::build_script`'s, self-contained: no subshell around it (a fork).
        // Framed in place and dropped once sent: it is not kept while the answer is awaited.
        let mut body = script;
        body.push_str(&format!("\nprintf '\\n%s %s\\n' '{marker}' \"$?\"\nprintf '\\n%s\\n' '{marker}' >&2\n"));
        let sent = self.writer.data(body.as_bytes()).await;
        drop(body);
        sent.map_err(|e| ShellFailure::Write(e.to_string()))?;
        let answer = self.collect(&marker);
        match timeout {
            None => answer.await,
            Some(limit) => match tokio::time::timeout(limit, answer).await {
                Ok(r) => r,
                Err(_) => Err(ShellFailure::TimedOut),
            },
        }
    }

    async fn collect(&mut self, marker: &str) -> Result<CommandOutput, ShellFailure> {
        let out_mark = format!("\n{marker} ");
        let err_mark = format!("\n{marker}\n");
        let mut out = CommandOutput { status: ExitStatus::Unknown, stdout: Vec::new(), stderr: Vec::new() };
        let mut status: Option<(usize, i32)> = None;
        let mut err_end: Option<usize> = None;
        while status.is_none() || err_end.is_none() {
            let Some(msg) = self.reader.wait().await else {
                return Err(ShellFailure::Ended(out));
            };
            match msg {
                ChannelMsg::Data { data } => {
                    // Only the new bytes (and a marker's length before them) can complete a marker:
                    // big outputs are not searched again from the start on every packet.
                    let from = out.stdout.len().saturating_sub(out_mark.len() + 16);
                    out.stdout.extend_from_slice(&data);
                    if status.is_none()
                        && let Some(at) = find(&out.stdout[from..], out_mark.as_bytes()).map(|i| i + from)
                    {
                        let rest = &out.stdout[at + out_mark.len()..];
                        if let Some(nl) = rest.iter().position(|b| *b == b'\n') {
                            let code = String::from_utf8_lossy(&rest[..nl]).trim().parse().unwrap_or(-1);
                            status = Some((at, code));
                        }
                    }
                }
                ChannelMsg::ExtendedData { data, ext: 1 } => {
                    let from = out.stderr.len().saturating_sub(err_mark.len());
                    out.stderr.extend_from_slice(&data);
                    if err_end.is_none() {
                        err_end = find(&out.stderr[from..], err_mark.as_bytes()).map(|i| i + from);
                    }
                }
                ChannelMsg::Eof | ChannelMsg::Close | ChannelMsg::ExitStatus { .. } | ChannelMsg::ExitSignal { .. } => {
                    return Err(ShellFailure::Ended(out));
                }
                _ => {}
            }
        }
        if let (Some((at, code)), Some(end)) = (status, err_end) {
            out.stdout.truncate(at);
            out.stderr.truncate(end);
            out.status = ExitStatus::Code(code);
        }
        Ok(out)
    }

    /// End an idle shell: it exits at the end of its input. (sshd refuses signal requests on
    /// sessions without privilege separation, and logs each refusal.)
    pub(super) async fn end(self) {
        let _ = self.writer.eof().await;
        let _ = self.writer.close().await;
    }

    /// Stop the shell (a script overran its limit).
    pub(super) async fn kill(self) {
        let _ = self.writer.signal(Sig::KILL).await;
        let _ = self.writer.eof().await;
        let _ = self.writer.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_anywhere() {
        assert_eq!(find(b"abc\nEND 0\n", b"\nEND "), Some(3));
        assert_eq!(find(b"abc", b"\nEND "), None);
    }
}
