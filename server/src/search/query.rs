//! What a query asks for, read from its text alone: whether it names a
//! symbol or describes behaviour in words (and then whether it says what
//! one function does), the identifiers and words in it, and whether it asks
//! for tests, examples, documentation or configuration.
//!
//! The ranking stage (`rank.rs`) weighs its signals by this. Pure functions
//! of the query text: no index, no model.

use crate::ident::split_words;
use crate::lexical;

/// A query, analysed once before ranking.
#[derive(Debug, Clone, Default)]
pub struct QueryProfile {
    /// The query is a symbol (`Foo::bar`, `getUserById`, `_private`,
    /// `snake_case`, `JsonReader`), not a description in words.
    pub symbol: bool,
    /// Identifiers the query names, as written: a symbol query's last
    /// segment (and the whole, when qualified); in a sentence, the words
    /// written as identifiers (`parseConfig`, `load_file`, `Vec::new`).
    pub identifiers: Vec<String>,
    /// For a qualified symbol (`Foo::bar`), the segment before the last.
    pub qualifier: Option<String>,
    /// Words that say what one function does, verb first ("Return the
    /// user's roles", "retry failed uploads"): see `phrasing.rs`.
    pub function: bool,
    /// Words that ask whether something holds ("Check if the task has
    /// started"): they describe a predicate (`is_started`).
    pub asks_whether: bool,
    /// The query's words as the lexical index has them (split, lower-case,
    /// stemmed, stopwords dropped), without repeats.
    pub words: Vec<String>,
    pub wants_tests: bool,
    pub wants_examples: bool,
    pub wants_docs: bool,
    pub wants_config: bool,
}

/// Separators of a qualified name: `Foo::bar`, `foo.bar`, `Foo\Bar`, `a->b`, `Foo#bar`.
const QUALIFIERS: [&str; 5] = ["::", "->", ".", "\\", "#"];

impl QueryProfile {
    pub fn new(query: &str) -> QueryProfile {
        let query = query.trim();
        let mut words = lexical::terms(query);
        let mut seen = std::collections::HashSet::new();
        words.retain(|w| seen.insert(w.clone()));
        let raw: Vec<String> = split_words(query);
        let has = |list: &[&str]| raw.iter().any(|w| list.contains(&w.as_str()));
        let mut profile = QueryProfile {
            wants_tests: has(&["test", "tests", "testing", "spec", "specs", "unittest", "fixture", "fixtures", "mock", "mocks"]),
            wants_examples: has(&["example", "examples", "demo", "demos", "sample", "samples", "tutorial"]),
            wants_docs: has(&["doc", "docs", "documentation", "documented", "readme", "guide", "changelog", "tutorial", "explained", "manual"]),
            wants_config: has(&["yaml", "yml", "toml", "json", "config", "configuration", "settings", "manifest", "dockerfile", "makefile", "workflow", "ci"])
                && has(&["file", "files", "yaml", "yml", "toml", "json", "manifest", "dockerfile", "makefile", "workflow", "ci"]),
            words,
            ..QueryProfile::default()
        };
        if is_symbol(query) {
            profile.symbol = true;
            let (qualifier, last) = split_qualified(query);
            profile.identifiers.push(last.to_string());
            if last != query {
                profile.identifiers.push(query.to_string());
            }
            profile.qualifier = qualifier.map(str::to_string);
        } else {
            profile.function = super::phrasing::describes_a_function(query);
            profile.asks_whether = super::phrasing::asks_whether(query);
            for token in query.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '`' | '"' | '\'' | '?' | '!')) {
                let token = token.trim_end_matches(['.', ':']);
                if looks_like_identifier(token) {
                    let (_, last) = split_qualified(token);
                    if !profile.identifiers.iter().any(|i| i == last) {
                        profile.identifiers.push(last.to_string());
                    }
                }
            }
        }
        profile
    }
}

/// Whether the whole query is one symbol: identifier segments joined by
/// qualifiers, written as code is (an upper-case letter, an underscore or a
/// qualifier somewhere). A single plain word (`session`) is a description.
pub fn is_symbol(query: &str) -> bool {
    if query.is_empty() || query.chars().any(char::is_whitespace) {
        return false;
    }
    let segments = segments(query);
    let well_formed = segments.iter().all(|s| is_identifier(s));
    well_formed && (segments.len() > 1 || looks_like_code(query))
}

/// Whether a word inside a sentence is written as an identifier: camelCase,
/// PascalCase with a second capital, snake_case, or qualified (`Vec::new`).
fn looks_like_identifier(token: &str) -> bool {
    if token.len() < 3 || token.chars().any(char::is_whitespace) {
        return false;
    }
    let segments = segments(token);
    if !segments.iter().all(|s| is_identifier(s)) {
        return false;
    }
    if segments.len() > 1 {
        // `e.g` and `i.e` are not code: every segment of a qualified name
        // has two characters or more.
        return segments.iter().all(|s| s.len() > 1);
    }
    let inner_underscore = token.trim_matches('_').contains('_');
    inner_underscore || is_camel(token) || token.starts_with('_')
}

/// A capital after a lower-case letter (`parseConfig`, `JsonReader`).
fn is_camel(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    chars.windows(2).any(|w| w[0].is_lowercase() && w[1].is_uppercase())
}

/// Code style: an upper-case letter or an underscore in it (`Client`,
/// `getUser`, `_private`, `snake_case`, `HTTP_OK`).
fn looks_like_code(word: &str) -> bool {
    word.chars().any(|c| c.is_uppercase() || c == '_')
}

fn is_identifier(segment: &str) -> bool {
    let mut chars = segment.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$') && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// The segments of a qualified name (`a::b.c` → `a`, `b`, `c`).
fn segments(text: &str) -> Vec<&str> {
    let mut out = vec![text];
    for sep in QUALIFIERS {
        out = out.into_iter().flat_map(|s| s.split(sep)).collect();
    }
    out
}

/// `Foo::bar` → (`Foo`, `bar`); `bar` → (None, `bar`).
fn split_qualified(text: &str) -> (Option<&str>, &str) {
    let cut = QUALIFIERS.iter().filter_map(|sep| text.rfind(sep).map(|at| (at, sep.len()))).max_by_key(|(at, _)| *at);
    match cut {
        Some((at, len)) => {
            let before = &text[..at];
            let qualifier = QUALIFIERS.iter().filter_map(|sep| before.rfind(sep).map(|i| i + sep.len())).max().map_or(before, |i| &before[i..]);
            (Some(qualifier).filter(|q| !q.is_empty()), &text[at + len..])
        }
        None => (None, text),
    }
}

/// An identifier reduced for comparing names across styles:
/// `get_user_by_id`, `getUserById` and `GetUserByID` all become `getuserbyid`.
pub fn normalized(identifier: &str) -> String {
    identifier.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_and_sentences_are_told_apart() {
        for symbol in ["Foo::bar", "getUserById", "_private", "snake_case", "JsonReader", "Client", "HTTP_OK", "os.path.join", "Illuminate\\Support\\Str", "Sinatra::Base"] {
            assert!(is_symbol(symbol), "{symbol}");
        }
        for sentence in ["session", "where do we retry failed uploads", "parse config", "how is the request routed", ""] {
            assert!(!is_symbol(sentence), "{sentence}");
        }
    }

    #[test]
    fn a_qualified_symbol_names_its_last_segment_and_its_qualifier() {
        let q = QueryProfile::new("Foo::bar");
        assert!(q.symbol);
        assert_eq!(q.identifiers, ["bar", "Foo::bar"]);
        assert_eq!(q.qualifier.as_deref(), Some("Foo"));
        let q = QueryProfile::new("a.b.Cache");
        assert_eq!((q.identifiers[0].as_str(), q.qualifier.as_deref()), ("Cache", Some("b")));
    }

    #[test]
    fn identifiers_inside_a_sentence_are_found() {
        let q = QueryProfile::new("where is parseConfig called, and what does load_file return?");
        assert!(!q.symbol);
        assert_eq!(q.identifiers, ["parseConfig", "load_file"]);
        assert!(QueryProfile::new("how does the cache evict entries").identifiers.is_empty());
        assert!(QueryProfile::new("e.g. the parser").identifiers.is_empty());
    }

    #[test]
    fn intents_are_read_from_words() {
        assert!(QueryProfile::new("tests for the retry logic").wants_tests);
        assert!(!QueryProfile::new("retry logic").wants_tests);
        assert!(QueryProfile::new("documentation of the routing guide").wants_docs);
        assert!(QueryProfile::new("example of a custom extractor").wants_examples);
        assert!(QueryProfile::new("the yaml file for CI").wants_config);
        assert!(!QueryProfile::new("load the config").wants_config);
    }

    #[test]
    fn names_compare_across_styles() {
        assert_eq!(normalized("get_user_by_id"), normalized("getUserById"));
        assert_eq!(normalized("GetUserByID"), "getuserbyid");
    }
}
