//! One vector cache for the machine, shared by every index on it: the
//! vectors of embedded texts by text hash ([`crate::store::text_hash`]:
//! blake3 of the model id and the text), so that a second clone, a git
//! worktree or an index of a subfolder of an indexed root embeds nothing
//! that was embedded before on this machine.
//!
//! One SQLite file, `<cache root>/vectors/vectors.sqlite3`
//! (`SEMNAV_VECTOR_CACHE=PATH` puts it elsewhere, `=off` turns it off), in
//! WAL mode with a busy timeout: several semnav processes (the CLI, an
//! editor's server, an agent's) read and write it at once, which sled, whose
//! lock is exclusive per process, cannot. A row holds the text hash, the
//! model (so that `clean` drops one model's vectors), the vector in the
//! store's encoding (f16 and a CRC-32: a damaged value is a miss, and its row
//! goes) and when it was last used, in seconds, updated at most once a day per
//! row and in one write per lookup. Bounded: past `SEMNAV_VECTOR_CACHE_MB`
//! (default 1 GiB of live pages) the least recently used rows go, checked
//! after every write of new vectors, and their pages go back to the disk.
//!
//! Must not be needed: any error (the file locked past the busy timeout,
//! damaged, on a read-only disk) is one warning, and semnav goes on without
//! it; each index's own store stays the truth of what that index holds, and
//! the model computes what the cache does not give. A damaged file is
//! removed and created again, empty. Must not hold a vector that is not the
//! one its key's model computes: a process whose embedder is not the model
//! its id names (a stand-in in a measurement) turns the cache off. It knows
//! nothing of files, chunks or indexes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::store::{decode_vector, encode_vector, TextHash};

/// The bound when `SEMNAV_VECTOR_CACHE_MB` does not say.
pub const DEFAULT_MAX_MB: u64 = 1024;
/// How long a write waits for another process's before it is an error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// A row's last use is written again only when it is older than this.
const TOUCH_AFTER_SECS: i64 = 24 * 3600;
/// Eviction leaves the cache at this share of its bound, so that the next
/// few writes do not evict again.
const EVICT_TO: f64 = 0.9;
/// The layout of the file (`PRAGMA user_version`); a file of another one is
/// left alone and not used.
const LAYOUT: i64 = 1;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS models (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS vectors (
        hash BLOB NOT NULL UNIQUE,
        model INTEGER NOT NULL REFERENCES models(id),
        vector BLOB NOT NULL,
        used INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS vectors_by_use ON vectors(used);
";

/// Where the machine's cache is, as the environment says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// `SEMNAV_VECTOR_CACHE=off` (and, in this crate's unit tests, the
    /// default: they never touch the user's cache).
    Off,
    File(PathBuf),
}

impl Location {
    pub fn from_env() -> Location {
        match std::env::var_os("SEMNAV_VECTOR_CACHE") {
            Some(v) if v == "off" => Location::Off,
            Some(v) if !v.is_empty() => Location::File(PathBuf::from(v)),
            _ if cfg!(test) => Location::Off,
            _ => Location::File(default_path()),
        }
    }
}

/// `<cache root>/vectors/vectors.sqlite3`.
pub fn default_path() -> PathBuf {
    crate::embed::model::cache_root().join("vectors").join("vectors.sqlite3")
}

/// The bound in bytes: `SEMNAV_VECTOR_CACHE_MB` MiB, else [`DEFAULT_MAX_MB`].
pub fn max_bytes_from_env() -> u64 {
    let mb = std::env::var("SEMNAV_VECTOR_CACHE_MB").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(DEFAULT_MAX_MB);
    mb.saturating_mul(1 << 20)
}

/// An open cache. Every method but [`VectorCache::open`] and the
/// housekeeping ones ([`Summary`], [`clear`], [`keep_only_model`]) is
/// infallible: an error is logged (the first at warn level) and answered as
/// "nothing cached".
pub struct VectorCache {
    path: PathBuf,
    max_bytes: u64,
    /// `None` once it cannot be used.
    conn: Mutex<Option<Connection>>,
    warned: AtomicBool,
}

impl VectorCache {
    /// The machine's cache as the environment says, shared by every index
    /// of this process; `None` when it is off or cannot be opened (one
    /// warning).
    pub fn for_machine() -> Option<Arc<VectorCache>> {
        let Location::File(path) = Location::from_env() else { return None };
        static OPEN: OnceLock<Mutex<HashMap<PathBuf, Weak<VectorCache>>>> = OnceLock::new();
        let mut open = OPEN.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cache) = open.get(&path).and_then(Weak::upgrade) {
            return Some(cache);
        }
        let cache = match VectorCache::open(&path, max_bytes_from_env()) {
            Ok(cache) => Arc::new(cache),
            Err(e) => {
                tracing::warn!("the machine's vector cache at {} cannot be used ({e:#}); going on without it", path.display());
                return None;
            }
        };
        open.insert(path, Arc::downgrade(&cache));
        Some(cache)
    }

    /// Opens (or creates) the cache at `path`, bounded to `max_bytes`. A file
    /// that is no SQLite database, or a damaged one, is removed and created
    /// again.
    pub fn open(path: &Path, max_bytes: u64) -> Result<VectorCache> {
        let conn = match connect(path) {
            Err(e) if is_damaged_file(&e) => {
                tracing::warn!("the machine's vector cache at {} is damaged ({e}); creating it again, empty", path.display());
                remove_database(path)?;
                connect(path)
            }
            other => other,
        }
        .with_context(|| format!("cannot open {}", path.display()))?;
        Ok(VectorCache { path: path.to_path_buf(), max_bytes, conn: Mutex::new(Some(conn)), warned: AtomicBool::new(false) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The vectors of `hashes` that the cache has (damaged ones are misses,
    /// and are removed). One read transaction, and one write for the rows
    /// whose last use is older than a day.
    pub fn get(&self, hashes: &[TextHash]) -> HashMap<TextHash, Vec<f32>> {
        self.get_at(hashes, now_secs())
    }

    fn get_at(&self, hashes: &[TextHash], now: i64) -> HashMap<TextHash, Vec<f32>> {
        if hashes.is_empty() {
            return HashMap::new();
        }
        self.with("read vectors", |conn| {
            let mut found = HashMap::new();
            let (mut stale, mut damaged) = (Vec::new(), Vec::new());
            let read = conn.transaction()?;
            {
                let mut select = read.prepare_cached("SELECT vector, used FROM vectors WHERE hash = ?1")?;
                for hash in hashes {
                    if found.contains_key(hash) {
                        continue;
                    }
                    let row: Option<(Vec<u8>, i64)> = select.query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
                    let Some((bytes, used)) = row else { continue };
                    match decode_vector(&bytes) {
                        Ok(v) => {
                            found.insert(*hash, v);
                            if used < now - TOUCH_AFTER_SECS {
                                stale.push(*hash);
                            }
                        }
                        Err(e) => {
                            tracing::debug!("a damaged vector in the machine's cache is a miss: {e:#}");
                            damaged.push(*hash);
                        }
                    }
                }
            }
            read.commit()?;
            if !stale.is_empty() || !damaged.is_empty() {
                let write = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                {
                    let mut touch = write.prepare_cached("UPDATE vectors SET used = ?2 WHERE hash = ?1")?;
                    for hash in &stale {
                        touch.execute(params![&hash[..], now])?;
                    }
                    let mut remove = write.prepare_cached("DELETE FROM vectors WHERE hash = ?1")?;
                    for hash in &damaged {
                        remove.execute([&hash[..]])?;
                    }
                }
                write.commit()?;
            }
            Ok(found)
        })
        .unwrap_or_default()
    }

    /// Adds vectors computed by model `model_id` (their keys are its text
    /// hashes), in one transaction, then keeps the cache within its bound.
    pub fn put(&self, model_id: &str, vectors: &[(TextHash, Vec<f32>)]) {
        self.put_at(model_id, vectors, now_secs())
    }

    fn put_at(&self, model_id: &str, vectors: &[(TextHash, Vec<f32>)], now: i64) {
        if vectors.is_empty() {
            return;
        }
        self.with("write vectors", |conn| {
            let write = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            write.execute("INSERT OR IGNORE INTO models (name) VALUES (?1)", [model_id])?;
            let model: i64 = write.query_row("SELECT id FROM models WHERE name = ?1", [model_id], |r| r.get(0))?;
            {
                let mut insert = write.prepare_cached(
                    "INSERT INTO vectors (hash, model, vector, used) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (hash) DO UPDATE SET model = excluded.model, vector = excluded.vector, used = excluded.used",
                )?;
                for (hash, v) in vectors {
                    insert.execute(params![&hash[..], model, encode_vector(v), now])?;
                }
            }
            write.commit()?;
            evict_past(conn, self.max_bytes)
        });
    }

    /// Runs `f` on the connection; an error is logged and `None`. A damaged
    /// file is removed and opened again, empty.
    fn with<T>(&self, what: &str, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Option<T> {
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let conn = guard.as_mut()?;
        match f(conn) {
            Ok(t) => Some(t),
            Err(e) if is_damage(&e) => {
                *guard = None;
                self.warn(format!("the machine's vector cache at {} is damaged ({e}); creating it again, empty", self.path.display()));
                match remove_database(&self.path).and_then(|()| connect(&self.path)) {
                    Ok(conn) => *guard = Some(conn),
                    Err(e) => tracing::warn!("cannot create the machine's vector cache at {} again ({e:#}); going on without it", self.path.display()),
                }
                None
            }
            Err(e) => {
                self.warn(format!("cannot {what} in the machine's vector cache at {} ({e}); going on without them", self.path.display()));
                None
            }
        }
    }

    /// The first problem is a warning, the others are for the debug log.
    fn warn(&self, message: String) {
        if self.warned.swap(true, Ordering::SeqCst) {
            tracing::debug!("{message}");
        } else {
            tracing::warn!("{message}");
        }
    }
}

/// Opens the database at `path` (creating it and its folder), in WAL mode,
/// with the busy timeout and the tables.
fn connect(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let conn = Connection::open(path)?;
    // Pages freed by eviction go back to the disk; takes effect only in a
    // new file, before its first table.
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    configure(&conn)?;
    let layout: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if layout != 0 && layout != LAYOUT {
        anyhow::bail!("its layout is {layout}, this semnav knows {LAYOUT}");
    }
    conn.execute_batch(SCHEMA)?;
    if layout == 0 {
        conn.pragma_update(None, "user_version", LAYOUT)?;
    }
    Ok(conn)
}

/// The settings of every connection: wait for other writers, WAL (readers
/// and one writer at once), fsync at checkpoints only (a power loss may lose
/// the last writes, never the file: it is a cache).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
}

/// Gives the free pages back to the disk. The pragma frees one page per
/// row it returns, so every row is read.
fn vacuum(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("PRAGMA incremental_vacuum")?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// Opens the existing database at `path` for housekeeping, to read only or
/// also to write; `None` when there is none.
fn connect_existing(path: &Path, write: bool) -> Result<Option<Connection>> {
    if !path.is_file() {
        return Ok(None);
    }
    let flags = if write { OpenFlags::SQLITE_OPEN_READ_WRITE } else { OpenFlags::SQLITE_OPEN_READ_ONLY };
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).with_context(|| format!("cannot open {}", path.display()))?;
    if write { configure(&conn) } else { conn.busy_timeout(BUSY_TIMEOUT) }.with_context(|| format!("cannot open {}", path.display()))?;
    let has_table: bool = conn.query_row("SELECT count(*) > 0 FROM sqlite_master WHERE name = 'vectors'", [], |r| r.get(0)).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(has_table.then_some(conn))
}

/// Whether SQLite says the file is damaged or no database at all.
fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase))
}

fn is_damaged_file(e: &anyhow::Error) -> bool {
    e.downcast_ref::<rusqlite::Error>().is_some_and(is_damage)
}

/// Removes the database at `path` and its WAL and shared-memory files.
fn remove_database(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e).with_context(|| format!("cannot remove {}", Path::new(&name).display())),
            _ => {}
        }
    }
    Ok(())
}

/// Bytes of the pages in use (the file less its free pages; the WAL not counted).
fn live_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    Ok(((pragma("page_count")? - pragma("freelist_count")?).max(0) * pragma("page_size")?) as u64)
}

/// Removes the least recently used rows while the cache is over `max_bytes`,
/// down to [`EVICT_TO`] of it, and gives their pages back to the disk.
fn evict_past(conn: &mut Connection, max_bytes: u64) -> rusqlite::Result<()> {
    let live = live_bytes(conn)?;
    if live <= max_bytes {
        return Ok(());
    }
    let write = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let rows: i64 = write.query_row("SELECT count(*) FROM vectors", [], |r| r.get(0))?;
    let per_row = (live / rows.max(1) as u64).max(1);
    let target = (max_bytes as f64 * EVICT_TO) as u64;
    let excess = (live.saturating_sub(target)).div_ceil(per_row) as i64;
    let removed = write.execute("DELETE FROM vectors WHERE rowid IN (SELECT rowid FROM vectors ORDER BY used, rowid LIMIT ?1)", [excess])?;
    write.commit()?;
    vacuum(conn)?;
    tracing::debug!("the machine's vector cache was over {max_bytes} bytes: {removed} least recently used vectors removed");
    Ok(())
}

/// What the machine's cache holds, for `status --all` and `doctor`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub path: PathBuf,
    /// The database, its WAL and its shared memory, on disk.
    pub disk_bytes: u64,
    pub max_bytes: u64,
    /// Vectors by model id; empty when there is no file yet.
    pub models: Vec<(String, u64)>,
}

impl Summary {
    /// Reads the cache at `path` (writes nothing, creates nothing).
    pub fn read(path: &Path, max_bytes: u64) -> Result<Summary> {
        let mut models = Vec::new();
        if let Some(conn) = connect_existing(path, false)? {
            let mut stmt = conn.prepare("SELECT models.name, count(*) FROM vectors JOIN models ON models.id = vectors.model GROUP BY models.name ORDER BY models.name")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
            for row in rows {
                models.push(row.with_context(|| format!("cannot read {}", path.display()))?);
            }
        }
        Ok(Summary { path: path.to_path_buf(), disk_bytes: disk_bytes(path), max_bytes, models })
    }

    pub fn vectors(&self) -> u64 {
        self.models.iter().map(|(_, n)| n).sum()
    }
}

/// Bytes of the database at `path` with its WAL and shared-memory files.
pub fn disk_bytes(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_os_string();
            name.push(suffix);
            std::fs::metadata(name).map(|m| m.len()).unwrap_or(0)
        })
        .sum()
}

/// Empties the cache at `path` (`clean --all`); returns the vectors removed.
/// Rows are deleted, not the file: another process may have it open.
pub fn clear(path: &Path) -> Result<u64> {
    remove_where(path, "DELETE FROM vectors", &[])
}

/// Removes the vectors of every model but `model_id` (plain `clean`: they
/// are of no use to this semnav); returns how many.
pub fn keep_only_model(path: &Path, model_id: &str) -> Result<u64> {
    remove_where(path, "DELETE FROM vectors WHERE model NOT IN (SELECT id FROM models WHERE name = ?1)", &[&model_id])
}

fn remove_where(path: &Path, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<u64> {
    let Some(conn) = connect_existing(path, true)? else { return Ok(0) };
    let removed = conn.execute(sql, params).with_context(|| format!("cannot remove vectors from {}", path.display()))?;
    conn.execute("DELETE FROM models WHERE id NOT IN (SELECT DISTINCT model FROM vectors)", [])
        .and_then(|_| vacuum(&conn))
        .and_then(|()| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())))
        .with_context(|| format!("cannot free the space of {}", path.display()))?;
    Ok(removed as u64)
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u32) -> TextHash {
        *blake3::hash(&i.to_le_bytes()).as_bytes()
    }

    /// A unit vector as the model gives it (f16-exact values).
    fn vector(i: u32) -> Vec<f32> {
        let mut v: Vec<f32> = (0..crate::embed::DIM).map(|d| (((i as usize * 31 + d * 7) % 97) as f32 - 48.0) / 64.0).collect();
        crate::embed::normalize(&mut v);
        v.iter().map(|&x| half::f16::from_f32(x).to_f32()).collect()
    }

    fn cache(dir: &tempfile::TempDir, max_bytes: u64) -> VectorCache {
        VectorCache::open(&dir.path().join("vectors").join("vectors.sqlite3"), max_bytes).unwrap()
    }

    #[test]
    fn vectors_come_back_as_they_went_in() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(&dir, 1 << 30);
        assert!(c.get(&[hash(1)]).is_empty());
        let pairs: Vec<(TextHash, Vec<f32>)> = (0..50).map(|i| (hash(i), vector(i))).collect();
        c.put("m1", &pairs);
        let wanted: Vec<TextHash> = [3, 7, 7, 49, 1000].into_iter().map(hash).collect();
        let got = c.get(&wanted);
        assert_eq!(got.len(), 3, "3, 7 and 49; 1000 was never put");
        for i in [3, 7, 49] {
            assert_eq!(got[&hash(i)], vector(i));
        }
        // Another connection (another process) sees them.
        drop(c);
        let again = cache(&dir, 1 << 30);
        assert_eq!(again.get(&[hash(0)])[&hash(0)], vector(0));
        let summary = Summary::read(again.path(), 1 << 30).unwrap();
        assert_eq!(summary.models, vec![("m1".to_string(), 50)]);
        assert!(summary.disk_bytes > 50 * 700, "{summary:?}");
    }

    #[test]
    fn a_damaged_value_is_a_miss_and_goes() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(&dir, 1 << 30);
        c.put("m1", &[(hash(1), vector(1)), (hash(2), vector(2))]);
        {
            let conn = Connection::open(c.path()).unwrap();
            let mut bytes: Vec<u8> = conn.query_row("SELECT vector FROM vectors WHERE hash = ?1", [&hash(1)[..]], |r| r.get(0)).unwrap();
            bytes[100] ^= 0x10;
            conn.execute("UPDATE vectors SET vector = ?2 WHERE hash = ?1", params![&hash(1)[..], bytes]).unwrap();
        }
        let got = c.get(&[hash(1), hash(2)]);
        assert_eq!(got.keys().collect::<Vec<_>>(), vec![&hash(2)], "the flipped bit fails the CRC");
        let rows: i64 = Connection::open(c.path()).unwrap().query_row("SELECT count(*) FROM vectors", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 1, "the damaged row was removed");
        // Embedded again, it is put back.
        c.put("m1", &[(hash(1), vector(1))]);
        assert_eq!(c.get(&[hash(1)])[&hash(1)], vector(1));
    }

    #[test]
    fn a_damaged_file_is_created_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vectors.sqlite3");
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let c = VectorCache::open(&path, 1 << 30).unwrap();
        let pairs: Vec<(TextHash, Vec<f32>)> = (0..50).map(|i| (hash(i), vector(i))).collect();
        c.put("m1", &pairs);
        assert_eq!(c.get(&[hash(1)]).len(), 1);
        // Its pages damaged after it was opened (the schema on the first
        // page read): the read that meets them is a miss, and the file is
        // created again.
        drop(c);
        let c = VectorCache::open(&path, 1 << 30).unwrap();
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        assert!(len > 8 * 4096, "{len} bytes");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, [&bytes[..4096], &vec![0xff; len - 4096]].concat()).unwrap();
        assert!(c.get(&[hash(1), hash(2)]).is_empty());
        assert!(c.warned.load(Ordering::SeqCst), "one warning");
        c.put("m1", &[(hash(2), vector(2))]);
        assert_eq!(c.get(&[hash(1), hash(2)]).len(), 1, "the cache works again after its file was created anew");
    }

    #[test]
    fn past_its_bound_the_least_recently_used_go() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = cache(&dir, 1 << 30);
        let live = |c: &VectorCache| live_bytes(c.conn.lock().unwrap().as_ref().unwrap()).unwrap();
        let day = 24 * 3600;
        // 300 vectors on day 1.
        let empty = live(&c);
        c.put_at("m1", &(0..300).map(|i| (hash(i), vector(i))).collect::<Vec<_>>(), day);
        let per_row = (live(&c) - empty) / 300;
        // Room for about 400: the next 200 pass the bound.
        c.max_bytes = live(&c) + 100 * per_row;
        // On day 3, the first 50 are used again.
        assert_eq!(c.get_at(&(0..50).map(hash).collect::<Vec<_>>(), 3 * day).len(), 50);
        // On day 5, 200 new ones, in batches as a refresh writes them.
        let new: Vec<(TextHash, Vec<f32>)> = (1000..1200).map(|i| (hash(i), vector(i))).collect();
        for batch in new.chunks(25) {
            c.put_at("m1", batch, 5 * day);
            assert!(live(&c) <= c.max_bytes, "{} bytes live, bound {}", live(&c), c.max_bytes);
        }
        let kept = |range: std::ops::Range<u32>| c.get_at(&range.map(hash).collect::<Vec<_>>(), 5 * day).len();
        assert_eq!(kept(1000..1200), 200, "the new ones stay");
        assert_eq!(kept(0..50), 50, "the ones used on day 3 stay");
        let old_left = kept(50..300);
        assert!((50..250).contains(&old_left), "the ones unused since day 1 went first, not all of them ({old_left} of 250 left)");
        let file_bytes = c.with("count pages", |conn| conn.query_row("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", [], |r| r.get::<_, i64>(0))).unwrap() as u64;
        assert!(file_bytes <= c.max_bytes, "freed pages went back to the disk: the file has {file_bytes} bytes of pages");
    }

    #[test]
    fn off_means_no_cache() {
        // The unit tests' default, and what `SEMNAV_VECTOR_CACHE=off` says.
        if std::env::var_os("SEMNAV_VECTOR_CACHE").is_none() {
            assert_eq!(Location::from_env(), Location::Off);
            assert!(VectorCache::for_machine().is_none());
        }
    }

    #[test]
    fn clean_drops_one_models_vectors_or_all() {
        let dir = tempfile::tempdir().unwrap();
        let c = cache(&dir, 1 << 30);
        c.put("m1", &(0..20).map(|i| (hash(i), vector(i))).collect::<Vec<_>>());
        c.put("m2", &(20..30).map(|i| (hash(i), vector(i))).collect::<Vec<_>>());
        assert_eq!(keep_only_model(c.path(), "m2").unwrap(), 20);
        assert_eq!(Summary::read(c.path(), 0).unwrap().models, vec![("m2".to_string(), 10)]);
        // The open connection goes on.
        assert_eq!(c.get(&[hash(0), hash(25)]).len(), 1);
        assert_eq!(clear(c.path()).unwrap(), 10);
        assert_eq!(Summary::read(c.path(), 0).unwrap().vectors(), 0);
        c.put("m2", &[(hash(5), vector(5))]);
        assert_eq!(c.get(&[hash(5)]).len(), 1);
        assert_eq!(clear(&dir.path().join("none.sqlite3")).unwrap(), 0, "no file: nothing to clean, nothing created");
        assert!(!dir.path().join("none.sqlite3").exists());
    }

    /// Writes `rounds` batches of 25 vectors from `first` on, reading each
    /// back; panics on any error the cache met.
    fn write_rounds(path: &Path, first: u32, rounds: u32) {
        let c = VectorCache::open(path, 1 << 30).unwrap();
        for round in 0..rounds {
            let batch: Vec<(TextHash, Vec<f32>)> = (0..25).map(|i| first + round * 25 + i).map(|i| (hash(i), vector(i))).collect();
            c.put("m1", &batch);
            assert_eq!(c.get(&batch.iter().map(|(h, _)| *h).collect::<Vec<_>>()).len(), 25);
        }
        assert!(!c.warned.load(Ordering::SeqCst), "the writer from {first} met an error");
    }

    /// Two other processes (this test binary again, running
    /// [`writer_process`]) and a thread of this one write and read the same
    /// file at once: SQLite's file locks keep every write, none is an error.
    #[test]
    fn writers_in_several_processes_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vectors.sqlite3");
        let exe = std::env::current_exe().unwrap();
        let children: Vec<_> = [10_000u32, 20_000]
            .iter()
            .map(|first| {
                std::process::Command::new(&exe)
                    .args(["vector_cache::tests::writer_process", "--exact", "--ignored", "--test-threads=1"])
                    .env("SEMNAV_TEST_CACHE_WRITER", format!("{}:{first}", path.display()))
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let here = {
            let path = path.clone();
            std::thread::spawn(move || write_rounds(&path, 0, 40))
        };
        here.join().unwrap();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success() && stdout.contains("1 passed"), "a writer process failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        }
        assert_eq!(Summary::read(&path, 1 << 30).unwrap().vectors(), 3 * 40 * 25);
    }

    /// One writer of [`writers_in_several_processes_at_once`]; does nothing
    /// when run on its own.
    #[test]
    #[ignore = "run by writers_in_several_processes_at_once in a process of its own"]
    fn writer_process() {
        let Ok(spec) = std::env::var("SEMNAV_TEST_CACHE_WRITER") else { return };
        let (path, first) = spec.rsplit_once(':').unwrap();
        write_rounds(Path::new(path), first.parse().unwrap(), 40);
    }
}
