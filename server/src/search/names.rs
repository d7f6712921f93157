//! How a query's words meet a chunk's name, its container's name and its
//! signature: the ranking's name-words signal ("parse config" ↔
//! `parseConfig`, "number of arguments" ↔ `num_args`, "Check if the task
//! has started" ↔ `is_started`), its container-words signal ("Get the index
//! of this argument" ↔ a method of `Arg`) and its signature-words signal
//! ("Converts a finite f64 to a Number" ↔ `fn from_f64(f: f64) ->
//! Option<Number>`).
//!
//! A chunk's words are read once, when it enters the index ([`name_terms`],
//! [`container_terms`], [`signature_terms`]); a search only compares them
//! with the query's. Pure functions of words: no index, no model.

use crate::lexical;
use crate::store::StoredChunk;

/// How well the query's words spell a chunk's name: the share of the
/// name's words among the query's, when it has two or more and at least
/// two match (`parse config` ↔ `parseConfig`, less ↔ `parseConfigFile`).
/// A common abbreviation in the name counts as the word it stands for, as
/// in the lexical index ("number of arguments" ↔ `num_args`). When the
/// query asks whether something holds (`asks_whether`), the opening word of
/// a predicate's name (`is`, `has`, `can`…) counts as said, even where the
/// lexical index drops it as a stopword ("Check if the task has started" ↔
/// `is_started`). `name_terms` are the name's words, from [`name_terms`].
pub(super) fn name_words_match(query_words: &[String], name: Option<&str>, name_terms: &str, asks_whether: bool) -> f32 {
    let Some(name) = name else { return 0.0 };
    let said = |word: &str| query_words.iter().any(|q| q == word) || lexical::spelled_out(word).is_some_and(|long| query_words.contains(&long));
    let (mut total, mut matched) = (0, 0);
    for word in name_terms.split(' ').filter(|w| !w.is_empty()) {
        total += 1;
        matched += usize::from(said(word));
    }
    if let Some(opener) = asks_whether.then(|| predicate_opener(name)).flatten() {
        match lexical::terms(opener).pop() {
            // Dropped from the name's words: one more word, said.
            None => (total, matched) = (total + 1, matched + 1),
            Some(word) if !said(&word) => matched += 1,
            Some(_) => {}
        }
    }
    if total < 2 || matched < 2 {
        return 0.0;
    }
    matched as f32 / total as f32
}

/// The words of a chunk's name as [`name_words_match`] reads them (the
/// lexical index's, space-separated), computed once when the chunk enters
/// the index. Empty for a name of fewer than two words, which never
/// matches: even a predicate's opening word adds only one.
pub(super) fn name_terms(name: Option<&str>) -> Box<str> {
    let terms = name.map(lexical::terms).unwrap_or_default();
    if terms.len() < 2 {
        return Box::from("");
    }
    terms.join(" ").into_boxed_str()
}

/// The words of a chunk's container's own name (`impl Display for
/// ArgMatches` → `arg`, `match`), as the lexical index reads them,
/// space-separated; computed once when the chunk enters the index.
pub(super) fn container_terms(container: Option<&str>) -> Box<str> {
    let Some(container) = container else { return Box::from("") };
    let words: Vec<String> = crate::ident::split_words(last_segment(container)).iter().flat_map(|word| lexical::terms(word)).collect();
    words.join(" ").into_boxed_str()
}

/// The share of a container's words (from [`container_terms`]) that the
/// query says, a common abbreviation counting as its long word ("this
/// argument" ↔ `Arg`); 0 without a container.
pub(super) fn container_words_match(query_words: &[String], container_terms: &str) -> f32 {
    let (mut total, mut said) = (0, 0);
    for word in container_terms.split(' ').filter(|w| !w.is_empty()) {
        total += 1;
        said += usize::from(query_words.iter().any(|q| q == word) || lexical::spelled_out(word).is_some_and(|long| query_words.contains(&long)));
    }
    if total == 0 {
        return 0.0;
    }
    said as f32 / total as f32
}

/// The words of a definition's signature (its preview line), as the
/// lexical index stores them, each once, space-separated; empty for a
/// chunk that defines nothing.
pub(super) fn signature_terms(chunk: &StoredChunk) -> Box<str> {
    if !chunk.kind.is_definition() {
        return Box::from("");
    }
    let mut words = lexical::document_terms(&chunk.preview);
    words.sort_unstable();
    words.dedup();
    words.join(" ").into_boxed_str()
}

/// The share of the query's keywords that a definition's signature says
/// (from [`signature_terms`]): the words a description of a function uses
/// for what it takes and gives ("a finite f64 to a Number").
pub(super) fn signature_words_match(keywords: &[&str], signature_terms: &str) -> f32 {
    if keywords.is_empty() || signature_terms.is_empty() {
        return 0.0;
    }
    let said = keywords.iter().filter(|k| signature_terms.split(' ').any(|w| w == **k)).count();
    said as f32 / keywords.len() as f32
}

/// `impl Display for Config` → `Config`; `a::b::Config` → `Config`.
pub(super) fn last_segment(container: &str) -> &str {
    let word = container.rsplit(' ').next().unwrap_or(container);
    let word = word.split('<').next().unwrap_or(word);
    word.rsplit([':', '.', '\\']).next().unwrap_or(word)
}

/// Words that open the name of a predicate: `is_empty`, `hasNext`, `can_read`.
const PREDICATE_OPENERS: &[&str] = &["are", "can", "does", "has", "have", "is", "should", "was"];

/// The opening word of `name` when it names a predicate (`_is_dataclass` → `is`).
fn predicate_opener(name: &str) -> Option<&'static str> {
    let first = crate::ident::split_words(name).into_iter().next()?;
    PREDICATE_OPENERS.iter().find(|&&opener| opener == first).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::ChunkKind;

    /// [`name_words_match`] of `name`, its terms computed as the index does.
    fn name_match(query_words: &[String], name: &str, asks_whether: bool) -> f32 {
        name_words_match(query_words, Some(name), &name_terms(Some(name)), asks_whether)
    }

    #[test]
    fn a_name_in_abbreviations_is_spelled_by_the_long_words() {
        let words = lexical::terms("Specifies the number of arguments parsed per occurrence");
        let exact = name_match(&words, "parse_arguments", false);
        assert!(exact > 0.0);
        assert_eq!(name_match(&words, "num_args", false), exact, "num, args stand for number, arguments");
        assert_eq!(name_match(&words, "num_values", false), 0.0, "one word of two is not enough");
        assert_eq!(name_match(&lexical::terms("num args"), "number_arguments", false), 0.0, "the query's short words are not spelled out");
    }

    #[test]
    fn a_container_is_said_by_its_words_or_their_long_form() {
        let words = lexical::terms("Get the index of this argument, if any");
        assert_eq!(container_words_match(&words, &container_terms(Some("Arg"))), 1.0, "arg stands for argument");
        assert_eq!(container_words_match(&words, &container_terms(Some("impl<'a> Display for MatchedArg<'a>"))), 0.5, "matched is not said");
        assert_eq!(container_words_match(&words, &container_terms(Some("clap::Command"))), 0.0);
        assert_eq!(container_words_match(&words, &container_terms(None)), 0.0);
    }

    #[test]
    fn a_signature_says_the_words_of_a_function_description() {
        let definition = |kind: ChunkKind, preview: &str| StoredChunk {
            kind,
            name: None,
            container: None,
            start_byte: 0,
            end_byte: 0,
            start_line: 0,
            end_line: 0,
            text_hash: [0; 32],
            terms: String::new(),
            preview: preview.into(),
            test: false,
        };
        let words = lexical::terms("Converts a finite f64 to a Number");
        let keywords: Vec<&str> = words.iter().map(String::as_str).filter(|w| w.len() > 2).collect();
        let from_f64 = signature_terms(&definition(ChunkKind::Function, "pub fn from_f64(f: f64) -> Option<Number>"));
        let as_f64 = signature_terms(&definition(ChunkKind::Function, "pub fn as_f64(&self) -> Option<f64>"));
        assert!(signature_words_match(&keywords, &from_f64) > signature_words_match(&keywords, &as_f64), "f64 and Number beat f64 alone");
        assert!(signature_words_match(&keywords, &as_f64) > 0.0);
        // A chunk that defines nothing has no signature.
        assert_eq!(signature_terms(&definition(ChunkKind::Block, "let n = Number::from_f64(f64::MAX);")), Box::from(""));
    }

    #[test]
    fn a_query_that_asks_whether_says_the_opening_word_of_a_predicate() {
        let query = "Check if live display has been started";
        let words = lexical::terms(query);
        assert!(super::super::phrasing::asks_whether(query));
        // `is` is a stopword: without the question only `started` is said.
        assert_eq!(name_match(&words, "is_started", false), 0.0);
        let predicate = name_match(&words, "is_started", true);
        assert!(predicate > 0.0, "is + started");
        assert_eq!(name_match(&words, "_isStarted", true), predicate, "any spelling of the name");
        // An opener the query did not say counts as said, once.
        assert!(name_match(&lexical::terms("Check if the display was started"), "has_started", true) > 0.0);
        assert_eq!(name_match(&words, "has_display", true), name_match(&words, "has_display", false), "`has` was said already");
        // Only a predicate's name, and one word is still not enough.
        assert_eq!(name_match(&words, "start_display", true), name_match(&words, "start_display", false));
        assert_eq!(name_match(&words, "is_empty", true), 0.0);
    }
}
