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

/// Elixir module attributes that document or annotate the next definition
/// (`@moduledoc` documents the module itself).
const ELIXIR_DEFINITION_ATTRIBUTES: [&str; 6] = ["doc", "spec", "impl", "deprecated", "since", "dialyzer"];

/// Whether `node` documents or annotates the definition that follows it: a
/// comment (except inner docs, which document the enclosing item or file) or
/// an attribute, decorator or annotation; in Haskell also a type signature,
/// a pragma and a haddock comment, in Elixir `@doc`, `@spec` and the like.
pub(crate) fn is_attachable(language: Language, node: Node, source: &str) -> bool {
    let kind = node.kind();
    if ATTRIBUTE_KINDS.contains(&kind) {
        return true;
    }
    let text = || source.get(node.byte_range()).unwrap_or("");
    match (language, kind) {
        (Language::Haskell, "haddock" | "pragma" | "signature") => return true,
        (Language::Elixir, "unary_operator") => {
            let Some(attribute) = text().strip_prefix('@') else { return false };
            let name_end = attribute.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(attribute.len());
            return ELIXIR_DEFINITION_ATTRIBUTES.contains(&&attribute[..name_end]);
        }
        _ => {}
    }
    if !kind.ends_with("comment") {
        return false;
    }
    // Inner doc comments document the enclosing item (Rust) or the file
    // (Zig), not the next one.
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

/// Whether the comments and attributes right before `parent` (among its
/// siblings) belong to its first child. Some grammars start a body node only
/// at its first member, so the comment above that member lies before the
/// body, outside it: Ruby's `body_statement` of a class, the `where` members
/// of a Haskell class or instance, the top-level Haskell `declarations`.
pub(crate) fn passes_attachables_to_first_child(language: Language, parent: Node) -> bool {
    matches!(
        (language, parent.kind()),
        (Language::Ruby, "body_statement") | (Language::Haskell, "declarations" | "class_declarations" | "instance_declarations")
    )
}

/// The run of comments and attributes that belongs to the first child of
/// `parent`, a node that [passes them on](passes_attachables_to_first_child),
/// given the run right before `parent`. Where that run is empty, the
/// attachable nodes that end the sibling before `parent`: Haskell puts the
/// comment above the first declaration at the end of the imports. Costs a
/// walk over `parent`'s earlier siblings, which these nodes have few of.
pub(crate) fn first_child_run<'tree>(language: Language, parent: Node<'tree>, run_before_parent: &[Node<'tree>], source: &str) -> Vec<Node<'tree>> {
    if !run_before_parent.is_empty() || language != Language::Haskell {
        return run_before_parent.to_vec();
    }
    let Some(before) = parent.prev_sibling() else { return Vec::new() };
    let mut cursor = before.walk();
    let mut run = Vec::new();
    if cursor.goto_last_child() {
        while is_empty(cursor.node()) || is_attachable(language, cursor.node(), source) {
            if !is_empty(cursor.node()) {
                run.push(cursor.node());
            }
            if !cursor.goto_previous_sibling() {
                break;
            }
        }
    }
    run.reverse();
    run
}

/// Whether `node`, the last child of its parent, may attach to a definition
/// after the parent (see [`first_child_run`]).
pub(crate) fn attaches_past_its_parent(language: Language, node: Node, source: &str) -> bool {
    language == Language::Haskell && is_attachable(language, node, source)
}

/// The definition's signature: from the start of `outer` (or of the line
/// holding the name, when decorators or annotations come first and a body
/// follows) to the body or the end of the line, whichever comes first; a line
/// end inside parentheses or brackets does not count, so a parameter list
/// spread over lines is kept whole. Whitespace is collapsed, a trailing `{`
/// (or Python `:`) dropped, and at most [`SIGNATURE_MAX_CHARS`] characters kept.
///
/// A Haskell definition with a type signature attached (`type_signature`)
/// has that line as its signature: `loadConfig :: Env -> Config`.
pub(crate) fn signature(
    language: Language,
    node: Node,
    name_node: Option<Node>,
    outer: Node,
    type_signature: Option<Node>,
    lines: &LineIndex,
) -> Option<String> {
    let source = lines.source();
    let (node, outer, name_node) = match type_signature {
        Some(type_signature) => (type_signature, type_signature, None),
        None => (node, outer, name_node),
    };
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
    // What only opens the body: Python's `:`, Elixir's `do`, Scala's and
    // Ruby's `=`, Haskell's `where`.
    let opener = match language {
        Language::Python => Some(":"),
        Language::Elixir => Some(" do"),
        Language::Scala | Language::Ruby => Some("="),
        Language::Haskell => Some(" where"),
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

/// The body of a definition: its `body` field; the right-hand side of a
/// Haskell equation (`match`); the `do … end` of an Elixir `def`; the
/// `function_body` of a Kotlin function.
fn body_of<'tree>(language: Language, node: Node<'tree>) -> Option<Node<'tree>> {
    if let Some(body) = node.child_by_field_name("body") {
        return Some(body);
    }
    let kind = match language {
        Language::Haskell => return node.child_by_field_name("match"),
        Language::Elixir => "do_block",
        Language::Kotlin => "function_body",
        _ => return None,
    };
    let mut cursor = node.walk();
    let body = node.named_children(&mut cursor).find(|child| child.kind() == kind);
    body
}

/// The type signature attached to a Haskell definition: the last of the
/// attachable nodes before it, if it is one and lies in its chunk (which
/// starts at `chunk_start`).
pub(crate) fn type_signature<'tree>(language: Language, attachable_before: &[Node<'tree>], chunk_start: usize) -> Option<Node<'tree>> {
    let last = attachable_before.last().filter(|last| last.start_byte() >= chunk_start)?;
    (language == Language::Haskell && last.kind() == "signature").then_some(*last)
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
