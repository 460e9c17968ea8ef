//! Scoped worker threads taking items from one queue: how the run spreads hosts over threads
//! (each waits on its own host's network round trips through the shared tokio runtime).

use std::collections::VecDeque;
use std::sync::Mutex;

/// CPU cores this process may use (2 if unknown).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Run `work` on every item, on one thread per element of `states` (or fewer, if there are fewer
/// items), each thread with its own state; `meanwhile` runs on the calling thread until they are
/// all done. States are dropped as their threads end (a channel's senders, say, so that a receiver
/// in `meanwhile` sees the end).
pub(crate) fn in_parallel<T: Send, S: Send>(
    items: impl IntoIterator<Item = T>,
    states: Vec<S>,
    work: impl Fn(&mut S, T) + Sync,
    meanwhile: impl FnOnce(),
) {
    let queue = Mutex::new(items.into_iter().collect::<VecDeque<T>>());
    let count = queue.lock().map(|q| q.len()).unwrap_or(0);
    let (queue, work) = (&queue, &work);
    std::thread::scope(|s| {
        for mut state in states.into_iter().take(count.max(1)) {
            s.spawn(move || {
                while let Some(item) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    work(&mut state, item);
                }
            });
        }
        meanwhile();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn every_item_once_and_meanwhile_sees_the_senders_go() {
        let seen = AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::channel();
        let senders = vec![tx.clone(), tx.clone(), tx];
        let mut got = Vec::new();
        in_parallel(
            0..100usize,
            senders,
            |tx, i| {
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(i);
            },
            || got.extend(rx.iter()),
        );
        got.sort_unstable();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        assert_eq!(seen.load(Ordering::SeqCst), 100);
    }
}
