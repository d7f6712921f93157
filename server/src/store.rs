//! The on-disk index: one sled database per workspace.
//!
//! Trees:
//! - `files`: relative path → [`FileEntry`] (metadata, content hash and *all*
//!   of the file's chunks in one value, so a file's chunks change atomically);
//! - `vectors`: text hash → little-endian f32 bytes. This is also the
//!   index's own embedding cache: a chunk text embedded once, in any file and
//!   any earlier run, is found here by its hash and never embedded again (the
//!   machine's [`crate::vector_cache`] serves the texts other indexes embedded);
//! - `static/<static model>`: text hash → the static model's vector
//!   (`embed::static_model`), stored like `vectors`: a chunk is found by
//!   meaning before its transformer vector exists, also after a restart;
//! - `meta`: schema version, model id, skip counts;
//! - `skipped`: relative path → [`SkippedFile`], the files a refresh read and
//!   refused (binary, not UTF-8, long lines), so that they are not read
//!   again, nor reported as new, until their metadata changes.
//!
//! Vectors are written before the file entries that point at them, so after a
//! crash an entry may lack nothing but a cache may hold unused vectors. On open,
//! a different schema or model clears everything; a database sled cannot open
//! or whose records do not decode is deleted and rebuilt (it is derived data).
//! Records are encoded with postcard; file records are then compressed with
//! LZ4 (their lexical words and previews repeat a lot), vectors are stored as
//! f16 (the model's outputs are rounded to f16 when normalized, so what is
//! read back equals what was computed). File records and vectors end with a
//! CRC-32 of their bytes, checked on open (every record) and on every read, so
//! a flipped byte inside sled's files that sled itself does not notice is a
//! damaged index (rebuilt), never a wrong range or score. Vectors written in
//! earlier formats (f32, with or without a checksum) are still read, so an
//! existing embedding cache stays valid. New databases use sled segments of
//! 128 KiB (a third less disk than sled's default 512 KiB on a cold index);
//! an existing one keeps the size it was created with (sled refuses another).
//! This module does no chunking, no embedding and no searching.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::chunk::ChunkKind;
use crate::lang::Language;

/// Bump when any record layout or the embedded text format changes: the
/// whole index, vectors included, is cleared.
pub const SCHEMA_VERSION: u32 = 1;

/// Bump when what is derived from a file's text changes but the texts that
/// are embedded may not (new grammars, other chunk boundaries, the words
/// of the lexical index, the record format): the file entries are cleared and
/// every file is read again, while the vectors stay as the embedding cache.
/// Stores written before this version existed count as version 1. Version 7:
/// checksummed file records, stemmed lexical words, abbreviations expanded.
/// Version 8: file records compressed with LZ4. Version 9: a file with a
/// few long lines among many is indexed, no longer refused. Version 10:
/// chunks say whether they are test code (`#[cfg(test)]` modules and the like).
pub const CHUNKS_VERSION: u32 = 10;

/// A chunk text's identity: blake3 of model id + text. Keys the vector.
pub type TextHash = [u8; 32];

/// What the index knows of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: u64,
    /// When this entry was written, same unit: a file modified in the same
    /// instant it was read is read again next time ("racy" check).
    pub indexed_ns: u64,
    pub content_hash: [u8; 32],
    pub language: Language,
    pub chunks: Vec<StoredChunk>,
}

/// A chunk as stored: where it is, what it is, and the keys to its vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredChunk {
    pub kind: ChunkKind,
    pub name: Option<String>,
    pub container: Option<String>,
    pub start_byte: u32,
    pub end_byte: u32,
    /// 0-based, inclusive.
    pub start_line: u32,
    pub end_line: u32,
    pub text_hash: TextHash,
    /// Words for the lexical index, space-separated (identifiers split).
    pub terms: String,
    /// One line shown under a result.
    pub preview: String,
    /// Test code by what the code says, wherever its file is
    /// ([`crate::chunk::Chunk::test`]).
    pub test: bool,
}

/// Files skipped by the last refresh, by reason.
pub type SkipCounts = BTreeMap<String, u64>;

/// A file that was read and refused, as it was then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub size: u64,
    pub mtime_ns: u64,
    /// When it was read, as [`FileEntry::indexed_ns`].
    pub read_ns: u64,
    /// [`crate::discover::SkipReason::as_str`].
    pub reason: String,
}

/// What happened when the store was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    /// Opened as it was.
    Existing,
    /// No index was there.
    Created,
    /// Cleared because it was written by another schema or model.
    Reset(String),
    /// File entries cleared because another chunker wrote them; the vectors
    /// were kept, so only texts that changed are embedded again.
    Rechunk(String),
    /// Deleted and created again because it could not be read.
    Rebuilt(String),
}

pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    files: sled::Tree,
    vectors: sled::Tree,
    statics: sled::Tree,
    meta: sled::Tree,
    skipped: sled::Tree,
}

const META_SCHEMA: &[u8] = b"schema";
const META_MODEL: &[u8] = b"model";
const META_CHUNKS: &[u8] = b"chunks";
const META_SKIPS: &[u8] = b"skips";
const META_ROOT: &[u8] = b"root";

impl Store {
    /// Opens (or creates) the index in `dir` for vectors of `model_id`.
    pub fn open(dir: &Path, model_id: &str) -> Result<(Store, OpenOutcome)> {
        let existed = dir.join("db").exists();
        match Self::try_open(dir) {
            Ok(store) => match store.check_compatible(model_id) {
                Ok(None) => match store.chunks_version()? {
                    CHUNKS_VERSION => Ok((store, if existed { OpenOutcome::Existing } else { OpenOutcome::Created })),
                    other => {
                        store.files.clear()?;
                        store.skipped.clear()?;
                        store.write_header(model_id)?;
                        Ok((store, OpenOutcome::Rechunk(format!("chunker {other}, this semnav chunks with {CHUNKS_VERSION}"))))
                    }
                },
                Ok(Some(reason)) => {
                    store.clear()?;
                    store.write_header(model_id)?;
                    Ok((store, OpenOutcome::Reset(reason)))
                }
                Err(e) => {
                    drop(store);
                    Self::rebuild(dir, model_id, format!("{e:#}"))
                }
            },
            Err(OpenError::Locked(e)) => Err(e),
            Err(OpenError::Broken(e)) => Self::rebuild(dir, model_id, format!("{e:#}")),
        }
    }

    fn rebuild(dir: &Path, model_id: &str, reason: String) -> Result<(Store, OpenOutcome)> {
        tracing::warn!("the index at {} is unreadable ({reason}); rebuilding it", dir.display());
        let db_dir = dir.join("db");
        if db_dir.exists() {
            std::fs::remove_dir_all(&db_dir)
                .with_context(|| format!("cannot delete the broken index at {}", db_dir.display()))?;
        }
        let store = Self::try_open(dir).map_err(|e| match e {
            OpenError::Locked(e) | OpenError::Broken(e) => e,
        })?;
        store.write_header(model_id)?;
        Ok((store, OpenOutcome::Rebuilt(reason)))
    }

    fn try_open(dir: &Path) -> std::result::Result<Store, OpenError> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the index directory {}", dir.display()))
            .map_err(OpenError::Locked)?;
        let db_dir = dir.join("db");
        // sled 0.34 can panic on some corrupt files instead of returning an error.
        let segment_size = existing_segment_size(&db_dir).unwrap_or(SEGMENT_SIZE);
        let open = || {
            std::panic::catch_unwind(|| {
                sled::Config::new()
                    .path(&db_dir)
                    .cache_capacity(SLED_CACHE_BYTES)
                    .flush_every_ms(Some(1000))
                    .segment_size(segment_size)
                    .open()
            })
        };
        let is_locked = |e: &std::io::Error| e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("lock");
        // sled's file lock goes with its last handle, and the jobs it hands
        // to its own thread pool (log writes, segment truncation) hold one a
        // moment after the `Db` is dropped: a store closed and opened again
        // at once, in this process or by one that just exited, waits for them.
        let waiting_since = std::time::Instant::now();
        let opened = loop {
            match open() {
                Ok(Err(sled::Error::Io(e))) if is_locked(&e) && waiting_since.elapsed() < LOCK_GRACE => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                other => break other,
            }
        };
        let db = match opened {
            Ok(Ok(db)) => db,
            Ok(Err(sled::Error::Io(e))) if is_locked(&e) => {
                return Err(OpenError::Locked(anyhow::Error::new(IndexInUse { dir: db_dir.clone(), detail: e.to_string() })))
            }
            Ok(Err(e)) => return Err(OpenError::Broken(anyhow!("sled cannot open it: {e}"))),
            Err(_) => return Err(OpenError::Broken(anyhow!("sled panicked while opening it"))),
        };
        let tree = |name: &str| db.open_tree(name).map_err(|e| OpenError::Broken(anyhow!("cannot open tree {name}: {e}")));
        Ok(Store { dir: dir.to_path_buf(), files: tree("files")?, vectors: tree("vectors")?, statics: tree(&format!("static/{}", crate::embed::static_model::STATIC_MODEL))?, meta: tree("meta")?, skipped: tree("skipped")?, db })
    }

    /// `Ok(None)` when the stored schema and model match; `Ok(Some(why))` when
    /// the store must be cleared; `Err` when its records do not decode.
    fn check_compatible(&self, model_id: &str) -> Result<Option<String>> {
        let schema = self.meta.get(META_SCHEMA)?;
        let model = self.meta.get(META_MODEL)?;
        match (schema, model) {
            (None, None) => {
                if !self.files.is_empty() {
                    bail!("file records without a header");
                }
                self.write_header(model_id)?;
                Ok(None)
            }
            (Some(schema), Some(model)) => {
                let schema: u32 = postcard::from_bytes(&schema).context("bad schema record")?;
                let model: String = postcard::from_bytes(&model).context("bad model record")?;
                if schema != SCHEMA_VERSION {
                    return Ok(Some(format!("schema {schema}, this semnav writes {SCHEMA_VERSION}")));
                }
                if model != model_id {
                    return Ok(Some(format!("model {model}, now {model_id}")));
                }
                // Every record must decode; a half-written or damaged one means rebuild.
                let current = self.chunks_version()? == CHUNKS_VERSION;
                for item in self.files.iter() {
                    let (key, value) = item?;
                    let path = std::str::from_utf8(&key).context("a file key is not UTF-8")?;
                    // Records of an older chunker are cleared next, unread.
                    if current {
                        decode_entry(&value).with_context(|| format!("the record of {path} does not decode"))?;
                    }
                }
                for item in self.vectors.iter().chain(self.statics.iter()) {
                    let (key, value) = item?;
                    decode_vector(&value).with_context(|| format!("the vector {} is damaged", hex_prefix(&key)))?;
                }
                Ok(None)
            }
            _ => bail!("incomplete header"),
        }
    }

    /// The chunker version the file entries were written by.
    fn chunks_version(&self) -> Result<u32> {
        match self.meta.get(META_CHUNKS)? {
            Some(v) => postcard::from_bytes(&v).context("bad chunker record"),
            None => Ok(1),
        }
    }

    fn write_header(&self, model_id: &str) -> Result<()> {
        self.meta.insert(META_SCHEMA, postcard::to_allocvec(&SCHEMA_VERSION)?)?;
        self.meta.insert(META_MODEL, postcard::to_allocvec(model_id)?)?;
        self.meta.insert(META_CHUNKS, postcard::to_allocvec(&CHUNKS_VERSION)?)?;
        self.db.flush()?;
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        self.files.clear()?;
        self.skipped.clear()?;
        self.vectors.clear()?;
        self.statics.clear()?;
        self.meta.clear()?;
        Ok(())
    }

    /// The model id recorded in the index at `dir`, without checking anything
    /// else (for `status`, which must work without loading the model).
    pub fn peek_model(dir: &Path) -> Result<Option<String>> {
        let store = Self::try_open(dir).map_err(|e| match e {
            OpenError::Locked(e) | OpenError::Broken(e) => e,
        })?;
        Ok(store.model_id())
    }

    /// The workspace root recorded in the index at `dir` and its chunk
    /// count, for listing indexes whose marker is missing or damaged.
    pub fn peek_root_and_chunks(dir: &Path) -> Result<(Option<PathBuf>, Option<u64>)> {
        if !dir.join("db").is_dir() {
            bail!("no database in {}", dir.display());
        }
        let store = Self::try_open(dir).map_err(|e| match e {
            OpenError::Locked(e) | OpenError::Broken(e) => e,
        })?;
        let root = store.meta.get(META_ROOT)?.map(|v| PathBuf::from(String::from_utf8_lossy(&v).into_owned()));
        let chunks = store.files().map(|item| item.map(|(_, e)| e.chunks.len() as u64)).sum::<Result<u64>>().ok();
        Ok((root, chunks))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every file entry, in path order.
    pub fn files(&self) -> impl Iterator<Item = Result<(String, FileEntry)>> + '_ {
        self.files.iter().map(|item| {
            let (key, value) = item?;
            let path = String::from_utf8(key.to_vec()).context("a file key is not UTF-8")?;
            let entry = decode_entry(&value).with_context(|| format!("the record of {path} does not decode"))?;
            Ok((path, entry))
        })
    }

    pub fn file(&self, path: &str) -> Result<Option<FileEntry>> {
        match self.files.get(path.as_bytes())? {
            Some(v) => Ok(Some(decode_entry(&v).with_context(|| format!("the record of {path} does not decode"))?)),
            None => Ok(None),
        }
    }

    /// Replaces a file's entry, chunks included, in one write.
    pub fn put_file(&self, path: &str, entry: &FileEntry) -> Result<()> {
        self.files.insert(path.as_bytes(), encode_entry(entry)?)?;
        Ok(())
    }

    pub fn remove_file(&self, path: &str) -> Result<()> {
        self.files.remove(path.as_bytes())?;
        Ok(())
    }

    /// What the last refresh that refused `path` saw of it; `None` when it
    /// was not refused (or its record does not decode: it is read again).
    pub fn skipped_file(&self, path: &str) -> Result<Option<SkippedFile>> {
        Ok(self.skipped.get(path.as_bytes())?.and_then(|v| postcard::from_bytes(&v).ok()))
    }

    pub fn put_skipped_file(&self, path: &str, skipped: &SkippedFile) -> Result<()> {
        self.skipped.insert(path.as_bytes(), postcard::to_allocvec(skipped)?)?;
        Ok(())
    }

    /// Forgets a refused file, if it was recorded.
    pub fn remove_skipped_file(&self, path: &str) -> Result<()> {
        self.skipped.remove(path.as_bytes())?;
        Ok(())
    }

    /// The paths of every refused file, in path order.
    pub fn skipped_paths(&self) -> impl Iterator<Item = Result<String>> + '_ {
        self.skipped.iter().map(|item| {
            let (key, _) = item?;
            String::from_utf8(key.to_vec()).context("a skipped file's key is not UTF-8")
        })
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// A vector; an error when its checksum does not match.
    pub fn vector(&self, hash: &TextHash) -> Result<Option<Vec<f32>>> {
        read_vector(&self.vectors, hash, "vector")
    }

    pub fn has_vector(&self, hash: &TextHash) -> Result<bool> {
        Ok(self.vectors.contains_key(hash)?)
    }

    /// Stores vectors in one atomic batch.
    pub fn put_vectors(&self, vectors: &[(TextHash, Vec<f32>)]) -> Result<()> {
        write_vectors(&self.vectors, vectors)
    }

    /// A text's static vector; an error when its checksum does not match.
    pub fn static_vector(&self, hash: &TextHash) -> Result<Option<Vec<f32>>> {
        read_vector(&self.statics, hash, "static vector")
    }

    pub fn has_static_vector(&self, hash: &TextHash) -> Result<bool> {
        Ok(self.statics.contains_key(hash)?)
    }

    /// Stores static vectors in one atomic batch.
    pub fn put_static_vectors(&self, vectors: &[(TextHash, Vec<f32>)]) -> Result<()> {
        write_vectors(&self.statics, vectors)
    }

    pub fn vector_count(&self) -> usize {
        self.vectors.len()
    }

    pub fn set_skip_counts(&self, counts: &SkipCounts) -> Result<()> {
        self.meta.insert(META_SKIPS, postcard::to_allocvec(counts)?)?;
        Ok(())
    }

    pub fn skip_counts(&self) -> SkipCounts {
        self.meta
            .get(META_SKIPS)
            .ok()
            .flatten()
            .and_then(|v| postcard::from_bytes(&v).ok())
            .unwrap_or_default()
    }

    /// Remembers which workspace root this index belongs to.
    pub fn set_root(&self, root: &Path) -> Result<()> {
        self.meta.insert(META_ROOT, root.to_string_lossy().as_bytes())?;
        Ok(())
    }

    pub fn model_id(&self) -> Option<String> {
        self.meta.get(META_MODEL).ok().flatten().and_then(|v| postcard::from_bytes(&v).ok())
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().context("cannot flush the index to disk")?;
        Ok(())
    }

    /// Bytes of the live records as stored (keys and values, after
    /// compression): file records, vectors. For measurements.
    pub fn record_bytes(&self) -> (u64, u64) {
        let sum = |tree: &sled::Tree| tree.iter().flatten().map(|(k, v)| (k.len() + v.len()) as u64).sum();
        (sum(&self.files), sum(&self.vectors))
    }

    /// Bytes the index takes on disk (the database and anything beside it).
    pub fn disk_bytes(&self) -> u64 {
        crate::housekeeping::dir_size(&self.dir)
    }
}

/// The error when another process holds the index (sled's lock): callers
/// that can work without it (a server) find it with `downcast_ref`.
#[derive(Debug, thiserror::Error)]
#[error("the index at {} is in use by another semnav process ({detail})", dir.display())]
pub struct IndexInUse {
    pub dir: PathBuf,
    pub detail: String,
}

enum OpenError {
    /// Another process holds the database: never delete it.
    Locked(anyhow::Error),
    /// Unreadable: delete and rebuild.
    Broken(anyhow::Error),
}

/// How long opening waits for sled's lock before the index counts as held
/// by another process (see [`Store::try_open`]).
const LOCK_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// What sled may keep of the database in memory. Loading an index reads
/// every file's record once and a search answers from memory, so a larger
/// cache mostly holds what was read at start: at 100k chunks a cache of
/// 64 MiB kept about 56 MB of an idle server's heap (heaptrack).
const SLED_CACHE_BYTES: u64 = 16 << 20;

/// sled's segment size for a new database: smaller than sled's default
/// (512 KiB), whose half-empty segments were most of a cold index's disk.
const SEGMENT_SIZE: usize = 128 << 10;

/// The segment size an existing database at `db_dir` was created with (sled
/// refuses to open it with another); `None` when there is none or it does
/// not say (sled then reports what is wrong).
fn existing_segment_size(db_dir: &Path) -> Option<usize> {
    // Text lines, then sled's binary checksum.
    let conf = std::fs::read(db_dir.join("conf")).ok()?;
    let text = String::from_utf8_lossy(&conf);
    text.lines().find_map(|line| line.strip_prefix("segment_size: ")).and_then(|n| n.trim().parse().ok())
}

/// The first byte of a vector stored as f16 (an odd-length body, which no
/// f32 vector has).
const F16_TAG: u8 = 0x16;

/// The vector under `hash` in `tree` (the transformer's or the static
/// model's), its checksum checked; the error names `what` and the hash.
fn read_vector(tree: &sled::Tree, hash: &TextHash, what: &str) -> Result<Option<Vec<f32>>> {
    match tree.get(hash)? {
        Some(bytes) => Ok(Some(decode_vector(&bytes).with_context(|| format!("the {what} {} is damaged", hex_prefix(hash)))?)),
        None => Ok(None),
    }
}

/// Writes `vectors` into `tree` in one atomic batch.
fn write_vectors(tree: &sled::Tree, vectors: &[(TextHash, Vec<f32>)]) -> Result<()> {
    let mut batch = sled::Batch::default();
    for (hash, v) in vectors {
        batch.insert(&hash[..], encode_vector(v));
    }
    tree.apply_batch(batch)?;
    Ok(())
}

/// A vector's bytes: a tag, little-endian f16s, then the CRC-32 of those bytes.
pub fn encode_vector(v: &[f32]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + 2 * v.len() + 4);
    bytes.push(F16_TAG);
    bytes.extend(v.iter().flat_map(|&x| half::f16::from_f32(x).to_le_bytes()));
    with_checksum(bytes)
}

/// A vector from its bytes, its checksum checked. Earlier formats are read
/// too: f32s with a checksum, and f32s without one (exactly `4 · DIM` bytes).
pub fn decode_vector(bytes: &[u8]) -> Result<Vec<f32>> {
    if bytes.len() == 4 * crate::embed::DIM {
        return Ok(f32s(bytes));
    }
    let body = checked(bytes)?;
    match body.split_first() {
        Some((&F16_TAG, halves)) if halves.len() % 2 == 0 => {
            Ok(halves.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect())
        }
        _ if body.len() % 4 == 0 => Ok(f32s(body)),
        _ => bail!("{} bytes are no vector", bytes.len()),
    }
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

/// `bytes` followed by their CRC-32 (little-endian).
fn with_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// The bytes before a record's CRC-32, when it matches.
fn checked(record: &[u8]) -> Result<&[u8]> {
    let Some(split) = record.len().checked_sub(4) else { bail!("a record of {} bytes has no checksum", record.len()) };
    let (body, crc) = record.split_at(split);
    let stored = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    let actual = crc32fast::hash(body);
    if stored != actual {
        bail!("checksum mismatch (stored {stored:08x}, computed {actual:08x})");
    }
    Ok(body)
}

/// A file record: postcard, compressed with LZ4 (size prepended), then its CRC-32.
fn encode_entry(entry: &FileEntry) -> Result<Vec<u8>> {
    Ok(with_checksum(lz4_flex::compress_prepend_size(&postcard::to_allocvec(entry)?)))
}

fn decode_entry(record: &[u8]) -> Result<FileEntry> {
    let bytes = lz4_flex::decompress_size_prepended(checked(record)?).context("the record does not decompress")?;
    Ok(postcard::from_bytes(&bytes)?)
}

fn hex_prefix(key: &[u8]) -> String {
    key.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The key of a chunk text's vector.
pub fn text_hash(model_id: &str, text: &str) -> TextHash {
    let mut h = blake3::Hasher::new();
    h.update(model_id.as_bytes());
    h.update(&[0]);
    h.update(text.as_bytes());
    *h.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32) -> FileEntry {
        FileEntry {
            size: 10,
            mtime_ns: 5,
            indexed_ns: 6,
            content_hash: [n as u8; 32],
            language: Language::Rust,
            chunks: vec![StoredChunk {
                kind: ChunkKind::Function,
                name: Some("load_config".into()),
                container: Some("Config".into()),
                start_byte: 0,
                end_byte: 10,
                start_line: 0,
                end_line: n,
                text_hash: [7; 32],
                terms: "load config".into(),
                preview: "fn load_config()".into(),
                test: false,
            }],
        }
    }

    #[test]
    fn round_trips_files_and_vectors_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, outcome) = Store::open(dir.path(), "m1").unwrap();
            assert_eq!(outcome, OpenOutcome::Created);
            store.put_file("src/a.rs", &entry(3)).unwrap();
            store.put_vectors(&[([7; 32], vec![0.5, -1.25, 3.0])]).unwrap();
            store.flush().unwrap();
        }
        let (store, outcome) = Store::open(dir.path(), "m1").unwrap();
        assert_eq!(outcome, OpenOutcome::Existing);
        assert_eq!(store.file("src/a.rs").unwrap(), Some(entry(3)));
        assert_eq!(store.vector(&[7; 32]).unwrap(), Some(vec![0.5, -1.25, 3.0]));
        let all: Vec<_> = store.files().collect::<Result<_>>().unwrap();
        assert_eq!(all.len(), 1);
        store.remove_file("src/a.rs").unwrap();
        assert_eq!(store.file("src/a.rs").unwrap(), None);
    }

    #[test]
    fn another_model_clears_the_index() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), "m1").unwrap();
            store.put_file("a.rs", &entry(1)).unwrap();
            store.put_vectors(&[([7; 32], vec![1.0])]).unwrap();
            store.flush().unwrap();
        }
        let (store, outcome) = Store::open(dir.path(), "m2").unwrap();
        assert!(matches!(outcome, OpenOutcome::Reset(_)), "{outcome:?}");
        assert_eq!(store.file_count(), 0);
        assert_eq!(store.vector_count(), 0);
        assert_eq!(store.model_id().as_deref(), Some("m2"));
    }

    #[test]
    fn opening_waits_a_moment_for_a_store_being_closed() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), "m1").unwrap();
        store.put_file("a.rs", &entry(1)).unwrap();
        let closing = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(store);
        });
        let (store, outcome) = Store::open(dir.path(), "m1").expect("opened once the other handle is gone");
        assert_eq!(outcome, OpenOutcome::Existing);
        assert_eq!(store.file_count(), 1);
        closing.join().unwrap();
    }

    #[test]
    fn another_chunker_clears_the_files_and_keeps_the_vectors() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), "m1").unwrap();
            store.put_file("a.rs", &entry(1)).unwrap();
            store.put_vectors(&[([7; 32], vec![1.0])]).unwrap();
            store.meta.insert(META_CHUNKS, postcard::to_allocvec(&(CHUNKS_VERSION - 1)).unwrap()).unwrap();
            store.flush().unwrap();
        }
        let (store, outcome) = Store::open(dir.path(), "m1").unwrap();
        assert!(matches!(outcome, OpenOutcome::Rechunk(_)), "{outcome:?}");
        assert_eq!(store.file_count(), 0, "every file is read again");
        assert_eq!(store.vector(&[7; 32]).unwrap(), Some(vec![1.0]), "the embedding cache stays");
        drop(store);
        let (_, outcome) = Store::open(dir.path(), "m1").unwrap();
        assert_eq!(outcome, OpenOutcome::Existing, "once");
    }

    #[test]
    fn a_new_database_uses_small_segments_and_an_existing_one_keeps_its_own() {
        let segment = |dir: &Path| existing_segment_size(&dir.join("db"));
        let fresh = tempfile::tempdir().unwrap();
        drop(Store::open(fresh.path(), "m1").unwrap());
        assert_eq!(segment(fresh.path()), Some(SEGMENT_SIZE));
        // A database created with sled's default segments (as semnav did
        // before) opens as it is, its records kept.
        let old = tempfile::tempdir().unwrap();
        {
            let db = sled::Config::new().path(old.path().join("db")).open().unwrap();
            db.flush().unwrap();
        }
        assert_eq!(segment(old.path()), Some(512 << 10));
        {
            let (store, outcome) = Store::open(old.path(), "m1").unwrap();
            assert_eq!(outcome, OpenOutcome::Existing);
            store.put_file("a.rs", &entry(1)).unwrap();
            store.flush().unwrap();
        }
        let (store, outcome) = Store::open(old.path(), "m1").unwrap();
        assert_eq!((outcome, store.file("a.rs").unwrap()), (OpenOutcome::Existing, Some(entry(1))));
        assert_eq!(segment(old.path()), Some(512 << 10));
    }

    #[test]
    fn garbage_database_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), "m1").unwrap();
            store.put_file("a.rs", &entry(1)).unwrap();
            store.flush().unwrap();
        }
        // Overwrite every file of the database with garbage.
        for f in std::fs::read_dir(dir.path().join("db")).unwrap().flatten() {
            if f.path().is_file() {
                std::fs::write(f.path(), vec![0xAB; 4096]).unwrap();
            }
        }
        let (store, outcome) = Store::open(dir.path(), "m1").unwrap();
        assert!(matches!(outcome, OpenOutcome::Rebuilt(_)), "{outcome:?}");
        assert_eq!(store.file_count(), 0);
    }

    #[test]
    fn undecodable_record_means_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path(), "m1").unwrap();
            store.files.insert("a.rs", &b"\xff\xff\xff"[..]).unwrap();
            store.flush().unwrap();
        }
        let (_, outcome) = Store::open(dir.path(), "m1").unwrap();
        assert!(matches!(outcome, OpenOutcome::Rebuilt(_)), "{outcome:?}");
    }

    #[test]
    fn a_record_or_vector_whose_checksum_fails_means_rebuild() {
        for tree in ["files", "vectors"] {
            let dir = tempfile::tempdir().unwrap();
            {
                let (store, _) = Store::open(dir.path(), "m1").unwrap();
                store.put_file("a.rs", &entry(2)).unwrap();
                store.put_vectors(&[([7; 32], vec![0.5; 384])]).unwrap();
                // One bit of the stored value flipped, as a damaged disk would.
                let t = if tree == "files" { &store.files } else { &store.vectors };
                let (key, value) = t.iter().next().unwrap().unwrap();
                let mut bad = value.to_vec();
                bad[3] ^= 0x10;
                t.insert(key, bad).unwrap();
                store.flush().unwrap();
            }
            let (store, outcome) = Store::open(dir.path(), "m1").unwrap();
            assert!(matches!(&outcome, OpenOutcome::Rebuilt(why) if why.contains("checksum")), "{tree}: {outcome:?}");
            assert_eq!((store.file_count(), store.vector_count()), (0, 0));
        }
    }

    #[test]
    fn vectors_encode_as_f16_with_a_checksum() {
        assert_eq!(encode_vector(&[1.0])[..3], [F16_TAG, 0x00, 0x3c], "tag, then 1.0 as a little-endian f16");
        assert_eq!(encode_vector(&vec![0.5; 384]).len(), 1 + 768 + 4);
        assert_eq!(decode_vector(&encode_vector(&[0.25, -2.0])).unwrap(), vec![0.25, -2.0]);
        // Rounded to f16: what is read back is `embed::to_stored_precision` of what was written.
        let v = [0.123_456_f32, -0.000_321, 0.987_654];
        let back = decode_vector(&encode_vector(&v)).unwrap();
        for (a, b) in v.iter().zip(&back) {
            assert_eq!(*b, crate::embed::to_stored_precision(*a));
            assert!((a - b).abs() <= a.abs() / 1024.0, "{a} came back as {b}");
        }
        // Written before checksums: 4 · 384 bytes, read as they are.
        let legacy: Vec<u8> = (0..384).flat_map(|i| (i as f32).to_le_bytes()).collect();
        assert_eq!(decode_vector(&legacy).unwrap()[383], 383.0);
        // f32s with a checksum (the format before f16): read as they are.
        let checked_f32 = with_checksum((0..384).flat_map(|i| (i as f32 / 7.0).to_le_bytes()).collect());
        assert_eq!(decode_vector(&checked_f32).unwrap()[5], 5.0 / 7.0);
        // Any flipped bit of a checked vector is caught.
        let good = encode_vector(&vec![0.5; 384]);
        for bit in [0, 7, 100 * 8 + 3, good.len() * 8 - 1] {
            let mut bad = good.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(decode_vector(&bad).is_err(), "bit {bit}");
        }
        assert_ne!(text_hash("m1", "x"), text_hash("m2", "x"));
    }
}
