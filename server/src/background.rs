//! Background threads: work nobody is waiting for (workspace indexing, its
//! embedding batches, HNSW builds) runs on threads at the lowest CPU priority,
//! so that on a machine with few cores a search, a hover or the embedding of
//! a query is scheduled first instead of sharing the cores evenly with a cold
//! index of a large workspace.
//!
//! On Linux a thread's nice value is its own and threads inherit it from the
//! thread that creates them, so the thread pools that ONNX Runtime and rayon
//! start from a background thread are background threads too. Elsewhere this
//! module changes nothing (macOS and Windows would need their own calls; the
//! work still runs, at normal priority). It must not block or fail: a thread
//! whose priority cannot be lowered runs on as it is.

use std::thread;

use anyhow::{anyhow, Result};

/// The nice value background threads take (the lowest priority).
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 19;

/// Lowers the calling thread's CPU priority to background. Cannot be undone
/// by an unprivileged process, so call it only on threads that do background
/// work and nothing else.
pub fn lower_current_thread_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread; no memory is shared.
        let result = unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, BACKGROUND_NICE)
        };
        if result != 0 {
            tracing::debug!("cannot lower a background thread's priority: {}", std::io::Error::last_os_error());
        }
    }
}

/// Gives memory freed inside the process back to the system: glibc keeps
/// freed blocks in its arenas, so a dropped model (hundreds of MB) would
/// otherwise still count in the process's RSS. Elsewhere it does nothing.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages of the allocator's arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs `work` on a new thread named `name` at background priority and waits
/// for it (blocking). Threads `work` starts are background threads too.
pub fn run_in_background_thread<T: Send + 'static>(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let handle = thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            lower_current_thread_priority();
            work()
        })
        .map_err(|e| anyhow!("cannot start the {name} thread: {e}"))?;
    handle.join().map_err(|_| anyhow!("the {name} thread panicked"))
}

/// Like [`run_in_background_thread`], awaited instead of blocking.
pub async fn background<T: Send + 'static>(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            lower_current_thread_priority();
            let _ = tx.send(work());
        })
        .map_err(|e| anyhow!("cannot start the {name} thread: {e}"))?;
    rx.await.map_err(|_| anyhow!("the {name} thread panicked"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    fn nice_of_current_thread() -> libc::c_int {
        // SAFETY: as above; errno is cleared first since -1 is a valid nice value.
        unsafe {
            *libc::__errno_location() = 0;
            libc::getpriority(libc::PRIO_PROCESS, libc::syscall(libc::SYS_gettid) as libc::id_t)
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn background_threads_and_the_threads_they_start_run_at_the_lowest_priority() {
        let caller = nice_of_current_thread();
        let (own, child) = run_in_background_thread("test-background", || {
            let own = nice_of_current_thread();
            let child = thread::spawn(nice_of_current_thread).join().unwrap();
            (own, child)
        })
        .unwrap();
        assert_eq!((own, child), (BACKGROUND_NICE, BACKGROUND_NICE));
        assert_eq!(nice_of_current_thread(), caller, "the calling thread keeps its priority");
    }

    #[test]
    fn results_and_panics_come_back_to_the_caller() {
        assert_eq!(run_in_background_thread("test-background", || 6 * 7).unwrap(), 42);
        let err = run_in_background_thread("test-background", || -> u8 { panic!("boom") }).unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        assert_eq!(rt.block_on(background("test-background", || "done")).unwrap(), "done");
    }
}
