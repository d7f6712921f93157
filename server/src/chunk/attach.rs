//! What belongs to a definition beyond its captured node: the wrappers around
//! it (`export`, decorators, `template <…>`, a single-spec Go `type`), the doc
//! comments and attributes directly above it, and its one-line signature.
//!
//! Each function looks at one definition only; deciding which definitions are
//! chunks and how big chunks may be is done elsewhere.

use std::ops::Range;

use tree_sitter::Node;

use super::lines::{floor_char_boundary, LineIndex};
use crate::lang::Language;

/// Longest signature kept, in characters.
const SIGNATURE_MAX_CHARS: usize = 200;

/// How far past the start a signature is looked for, in bytes (a signature
/// spread over many lines is cut at the body or here, whichever is first).
const SIGNATURE_SCAN_BYTES: usize = 1000;

/// Node kinds that are attached to the definition that follows them, besides
/// comments.
const ATTRIBUTE_KINDS: [&str; 5] =
    ["attribute_item", "decorator", "annotation", "marker_annotation", "attribute_declaration"];

/// The node whose range the chunk spans: the captured node, grown to the
/// wrappers that only exist to hold it.
pub(crate) fn outermost_wrapper<'tree>(language: Language, node: Node<'tree>) -> Node<'tree> {
    let mut outer = node;
    while let Some(parent) = wrapping_parent(language, outer) {
        outer = parent;
    }
    outer
}

fn wrapping_parent<'tree>(language: Language, node: Node<'tree>) -> Option<Node<'tree>> {
    use Language::*;
    let parent = node.parent()?;
    let wraps = match (language, parent.kind()) {
        (JavaScript | TypeScript | Tsx, "export_statement") => true,
        (TypeScript | Tsx, "ambient_declaration") => true,
        // `namespace Foo {}` parses as an expression statement.
        (TypeScript | Tsx, "expression_statement") => parent.named_child_count() == 1,
        (Python, "decorated_definition") => true,
        (Cpp, "template_declaration") => true,
        (C | Cpp, "linkage_specification") => parent.child_by_field_name("body") == Some(node),
        (Go, "type_declaration") => {
            let mut cursor = parent.walk();
            let specs = parent.named_children(&mut cursor).filter(|c| matches!(c.kind(), "type_spec" | "type_alias"));
            specs.count() == 1
        }
        _ => false,
    };
    wraps.then_some(parent)
}

/// The byte range of a definition's chunk: `outer` plus the comments and
/// attributes directly above it (contiguous, no blank line in between, each
/// starting its own line).
pub(crate) fn attached_range(language: Language, outer: Node, lines: &LineIndex) -> Range<usize> {
    let mut start = outer.start_byte();
    let mut sibling = outer.prev_sibling();
    while let Some(above) = sibling {
        let last_byte_above = above.end_byte().saturating_sub(1).max(above.start_byte());
        let adjacent = lines.line_of(start) <= lines.line_of(last_byte_above) + 1;
        if !adjacent || !is_attachable(language, above, lines.source()) || !lines.starts_its_line(above.start_byte()) {
            break;
        }
        start = above.start_byte();
        sibling = above.prev_sibling();
    }
    start..outer.end_byte()
}

fn is_attachable(language: Language, node: Node, source: &str) -> bool {
    let kind = node.kind();
    if ATTRIBUTE_KINDS.contains(&kind) {
        return true;
    }
    if !kind.ends_with("comment") {
        return false;
    }
    // Rust inner doc comments document the enclosing item, not the next one.
    let is_inner_doc = || {
        let text = source.get(node.byte_range()).unwrap_or("");
        text.starts_with("//!") || text.starts_with("/*!")
    };
    !(language == Language::Rust && is_inner_doc())
}

/// The definition's signature: from the start of `outer` (or of the line
/// holding the name, when decorators or annotations come first and a body
/// follows) to the body or
/// the end of the line, whitespace collapsed, a trailing `{` (or Python `:`)
/// dropped, at most [`SIGNATURE_MAX_CHARS`] characters.
pub(crate) fn signature(
    language: Language,
    node: Node,
    name_node: Option<Node>,
    outer: Node,
    lines: &LineIndex,
) -> Option<String> {
    let source = lines.source();
    let body = node.child_by_field_name("body");
    let mut from = outer.start_byte();
    // Decorators, annotations and `template <…>` lines come before the line
    // with the name, which comes before the body; skip them.
    if let (Some(name), Some(body)) = (name_node, body) {
        let name_line = lines.line_of(name.start_byte());
        if name_line > lines.line_of(from) && name_line <= lines.line_of(body.start_byte()) {
            from = lines.line_start(name_line);
        }
    }
    let line = lines.line_of(from);
    let line_end = lines.line_start(line) + lines.line_text(line).len();
    let body_start = body.map(|body| body.start_byte()).filter(|&b| b > from);
    let to = match body_start {
        Some(body) => body.min(floor_char_boundary(source, from + SIGNATURE_SCAN_BYTES)),
        None => line_end,
    };
    let text = source.get(from..to.max(from))?;
    let mut signature = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(stripped) = signature.strip_suffix('{') {
        signature = stripped.trim_end().to_string();
    }
    if language == Language::Python {
        if let Some(stripped) = signature.strip_suffix(':') {
            signature = stripped.trim_end().to_string();
        }
    }
    if signature.chars().count() > SIGNATURE_MAX_CHARS {
        signature = signature.chars().take(SIGNATURE_MAX_CHARS).collect();
    }
    (!signature.is_empty()).then_some(signature)
}

/// The statements of a function's body: the named children of the node in its
/// `body` field, or of the `body` of a child (`const f = () => {…}`).
pub(crate) fn body_statements<'tree>(node: Node<'tree>) -> Vec<Node<'tree>> {
    let mut cursor = node.walk();
    let body = node.child_by_field_name("body").or_else(|| {
        node.named_children(&mut cursor).find_map(|child| {
            let value = child.child_by_field_name("value").unwrap_or(child);
            value.child_by_field_name("body")
        })
    });
    let Some(body) = body else { return Vec::new() };
    let mut cursor = body.walk();
    body.named_children(&mut cursor).collect()
}
