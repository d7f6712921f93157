//! A lexical index: Okapi BM25 over identifier-split words.
//!
//! Documents are the `terms` strings of chunks (path, names and code, split
//! at camelCase / snake_case and lower-cased by [`crate::ident`]). This catches
//! what the embedding misses: rare identifiers, exact names. Pure in-memory
//! data; it is rebuilt from the stored terms when an index is opened.

use std::collections::HashMap;

use crate::ident::split_words;

const K1: f32 = 1.2;

/// BM25's usual `b`: how much a document's length discounts its term counts
/// (0: not at all, 1: fully). [`Bm25::search`] takes it per query.
pub const LENGTH_NORM: f32 = 0.75;

/// Words too common in code and queries to tell chunks apart.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be", "by", "with", "as", "at",
    "it", "its", "this", "that", "from", "if", "we", "do", "does", "where", "which", "when", "how", "what", "self",
    "into", "given", "return", "returns", "s",
];

/// The words of `text` as a query is matched: split, lower-cased, stopwords
/// dropped, stemmed; an identifier of several words is also kept whole
/// (`JsonReader` → `json`, `reader`, `jsonreader`), so that a query naming it
/// exactly outranks text that only has its parts.
pub fn terms(text: &str) -> Vec<String> {
    words_of(text, false)
}

/// The words of a chunk as the index stores them: [`terms`], plus the word
/// each common abbreviation of code stands for (`to_vec` → … `vec`, `vector`),
/// so that a query in plain words meets code written in short ones. Only
/// documents are expanded: a query saying `vec` still matches `vec` once.
pub fn document_terms(text: &str) -> Vec<String> {
    words_of(text, true)
}

fn words_of(text: &str, expand: bool) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        let words = split_words(token);
        if words.len() > 1 {
            out.push(words.concat());
        }
        for w in words {
            if STOPWORDS.contains(&w.as_str()) {
                continue;
            }
            if let Some(long) = expand.then(|| spelled_out(&w)).flatten() {
                out.push(long);
            }
            out.push(stem(&w));
        }
    }
    out
}

/// Abbreviations common across programming languages and the word each
/// stands for, sorted by abbreviation. Only ones with a single usual meaning.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("addr", "address"),
    ("alloc", "allocate"),
    ("arg", "argument"),
    ("args", "arguments"),
    ("attr", "attribute"),
    ("attrs", "attributes"),
    ("auth", "authentication"),
    ("buf", "buffer"),
    ("calc", "calculate"),
    ("cfg", "configuration"),
    ("char", "character"),
    ("chars", "characters"),
    ("cmd", "command"),
    ("cnt", "count"),
    ("config", "configuration"),
    ("conn", "connection"),
    ("ctx", "context"),
    ("cur", "current"),
    ("db", "database"),
    ("decl", "declaration"),
    ("del", "delete"),
    ("dest", "destination"),
    ("dir", "directory"),
    ("dirs", "directories"),
    ("doc", "document"),
    ("docs", "documentation"),
    ("dst", "destination"),
    ("elem", "element"),
    ("env", "environment"),
    ("err", "error"),
    ("expr", "expression"),
    ("fmt", "format"),
    ("fn", "function"),
    ("func", "function"),
    ("idx", "index"),
    ("init", "initialize"),
    ("iter", "iterator"),
    ("len", "length"),
    ("lib", "library"),
    ("msg", "message"),
    ("num", "number"),
    ("obj", "object"),
    ("opt", "option"),
    ("opts", "options"),
    ("param", "parameter"),
    ("params", "parameters"),
    ("pkg", "package"),
    ("prev", "previous"),
    ("proc", "process"),
    ("ptr", "pointer"),
    ("ref", "reference"),
    ("regex", "expression"),
    ("req", "request"),
    ("resp", "response"),
    ("sep", "separator"),
    ("seq", "sequence"),
    ("spec", "specification"),
    ("src", "source"),
    ("str", "string"),
    ("sync", "synchronize"),
    ("tmp", "temporary"),
    ("val", "value"),
    ("vals", "values"),
    ("var", "variable"),
    ("vec", "vector"),
];

/// The stemmed word `word` stands for when it is a common abbreviation of
/// code (`num` → `number`, `arg` → `argument`), as a document's words and
/// a name's are read; the stemmed terms of [`terms`] look up alike.
pub fn spelled_out(word: &str) -> Option<String> {
    ABBREVIATIONS.binary_search_by(|(short, _)| short.cmp(&word)).ok().map(|i| stem(ABBREVIATIONS[i].1))
}

/// The stemmed verb an agent noun comes from (`reader` → `read`, `writer`
/// → `write`, `parser` → `pars`), for a stemmed word ending in `er`: both
/// readings, without and with a final `e`. Empty for any other word.
pub fn verbs_of_agent(word: &str) -> Vec<String> {
    match word.strip_suffix("er") {
        Some(root) if root.len() >= 3 && word.bytes().all(|b| b.is_ascii_lowercase()) => {
            let mut verbs = vec![stem(root), stem(&format!("{root}e"))];
            verbs.dedup();
            verbs
        }
        _ => Vec::new(),
    }
}

/// Reduces a word to its Snowball (Porter 2) English stem, so that a query
/// word meets the other forms of it in identifiers and comments: `retrying`,
/// `retries` and `retry` → `retri`; `validation`, `validate` → `valid`.
/// Words with a digit or a non-ASCII letter are kept as they are.
fn stem(word: &str) -> String {
    static STEMMER: std::sync::LazyLock<rust_stemmers::Stemmer> =
        std::sync::LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_string();
    }
    STEMMER.stem(word).into_owned()
}

#[derive(Default)]
pub struct Bm25 {
    postings: HashMap<String, Vec<(u32, u16)>>,
    doc_len: Vec<u32>,
    total_len: u64,
    live: Vec<bool>,
    live_count: usize,
}

impl Bm25 {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document (already-split terms, space separated); returns its id.
    pub fn add(&mut self, terms_text: &str) -> u32 {
        let id = self.doc_len.len() as u32;
        let mut tf: HashMap<&str, u16> = HashMap::new();
        let mut len = 0u32;
        for t in terms_text.split_ascii_whitespace() {
            *tf.entry(t).or_default() = tf.get(t).copied().unwrap_or(0).saturating_add(1);
            len += 1;
        }
        for (t, n) in tf {
            self.postings.entry(t.to_string()).or_default().push((id, n));
        }
        self.doc_len.push(len);
        self.total_len += len as u64;
        self.live.push(true);
        self.live_count += 1;
        id
    }

    /// The index of the documents `new_id` keeps, each under its new id
    /// (`new_id[old]`, dense from 0); the others and their postings dropped.
    pub fn renumbered(&self, new_id: &[Option<u32>]) -> Bm25 {
        let count = new_id.iter().flatten().count();
        let mut doc_len = vec![0u32; count];
        for (old, new) in new_id.iter().enumerate() {
            if let (Some(new), Some(&len)) = (new, self.doc_len.get(old)) {
                doc_len[*new as usize] = len;
            }
        }
        let mut postings = HashMap::with_capacity(self.postings.len());
        for (term, list) in &self.postings {
            let mut kept: Vec<(u32, u16)> = list.iter().filter_map(|&(doc, tf)| new_id.get(doc as usize).copied().flatten().map(|d| (d, tf))).collect();
            if !kept.is_empty() {
                kept.sort_unstable();
                kept.shrink_to_fit();
                postings.insert(term.clone(), kept);
            }
        }
        let total_len = doc_len.iter().map(|&l| l as u64).sum();
        Bm25 { postings, doc_len, total_len, live: vec![true; count], live_count: count }
    }

    /// Removes a document from results (its postings stay until a rebuild).
    pub fn remove(&mut self, id: u32) {
        if let Some(l) = self.live.get_mut(id as usize) {
            if *l {
                *l = false;
                self.live_count -= 1;
                self.total_len -= self.doc_len[id as usize] as u64;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.live_count
    }

    pub fn is_empty(&self) -> bool {
        self.live_count == 0
    }

    /// The best `k` documents for `query`, over those `keep` accepts, best
    /// first; `length_norm` is BM25's `b` (see [`LENGTH_NORM`]).
    pub fn search(&self, query: &str, k: usize, length_norm: f32, keep: impl Fn(u32) -> bool) -> Vec<(u32, f32)> {
        let n = self.live_count.max(1) as f32;
        let avg = (self.total_len as f32 / n).max(1.0);
        let mut query_terms = terms(query);
        query_terms.sort();
        query_terms.dedup();
        // Scores accumulate in a dense array (cheaper than a map when common
        // terms touch tens of thousands of documents); `touched` lists the
        // documents that scored.
        let mut scores = vec![0f32; self.doc_len.len()];
        let mut touched: Vec<u32> = Vec::new();
        for t in &query_terms {
            let Some(list) = self.postings.get(t) else { continue };
            let df = list.iter().filter(|(d, _)| self.live[*d as usize]).count() as f32;
            if df == 0.0 {
                continue;
            }
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in list {
                if !self.live[doc as usize] || !keep(doc) {
                    continue;
                }
                let tf = tf as f32;
                let len = self.doc_len[doc as usize] as f32;
                let s = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - length_norm + length_norm * len / avg));
                let score = &mut scores[doc as usize];
                if *score == 0.0 {
                    touched.push(doc);
                }
                // Every term's share is positive (idf > 0), so a touched
                // document never goes back to 0.
                *score += s.max(f32::MIN_POSITIVE);
            }
        }
        let mut ranked: Vec<(u32, f32)> = touched.into_iter().map(|doc| (doc, scores[doc as usize])).collect();
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > k && k > 0 {
            ranked.select_nth_unstable_by(k - 1, order);
        }
        ranked.truncate(k);
        ranked.sort_by(order);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renumbering_answers_as_adding_the_kept_documents_again() {
        let docs = ["retry the upload", "upload a file", "parse the config", "retry failed jobs", "close the socket", "upload parts again"];
        let mut all = Bm25::new();
        for d in docs {
            all.add(&terms(d).join(" "));
        }
        // Keep 5, 0, 3 (in that new order), drop the rest.
        let mut new_id = vec![None; docs.len()];
        let mut again = Bm25::new();
        for (new, old) in [5usize, 0, 3].into_iter().enumerate() {
            new_id[old] = Some(new as u32);
            again.add(&terms(docs[old]).join(" "));
        }
        let renumbered = all.renumbered(&new_id);
        assert_eq!(renumbered.len(), 3);
        for query in ["retry upload", "upload", "again", "config", "socket"] {
            assert_eq!(renumbered.search(query, 10, LENGTH_NORM, |_| true), again.search(query, 10, LENGTH_NORM, |_| true), "{query}");
        }
        assert!(renumbered.postings.keys().all(|t| again.postings.contains_key(t)), "a dropped document's words stay");
    }

    #[test]
    fn an_agent_noun_gives_the_verb_it_comes_from() {
        for (agent, verb) in [("reader", "reads"), ("writer", "writing"), ("parser", "parses"), ("handler", "handled"), ("loader", "load")] {
            assert!(verbs_of_agent(&stem(agent)).contains(&stem(verb)), "{agent} → {verb}: {:?}", verbs_of_agent(&stem(agent)));
        }
        assert!(verbs_of_agent("user").is_empty(), "too short a root");
        assert!(verbs_of_agent("vector").is_empty() && verbs_of_agent("read").is_empty());
    }

    #[test]
    fn abbreviations_are_sorted_and_expanded_in_documents_only() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0), "ABBREVIATIONS must stay sorted for binary search");
        assert_eq!(document_terms("to_vec"), ["tovec", "vector", "vec"]);
        assert_eq!(terms("to_vec"), ["tovec", "vec"]);
        assert!(document_terms("fn parse_cfg").contains(&stem("configuration")));
        assert_eq!(spelled_out(&stem("args")), Some(stem("arguments")));
        assert_eq!(spelled_out("parse"), None);
    }

    #[test]
    fn terms_split_and_stem() {
        assert_eq!(terms("retryFailedUploads in the queue"), ["retryfaileduploads", "retri", "fail", "upload", "queue"]);
        assert_eq!(terms("load_config(path)"), ["loadconfig", "load", "config", "path"]);
        assert_eq!(terms("entries entry"), ["entri", "entri"]);
        assert_eq!(terms("retrying retries retried"), ["retri", "retri", "retri"]);
        assert_eq!(terms("validation validates"), terms("validate validating"));
        assert_eq!(terms("größe"), ["größe"]);
        assert_eq!(terms("class status"), ["class", "status"]);
    }

    #[test]
    fn ranks_matching_documents_first() {
        let mut idx = Bm25::new();
        let a = idx.add(&terms("fn load_config(path) read file parse toml").join(" "));
        let b = idx.add(&terms("fn render_widget(tree) draw frame").join(" "));
        let c = idx.add(&terms("fn retry_upload(file) backoff retry").join(" "));
        let hits = idx.search("retry the upload", 10, LENGTH_NORM, |_| true);
        assert_eq!(hits[0].0, c);
        assert!(hits.iter().all(|h| h.0 != b));
        assert_eq!(idx.search("config", 10, LENGTH_NORM, |_| true)[0].0, a);
        assert!(idx.search("config", 10, LENGTH_NORM, |d| d != a).is_empty());
        idx.remove(a);
        assert!(idx.search("config", 10, LENGTH_NORM, |_| true).is_empty());
        assert_eq!(idx.len(), 2);
    }
}
