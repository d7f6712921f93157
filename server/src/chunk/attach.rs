//! What belongs to a definition beyond its captured node: which wrappers
//! around it (`export`, decorators, `template <…>`, a single-spec Go `type`)
//! and which comments and attributes above it are part of its chunk, its
//! one-line signature, and the statements of its body.
//!
//! Each function looks at one definition only and never calls `Node::parent`
//! or `prev_sibling` (slow on wide trees; `walk.rs` hands the surroundings
//! in). Deciding which definitions are chunks and how big chunks may be is
//! done elsewhere.

use std::ops::Range;

use tree_sitter::Node;

use super::lines::{floor_char_boundary, LineIndex};
use crate::lang::Language;

/// Longest signature kept, in characters.
const SIGNATURE_MAX_CHARS: usize = 200;

/// How far past the start a signature is looked for, in bytes.
const SIGNATURE_SCAN_BYTES: usize = 1000;

/// Node kinds that are attached to the definition that follows them, besides
/// comments.
const ATTRIBUTE_KINDS: [&str; 5] =
    ["attribute_item", "decorator", "annotation", "marker_annotation", "attribute_declaration"];

/// Whether `parent` only exists to hold `child`, so that the chunk of `child`
/// starts where `parent` does: `export`, decorators, `template <…>`, `declare`,
/// `extern "C"`, a Go `type` with a single spec, a C# top-level statement.
pub(crate) fn wraps(language: Language, parent: Node, child: Node) -> bool {
    use Language::*;
    match (language, parent.kind()) {
        (JavaScript | TypeScript | Tsx, "export_statement") => true,
        (TypeScript | Tsx, "ambient_declaration") => true,
        // `namespace Foo {}` parses as an expression statement.
        (TypeScript | Tsx, "expression_statement") => parent.named_child_count() == 1,
        (Python, "decorated_definition") => true,
        (Cpp, "template_declaration") => true,
        (C | Cpp, "linkage_specification") => parent.child_by_field_name("body") == Some(child),
        (CSharp, "global_statement") => true,
        (Go, "type_declaration") => {
            let mut cursor = parent.walk();
            let specs = parent.named_children(&mut cursor).filter(|c| matches!(c.kind(), "type_spec" | "type_alias"));
            specs.count() == 1
        }
        _ => false,
    }
}

/// The byte range of a definition's chunk: `outer` plus the comments and
/// attributes of `attachable_before` that sit directly above it (contiguous,
/// no blank line in between, each starting its own line).
pub(crate) fn attached_range(outer: Node, attachable_before: &[Node], lines: &LineIndex) -> Range<usize> {
    let mut start = outer.start_byte();
    for above in attachable_before.iter().rev() {
        let last_byte_above = above.end_byte().saturating_sub(1).max(above.start_byte());
        let adjacent = lines.line_of(start) <= lines.line_of(last_byte_above) + 1;
        if !adjacent || !lines.starts_its_line(above.start_byte()) {
            break;
        }
        start = above.start_byte();
    }
    start..outer.end_byte()
}

/// Whether `node` documents or annotates the definition that follows it: a
/// comment (except inner docs, which document the enclosing item or file) or
/// an attribute, decorator or annotation.
pub(crate) fn is_attachable(language: Language, node: Node, source: &str) -> bool {
    let kind = node.kind();
    if ATTRIBUTE_KINDS.contains(&kind) {
        return true;
    }
    if !kind.ends_with("comment") {
        return false;
    }
    // Inner doc comments document the enclosing item (Rust) or the file
    // (Zig), not the next one.
    let text = || source.get(node.byte_range()).unwrap_or("");
    match language {
        Language::Rust => !(text().starts_with("//!") || text().starts_with("/*!")),
        Language::Zig => !text().starts_with("//!"),
        _ => true,
    }
}

/// Whether `node` spans no bytes: an ERROR or MISSING node of error
/// recovery. Such nodes neither break nor join a run of comments, nor start
/// a statement: tree-sitter can add or drop them where it reports no changed
/// range, so nothing the chunker decides may depend on them.
pub(crate) fn is_empty(node: Node) -> bool {
    node.start_byte() == node.end_byte()
}

/// The definition's signature: from the start of `outer` (or of the line
/// holding the name, when decorators or annotations come first and a body
/// follows) to the body or the end of the line, whichever comes first; a line
/// end inside parentheses or brackets does not count, so a parameter list
/// spread over lines is kept whole. Whitespace is collapsed, a trailing `{`
/// (or Python `:`) dropped, and at most [`SIGNATURE_MAX_CHARS`] characters kept.
pub(crate) fn signature(
    language: Language,
    node: Node,
    name_node: Option<Node>,
    outer: Node,
    lines: &LineIndex,
) -> Option<String> {
    let source = lines.source();
    let body = body_of(language, node);
    let mut from = outer.start_byte();
    // Decorators, annotations and `template <…>` lines come before the line
    // with the name, which comes before the body; skip them.
    if let (Some(name), Some(body)) = (name_node, body) {
        let name_line = lines.line_of(name.start_byte());
        if name_line > lines.line_of(from) && name_line <= lines.line_of(body.start_byte()) {
            from = lines.line_start(name_line);
        }
    }
    // Never past the definition itself: a signature is part of its own text
    // (in broken code the first "line" can run on into what follows, and an
    // edit there must not change this definition's chunk).
    let mut to = floor_char_boundary(source, from.saturating_add(SIGNATURE_SCAN_BYTES).min(outer.end_byte()));
    if let Some(body) = body.map(|body| body.start_byte()).filter(|&body| body > from) {
        to = to.min(body);
    }
    let text = source.get(from..to.max(from))?;
    let text = &text[..end_of_first_logical_line(language, text)];
    let mut signature = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(stripped) = signature.strip_suffix('{') {
        signature = stripped.trim_end().to_string();
    }
    // What only opens the body: Python's `:`, Scala's `=`.
    let opener = match language {
        Language::Python => Some(":"),
        Language::Scala => Some("="),
        _ => None,
    };
    if let Some(stripped) = opener.and_then(|opener| signature.strip_suffix(opener)) {
        signature = stripped.trim_end().to_string();
    }
    if signature.chars().count() > SIGNATURE_MAX_CHARS {
        signature = signature.chars().take(SIGNATURE_MAX_CHARS).collect();
    }
    (!signature.is_empty()).then_some(signature)
}

/// The body of a definition: its `body` field, or the `function_body` of a
/// Kotlin function.
fn body_of<'tree>(language: Language, node: Node<'tree>) -> Option<Node<'tree>> {
    if let Some(body) = node.child_by_field_name("body") {
        return Some(body);
    }
    let kind = match language {
        Language::Kotlin => "function_body",
        _ => return None,
    };
    let mut cursor = node.walk();
    let body = node.named_children(&mut cursor).find(|child| child.kind() == kind);
    body
}

/// Where the first line of `text` ends, not counting line ends inside `(…)`
/// or `[…]`. A Python header ends at its `:` (before any trailing comment).
fn end_of_first_logical_line(language: Language, text: &str) -> usize {
    let mut depth = 0usize;
    for (index, c) in text.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '\n' if depth == 0 => return index,
            ':' if depth == 0 && language == Language::Python => return index + 1,
            _ => {}
        }
    }
    text.len()
}

/// The statements of a function's body: the named children of the node in its
/// `body` field, or of the `body` of a child (`const f = () => {…}`).
pub(crate) fn body_statements<'tree>(language: Language, node: Node<'tree>) -> Vec<Node<'tree>> {
    let mut cursor = node.walk();
    let body = body_of(language, node).or_else(|| {
        node.named_children(&mut cursor).find_map(|child| {
            let value = child.child_by_field_name("value").unwrap_or(child);
            value.child_by_field_name("body")
        })
    });
    let Some(mut body) = body else { return Vec::new() };
    // Kotlin's and Swift's function bodies hold a block of statements.
    if matches!(language, Language::Kotlin | Language::Swift) && body.named_child_count() == 1 {
        body = body.named_child(0).filter(|only| matches!(only.kind(), "block" | "statements")).unwrap_or(body);
    }
    let mut cursor = body.walk();
    body.named_children(&mut cursor).collect()
}
