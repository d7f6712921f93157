//! Watching a workspace root for changes on disk, for a server whose client
//! does not report them (the MCP server; LSP clients send
//! `workspace/didChangeWatchedFiles` instead).
//!
//! Only the directories a walk enters are watched, each on its own (not the
//! whole tree: `target/` or `node_modules/` alone can hold more directories
//! than the system's watch limit); a directory created later is watched when
//! it appears. Events are gathered until the disk is quiet for a moment, and
//! the paths a walk would index (or directories it would enter) are handed
//! over in one batch. This module reads no file and indexes nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::discover::{self, DiscoverOptions, PathFilter};

/// A batch is handed over once no event came for this long…
const QUIET: Duration = Duration::from_millis(100);
/// …or when it has waited this long since its first event.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// Watches while it lives.
pub struct Watcher {
    _watcher: Arc<Mutex<RecommendedWatcher>>,
}

/// Starts watching `root` (canonical). `on_change` runs on the watcher's own
/// thread with each batch of changed paths (absolute); it may block, events
/// meanwhile gather into the next batch.
pub fn watch(root: &Path, options: &DiscoverOptions, mut on_change: impl FnMut(Vec<PathBuf>) + Send + 'static) -> Result<Watcher> {
    let filter = PathFilter::new(root, options)?;
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    let watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .context("cannot start a file watcher")?;
    let watcher = Arc::new(Mutex::new(watcher));
    let dirs = discover::directories(root, options)?;
    let mut watched = 0;
    for dir in &dirs {
        if add_watch(&watcher, dir) {
            watched += 1;
        }
    }
    tracing::info!("watching {watched} directories under {}", root.display());
    let weak: Weak<Mutex<RecommendedWatcher>> = Arc::downgrade(&watcher);
    let root = root.to_path_buf();
    let options = options.clone();
    std::thread::Builder::new()
        .name("semnav-watch".into())
        .spawn(move || {
            // Ends when the watcher is dropped (its sender with it).
            while let Ok(first) = rx.recv() {
                let mut batch = BTreeSet::new();
                collect(first, &mut batch);
                let started = Instant::now();
                loop {
                    match rx.recv_timeout(QUIET) {
                        Ok(event) => collect(event, &mut batch),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                    if started.elapsed() > MAX_WAIT {
                        break;
                    }
                }
                let Some(watcher) = weak.upgrade() else { return };
                let mut changed = Vec::new();
                for path in batch {
                    let Some(rel) = discover::relative_path(&root, &path).filter(|r| !r.is_empty()) else { continue };
                    if path.is_dir() {
                        if filter.accepts_dir(&rel) {
                            // A new directory: watch it and what it holds.
                            for dir in discover::directories(&path, &options).unwrap_or_default() {
                                add_watch(&watcher, &dir);
                            }
                            changed.push(path);
                        }
                    } else if filter.accepts(&rel) || (!path.exists() && filter.accepts_dir(&rel)) {
                        changed.push(path);
                    }
                }
                drop(watcher);
                if !changed.is_empty() {
                    tracing::debug!("changed on disk: {changed:?}");
                    on_change(changed);
                }
            }
        })
        .context("cannot start the file watcher's thread")?;
    Ok(Watcher { _watcher: watcher })
}

fn collect(event: notify::Result<notify::Event>, batch: &mut BTreeSet<PathBuf>) {
    match event {
        Ok(event) if !event.kind.is_access() => batch.extend(event.paths),
        Ok(_) => {}
        Err(e) => tracing::warn!("file watcher: {e}"),
    }
}

fn add_watch(watcher: &Mutex<RecommendedWatcher>, dir: &Path) -> bool {
    match watcher.lock().unwrap_or_else(|e| e.into_inner()).watch(dir, RecursiveMode::NonRecursive) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("cannot watch {}: {e}", dir.display());
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edits, new files, new directories and removals are reported; ignored
    /// and hidden paths are not.
    #[test]
    fn reports_what_a_walk_would_index() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        std::fs::write(root.join("a.py"), "def a():\n    pass\n").unwrap();
        std::fs::create_dir(root.join("ignored")).unwrap();
        let (tx, rx) = channel();
        let _watcher = watch(&root, &DiscoverOptions::default(), move |batch| {
            let _ = tx.send(batch);
        })
        .unwrap();
        let mut seen = BTreeSet::new();
        // Waits until `path` is reported (after the last call's events).
        let wait_for = |path: PathBuf, seen: &mut BTreeSet<PathBuf>| {
            seen.clear();
            let deadline = Instant::now() + Duration::from_secs(10);
            while !seen.contains(&path) {
                let left = deadline.saturating_duration_since(Instant::now());
                let batch: Vec<PathBuf> = rx.recv_timeout(left).unwrap_or_else(|_| panic!("{} was not reported; got {seen:?}", path.display()));
                seen.extend(batch);
            }
        };
        std::fs::write(root.join("a.py"), "def a():\n    return 1\n").unwrap();
        wait_for(root.join("a.py"), &mut seen);
        std::fs::write(root.join("ignored/x.py"), "x = 1\n").unwrap();
        std::fs::write(root.join(".hidden.py"), "x = 1\n").unwrap();
        std::fs::create_dir(root.join("pkg")).unwrap();
        wait_for(root.join("pkg"), &mut seen);
        let mut all = seen.clone();
        // The new directory was watched before it was reported.
        std::fs::write(root.join("pkg/b.rs"), "fn b() {}\n").unwrap();
        wait_for(root.join("pkg/b.rs"), &mut seen);
        all.extend(seen.iter().cloned());
        std::fs::remove_file(root.join("a.py")).unwrap();
        wait_for(root.join("a.py"), &mut seen);
        all.extend(seen.iter().cloned());
        let seen = all;
        assert!(!seen.contains(&root.join("ignored/x.py")), "{seen:?}");
        assert!(!seen.contains(&root.join(".hidden.py")), "{seen:?}");
    }
}
