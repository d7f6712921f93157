//! How a query in words is phrased: whether it says what one function does,
//! verb first, the way the first sentence of a doc comment does ("Return
//! the user's roles", "Creates a session", "Check whether the path exists",
//! "retry failed uploads"), or asks about a part of the code ("how are
//! uploads retried", "upload retry middleware").
//!
//! The ranking stage asks for a function when the query says what a
//! function does, and for files otherwise. A query that asks whether
//! something holds ("Check if the task has started", "Returns true if the
//! map is empty") describes a predicate, which code names `is_started`,
//! `isEmpty`, `has_next`. Pure functions of the query's
//! first words and a fixed list of the verbs of code: no index, no
//! model, no tagger. It must stay cautious: a word that is also a common
//! noun (`request`, `test`, `store`) opens a noun phrase as often as an
//! order ("request logging middleware"), so it counts only before an
//! article or the like ("request a token").

/// Verbs that open descriptions of code, in their base form.
const VERBS: &[&str] = &[
    "abort", "accept", "access", "add", "adjust", "advance", "allocate", "allow", "announce", "append", "apply", "assert", "assign", "attach",
    "attempt", "await", "bind", "build", "calculate", "call", "cancel", "capture", "cast", "change", "check", "clamp", "clean", "clear",
    "clone", "close", "coerce", "collapse", "collect", "combine", "commit", "compare", "compile", "complete", "compute", "concat",
    "configure", "connect", "construct", "consume", "contain", "convert", "copy", "correct", "count", "create", "decode", "decorate",
    "decrypt", "dedupe", "deduplicate", "defer", "define", "delegate", "delete", "deliver", "derive", "describe", "deserialize", "destroy",
    "detach", "detect", "determine", "disable", "discard", "dispatch", "display", "dispose", "distribute", "divide", "drain", "draw", "drop",
    "dump", "edit", "eject", "embed", "emit", "enable", "encode", "encrypt", "end", "ensure", "enter", "erase", "escape", "evaluate",
    "execute", "exit", "expand", "expect", "export", "expose", "extend", "extract", "fail", "fetch", "fill", "filter", "find", "finish",
    "fire", "fix", "flatten", "flush", "fold", "force", "format", "forward", "free", "freeze", "gather", "generate", "get", "group",
    "guess", "handle", "hash", "hide", "hold", "identify", "ignore", "implement", "import", "include", "increment", "indent", "indicate",
    "infer", "inherit", "initialize", "inject", "insert", "inspect", "install", "instantiate", "intercept", "interpret", "invoke",
    "iterate", "join", "keep", "limit", "link", "list", "listen", "load", "locate", "lock", "log", "look", "lookup", "make", "map", "mark",
    "match", "measure", "merge", "modify", "mount", "move", "multiply", "mutate", "negate", "nest", "normalize", "notify", "obtain", "omit",
    "open", "order", "output", "override", "overwrite", "pack", "pad", "parse", "pass", "patch", "pause", "peek", "perform", "persist",
    "pick", "pin", "pipe", "place", "plot", "poll", "pop", "populate", "post", "predict", "prepare", "prepend", "preserve", "prevent",
    "print", "proceed", "process", "produce", "project", "promote", "provide", "prune", "publish", "push", "put", "query", "quote",
    "raise", "rank", "read", "receive", "record", "recurse", "redirect", "reduce", "refer", "reflect", "refresh", "register", "reject",
    "release", "reload", "remember", "remove", "rename", "render", "repair", "repeat", "replace", "report", "represent", "request",
    "require", "rescale", "reset", "resolve", "respond", "restore", "restrict", "resume", "retrieve", "retry", "return", "reverse",
    "rewrite", "round", "run", "sanitize", "save", "scale", "scan", "schedule", "search", "seek", "select", "send", "separate", "serialize",
    "set", "setup", "show", "shut", "simplify", "skip", "sleep", "slice", "sort", "spawn", "specify", "split", "squash", "start", "stop",
    "store", "stringify", "strip", "submit", "subscribe", "substitute", "subtract", "suppress", "swap", "switch", "sync", "take", "tell",
    "test", "throw", "toggle", "tokenize", "track", "transfer", "transform", "translate", "traverse", "trigger", "trim", "truncate", "try",
    "turn", "unescape", "unlock", "unpack", "unregister", "unset", "unsubscribe", "unwrap", "update", "upgrade", "upload", "use",
    "validate", "verify", "visit", "wait", "walk", "watch", "wrap", "write", "yield", "zip",
];

/// Verbs that are as often nouns at the head of a noun phrase: a query
/// opening with one counts only when an article or the like follows.
const ALSO_NOUNS: &[&str] = &[
    "call", "cast", "change", "check", "close", "copy", "count", "display", "dump", "end", "export", "filter", "fix", "group", "hash",
    "hold", "import", "insert", "limit", "link", "list", "load", "lock", "log", "map", "mark", "match", "open", "order", "output",
    "patch", "pin", "post", "print", "process", "query", "rank", "record", "report", "request", "return",
    "round", "run", "scale", "schedule", "search", "set", "sleep", "slice", "sort", "spawn", "start", "store", "test",
    "track", "transfer", "update", "use", "watch", "wrap", "zip",
];

/// Words that follow a verb, not a noun: articles, pronouns, conjunctions
/// that open a clause, particles.
const AFTER_A_VERB: &[&str] = &[
    "a", "all", "an", "any", "as", "away", "back", "both", "by", "down", "each", "every", "for", "from", "given", "her", "his", "if", "in",
    "into", "it", "its", "itself", "multiple", "my", "new", "no", "not", "off", "on", "one", "only", "our", "out", "over", "self",
    "several", "some", "that", "the", "their", "them", "these", "this", "those", "to", "up", "whether", "which", "with", "your",
];

/// Whether the query says what one function does, verb first: a verb in
/// its base form or with `-s` ("Returns the…"), or "True if", "Whether",
/// "Do not". Not when the first word is a verb that is as often a noun
/// and no article follows it, nor when a conjunction or a gerund follows
/// the first word ("insert and update operations", "request logging").
pub fn describes_a_function(query: &str) -> bool {
    let mut words = words_of(query);
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    if !first.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    match (first.as_str(), second.as_str()) {
        ("true" | "false", "if") | ("do", "not") | ("whether", _) => return true,
        _ => {}
    }
    if matches!(second.as_str(), "and" | "or") || second.ends_with("ing") {
        return false;
    }
    if is_verb(&first) {
        return !ALSO_NOUNS.contains(&first.as_str()) || AFTER_A_VERB.contains(&second.as_str());
    }
    is_third_person(&first)
}

/// Whether the query describes a predicate: it opens with "whether",
/// "true if", "returns true if", "return whether", "check if", "determines
/// whether", "tests if"…
pub fn asks_whether(query: &str) -> bool {
    let mut words = words_of(query);
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    let third = words.next().unwrap_or_default();
    let condition = |w: &str| matches!(w, "if" | "whether");
    match first.as_str() {
        "whether" => true,
        "true" | "false" => second == "if",
        "return" | "returns" => second == "whether" || (matches!(second.as_str(), "true" | "false") && condition(&third)),
        "check" | "checks" | "determine" | "determines" | "test" | "tests" | "tell" | "tells" => condition(&second),
        _ => false,
    }
}

/// The query's words, lower-case, without the punctuation around them.
fn words_of(query: &str) -> impl Iterator<Item = String> + '_ {
    query.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
}

fn is_verb(word: &str) -> bool {
    VERBS.binary_search(&word).is_ok()
}

/// A verb with `-s`, `-es` or `-ies` ("returns", "passes", "applies").
fn is_third_person(word: &str) -> bool {
    [("ies", "y"), ("es", ""), ("s", "")].iter().any(|(suffix, replace)| word.strip_suffix(suffix).is_some_and(|stem| is_verb(&format!("{stem}{replace}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verbs_are_sorted_for_lookup() {
        assert!(VERBS.windows(2).all(|w| w[0] < w[1]));
        // A noun-like verb that is not in VERBS would never be looked at.
        assert!(ALSO_NOUNS.iter().all(|w| is_verb(w)), "{ALSO_NOUNS:?}");
        // A gerund second word already rules a query out.
        assert!(AFTER_A_VERB.iter().all(|w| !w.ends_with("ing")));
    }

    #[test]
    fn a_query_that_says_what_a_function_does_opens_with_a_verb() {
        for query in [
            "Return the user's roles",
            "Returns whether this action accepts values",
            "Creates a new session for the client",
            "Check whether the path exists",
            "retry failed uploads",
            "Applies the patch to a tree",
            "Get visible short aliases for this argument",
            "parse config files",
            "True if the response is a redirect",
            "Whether the cache is warm",
            "Do not display the possible values",
            "request a token from the server",
            "Test if the value is empty",
        ] {
            assert!(describes_a_function(query), "{query}");
        }
    }

    #[test]
    fn a_query_that_asks_whether_something_holds_describes_a_predicate() {
        for query in [
            "Whether the cache is warm",
            "True if the response is a redirect",
            "Returns true if the map is empty",
            "Return False if the path is missing",
            "Returns whether this action accepts values",
            "Check if the task has started",
            "Determines whether the host is bypassed",
            "tests if the value is empty",
        ] {
            assert!(asks_whether(query), "{query}");
        }
        for query in [
            "Returns the value if present",
            "Return true",
            "check the path exists",
            "how do we check if a user is an admin",
            "true",
            "",
        ] {
            assert!(!asks_whether(query), "{query}");
        }
    }

    #[test]
    fn a_question_or_a_noun_phrase_does_not() {
        for query in [
            "how are failed uploads retried",
            "where do we parse the config",
            "does the cache evict entries",
            "request logging middleware",
            "request and response object internals",
            "insert and update operations",
            "test runner for CLI commands",
            "store creation and dispatch lifecycle",
            "hash code builder",
            "validate_format and constraint validators",
            "upload",
            "Session middleware",
            "the retry loop of the uploader",
            "",
        ] {
            assert!(!describes_a_function(query), "{query}");
        }
    }
}
