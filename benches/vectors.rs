//! Nearest-neighbour and hybrid search costs, on synthetic vectors.
//!
//! Vectors: dim 384, unit length, clustered (200 random centres, each vector a
//! centre plus Gaussian noise of σ = 0.05 per dimension, so a vector's cosine
//! to its centre is ~0.7 and neighbours are meaningful); 200 queries drawn the
//! same way. Measured:
//!   1. exact search at each N: `VectorIndex::search` without a base and raw
//!      `exact_top_k`, p50/p99 latency of top-10;
//!   2. HNSW: `HnswBase::build` in a 2-thread rayon pool, then `set_base`:
//!      build vectors/s, query p50/p99, recall@10 against exact; then the same
//!      with a 10% delta and 5% tombstones;
//!   3. delta inserts: `VectorIndex::insert` after a base is set (vectors/s);
//!   4. `SearchIndex::search` (dense + BM25 + fusion) at 10k chunks with
//!      `StubEmbedder` vectors and terms from a Zipf-distributed vocabulary.
//!
//! Run: `cargo bench --bench vectors`
//! Sizes: `SEMNAV_BENCH_N` (exact sizes, default `10000,100000`),
//! `SEMNAV_BENCH_HNSW_N` (default `10000`), `SEMNAV_BENCH_HNSW_100K=1` (adds
//! 100000 to the HNSW sizes; the build takes minutes), `SEMNAV_BENCH_HNSW_THREADS`
//! (default 2), `SEMNAV_BENCH_DELTA` (inserts timed, default 100000),
//! `SEMNAV_BENCH_CHUNKS` (hybrid search, default 10000), `SEMNAV_BENCH_QUERIES` (200).

mod common;

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use common::{env_flag, env_list, env_usize, fmt_rate, fmt_secs, print_header, print_table, timed, Samples};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use semnav::ann::{exact_top_k, HnswBase, VectorIndex};
use semnav::chunk::ChunkKind;
use semnav::embed::{normalize, StubEmbedder, DIM};
use semnav::lang::Language;
use semnav::search::{Filters, RankConfig, SearchIndex};
use semnav::store::{StoredChunk, TextHash};

const K: usize = 10;
const CENTRES: usize = 200;
const NOISE: f32 = 0.05;

fn gauss(rng: &mut StdRng) -> f32 {
    let u1: f32 = rng.random::<f32>().max(1e-12);
    let u2: f32 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// Vectors around fixed random centres.
struct Clusters {
    centres: Vec<Vec<f32>>,
}

impl Clusters {
    fn new(rng: &mut StdRng) -> Self {
        let centres = (0..CENTRES)
            .map(|_| {
                let mut c: Vec<f32> = (0..DIM).map(|_| gauss(rng)).collect();
                normalize(&mut c);
                c
            })
            .collect();
        Clusters { centres }
    }

    fn sample(&self, rng: &mut StdRng) -> Vec<f32> {
        let c = &self.centres[rng.random_range(0..CENTRES)];
        let mut v: Vec<f32> = c.iter().map(|x| x + NOISE * gauss(rng)).collect();
        normalize(&mut v);
        v
    }

    fn samples(&self, rng: &mut StdRng, n: usize) -> Vec<Vec<f32>> {
        (0..n).map(|_| self.sample(rng)).collect()
    }
}

/// A distinct 32-byte key per number, like semnav's text hashes.
fn key(i: u64) -> TextHash {
    let mut out = [0u8; 32];
    let mut x = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    for part in out.chunks_mut(8) {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        part.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out
}

/// Latency of `search` over the queries, and the rows it returned.
fn run_queries(queries: &[Vec<f32>], mut search: impl FnMut(&[f32]) -> Vec<(usize, f32)>) -> (Samples, Vec<Vec<usize>>) {
    let mut lat = Samples::default();
    let mut found = Vec::with_capacity(queries.len());
    black_box(search(&queries[0]));
    for q in queries {
        let t = Instant::now();
        let hits = black_box(search(q));
        lat.push(t.elapsed().as_secs_f64());
        found.push(hits.into_iter().map(|h| h.0).collect());
    }
    (lat, found)
}

fn recall(got: &[Vec<usize>], want: &[Vec<usize>]) -> f64 {
    let hit: usize = got.iter().zip(want).map(|(g, w)| g.iter().filter(|r| w.contains(r)).count()).sum();
    hit as f64 / (want.len() * K) as f64
}

fn index_of(vectors: &[Vec<f32>]) -> (VectorIndex<TextHash>, f64) {
    let mut index = VectorIndex::new(DIM);
    let (_, secs) = timed(|| {
        for (i, v) in vectors.iter().enumerate() {
            index.insert(key(i as u64), v);
        }
    });
    (index, secs)
}

fn lat_row(label: String, s: &Samples, extra: &[String]) -> Vec<String> {
    let mut row = vec![label, fmt_secs(s.median()), fmt_secs(s.pct(99.0))];
    row.extend_from_slice(extra);
    row
}

fn main() {
    let exact_sizes = env_list("SEMNAV_BENCH_N", &[10_000, 100_000]);
    let mut hnsw_sizes = env_list("SEMNAV_BENCH_HNSW_N", &[10_000]);
    if env_flag("SEMNAV_BENCH_HNSW_100K") && !hnsw_sizes.contains(&100_000) {
        hnsw_sizes.push(100_000);
    }
    let hnsw_threads = env_usize("SEMNAV_BENCH_HNSW_THREADS", 2);
    let delta_inserts = env_usize("SEMNAV_BENCH_DELTA", 100_000);
    let chunk_count = env_usize("SEMNAV_BENCH_CHUNKS", 10_000);
    let query_count = env_usize("SEMNAV_BENCH_QUERIES", 200);
    print_header(
        "vectors: exact and HNSW nearest neighbours, delta inserts, hybrid search",
        &[
            ("vectors", format!("dim {DIM}, unit length, {CENTRES} random centres + N(0, {NOISE}²) noise per dimension, seeded")),
            ("queries", format!("{query_count} from the same distribution, top-{K} (SEMNAV_BENCH_QUERIES)")),
            ("exact sizes", format!("{exact_sizes:?} (SEMNAV_BENCH_N)")),
            ("HNSW sizes", format!("{hnsw_sizes:?} in a {hnsw_threads}-thread pool (SEMNAV_BENCH_HNSW_N, SEMNAV_BENCH_HNSW_100K=1, SEMNAV_BENCH_HNSW_THREADS)")),
            ("delta inserts", format!("{delta_inserts} (SEMNAV_BENCH_DELTA)")),
            ("hybrid search", format!("{chunk_count} chunks (SEMNAV_BENCH_CHUNKS)")),
        ],
    );
    let mut rng = StdRng::seed_from_u64(7);
    let clusters = Clusters::new(&mut rng);
    let queries = clusters.samples(&mut rng, query_count);
    let max_n = exact_sizes.iter().chain(&hnsw_sizes).copied().max().unwrap_or(0);
    let pool_vectors = clusters.samples(&mut rng, max_n + max_n / 10 + delta_inserts);

    // 1. Exact search.
    let mut rows = Vec::new();
    let mut exact_p50: HashMap<usize, f64> = HashMap::new();
    for &n in &exact_sizes {
        let vectors = &pool_vectors[..n];
        let (index, insert_secs) = index_of(vectors);
        let matrix: Vec<f32> = vectors.concat();
        let (lat, _) = run_queries(&queries, |q| index.search(q, K, |_| true));
        exact_p50.insert(n, lat.median());
        rows.push(lat_row(format!("N={n}  VectorIndex::search (no base)"), &lat, &[fmt_rate(n as f64 / insert_secs) + " insert"]));
        let (lat, _) = run_queries(&queries, |q| exact_top_k(&matrix, DIM, q, K, |_| true));
        let gflops = (n * DIM * 2) as f64 / lat.median() / 1e9;
        rows.push(lat_row(format!("N={n}  exact_top_k (raw scan)"), &lat, &[format!("{gflops:.1} GFLOP/s")]));
    }
    print_table(&["exact top-10", "p50", "p99", "note"], &rows);

    // 2. HNSW, then with a delta and tombstones; 3. delta insert throughput.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(hnsw_threads).build().expect("rayon pool");
    let (mut rows, mut insert_rows) = (Vec::new(), Vec::new());
    for &n in &hnsw_sizes {
        let vectors = &pool_vectors[..n];
        let matrix: Vec<f32> = vectors.concat();
        let (_, truth) = run_queries(&queries, |q| exact_top_k(&matrix, DIM, q, K, |_| true));
        let (mut index, _) = index_of(vectors);
        let (points, keys) = index.live_points();
        let (base, build_secs) = timed(|| Arc::new(pool.install(|| HnswBase::build(points, keys)).expect("vectors of the model's dimension")));
        let (_, set_secs) = timed(|| index.set_base(base.clone()));
        let (lat, found) = run_queries(&queries, |q| index.search(q, K, |_| true));
        let speedup = exact_p50.get(&n).map(|e| format!("{:.1}x", e / lat.median())).unwrap_or("-".into());
        rows.push(lat_row(
            format!("N={n}  HNSW base"),
            &lat,
            &[format!("{:.3}", recall(&found, &truth)), speedup, format!("{} ({})", fmt_secs(build_secs), fmt_rate(n as f64 / build_secs)), fmt_secs(set_secs)],
        ));

        // A 10% delta of new vectors and 5% of the base removed.
        let delta = &pool_vectors[n..n + n / 10];
        let (_, delta_secs) = timed(|| {
            for (i, v) in delta.iter().enumerate() {
                index.insert(key((n + i) as u64), v);
            }
        });
        let removed: HashSet<usize> = (0..n / 20).map(|i| i * 20).collect();
        for &row in &removed {
            index.remove(&key(row as u64));
        }
        let all: Vec<f32> = pool_vectors[..n + n / 10].concat();
        let (_, truth) = run_queries(&queries, |q| exact_top_k(&all, DIM, q, K, |r| !removed.contains(&r)));
        let (lat, found) = run_queries(&queries, |q| index.search(q, K, |_| true));
        let speedup = exact_p50.get(&n).map(|e| format!("{:.1}x", e / lat.median())).unwrap_or("-".into());
        rows.push(lat_row(
            format!("N={n}  + {} delta, {} tombstones", delta.len(), removed.len()),
            &lat,
            &[format!("{:.3}", recall(&found, &truth)), speedup, format!("needs_base: {}", index.needs_base()), "-".into()],
        ));
        insert_rows.push(vec![format!("N={n}  {} inserts into the delta (above)", delta.len()), fmt_rate(delta.len() as f64 / delta_secs), fmt_secs(delta_secs)]);

        // Delta inserts at scale: a fresh index over the same base.
        let (mut fresh, base_insert_secs) = index_of(vectors);
        fresh.set_base(base.clone());
        let extra = &pool_vectors[pool_vectors.len() - delta_inserts..];
        let (_, secs) = timed(|| {
            for (i, v) in extra.iter().enumerate() {
                fresh.insert(key((10 * max_n + i) as u64), v);
            }
        });
        insert_rows.push(vec![format!("N={n}  {delta_inserts} inserts after set_base"), fmt_rate(delta_inserts as f64 / secs), fmt_secs(secs)]);
        insert_rows.push(vec![format!("N={n}  {n} inserts, no base (for comparison)"), fmt_rate(n as f64 / base_insert_secs), fmt_secs(base_insert_secs)]);
    }
    if !rows.is_empty() {
        print_table(&["HNSW top-10 (VectorIndex::search)", "p50", "p99", "recall@10", "vs exact p50", "build (vectors/s)", "set_base"], &rows);
        print_table(&["VectorIndex::insert (goal after a base: >= 100k/s)", "rate", "time"], &insert_rows);
    }

    // 4. Hybrid search over SearchIndex.
    hybrid(chunk_count, query_count);
}

/// Words made of syllables, drawn with a Zipf-like (log-uniform rank) law.
struct Vocabulary(Vec<String>);

impl Vocabulary {
    fn new(size: usize) -> Self {
        const SYL: [&str; 20] = ["ka", "lo", "mi", "ren", "sto", "par", "tu", "vex", "dor", "qui", "zan", "bel", "fra", "gon", "hul", "ix", "jor", "mek", "nas", "pol"];
        Vocabulary((0..size).map(|i| format!("{}{}{}", SYL[i % 20], SYL[(i / 20) % 20], SYL[(i / 400) % 20])).collect())
    }

    fn word(&self, rng: &mut StdRng) -> &str {
        let rank = (self.0.len() as f64).powf(rng.random::<f64>()) as usize;
        &self.0[rank.saturating_sub(1).min(self.0.len() - 1)]
    }
}

fn hybrid(chunk_count: usize, query_count: usize) {
    let mut rng = StdRng::seed_from_u64(11);
    let vocab = Vocabulary::new(5000);
    let langs = common::synth::LANGS;
    let chunks_per_file = 10;
    let mut files: Vec<(String, Language, Vec<StoredChunk>)> = Vec::new();
    let mut vectors: HashMap<TextHash, Vec<f32>> = HashMap::new();
    for c in 0..chunk_count {
        let f = c / chunks_per_file;
        if c % chunks_per_file == 0 {
            let lang = langs[f % langs.len()];
            files.push((format!("src/mod{}/file{f}.{}", f / 50, common::synth::extension(lang)), lang, Vec::new()));
        }
        let name = format!("{}_{}", vocab.word(&mut rng), vocab.word(&mut rng));
        let body: Vec<&str> = (0..40).map(|_| vocab.word(&mut rng)).collect();
        let text = format!("{name} {}", body.join(" "));
        let (path, _, chunks) = files.last_mut().expect("a file");
        let hash = key(c as u64);
        vectors.insert(hash, StubEmbedder::vector(&text));
        let line = (c % chunks_per_file) as u32 * 20;
        chunks.push(StoredChunk {
            kind: ChunkKind::Function,
            name: Some(name.clone()),
            container: None,
            start_byte: 0,
            end_byte: 0,
            start_line: line,
            end_line: line + 15,
            text_hash: hash,
            terms: semnav::lexical::terms(&format!("{path} {text}")).join(" "),
            preview: format!("fn {name}()"),
            test: false,
        });
    }
    let file_count = files.len();
    let mut index = SearchIndex::new();
    let (_, build_secs) = timed(|| {
        for (path, lang, chunks) in files {
            index.set_file(&path, lang, chunks, |h| vectors.get(h).cloned());
        }
    });
    let queries: Vec<(String, Vec<f32>)> = (0..query_count)
        .map(|_| {
            let text = (0..3).map(|_| vocab.word(&mut rng)).collect::<Vec<_>>().join(" ");
            let v = StubEmbedder::vector(&text);
            (text, v)
        })
        .collect();
    let measure = |filters: &Filters| {
        let mut lat = Samples::default();
        black_box(index.search(&queries[0].1, &queries[0].0, filters, &RankConfig::default(), 10));
        for (text, v) in &queries {
            let t = Instant::now();
            black_box(index.search(v, text, filters, &RankConfig::default(), 10));
            lat.push(t.elapsed().as_secs_f64());
        }
        lat
    };
    let all = measure(&Filters::default());
    let python = measure(&Filters { languages: vec![Language::Python], ..Filters::default() });
    println!("\n  hybrid: {} chunks in {file_count} files ({} languages), 40 words + name each, vocabulary 5000; SearchIndex built in {}", index.len(), langs.len(), fmt_secs(build_secs));
    print_table(
        &["SearchIndex::search, limit 10, 3-word queries", "p50", "p99"],
        &[
            lat_row(format!("{} chunks, no filter", index.len()), &all, &[]),
            lat_row(format!("{} chunks, --lang python (1/{} of chunks)", index.len(), langs.len()), &python, &[]),
        ],
    );
}
