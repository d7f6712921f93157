//! The ranking stage: from the candidates retrieval found to the order of
//! the answer.
//!
//! Retrieval gives two lists, chunks by cosine to the embedded query and by
//! BM25 over their words. This stage fuses their scores, each list scaled
//! from its last to its first, with weights that depend on the query (a
//! symbol leans lexical), then adjusts each candidate by what semnav knows
//! of code:
//!
//! - **definitions**: a chunk that defines an identifier the query names
//!   (its name, or its container for a qualified name) rises far above the
//!   chunks that only use it; such chunks are looked up by name even when
//!   neither list found them;
//! - **name words**: a chunk whose name the query's words spell out
//!   ("parse config" ↔ `parseConfig`, `config_parser`; "number of
//!   arguments" ↔ `num_args`); a query asking whether something holds
//!   says the opening word of a predicate's name ("Check if the task has
//!   started" ↔ `is_started`);
//! - **path words**: query words in the file's name or folder, more when
//!   the name is made only of query words (`Flow.kt` for "Flow interface");
//!   a folder of agents answers to the verb ("reads" ↔ `Readers/`);
//! - **file topic**: the file nearest the query as a whole (the mean of its
//!   chunks' vectors) lifts its best chunk;
//! - **file coherence**: a file with several good candidates lifts its best;
//! - **path priors**: tests, examples, benchmarks, fixtures, vendored and
//!   legacy code, generated files and stubs sink, unless the query asks for
//!   them; test code inside a source file (a `#[cfg(test)]` module, a
//!   `#[test]` function, a `describe` block: the chunk's own `test` flag)
//!   sinks as a test file does, once when it is both;
//! - **prose prior**: documentation and configuration sink below code unless
//!   the query asks for them;
//! - **saturation**: each further chunk of a file already ranked counts less,
//!   so the first page is not spent on one file;
//! - **function form**: a query that says what one function does, verb
//!   first ("Return the user's roles", `phrasing.rs`), asks for that
//!   function, not for a file: file topic, coherence and saturation, the
//!   signals that pick files, step aside for it, and a chunk that is no
//!   function (a class, an impl block, top-level statements) sinks.
//!
//! Each signal can be switched off ([`Signals`]) to measure what it is worth.
//! Cheap by construction: it looks at the candidates (a few hundred at
//! most), the vectors of their files and the name index, never at every
//! chunk. It must not embed, read files or know about LSP.

use std::collections::HashMap;

use super::paths::{Content, PathFacts};
use super::names;
use super::query::{normalized, QueryProfile};
use super::{Filters, Hit, SearchIndex};
use crate::chunk::ChunkKind;

/// The numbers of the stage, tuned on the benchmark's development split
/// (see docs/benchmarks.md); [`RankConfig::parse`] can change each one to measure it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Fusion weights (dense, lexical) of a query in words, of a symbol, and
    /// without adaptive fusion.
    pub words: (f32, f32),
    pub symbol: (f32, f32),
    pub fixed: (f32, f32),
    /// Boosts, in units of the best fused score among the candidates.
    pub definition_symbol: f32,
    pub definition_in_sentence: f32,
    pub name_words: f32,
    /// A chunk whose container's name the query says ("this argument" ↔ a
    /// method of `Arg`), scaled by the share of its words said.
    pub container_words: f32,
    /// A definition whose signature says the words of a query that says
    /// what one function does, scaled by the share of the query's words.
    pub signature_words: f32,
    pub path_words: f32,
    /// A file whose name is made only of query words (`Flow.kt` for "Flow
    /// interface"), scaled by the share of its name's words the query has.
    pub file_name: f32,
    pub coherence: f32,
    /// Each further chunk of a file already ranked is multiplied by this once more.
    pub saturation: f32,
    /// The lift of the candidate file nearest the query as a whole.
    pub file_topic: f32,
    /// BM25's `b` (how much a chunk's length discounts its word counts) for
    /// a symbol query, and for a query in words. A symbol query's answer is
    /// its definition, often the longest chunk that names it (a class, a
    /// trait), which the usual discount puts below short chunks that only
    /// mention it; a query in words wants the chunk that says its words.
    pub length_norm_symbol: f32,
    pub length_norm: f32,
    /// The dense weight when the dense list is the static model's alone (no
    /// chunk among the candidates has a transformer vector, or no query
    /// vector yet), as a share of the dense weight above. Measured on 13
    /// repos of the development split with the static tier alone: words
    /// only 0.8842; static 0.3 → 0.9047, 0.5 → 0.9049, 0.7 → 0.9045, 1 → 0.9010.
    pub static_dense: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            words: (1.0, 1.0),
            symbol: (1.0, 2.0),
            fixed: (2.0, 1.0),
            definition_symbol: 3.0,
            definition_in_sentence: 1.0,
            name_words: 1.0,
            container_words: 0.2,
            signature_words: 0.8,
            path_words: 0.6,
            file_name: 0.3,
            coherence: 0.3,
            saturation: 0.7,
            file_topic: 0.4,
            length_norm_symbol: 0.5,
            length_norm: crate::lexical::LENGTH_NORM,
            static_dense: 0.5,
        }
    }
}

impl Weights {
    /// Sets `name=value` (`k=60`, `words=1:1`, `coherence=0.3`…).
    fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let number = |v: &str| v.parse::<f32>().map_err(|_| format!("{name}: {v:?} is not a number"));
        let pair = |v: &str| -> Result<(f32, f32), String> {
            let (a, b) = v.split_once(':').ok_or_else(|| format!("{name}: {v:?} is not DENSE:LEXICAL"))?;
            Ok((number(a)?, number(b)?))
        };
        match name {
            "words" => self.words = pair(value)?,
            "symbol" => self.symbol = pair(value)?,
            "fixed" => self.fixed = pair(value)?,
            "def" => self.definition_symbol = number(value)?,
            "def-in-sentence" => self.definition_in_sentence = number(value)?,
            "name-words" => self.name_words = number(value)?,
            "container-words" => self.container_words = number(value)?,
            "signature-words" => self.signature_words = number(value)?,
            "path-words" => self.path_words = number(value)?,
            "file-name" => self.file_name = number(value)?,
            "static" => self.static_dense = number(value)?,
            "coherence" => self.coherence = number(value)?,
            "saturation" => self.saturation = number(value)?,
            "file-topic" => self.file_topic = number(value)?,
            "b-symbol" => self.length_norm_symbol = number(value)?,
            "b" => self.length_norm = number(value)?,
            _ => return Err(format!("unknown weight {name:?}")),
        }
        Ok(())
    }
}

/// A member of the container a symbol query names (`JsonReader` → its methods).
const MEMBER_OF_SYMBOL: f32 = 0.3;

/// Multipliers of the priors.
const TEST: f32 = 0.3;
const EXAMPLE: f32 = 0.4;
const SUPPORT: f32 = 0.4;
const FOREIGN: f32 = 0.3;
const GENERATED: f32 = 0.3;
const STUB: f32 = 0.7;
const PROSE: f32 = 0.5;
const CONFIG: f32 = 0.5;
/// A chunk that is no function (a class, an impl block, top-level
/// statements) when the query says what a function does.
const NOT_A_FUNCTION: f32 = 0.7;

/// How many chunks one identifier may bring in through the name index.
const NAMED_PER_IDENTIFIER: usize = 64;

/// Which signals the ranking stage uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signals {
    pub adaptive_fusion: bool,
    pub definitions: bool,
    pub name_words: bool,
    pub container_words: bool,
    pub signature_words: bool,
    pub path_words: bool,
    pub file_topic: bool,
    pub coherence: bool,
    pub path_priors: bool,
    pub prose_prior: bool,
    pub saturation: bool,
    pub function_form: bool,
}

impl Signals {
    pub const ALL: Signals = Signals {
        adaptive_fusion: true,
        definitions: true,
        name_words: true,
        container_words: true,
        signature_words: true,
        path_words: true,
        file_topic: true,
        coherence: true,
        path_priors: true,
        prose_prior: true,
        saturation: true,
        function_form: true,
    };
    pub const NONE: Signals = Signals {
        adaptive_fusion: false,
        definitions: false,
        name_words: false,
        container_words: false,
        signature_words: false,
        path_words: false,
        file_topic: false,
        coherence: false,
        path_priors: false,
        prose_prior: false,
        saturation: false,
        function_form: false,
    };
    pub const NAMES: [&'static str; 12] = ["fusion", "definitions", "name-words", "container-words", "signature-words", "path-words", "file-topic", "coherence", "path-priors", "prose", "saturation", "function-form"];

    fn flag(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "fusion" => &mut self.adaptive_fusion,
            "definitions" => &mut self.definitions,
            "name-words" => &mut self.name_words,
            "container-words" => &mut self.container_words,
            "signature-words" => &mut self.signature_words,
            "path-words" => &mut self.path_words,
            "file-topic" => &mut self.file_topic,
            "coherence" => &mut self.coherence,
            "path-priors" => &mut self.path_priors,
            "prose" => &mut self.prose_prior,
            "saturation" => &mut self.saturation,
            "function-form" => &mut self.function_form,
            _ => return None,
        })
    }
}

/// How to rank: which halves of retrieval and which signals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankConfig {
    /// Use the dense half (the embedded query). Off, a search is lexical
    /// plus the ranking stage: what answers before any vector exists.
    pub dense: bool,
    /// Use the lexical half (BM25); off only to measure the dense half alone.
    pub lexical: bool,
    /// Use the static model's vectors for the chunks that have no
    /// transformer vector (`no-static` turns it off, to measure it).
    pub static_tier: bool,
    /// Use the transformer's vectors; off only to measure what the static
    /// tier gives before any transformer vector exists (`no-transformer`).
    pub transformer: bool,
    pub signals: Signals,
    pub weights: Weights,
}

impl Default for RankConfig {
    fn default() -> Self {
        RankConfig { dense: true, lexical: true, static_tier: true, transformer: true, signals: Signals::ALL, weights: Weights::default() }
    }
}

impl RankConfig {
    /// The configuration `SEMNAV_RANK` sets, the default without it; an
    /// error naming the variable when it does not parse.
    pub fn from_env() -> Result<RankConfig, String> {
        match std::env::var("SEMNAV_RANK") {
            Ok(spec) => {
                let config = RankConfig::parse(&spec).map_err(|e| format!("SEMNAV_RANK: {e}"))?;
                if !config.transformer {
                    super::KEEP_EVERY_STATIC_VECTOR.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(config)
            }
            Err(_) => Ok(RankConfig::default()),
        }
    }

    /// Reads a comma-separated list of changes to the default: `all`,
    /// `none`, `-NAME` / `+NAME` for a signal (see [`Signals::NAMES`]),
    /// `no-dense`, `WEIGHT=VALUE` for a number (see [`Weights`]). Used to
    /// measure each signal's worth (`SEMNAV_RANK=-coherence semnav search …`).
    pub fn parse(spec: &str) -> Result<RankConfig, String> {
        let mut config = RankConfig::default();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item {
                "all" => config.signals = Signals::ALL,
                "none" => config.signals = Signals::NONE,
                "no-dense" | "lexical" => config.dense = false,
                "no-lexical" => config.lexical = false,
                "no-static" => config.static_tier = false,
                "no-transformer" => config.transformer = false,
                "dense" => config.dense = true,
                _ if item.contains('=') => {
                    let (name, value) = item.split_once('=').unwrap_or_default();
                    config.weights.set(name.trim(), value.trim())?;
                }
                _ => {
                    let (on, name) = match (item.strip_prefix('-'), item.strip_prefix('+')) {
                        (Some(name), _) => (false, name),
                        (_, Some(name)) => (true, name),
                        _ => (true, item),
                    };
                    let known = Signals::NAMES.join(", ");
                    *config.signals.flag(name).ok_or_else(|| format!("unknown ranking signal {name:?} (known: {known}, all, none, no-dense, no-lexical, no-static, no-transformer)"))? = on;
                }
            }
        }
        Ok(config)
    }
}

/// One candidate's score as the stage builds it.
struct Scored {
    id: usize,
    score: f32,
}

/// Ranks the candidates: `dense` by cosine and `lexical` by BM25, each best
/// first, at most `depth` deep, all accepted by `filters`. Returns every
/// candidate, best first; the caller removes repeats of a definition.
#[allow(clippy::too_many_arguments)]
pub(super) fn rank(index: &SearchIndex, query: &QueryProfile, query_vector: &[f32], dense: &super::DenseList, lexical: &[(usize, f32)], filters: &Filters, config: &RankConfig, depth: usize) -> Vec<Hit> {
    let signals = &signals_for(query, &config.signals);
    let w = &config.weights;
    let (dense_weight, lexical_weight) = match (config.dense && !dense.hits.is_empty(), signals.adaptive_fusion, query.symbol) {
        (false, _, _) => (0.0, 1.0),
        (true, false, _) => w.fixed,
        (true, true, true) => w.symbol,
        (true, true, false) => w.words,
    };
    let dense_weight = if dense.static_only { dense_weight * w.static_dense } else { dense_weight };
    let dense = &dense.hits[..];
    let lexical_weight = if config.lexical || dense_weight == 0.0 { lexical_weight } else { 0.0 };
    // Each list's scores scaled to [0, 1], then weighted: first place in
    // every list used scores 1.
    let mut fused: HashMap<usize, f32> = HashMap::with_capacity(dense.len() + lexical.len());
    let total = dense_weight + lexical_weight;
    if dense_weight > 0.0 {
        add_scaled(&mut fused, dense, dense_weight / total, depth);
    }
    if lexical_weight > 0.0 {
        add_scaled(&mut fused, lexical, lexical_weight / total, depth);
    }
    if signals.definitions {
        for identifier in &query.identifiers {
            for &id in index.chunks_named(&normalized(identifier)).iter().take(NAMED_PER_IDENTIFIER) {
                if index.keeps(id, filters) {
                    fused.entry(id).or_insert(0.0);
                }
            }
        }
    }
    if fused.is_empty() {
        return Vec::new();
    }
    let best = fused.values().copied().fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
    let mut scored: Vec<Scored> = fused.into_iter().map(|(id, score)| Scored { id, score }).collect();
    // A fixed order before any float sums, so equal inputs give equal answers.
    scored.sort_by_key(|s| s.id);

    let keywords: Vec<&str> = query.words.iter().map(String::as_str).filter(|w| w.len() > 2).collect();
    let mut path_cache: HashMap<&str, PathMatch> = HashMap::new();
    let mut file_sums: HashMap<&str, f32> = HashMap::new();
    for s in scored.iter_mut() {
        let c = index.chunk(s.id);
        let facts = path_cache.entry(&c.path).or_insert_with(|| PathMatch::of(&c.path_facts, &keywords));
        let fused_score = s.score;
        if signals.definitions {
            s.score += best * definition_boost(query, w, &c.chunk.name, &c.chunk.container, &facts.facts.stem);
        }
        if signals.name_words && !query.symbol {
            s.score += best * w.name_words * names::name_words_match(&query.words, c.chunk.name.as_deref(), &c.name_terms, query.asks_whether);
        }
        if signals.container_words && !query.symbol {
            s.score += best * w.container_words * names::container_words_match(&query.words, &c.container_terms);
        }
        if signals.signature_words && query.function {
            s.score += best * w.signature_words * names::signature_words_match(&keywords, &c.signature_terms);
        }
        if signals.path_words && !query.symbol && !keywords.is_empty() {
            s.score += best * (w.path_words * facts.keyword_share + w.file_name * facts.name_coverage);
        }
        *file_sums.entry(&c.path).or_default() += fused_score;
    }
    if signals.file_topic && dense_weight > 0.0 {
        file_topic(index, &mut scored, query_vector, best * w.file_topic);
    }
    if signals.coherence {
        // The best chunk of each file, after the boosts above.
        let best_of = best_of_each_file(index, &scored);
        let max_sum = file_sums.values().copied().fold(0.0f32, f32::max);
        if max_sum > 0.0 {
            for (path, at) in best_of {
                scored[at].score += best * w.coherence * file_sums[path] / max_sum;
            }
        }
    }
    for s in scored.iter_mut() {
        let c = index.chunk(s.id);
        let facts = &path_cache[&*c.path];
        if signals.path_priors {
            s.score *= facts.prior(query, c.chunk.test);
        }
        if signals.function_form && query.function && !may_hold_a_function(c.chunk.kind) {
            s.score *= NOT_A_FUNCTION;
        }
        if signals.prose_prior {
            s.score *= match c.content {
                Content::Docs if !query.wants_docs => PROSE,
                Content::Config if !query.wants_config => CONFIG,
                _ => 1.0,
            };
        }
    }
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    if signals.saturation {
        saturate(index, &mut scored, w.saturation);
    }
    scored.into_iter().map(|s| Hit { chunk: s.id, score: s.score }).collect()
}

/// BM25's `b` for `query` (see [`Weights::length_norm_symbol`]).
pub(super) fn length_norm(query: &QueryProfile, config: &RankConfig) -> f32 {
    if query.symbol {
        config.weights.length_norm_symbol
    } else {
        config.weights.length_norm
    }
}

/// The signals that serve `query`: a query that says what one function
/// does asks for that function, so the signals that pick files (file
/// topic, coherence, saturation) step aside; the path still says where.
fn signals_for(query: &QueryProfile, signals: &Signals) -> Signals {
    if signals.function_form && query.function {
        Signals { file_topic: false, coherence: false, saturation: false, ..*signals }
    } else {
        *signals
    }
}

/// Whether a chunk of `kind` can be the function a query describes: a
/// function or a method, or a line window of a file without a grammar,
/// which may hold one.
fn may_hold_a_function(kind: ChunkKind) -> bool {
    matches!(kind, ChunkKind::Function | ChunkKind::Method | ChunkKind::Section)
}

/// Adds each candidate's score in `list` times `weight`, scaled so that the
/// best scores 1 and the last scores 0 when the list was cut at `depth`
/// (what it left out scored less). A list that holds every match is scaled
/// from 0 instead, so that its last still counts. All score 1 when equal.
fn add_scaled(into: &mut HashMap<usize, f32>, list: &[(usize, f32)], weight: f32, depth: usize) {
    let (low, high) = bounds(list);
    let low = if list.len() >= depth { low } else { low.min(0.0) };
    let span = high - low;
    for &(id, score) in list {
        let scaled = if span > f32::EPSILON { (score - low) / span } else { 1.0 };
        *into.entry(id).or_default() += weight * scaled;
    }
}

/// Lifts the best chunk of each candidate file by how near the query is to
/// the file as a whole (the mean of its chunks' vectors), scaled over the
/// candidates' files from 0 to `lift`: the file about the query wins over
/// files that only have one passage like it.
fn file_topic(index: &SearchIndex, scored: &mut [Scored], query_vector: &[f32], lift: f32) {
    let (paths, at): (Vec<&str>, Vec<usize>) = best_of_each_file(index, scored).into_iter().unzip();
    let nearness: Vec<(usize, f32)> =
        at.into_iter().zip(index.file_similarities(&paths, query_vector)).filter_map(|(at, sim)| sim.map(|sim| (at, sim))).collect();
    let (low, high) = bounds(&nearness);
    if high - low <= f32::EPSILON {
        return;
    }
    for (at, sim) in nearness {
        scored[at].score += lift * (sim - low) / (high - low);
    }
}

/// Where in `scored` each file's best chunk is.
fn best_of_each_file<'a>(index: &'a SearchIndex, scored: &[Scored]) -> HashMap<&'a str, usize> {
    let mut best_of: HashMap<&str, usize> = HashMap::new();
    for (at, s) in scored.iter().enumerate() {
        let entry = best_of.entry(&index.chunk(s.id).path).or_insert(at);
        if s.score > scored[*entry].score {
            *entry = at;
        }
    }
    best_of
}

/// The lowest and highest score of `list`.
fn bounds(list: &[(usize, f32)]) -> (f32, f32) {
    list.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &(_, s)| (lo.min(s), hi.max(s)))
}

/// Multiplies each further chunk of a file by `factor` once more than the
/// one before it, and sorts again.
fn saturate(index: &SearchIndex, scored: &mut [Scored], factor: f32) {
    let mut seen: HashMap<&str, i32> = HashMap::new();
    for s in scored.iter_mut() {
        let count = seen.entry(&index.chunk(s.id).path).or_insert(0);
        s.score *= factor.powi(*count);
        *count += 1;
    }
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
}

/// The boost of a chunk that defines what the query names: the definition
/// itself, more when its file is named after it or its container is the
/// qualifier; a member of a type a symbol query names, a little.
fn definition_boost(query: &QueryProfile, w: &Weights, name: &Option<String>, container: &Option<String>, stem: &str) -> f32 {
    if query.identifiers.is_empty() {
        return 0.0;
    }
    let unit = if query.symbol { w.definition_symbol } else { w.definition_in_sentence };
    let name = name.as_deref().map(normalized);
    let container = container.as_deref().map(|c| normalized(names::last_segment(c)));
    let mut boost: f32 = 0.0;
    for identifier in &query.identifiers {
        let wanted = normalized(identifier);
        if wanted.is_empty() {
            continue;
        }
        if name.as_deref() == Some(wanted.as_str()) {
            let mut tier = 1.0;
            if stem == wanted || stem.trim_end_matches('s') == wanted {
                tier *= 1.5;
            }
            if let Some(qualifier) = &query.qualifier {
                if container.as_deref() == Some(normalized(qualifier).as_str()) {
                    tier *= 1.5;
                }
            }
            boost = boost.max(unit * tier);
        } else if query.symbol && container.as_deref() == Some(wanted.as_str()) {
            boost = boost.max(unit * MEMBER_OF_SYMBOL);
        }
    }
    boost
}

/// How a candidate's path meets the query, once per file.
struct PathMatch<'a> {
    facts: &'a PathFacts,
    /// Share of the query's keywords in the file's name and folder.
    keyword_share: f32,
    /// Share of the words of the file's name that are query keywords.
    name_coverage: f32,
}

impl<'a> PathMatch<'a> {
    fn of(facts: &'a PathFacts, keywords: &[&str]) -> PathMatch<'a> {
        let matched = keywords.iter().filter(|k| facts.words.iter().any(|w| w == *k)).count();
        let keyword_share = if keywords.is_empty() { 0.0 } else { matched as f32 / keywords.len() as f32 };
        let covered = facts.name_words.iter().filter(|w| keywords.contains(&w.as_str())).count();
        let name_coverage = if facts.name_words.is_empty() { 0.0 } else { covered as f32 / facts.name_words.len() as f32 };
        PathMatch { facts, keyword_share, name_coverage }
    }

    /// The product of the priors that apply, given what the query asks for;
    /// `test_code`: the chunk is test code by what it says (its file need
    /// not be a test), which sinks it as a test file would, and not twice.
    fn prior(&self, query: &QueryProfile, test_code: bool) -> f32 {
        let k = &self.facts.kinds;
        let mut prior = 1.0;
        if (k.test || test_code) && !query.wants_tests {
            prior *= TEST;
        }
        if k.example && !query.wants_examples {
            prior *= EXAMPLE;
        }
        if k.support && !query.wants_tests {
            prior *= SUPPORT;
        }
        if k.foreign {
            prior *= FOREIGN;
        }
        if k.generated {
            prior *= GENERATED;
        }
        if k.stub {
            prior *= STUB;
        }
        prior
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_scaled_over_their_list() {
        let mut fused = HashMap::new();
        // Cut at its depth: from its last to its first.
        add_scaled(&mut fused, &[(1, 0.9), (2, 0.5), (3, 0.1)], 0.5, 3);
        // Every match: from 0.
        add_scaled(&mut fused, &[(3, 12.0), (4, 3.0)], 0.5, 3);
        let near = |a: f32, b: f32| (a - b).abs() < 1e-6;
        assert!(near(fused[&1], 0.5) && near(fused[&2], 0.25) && near(fused[&3], 0.5) && near(fused[&4], 0.125), "{fused:?}");
        // Equal scores of a cut list all count as first.
        let mut tie = HashMap::new();
        add_scaled(&mut tie, &[(7, 0.2), (8, 0.2)], 1.0, 2);
        assert_eq!((tie[&7], tie[&8]), (1.0, 1.0));
    }

}
