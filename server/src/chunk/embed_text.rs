//! The text given to the embedding model for one chunk: a short header that
//! says where the code is and what it defines, then the code.
//!
//! Format, one item per line, lines left out when they would be empty:
//!
//! ```text
//! path: src/config/loader.rs (src config loader)
//! in: Config
//! fn load_config(path: &Path) -> Result<Config>
//! words: load config
//! <the chunk's source text>
//! ```
//!
//! 1. `path: ` the relative path, then in parentheses its words
//!    (`crate::ident::spelled`, file extension left out);
//! 2. `in: ` the container, if any;
//! 3. the signature, if any (every window of a split function has it, even
//!    though only the first window's text starts with it);
//! 4. `words: ` the compound identifiers of the name and signature spelled as
//!    words (`load_config` → `load config`), each once, in order of appearance;
//!    left out when there are none. Plain words are already readable above.
//!
//! Block and Section chunks get only the path line before their text. The
//! header stays short because the model truncates at 256 tokens: the container
//! and the words are capped. This module only formats; it neither reads files
//! nor calls the model.

use super::Chunk;
use crate::ident::{is_compound, spelled};

/// Most characters kept of the container line.
const CONTAINER_MAX_CHARS: usize = 100;

/// Most compound identifiers spelled out on the words line.
const WORDS_MAX_IDENTIFIERS: usize = 8;

/// The text to embed for `chunk`, a chunk of `source` at `rel_path`.
pub fn chunk_text_for_embedding(rel_path: &str, chunk: &Chunk, source: &str) -> String {
    let code = source.get(chunk.bytes.clone()).unwrap_or("");
    let mut text = format!("path: {rel_path}");
    let path_words = spelled(without_extension(rel_path));
    if !path_words.is_empty() {
        text.push_str(&format!(" ({path_words})"));
    }
    text.push('\n');
    if chunk.kind.is_definition() {
        if let Some(container) = &chunk.container {
            let container: String = container.chars().take(CONTAINER_MAX_CHARS).collect();
            text.push_str(&format!("in: {container}\n"));
        }
        if let Some(signature) = &chunk.signature {
            text.push_str(signature);
            text.push('\n');
        }
        let words = compound_words(chunk.name.as_deref().into_iter().chain(chunk.signature.as_deref()));
        if !words.is_empty() {
            text.push_str(&format!("words: {}\n", words.join(" ")));
        }
    }
    text.push_str(code);
    text
}

/// `src/config/loader.rs` → `src/config/loader`; a dot-file keeps its name.
fn without_extension(path: &str) -> &str {
    let file_start = path.rfind(['/', '\\']).map_or(0, |slash| slash + 1);
    match path[file_start..].rfind('.') {
        Some(dot) if dot > 0 => &path[..file_start + dot],
        _ => path,
    }
}

/// The compound identifiers in `texts`, spelled, each once, in order.
fn compound_words<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let identifiers = texts.flat_map(|text| text.split(|c: char| !(c.is_alphanumeric() || c == '_')));
    for identifier in identifiers.filter(|identifier| is_compound(identifier)) {
        let spelled_out = spelled(identifier);
        if !words.contains(&spelled_out) {
            words.push(spelled_out);
            if words.len() == WORDS_MAX_IDENTIFIERS {
                break;
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::ChunkKind;
    use crate::lang::Language;

    fn chunk(kind: ChunkKind, bytes: std::ops::Range<usize>) -> Chunk {
        Chunk {
            kind,
            name: None,
            container: None,
            signature: None,
            language: Language::Rust,
            bytes,
            start_line: 0,
            end_line: 0,
            test: false,
        }
    }

    #[test]
    fn definition_header_has_path_container_signature_and_words() {
        let source = "pub fn load_config(path: &Path) -> Result<Config> {\n    todo!()\n}";
        let mut load = chunk(ChunkKind::Method, 0..source.len());
        load.name = Some("load_config".into());
        load.container = Some("ConfigLoader".into());
        load.signature = Some("pub fn load_config(path: &Path) -> Result<Config>".into());
        let text = chunk_text_for_embedding("src/config/loader.rs", &load, source);
        let expected = format!(
            "path: src/config/loader.rs (src config loader)\n\
             in: ConfigLoader\n\
             pub fn load_config(path: &Path) -> Result<Config>\n\
             words: load config\n{source}"
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn blocks_get_only_the_path_line() {
        let source = "use std::io;\n";
        let block = chunk(ChunkKind::Block, 0..12);
        assert_eq!(chunk_text_for_embedding("main.rs", &block, source), "path: main.rs (main)\nuse std::io;");
    }

    #[test]
    fn paths_lose_only_the_file_extension() {
        assert_eq!(without_extension("src/a.b/c.rs"), "src/a.b/c");
        assert_eq!(without_extension(".gitignore"), ".gitignore");
        assert_eq!(without_extension("Makefile"), "Makefile");
    }
}
