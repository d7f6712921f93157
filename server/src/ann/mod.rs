//! Nearest neighbours over unit vectors: an exact scan, and an HNSW graph
//! (instant-distance) for large indexes.
//!
//! Below [`ANN_THRESHOLD`] vectors the exact scan is both fast and exact. Above
//! it, an HNSW base is built in the background; vectors added since the build
//! (the *delta*) are scanned exactly and removed ones (*tombstones*) skipped,
//! and the two result lists are merged at query time. instant-distance cannot
//! insert or delete, so the base is rebuilt once the delta or tombstones grow
//! past [`REBUILD_FRACTION`] of it. The graph holds its points quantized to
//! one byte per dimension ([`QuantizedVector`]): they only steer the walk, and
//! the candidates it finds are scored exactly from the index's vectors (f16,
//! the numbers the store keeps), so what a search returns is never an
//! approximated score. This module knows vectors and keys only, not chunks or
//! files.
//!
//! `SEMNAV_ANN_THRESHOLD=n` (read once, see [`ann_threshold`]) lowers the
//! threshold so that tests and measurements can build, save and kill a graph
//! on a small workspace. It is not a user setting: below 50,000 vectors the
//! exact scan is faster and exact.

use std::collections::{HashMap, HashSet};

use half::f16;
use instant_distance::{Builder, HnswMap, Search};

mod dot;
pub use dot::{dot, dot_f16};
use serde::{Deserialize, Serialize};

/// Above this many vectors an HNSW base is worth building (see benches/ann).
pub const ANN_THRESHOLD: usize = 50_000;

/// The threshold in force: [`ANN_THRESHOLD`], or `SEMNAV_ANN_THRESHOLD` (a
/// positive number; for tests and measurements only), read once per process.
pub fn ann_threshold() -> usize {
    static THRESHOLD: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THRESHOLD.get_or_init(|| match std::env::var("SEMNAV_ANN_THRESHOLD") {
        Err(_) => ANN_THRESHOLD,
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                tracing::warn!("ignoring SEMNAV_ANN_THRESHOLD={v:?}: not a positive number; using {ANN_THRESHOLD}");
                ANN_THRESHOLD
            }
        },
    })
}
/// Rebuild the base when delta + tombstones exceed this fraction of it.
pub const REBUILD_FRACTION: f32 = 0.2;

/// The `k` best `(row, score)` of a row-major f32 matrix against `query`,
/// best first, over the rows `keep` accepts. Filters apply before the top k
/// is cut. (The index scans its f16 rows itself; this is the f32 baseline
/// that benches/vectors compares it with.)
pub fn exact_top_k(matrix: &[f32], dim: usize, query: &[f32], k: usize, keep: impl Fn(usize) -> bool) -> Vec<(usize, f32)> {
    scan_top_k(matrix, dim, k, keep, |v| dot(v, query))
}

/// The `k` best `(row, score)` of a row-major matrix of any element, by
/// `score` of each row `keep` accepts, best first.
fn scan_top_k<T>(matrix: &[T], dim: usize, k: usize, keep: impl Fn(usize) -> bool, score: impl Fn(&[T]) -> f32) -> Vec<(usize, f32)> {
    if k == 0 || dim == 0 {
        return Vec::new();
    }
    let mut top = TopK::new(k);
    for (row, v) in matrix.chunks_exact(dim).enumerate() {
        if keep(row) {
            top.push(row, score(v));
        }
    }
    top.into_sorted()
}

/// Keeps the k highest scores seen.
pub struct TopK {
    k: usize,
    items: Vec<(usize, f32)>,
    min: f32,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        TopK { k, items: Vec::with_capacity(k + 1), min: f32::NEG_INFINITY }
    }

    #[inline]
    pub fn push(&mut self, id: usize, score: f32) {
        if self.items.len() < self.k {
            self.items.push((id, score));
            if self.items.len() == self.k {
                self.min = self.items.iter().map(|x| x.1).fold(f32::INFINITY, f32::min);
            }
        } else if score > self.min {
            if let Some(pos) = self.items.iter().position(|x| x.1 == self.min) {
                self.items[pos] = (id, score);
            }
            self.min = self.items.iter().map(|x| x.1).fold(f32::INFINITY, f32::min);
        }
    }

    pub fn into_sorted(mut self) -> Vec<(usize, f32)> {
        self.items.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        self.items
    }
}

/// The longest vector an HNSW graph can hold (the model's dimension); shorter
/// ones are padded with zeros, which leaves every dot product unchanged.
pub const GRAPH_DIM: usize = crate::embed::DIM;

/// A unit vector as an HNSW point: one signed byte per dimension and a scale
/// (`max |x| / 127`), so `x ≈ scale * codes`. A quarter of the memory of the
/// f32 vector, inline in the graph's point array (no pointer to follow), and
/// an integer dot product: the graph walk reads a quarter of the bytes. Its
/// distances (1 - cosine, within 0.01 of the exact one in the tests) only
/// steer the walk;
/// [`VectorIndex::search`] scores the candidates it returns exactly.
#[derive(Clone, Serialize, Deserialize)]
#[serde(into = "StoredCodes", try_from = "StoredCodes")]
pub struct QuantizedVector {
    scale: f32,
    codes: [i8; GRAPH_DIM],
}

/// How a [`QuantizedVector`] is written (serde derives no arrays of 384).
#[derive(Serialize, Deserialize)]
struct StoredCodes {
    scale: f32,
    codes: Vec<i8>,
}

impl From<QuantizedVector> for StoredCodes {
    fn from(q: QuantizedVector) -> Self {
        StoredCodes { scale: q.scale, codes: q.codes.to_vec() }
    }
}

impl TryFrom<StoredCodes> for QuantizedVector {
    type Error = String;

    fn try_from(s: StoredCodes) -> Result<Self, String> {
        let codes = s.codes.try_into().map_err(|c: Vec<i8>| format!("a graph point has {} dimensions, expected {GRAPH_DIM}", c.len()))?;
        Ok(QuantizedVector { scale: s.scale, codes })
    }
}

impl QuantizedVector {
    /// `None` for a vector longer than [`GRAPH_DIM`].
    pub fn new(v: &[f32]) -> Option<Self> {
        if v.len() > GRAPH_DIM {
            return None;
        }
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let mut codes = [0i8; GRAPH_DIM];
        for (code, x) in codes.iter_mut().zip(v) {
            *code = (x / scale).round().clamp(-127.0, 127.0) as i8;
        }
        Some(QuantizedVector { scale, codes })
    }

    /// The approximate cosine of two unit vectors.
    pub fn cosine(&self, other: &Self) -> f32 {
        self.scale * other.scale * dot_i8(&self.codes, &other.codes) as f32
    }
}

impl instant_distance::Point for QuantizedVector {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - self.cosine(other)
    }
}

/// Integer dot product of two code arrays: with AVX2 (checked once at run
/// time) 32 bytes a step, elsewhere a loop the compiler vectorises.
#[inline]
fn dot_i8(a: &[i8; GRAPH_DIM], b: &[i8; GRAPH_DIM]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has the feature `dot_i8_avx2` is compiled for.
            return unsafe { dot_i8_avx2(a, b) };
        }
    }
    dot_i8_portable(a, b)
}

#[inline]
fn dot_i8_portable(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum()
}

/// Widens 16 bytes of each side to i16 and multiply-adds pairs into eight
/// i32 lanes (no overflow: |sum| ≤ 384 · 127² < 2³¹); two accumulators.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_i8_avx2(a: &[i8; GRAPH_DIM], b: &[i8; GRAPH_DIM]) -> i32 {
    use std::arch::x86_64::*;
    const STEP: usize = 32;
    let steps = GRAPH_DIM / STEP;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    // SAFETY: every load reads 16 bytes at an offset below `steps * 32 <= GRAPH_DIM`.
    unsafe {
        let mut acc = [_mm256_setzero_si256(); 2];
        for step in 0..steps {
            for (half, sum) in acc.iter_mut().enumerate() {
                let offset = step * STEP + half * 16;
                let x = _mm256_cvtepi8_epi16(_mm_loadu_si128(pa.add(offset).cast()));
                let y = _mm256_cvtepi8_epi16(_mm_loadu_si128(pb.add(offset).cast()));
                *sum = _mm256_add_epi32(*sum, _mm256_madd_epi16(x, y));
            }
        }
        let mut lanes = [0i32; 8];
        _mm256_storeu_si256(lanes.as_mut_ptr().cast(), _mm256_add_epi32(acc[0], acc[1]));
        lanes.iter().sum::<i32>() + dot_i8_portable(&a[steps * STEP..], &b[steps * STEP..])
    }
}

/// An HNSW graph over vectors identified by key `K` (semnav uses the text
/// hash, so the graph survives any reordering of chunks).
#[derive(Serialize, Deserialize)]
pub struct HnswBase<K: Clone> {
    map: HnswMap<QuantizedVector, K>,
    len: usize,
}

impl<K: Clone + Send + Sync + Eq + std::hash::Hash> HnswBase<K> {
    /// Builds a graph; runs on the calling thread plus the current rayon pool
    /// (call it inside a bounded pool's `install`). `None` when a vector is
    /// longer than [`GRAPH_DIM`].
    pub fn build(points: Vec<Vec<f32>>, keys: Vec<K>) -> Option<Self> {
        let len = points.len();
        let points = points.iter().map(|p| QuantizedVector::new(p)).collect::<Option<Vec<_>>>()?;
        let map = Builder::default().ef_construction(100).ef_search(100).seed(7).build(points, keys);
        Some(HnswBase { map, len })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Keys of the graph's nearest neighbours, nearest first by the quantized
    /// cosine, at most `k`, skipping keys `skip` accepts.
    pub fn search(&self, query: &[f32], k: usize, skip: impl Fn(&K) -> bool) -> Vec<K> {
        let Some(q) = QuantizedVector::new(query) else { return Vec::new() };
        let mut search = Search::default();
        self.map.search(&q, &mut search).filter(|item| !skip(item.value)).take(k).map(|item| item.value.clone()).collect()
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.map.values.iter()
    }
}

/// Vectors by key, searchable exactly, with an optional HNSW base plus an exact
/// delta and tombstones. The vectors are held as f16, as the store keeps
/// them: half the memory of f32 (150 → 75 MB at 100k chunks), and the same
/// numbers a restart would load, so an answer does not depend on whether its
/// vectors came from the model or from the disk.
pub struct VectorIndex<K: Clone + Eq + std::hash::Hash> {
    dim: usize,
    keys: Vec<K>,
    matrix: Vec<f16>,
    row_of: HashMap<K, usize>,
    /// Whether each row is its key's current row (a plain vector: the scan
    /// checks it for every row of every query).
    live: Vec<bool>,
    base: Option<std::sync::Arc<HnswBase<K>>>,
    /// Rows not in the base.
    delta: Vec<usize>,
    /// Base keys no longer present.
    tombstones: HashSet<K>,
}

impl<K: Clone + Eq + std::hash::Hash + Send + Sync> VectorIndex<K> {
    pub fn new(dim: usize) -> Self {
        VectorIndex { dim, keys: Vec::new(), matrix: Vec::new(), row_of: HashMap::new(), live: Vec::new(), base: None, delta: Vec::new(), tombstones: HashSet::new() }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Live vectors.
    pub fn len(&self) -> usize {
        self.row_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row_of.is_empty()
    }

    /// Rows held, live or not.
    pub fn rows(&self) -> usize {
        self.keys.len()
    }

    /// Drops removed rows once they outnumber live ones. Only without a base:
    /// with one, the next base build starts from the live rows anyway.
    pub fn compact_if_needed(&mut self) {
        if self.base.is_some() || self.keys.len() <= 2 * self.row_of.len() + 1024 {
            return;
        }
        let (points, keys) = self.live_points();
        *self = VectorIndex::new(self.dim);
        for (k, v) in keys.into_iter().zip(points) {
            self.insert(k, &v);
        }
    }

    /// Adds (or keeps) a vector under `key`; returns its row.
    pub fn insert(&mut self, key: K, vector: &[f32]) -> usize {
        if let Some(&row) = self.row_of.get(&key) {
            return row;
        }
        let row = self.keys.len();
        self.keys.push(key.clone());
        self.matrix.extend(vector.iter().take(self.dim).map(|&x| f16::from_f32(x)));
        self.matrix.resize((row + 1) * self.dim, f16::ZERO);
        self.row_of.insert(key.clone(), row);
        self.live.push(true);
        // A key back in the index that the base holds (a key names its
        // vector) is the base's again; only a key new to it joins the delta.
        // Both would return it twice.
        if self.base.is_some() && !self.tombstones.remove(&key) {
            self.delta.push(row);
        }
        row
    }

    pub fn row(&self, key: &K) -> Option<usize> {
        self.row_of.get(key).copied()
    }

    pub fn key(&self, row: usize) -> &K {
        &self.keys[row]
    }

    /// The vector of `row`, widened to f32.
    pub fn vector(&self, row: usize) -> Vec<f32> {
        self.row_values(row).iter().map(|h| h.to_f32()).collect()
    }

    /// The dot product of `row`'s vector and `query`.
    pub fn dot(&self, row: usize, query: &[f32]) -> f32 {
        dot_f16(self.row_values(row), query)
    }

    fn row_values(&self, row: usize) -> &[f16] {
        &self.matrix[row * self.dim..(row + 1) * self.dim]
    }

    /// Holds no more memory than the rows need (after a load, whose growth
    /// by doubling can leave up to twice that reserved).
    pub fn shrink_to_fit(&mut self) {
        self.matrix.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.live.shrink_to_fit();
    }

    /// Marks keys gone (they stay in memory until the next compaction but are
    /// never returned).
    pub fn remove(&mut self, key: &K) {
        if let Some(row) = self.row_of.remove(key) {
            self.live[row] = false;
            if self.base.is_some() {
                self.tombstones.insert(key.clone());
            }
        }
    }

    pub fn contains(&self, key: &K) -> bool {
        self.row_of.contains_key(key)
    }

    /// Installs an HNSW base; every present row not in it becomes delta.
    pub fn set_base(&mut self, base: std::sync::Arc<HnswBase<K>>) {
        let in_base: HashSet<&K> = base.keys().collect();
        self.delta = self.row_of.iter().filter(|(k, _)| !in_base.contains(k)).map(|(_, &r)| r).collect();
        self.tombstones = base.keys().filter(|k| !self.row_of.contains_key(*k)).cloned().collect();
        self.base = Some(base);
    }

    pub fn base(&self) -> Option<&std::sync::Arc<HnswBase<K>>> {
        self.base.as_ref()
    }

    /// Drops the base: searches scan exactly until another is set.
    pub fn clear_base(&mut self) {
        self.base = None;
        self.delta.clear();
        self.tombstones.clear();
    }

    /// The base's drift from the vectors: (vectors not in it, keys of it no
    /// longer present); `(0, 0)` without a base.
    pub fn base_drift(&self) -> (usize, usize) {
        (self.delta.iter().filter(|&&r| self.live[r]).count(), self.tombstones.len())
    }

    /// Whether the base is missing (and worth having) or stale.
    pub fn needs_base(&self) -> bool {
        let live = self.row_of.len();
        if self.dim > GRAPH_DIM {
            return false;
        }
        match &self.base {
            None => live >= ann_threshold(),
            Some(b) => (self.delta.len() + self.tombstones.len()) as f32 > REBUILD_FRACTION * b.len() as f32,
        }
    }

    /// The live vectors and keys, for building a base elsewhere.
    pub fn live_points(&self) -> (Vec<Vec<f32>>, Vec<K>) {
        let mut rows: Vec<usize> = self.row_of.values().copied().collect();
        rows.sort_unstable();
        (rows.iter().map(|&r| self.vector(r)).collect(), rows.iter().map(|&r| self.keys[r].clone()).collect())
    }

    /// The `k` best rows for `query`, over the rows `keep` accepts. Uses the
    /// HNSW base when there is one (over-fetching to leave room for the
    /// filter, then scanning exactly if the filter left too few).
    pub fn search(&self, query: &[f32], k: usize, keep: impl Fn(usize) -> bool) -> Vec<(usize, f32)> {
        let live = |row: usize| self.live[row];
        let Some(base) = &self.base else {
            return self.exact(query, k, |r| live(r) && keep(r));
        };
        let mut top = TopK::new(k);
        let from_base = base.search(query, k * 4 + 16, |key| self.tombstones.contains(key));
        let mut found = 0;
        for key in from_base {
            if let Some(&row) = self.row_of.get(&key) {
                if keep(row) {
                    // The graph's order is approximate; the score is exact.
                    top.push(row, self.dot(row, query));
                    found += 1;
                }
            }
        }
        if found < k {
            // The filter is selective: the graph's neighbourhood did not hold
            // enough matching rows, so fall back to the exact answer.
            return self.exact(query, k, |r| live(r) && keep(r));
        }
        for &row in &self.delta {
            if live(row) && keep(row) {
                top.push(row, self.dot(row, query));
            }
        }
        top.into_sorted()
    }

    /// The `k` best rows `keep` accepts, by an exact scan.
    fn exact(&self, query: &[f32], k: usize, keep: impl Fn(usize) -> bool) -> Vec<(usize, f32)> {
        scan_top_k(&self.matrix, self.dim, k, keep, |v| dot_f16(v, query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_unit_vectors(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 10_000) as f32 / 5_000.0 - 1.0
        };
        (0..n)
            .map(|_| {
                let mut v: Vec<f32> = (0..dim).map(|_| next()).collect();
                crate::embed::normalize(&mut v);
                v
            })
            .collect()
    }

    #[test]
    fn quantized_cosine_is_close_to_exact() {
        let vs = random_unit_vectors(200, GRAPH_DIM, 5);
        let qs: Vec<QuantizedVector> = vs.iter().map(|v| QuantizedVector::new(v).unwrap()).collect();
        for i in 0..vs.len() - 1 {
            let (exact, approx) = (dot(&vs[i], &vs[i + 1]), qs[i].cosine(&qs[i + 1]));
            assert!((exact - approx).abs() < 0.01, "cosine {exact} quantized to {approx}");
            assert!((qs[i].cosine(&qs[i]) - 1.0).abs() < 0.01);
            // Both integer dot products agree exactly.
            assert_eq!(dot_i8(&qs[i].codes, &qs[i + 1].codes), dot_i8_portable(&qs[i].codes, &qs[i + 1].codes));
        }
        // Shorter vectors are padded; longer ones have no quantized form.
        let short = random_unit_vectors(2, 16, 6);
        let (a, b) = (QuantizedVector::new(&short[0]).unwrap(), QuantizedVector::new(&short[1]).unwrap());
        assert!((a.cosine(&b) - dot(&short[0], &short[1])).abs() < 0.01);
        assert!(QuantizedVector::new(&vec![0.0; GRAPH_DIM + 1]).is_none());
        // The zero vector has a finite scale.
        assert_eq!(QuantizedVector::new(&[0.0; 4]).unwrap().cosine(&a), 0.0);
    }

    #[test]
    fn quantized_points_round_trip_and_wrong_lengths_fail_to_decode() {
        let v = &random_unit_vectors(1, GRAPH_DIM, 8)[0];
        let q = QuantizedVector::new(v).unwrap();
        let back: QuantizedVector = postcard::from_bytes(&postcard::to_allocvec(&q).unwrap()).unwrap();
        assert_eq!((back.scale, back.codes), (q.scale, q.codes));
        let short = StoredCodes { scale: 1.0, codes: vec![1; 10] };
        assert!(postcard::from_bytes::<QuantizedVector>(&postcard::to_allocvec(&short).unwrap()).is_err());
    }

    #[test]
    fn exact_top_k_is_sorted_and_filtered() {
        let vs = random_unit_vectors(200, 16, 1);
        let matrix: Vec<f32> = vs.concat();
        let hits = exact_top_k(&matrix, 16, &vs[5], 10, |r| r % 2 == 1 || r == 5);
        assert_eq!(hits[0].0, 5);
        assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(hits.iter().all(|(r, _)| r % 2 == 1 || *r == 5));
        assert_eq!(hits.len(), 10);
    }

    #[test]
    fn ann_ranking_agrees_with_exact() {
        let dim = 32;
        let vs = random_unit_vectors(2000, dim, 3);
        let mut index = VectorIndex::new(dim);
        for (i, v) in vs.iter().enumerate() {
            index.insert(i as u32, v);
        }
        let exact: Vec<Vec<usize>> = (0..20).map(|q| index.search(&vs[q * 7], 10, |_| true).into_iter().map(|x| x.0).collect()).collect();
        let (points, keys) = index.live_points();
        index.set_base(std::sync::Arc::new(HnswBase::build(points, keys).unwrap()));
        let mut agree = 0;
        for (q, want) in exact.iter().enumerate() {
            let got: Vec<usize> = index.search(&vs[q * 7], 10, |_| true).into_iter().map(|x| x.0).collect();
            assert_eq!(got[0], want[0], "the query vector itself must rank first");
            agree += got.iter().filter(|r| want.contains(r)).count();
        }
        let recall = agree as f32 / 200.0;
        assert!(recall >= 0.9, "recall@10 {recall}");
    }

    #[test]
    fn a_key_removed_and_added_again_is_returned_once() {
        let dim = 16;
        let vs = random_unit_vectors(200, dim, 11);
        let mut index = VectorIndex::new(dim);
        for (i, v) in vs.iter().enumerate() {
            index.insert(i as u32, v);
        }
        let (points, keys) = index.live_points();
        index.set_base(std::sync::Arc::new(HnswBase::build(points, keys).unwrap()));
        // An edit and its undo: a chunk's text (its key) leaves and comes back.
        index.remove(&10);
        index.insert(10, &vs[10]);
        let hits = index.search(&vs[10], 5, |_| true);
        let rows: HashSet<usize> = hits.iter().map(|h| h.0).collect();
        assert_eq!(rows.len(), hits.len(), "a row returned twice: {hits:?}");
        assert_eq!(hits[0].0, index.row(&10).unwrap());
        assert_eq!(index.base_drift(), (0, 0));
        // A key the base never had is delta; one gone is a tombstone.
        index.remove(&11);
        index.insert(500, &vs[12]);
        assert_eq!(index.base_drift(), (1, 1));
        index.clear_base();
        assert!(index.base().is_none() && index.base_drift() == (0, 0));
        assert_eq!(index.search(&vs[10], 1, |_| true)[0].0, index.row(&10).unwrap());
    }

    #[test]
    fn delta_and_tombstones_are_merged() {
        let dim = 16;
        let vs = random_unit_vectors(300, dim, 9);
        let mut index = VectorIndex::new(dim);
        for (i, v) in vs.iter().enumerate().take(200) {
            index.insert(i as u32, v);
        }
        let (points, keys) = index.live_points();
        index.set_base(std::sync::Arc::new(HnswBase::build(points, keys).unwrap()));
        // A new vector (delta) is found; a removed one (tombstone) is not.
        index.insert(250, &vs[250]);
        assert_eq!(index.search(&vs[250], 1, |_| true)[0].0, index.row(&250).unwrap());
        let row10 = index.row(&10).unwrap();
        index.remove(&10);
        assert!(index.search(&vs[10], 5, |_| true).iter().all(|(r, _)| *r != row10));
        assert!(!index.needs_base());
        for i in 200..300 {
            index.insert(i as u32, &vs[i]);
        }
        assert!(index.needs_base());
    }
}
