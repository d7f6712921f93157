//! The index directories under the cache (`$XDG_CACHE_HOME/semnav/indexes`):
//! the marker that says a directory is a semnav index and when it was last
//! used, listing them (`status --all`), removing those whose root is gone or
//! all of them (`clean`), and removing those unused for a number of days
//! (expiry, when semnav starts). The machine's vector cache
//! ([`crate::vector_cache`]) beside them: its size for `status --all`; plain
//! `clean` drops the vectors of models other than the installed one (no
//! semnav that uses this model can use them: their keys are another model's),
//! `clean --all` empties it. It needs no expiry: it is bounded, least
//! recently used first.
//!
//! Must not: remove a directory that is not a semnav index (one with the
//! marker, or the layout semnav wrote before the marker existed), remove an
//! index another process holds open (sled's lock on `db/db` is tried first
//! and held while it is deleted), or open an index for writing.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The marker: its presence says "a semnav index", its modification time is
/// the last use, its content the root and the chunk count of the last refresh.
pub const MARKER: &str = "semnav-index.json";
/// Indexes unused for this many days are removed when semnav starts.
pub const DEFAULT_EXPIRE_DAYS: u64 = 30;

/// Where indexes live unless `--index-dir` says otherwise.
pub fn indexes_home() -> PathBuf {
    crate::embed::model::cache_root().join("indexes")
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Marker {
    root: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chunks: Option<u64>,
}

/// Records a use of the index in `dir` (of workspace `root`): rewrites the
/// marker, which also sets its modification time. `chunks`: the count after a
/// refresh, or `None` to keep the one recorded. Written to a temporary file
/// and renamed, so a crash leaves the old marker or the new one.
pub fn touch(dir: &Path, root: &Path, chunks: Option<u64>) -> Result<()> {
    let path = dir.join(MARKER);
    let chunks = chunks.or_else(|| read_marker(dir).filter(|m| m.root == root).and_then(|m| m.chunks));
    let bytes = serde_json::to_vec(&Marker { root: root.to_path_buf(), chunks })?;
    let tmp = dir.join(format!("{MARKER}.partial"));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The workspace root the index in `dir` says it indexes (its marker).
pub fn root_of(dir: &Path) -> Option<PathBuf> {
    read_marker(dir).map(|m| m.root)
}

fn read_marker(dir: &Path) -> Option<Marker> {
    serde_json::from_slice(&std::fs::read(dir.join(MARKER)).ok()?).ok()
}

/// One index directory found under the home.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexInfo {
    pub dir: PathBuf,
    /// The workspace it indexes; `None` when neither the marker nor the
    /// store says (a damaged marker and a store in use or unreadable).
    pub root: Option<PathBuf>,
    pub root_exists: bool,
    pub bytes: u64,
    /// Chunks at the last refresh, when known.
    pub chunks: Option<u64>,
    pub last_use: SystemTime,
    /// Another process holds it open.
    pub in_use: bool,
}

impl IndexInfo {
    pub fn unused_for(&self, now: SystemTime) -> Duration {
        now.duration_since(self.last_use).unwrap_or_default()
    }
}

/// Whether `dir` is a semnav index: it has the marker, or (written before the
/// marker existed) it is named `<name>-<16 hex digits>` and holds sled's
/// `db/conf` and `db/db`.
pub fn is_index_dir(dir: &Path) -> bool {
    if dir.join(MARKER).is_file() {
        return true;
    }
    let named = dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.rsplit_once('-')).is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    named && dir.join("db").join("conf").is_file() && dir.join("db").join("db").is_file()
}

/// Every index directly under `home`, by directory name. Reads markers and
/// metadata; opens a store (briefly holding its lock) only when its marker
/// does not name the root.
pub fn list(home: &Path) -> Result<Vec<IndexInfo>> {
    Ok(index_dirs(home)?.iter().map(|dir| info(dir)).collect())
}

/// The index directories directly under `home`, sorted.
fn index_dirs(home: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(home) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", home.display())),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let dir = entry.path();
        // A symlink is never followed out of the home.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) || !is_index_dir(&dir) {
            continue;
        }
        out.push(dir);
    }
    out.sort();
    Ok(out)
}

fn info(dir: &Path) -> IndexInfo {
    let in_use = LockedIndex::try_lock(dir).is_none();
    // Before the store is peeked at: opening it writes to its files.
    let last_use = last_use(dir);
    let (root, chunks) = match read_marker(dir) {
        // Marked before its first refresh ended: the store has the count.
        Some(m) if m.chunks.is_none() && !in_use => {
            let chunks = peek_store(dir).1;
            if let Err(e) = touch(dir, &m.root, chunks).and_then(|()| Ok(std::fs::File::options().write(true).open(dir.join(MARKER))?.set_modified(last_use)?)) {
                tracing::debug!("cannot mark {}: {e:#}", dir.display());
            }
            (Some(m.root), chunks)
        }
        Some(m) => (Some(m.root), m.chunks),
        None if !in_use => {
            let (root, chunks) = peek_store(dir);
            if let (Some(root), false) = (&root, dir.join(MARKER).exists()) {
                // Written before markers existed: give it one, as old as its last use.
                let marked = touch(dir, root, chunks).and_then(|()| Ok(std::fs::File::options().write(true).open(dir.join(MARKER))?.set_modified(last_use)?));
                if let Err(e) = marked {
                    tracing::debug!("cannot mark {}: {e:#}", dir.display());
                }
            }
            (root, chunks)
        }
        None => (None, None),
    };
    IndexInfo { dir: dir.to_path_buf(), root_exists: root.as_deref().is_some_and(Path::is_dir), root, bytes: dir_size(dir), chunks, last_use, in_use }
}

/// Root and chunk count from the store itself (an index without a readable marker).
fn peek_store(dir: &Path) -> (Option<PathBuf>, Option<u64>) {
    match crate::store::Store::peek_root_and_chunks(dir) {
        Ok((root, chunks)) => (root, chunks),
        Err(e) => {
            tracing::debug!("cannot read the store at {}: {e:#}", dir.display());
            (None, None)
        }
    }
}

/// The marker's modification time; for an index without one, the newest of
/// its database files.
/// (files only: a folder's time says when an entry was added, not a use).
fn last_use(dir: &Path) -> SystemTime {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let Some(t) = modified(&dir.join(MARKER)) {
        return t;
    }
    std::fs::read_dir(dir.join("db"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| modified(&e.path()))
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Which indexes [`clean`] removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Those whose root no longer exists.
    Orphans,
    /// Every one (not in use).
    All,
}

/// What a removal did.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub info: IndexInfo,
}

/// What [`clean`] or [`expire`] left, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub info: IndexInfo,
    pub why: String,
}

/// Removes the indexes under `home` that `which` selects. Indexes in use, or
/// whose root is unknown (for [`Which::Orphans`]), are kept and reported.
pub fn clean(home: &Path, which: Which) -> Result<(Vec<Removed>, Vec<Kept>)> {
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    for info in list(home)? {
        let selected = match which {
            Which::All => true,
            Which::Orphans => info.root.is_some() && !info.root_exists,
        };
        if info.root.is_none() && which == Which::Orphans {
            kept.push(Kept { why: "its root is unknown (no readable marker, and the store is in use or unreadable)".into(), info });
            continue;
        }
        if !selected {
            continue;
        }
        match remove(&info) {
            Ok(()) => removed.push(Removed { info }),
            Err(why) => kept.push(Kept { info, why }),
        }
    }
    Ok((removed, kept))
}

/// Removes the indexes under `home` unused for more than `days` days (0:
/// never), except those in `keep` (the indexes being opened) and those in use.
pub fn expire(home: &Path, days: u64, keep: &[PathBuf]) -> Result<Vec<Removed>> {
    if days == 0 {
        return Ok(Vec::new());
    }
    let max_age = Duration::from_secs(days.saturating_mul(24 * 3600));
    let keep: Vec<PathBuf> = keep.iter().map(|k| k.canonicalize().unwrap_or_else(|_| k.clone())).collect();
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for dir in index_dirs(home)? {
        // Only old ones are looked at further: no lock is tried, no store
        // opened, on an index in use (another semnav would find it locked).
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if now.duration_since(last_use(&dir)).unwrap_or_default() <= max_age || keep.iter().any(|k| k.starts_with(&canonical)) {
            continue;
        }
        let info = IndexInfo {
            root: read_marker(&dir).map(|m| m.root),
            root_exists: false,
            bytes: dir_size(&dir),
            chunks: None,
            last_use: last_use(&dir),
            in_use: false,
            dir,
        };
        match remove(&info) {
            Ok(()) => removed.push(Removed { info }),
            Err(why) => tracing::info!("not removing the expired index {}: {why}", info.dir.display()),
        }
    }
    Ok(removed)
}

/// The machine's vector cache as `status --all` and `doctor` show it; `None`
/// when it is off (`SEMNAV_VECTOR_CACHE=off`).
pub fn vector_cache_summary() -> Option<Result<crate::vector_cache::Summary>> {
    let crate::vector_cache::Location::File(path) = crate::vector_cache::Location::from_env() else { return None };
    Some(crate::vector_cache::Summary::read(&path, crate::vector_cache::max_bytes_from_env()))
}

/// What [`clean_vectors`] did to the machine's vector cache.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorsCleaned {
    pub path: PathBuf,
    pub removed: u64,
    pub freed_bytes: u64,
    /// Why nothing was looked at, when so.
    pub note: Option<String>,
}

/// Empties the machine's vector cache ([`Which::All`]), or removes the
/// vectors of every model but `current_model` ([`Which::Orphans`]; nothing
/// when the installed model's id is unknown). `None` when the cache is off.
/// Rows are deleted, never the file, which another semnav may have open.
pub fn clean_vectors(which: Which, current_model: Option<&str>) -> Option<Result<VectorsCleaned>> {
    let crate::vector_cache::Location::File(path) = crate::vector_cache::Location::from_env() else { return None };
    let before = crate::vector_cache::disk_bytes(&path);
    let removed = match (which, current_model) {
        (Which::All, _) => crate::vector_cache::clear(&path),
        (Which::Orphans, Some(model)) => crate::vector_cache::keep_only_model(&path, model),
        (Which::Orphans, None) => {
            return Some(Ok(VectorsCleaned { path, removed: 0, freed_bytes: 0, note: Some("the installed model is unknown, so every model's vectors were kept".into()) }));
        }
    };
    Some(removed.map(|removed| VectorsCleaned { freed_bytes: before.saturating_sub(crate::vector_cache::disk_bytes(&path)), path, removed, note: None }))
}

/// Deletes an index directory, holding sled's lock meanwhile so that no
/// semnav process opens it half-deleted.
fn remove(info: &IndexInfo) -> std::result::Result<(), String> {
    if !is_index_dir(&info.dir) {
        return Err("not a semnav index".into());
    }
    let Some(_lock) = LockedIndex::try_lock(&info.dir) else { return Err("in use by another semnav process".into()) };
    std::fs::remove_dir_all(&info.dir).map_err(|e| format!("cannot delete it: {e}"))
}

/// sled's exclusive lock on `db/db`, taken the way sled takes it (flock), so
/// that holding it means no semnav process has the index open. Released when
/// dropped (the file is closed).
struct LockedIndex(#[allow(dead_code)] Option<std::fs::File>);

impl LockedIndex {
    /// `None` when another process (or another open store of this one) holds it.
    fn try_lock(dir: &Path) -> Option<LockedIndex> {
        use fs2::FileExt;
        let Ok(file) = std::fs::OpenOptions::new().read(true).write(true).open(dir.join("db").join("db")) else {
            // No database file: nothing can hold it.
            return Some(LockedIndex(None));
        };
        file.try_lock_exclusive().ok()?;
        Some(LockedIndex(Some(file)))
    }
}

/// Bytes under `dir`, symlinks not followed.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FileEntry, Store, StoredChunk};

    /// A real index of `root` at `home/name` with `chunks` chunks; `marked`
    /// writes the marker as `Workspace::open` does.
    #[test]
    fn an_index_marked_without_a_count_is_listed_with_its_chunks() {
        let home = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let dir = make_index(home.path(), "a", root.path(), 3, false);
        // What a server writes when it opens an index, before any refresh ends.
        touch(&dir, root.path(), None).unwrap();
        let listed = list(home.path()).unwrap();
        assert_eq!(listed[0].chunks, Some(3), "{listed:?}");
        assert_eq!(read_marker(&dir).and_then(|m| m.chunks), Some(3), "and recorded");
    }

    fn make_index(home: &Path, name: &str, root: &Path, chunks: u32, marked: bool) -> PathBuf {
        let dir = home.join(name);
        let (store, _) = Store::open(&dir, "m1").unwrap();
        store.set_root(root).unwrap();
        let chunk = |i: u32| StoredChunk {
            kind: crate::chunk::ChunkKind::Function,
            name: Some(format!("f{i}")),
            container: None,
            start_byte: 0,
            end_byte: 1,
            start_line: i,
            end_line: i,
            text_hash: [i as u8; 32],
            terms: "f".into(),
            preview: "fn f()".into(),
            test: false,
        };
        let entry = FileEntry { size: 1, mtime_ns: 1, indexed_ns: 1, content_hash: [0; 32], language: crate::lang::Language::Rust, chunks: (0..chunks).map(chunk).collect() };
        store.put_file("a.rs", &entry).unwrap();
        store.flush().unwrap();
        if marked {
            touch(&dir, root, Some(u64::from(chunks))).unwrap();
        }
        dir
    }

    fn age(dir: &Path, days: u64) {
        let past = SystemTime::now() - Duration::from_secs(days * 24 * 3600);
        let marker = dir.join(MARKER);
        let files = if marker.exists() { vec![marker] } else { std::fs::read_dir(dir.join("db")).unwrap().flatten().map(|e| e.path()).collect() };
        for f in files {
            if f.is_file() {
                std::fs::File::options().write(true).open(&f).unwrap().set_modified(past).unwrap();
            }
        }
    }

    #[test]
    fn lists_marked_and_older_indexes_and_nothing_else() {
        let home = tempfile::tempdir().unwrap();
        let roots = tempfile::tempdir().unwrap();
        let (ra, rb) = (roots.path().join("a"), roots.path().join("b"));
        std::fs::create_dir_all(&ra).unwrap();
        let a = make_index(home.path(), "a-0123456789abcdef", &ra, 3, true);
        // Written before the marker existed: found by its layout, read from the store.
        let b = make_index(home.path(), "b-fedcba9876543210", &rb, 2, false);
        // Not indexes: a folder of other files, and sled files under a name semnav never writes.
        std::fs::create_dir_all(home.path().join("photos")).unwrap();
        std::fs::write(home.path().join("photos/x.jpg"), b"x").unwrap();
        make_index(home.path(), "not-an-index", &ra, 1, false);
        std::fs::write(home.path().join("stray-file"), b"x").unwrap();

        let found = list(home.path()).unwrap();
        assert_eq!(found.iter().map(|i| i.dir.clone()).collect::<Vec<_>>(), vec![a.clone(), b.clone()]);
        let (ia, ib) = (&found[0], &found[1]);
        assert_eq!((ia.root.as_deref(), ia.root_exists, ia.chunks, ia.in_use), (Some(ra.as_path()), true, Some(3), false));
        assert_eq!((ib.root.as_deref(), ib.root_exists, ib.chunks, ib.in_use), (Some(rb.as_path()), false, Some(2), false));
        assert!(ia.bytes > 0 && ia.bytes == dir_size(&a));
        assert!(ia.unused_for(SystemTime::now()) < Duration::from_secs(60));
        // A damaged marker: the store still names the root.
        std::fs::write(a.join(MARKER), b"{\"ro").unwrap();
        assert_eq!(list(home.path()).unwrap()[0].root.as_deref(), Some(ra.as_path()));
        // An index held open is in use, and then its root is only known from the marker.
        let (_held, _) = Store::open(&a, "m1").unwrap();
        let held = &list(home.path()).unwrap()[0];
        assert!(held.in_use);
        assert_eq!(held.root, None);
    }

    #[test]
    fn clean_removes_orphans_or_all_but_never_an_open_index_or_a_stranger() {
        let home = tempfile::tempdir().unwrap();
        let roots = tempfile::tempdir().unwrap();
        let (live, gone, held_root) = (roots.path().join("live"), roots.path().join("gone"), roots.path().join("held"));
        std::fs::create_dir_all(&live).unwrap();
        let live_dir = make_index(home.path(), "live-0000000000000001", &live, 1, true);
        let gone_dir = make_index(home.path(), "gone-0000000000000002", &gone, 4, true);
        let held_dir = make_index(home.path(), "held-0000000000000003", &held_root, 1, true);
        let stranger = home.path().join("notes");
        std::fs::create_dir_all(stranger.join("db")).unwrap();
        std::fs::write(stranger.join("db/conf"), b"x").unwrap();
        let (_held, _) = Store::open(&held_dir, "m1").unwrap();

        let (removed, kept) = clean(home.path(), Which::Orphans).unwrap();
        assert_eq!(removed.iter().map(|r| r.info.dir.clone()).collect::<Vec<_>>(), vec![gone_dir.clone()]);
        assert_eq!(removed[0].info.chunks, Some(4));
        assert!(removed[0].info.bytes > 0);
        assert!(!gone_dir.exists() && live_dir.exists() && held_dir.exists());
        assert_eq!(kept.len(), 1, "the held index's root is gone too, but it is in use: {kept:?}");
        assert!(kept[0].why.contains("in use"), "{kept:?}");

        let (removed, kept) = clean(home.path(), Which::All).unwrap();
        assert_eq!(removed.iter().map(|r| r.info.dir.clone()).collect::<Vec<_>>(), vec![live_dir.clone()]);
        assert_eq!(kept.iter().map(|k| k.info.dir.clone()).collect::<Vec<_>>(), vec![held_dir.clone()]);
        assert!(held_dir.join("db").exists(), "an index in use is never removed");
        assert!(stranger.join("db/conf").exists(), "a directory that is no index is never removed");
    }

    #[test]
    fn expiry_removes_old_indexes_except_the_one_opened_and_those_in_use() {
        let home = tempfile::tempdir().unwrap();
        let roots = tempfile::tempdir().unwrap();
        let root = roots.path();
        let fresh = make_index(home.path(), "fresh-0000000000000001", root, 1, true);
        let old = make_index(home.path(), "old-0000000000000002", root, 1, true);
        let old_legacy = make_index(home.path(), "legacy-0000000000000003", root, 1, false);
        let opening = make_index(home.path(), "opening-0000000000000004", root, 1, true);
        let held = make_index(home.path(), "held-0000000000000005", root, 1, true);
        for dir in [&old, &old_legacy, &opening, &held] {
            age(dir, 40);
        }
        age(&fresh, 20);
        let (_store, _) = Store::open(&held, "m1").unwrap();

        assert!(expire(home.path(), 0, &[]).unwrap().is_empty(), "0 days: never");
        assert!(expire(home.path(), 41, &[]).unwrap().is_empty());
        let removed = expire(home.path(), 30, std::slice::from_ref(&opening)).unwrap();
        let mut gone: Vec<PathBuf> = removed.iter().map(|r| r.info.dir.clone()).collect();
        gone.sort();
        assert_eq!(gone, vec![old_legacy.clone(), old.clone()]);
        assert!(fresh.exists() && opening.exists() && held.exists());
        assert!(!old.exists() && !old_legacy.exists());
        // A touch makes an index fresh again.
        touch(&opening, root, None).unwrap();
        assert!(expire(home.path(), 30, &[]).unwrap().is_empty());
        assert_eq!(read_marker(&opening).unwrap().chunks, Some(1), "a touch keeps the recorded chunk count");
    }
}
