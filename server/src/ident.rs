//! Splitting identifiers and paths into lower-case words.
//!
//! `loadConfig`, `load_config`, `LoadConfig` and `LOAD_CONFIG` all become
//! `["load", "config"]`; `HTTPServer2` becomes `["http", "server", "2"]`.
//! Used by the embedding header (so the model sees words, not glued identifiers)
//! and by the lexical index (so a query word matches part of an identifier).
//! Pure functions: no I/O, no state.

/// Splits one identifier (or any run of text) into lower-case words, in order.
pub fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for piece in text.split(|c: char| !c.is_alphanumeric()) {
        split_case(piece, &mut words);
    }
    words
}

/// Splits a run of alphanumerics at case and digit boundaries.
fn split_case(piece: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = piece.chars().collect();
    let mut start = 0;
    for i in 1..chars.len() {
        let (prev, cur) = (chars[i - 1], chars[i]);
        let next_is_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
        let boundary = (prev.is_lowercase() && cur.is_uppercase())
            || (prev.is_uppercase() && cur.is_uppercase() && next_is_lower)
            || (prev.is_alphabetic() && cur.is_numeric())
            || (prev.is_numeric() && cur.is_alphabetic());
        if boundary {
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
            start = i;
        }
    }
    if start < chars.len() {
        out.push(chars[start..].iter().collect::<String>().to_lowercase());
    }
}

/// The words of `text` joined by single spaces: `"loadConfig"` → `"load config"`.
pub fn spelled(text: &str) -> String {
    split_words(text).join(" ")
}

/// Whether `word` is worth spelling out separately: it is an identifier made of
/// several words (`load_config`, `loadConfig`), not a plain word.
pub fn is_compound(word: &str) -> bool {
    split_words(word).len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_common_identifier_styles() {
        assert_eq!(split_words("loadConfig"), ["load", "config"]);
        assert_eq!(split_words("load_config"), ["load", "config"]);
        assert_eq!(split_words("LoadConfig"), ["load", "config"]);
        assert_eq!(split_words("LOAD_CONFIG"), ["load", "config"]);
        assert_eq!(split_words("HTTPServer2"), ["http", "server", "2"]);
        assert_eq!(split_words("src/net/retry_upload.rs"), ["src", "net", "retry", "upload", "rs"]);
        assert_eq!(split_words("parseURL"), ["parse", "url"]);
    }

    #[test]
    fn handles_empty_and_non_ascii() {
        assert!(split_words("").is_empty());
        assert!(split_words("__").is_empty());
        assert_eq!(split_words("größeBerechnen"), ["größe", "berechnen"]);
    }

    #[test]
    fn compound_detection() {
        assert!(is_compound("loadConfig"));
        assert!(!is_compound("config"));
        assert_eq!(spelled("retryFailedUploads"), "retry failed uploads");
    }
}
