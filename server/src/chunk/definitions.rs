//! Finding the definitions in a syntax tree: taking the query captures from
//! the tree walk (`walk.rs`) and deciding, for each, whether it is a chunk at
//! all, its final kind, its name and its container.
//!
//! Rules applied here:
//! - when several patterns capture the same node, the first pattern wins;
//! - a definition inside a function or method is not a chunk of its own;
//! - a struct/union/enum that is the `type` of an enclosing typedef is absorbed
//!   by it (`typedef struct {…} Point;` is one Struct chunk named `Point`);
//! - a function directly inside a class, struct, enum, trait, interface or impl
//!   is a Method; so is one with an explicit container (`Foo::bar`, Go receiver);
//! - the container is the explicit one, else the name of the nearest enclosing
//!   definition, reduced to a bare type name (`impl<T> Display for Wrapper<T>`
//!   gives `Wrapper`).
//!
//! This module does not compute chunk byte ranges (doc comments, wrappers,
//! windows): `syntax.rs` does.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use tree_sitter::{Node, Tree};

use super::queries::definitions_query;
use super::walk::{find_captures, Found, Scope};
use super::ChunkKind;
use crate::lang::Language;

/// A definition that becomes a chunk.
#[derive(Debug)]
pub(crate) struct Definition<'tree> {
    /// The node the query captured (without wrappers or doc comments).
    pub(crate) node: Node<'tree>,
    /// The node holding the name, if the query captured one.
    pub(crate) name_node: Option<Node<'tree>>,
    pub(crate) kind: ChunkKind,
    pub(crate) name: Option<String>,
    pub(crate) container: Option<String>,
    /// The container name this definition gives to the definitions inside it
    /// (`Config` for `impl Display for Config`); `None` for functions.
    pub(crate) member_name: Option<String>,
    /// Index of the nearest enclosing definition in the same list.
    pub(crate) parent: Option<usize>,
    /// The node grown to its wrappers, and the comments/attributes before it.
    pub(crate) outer: Node<'tree>,
    pub(crate) attachable_before: Vec<Node<'tree>>,
}

/// The definitions of `tree`, in source order (outer before inner); with
/// a `scope`, only those around it and inside it (see [`Scope`]).
pub(crate) fn find_definitions<'tree>(
    language: Language,
    tree: &'tree Tree,
    source: &str,
    scope: Option<Scope<'_, 'tree>>,
) -> Vec<Definition<'tree>> {
    let Some(query) = definitions_query(language) else {
        return Vec::new();
    };
    let captures = first_pattern_per_node(find_captures(language, query, tree, source, scope));
    let parents = nesting(&captures);
    resolve(&captures, &parents, source)
}

/// One capture per definition node (the first pattern wins), sorted by start
/// and then by size (outer first).
fn first_pattern_per_node(found: Vec<Found<'_>>) -> Vec<Found<'_>> {
    let mut by_node: BTreeMap<(usize, usize, u16), Found> = BTreeMap::new();
    for candidate in found {
        let key = (candidate.node.start_byte(), candidate.node.end_byte(), candidate.node.kind_id());
        match by_node.get(&key) {
            Some(kept) if kept.pattern_index <= candidate.pattern_index => {}
            _ => {
                by_node.insert(key, candidate);
            }
        }
    }
    let mut captures: Vec<Found> = by_node.into_values().collect();
    captures.sort_by_key(|c| (c.node.start_byte(), Reverse(c.node.end_byte()), c.pattern_index));
    captures
}

/// For each capture, the index of the nearest capture enclosing it. Byte
/// ranges nest exactly like the syntax tree, and this needs no tree walks.
fn nesting(captures: &[Found]) -> Vec<Option<usize>> {
    let mut parents = Vec::with_capacity(captures.len());
    let mut open: Vec<usize> = Vec::new();
    for capture in captures {
        while let Some(&top) = open.last() {
            if captures[top].node.end_byte() >= capture.node.end_byte() {
                break;
            }
            open.pop();
        }
        parents.push(open.last().copied());
        open.push(parents.len() - 1);
    }
    parents
}

fn is_function(kind: ChunkKind) -> bool {
    matches!(kind, ChunkKind::Function | ChunkKind::Method)
}

/// Kinds whose functions are methods.
fn has_methods(kind: ChunkKind) -> bool {
    matches!(
        kind,
        ChunkKind::Class
            | ChunkKind::Struct
            | ChunkKind::Enum
            | ChunkKind::Trait
            | ChunkKind::Interface
            | ChunkKind::Impl
    )
}

/// Applies the rules of this module to the raw captures.
fn resolve<'tree>(captures: &[Found<'tree>], parents: &[Option<usize>], source: &str) -> Vec<Definition<'tree>> {
    let mut definitions: Vec<Definition<'tree>> = Vec::new();
    // For each capture, its index in `definitions` if it became one.
    let mut kept: Vec<Option<usize>> = Vec::with_capacity(captures.len());
    for (index, capture) in captures.iter().enumerate() {
        let ancestors = || std::iter::successors(parents[index], |&i| parents[i]);
        let inside_function = ancestors().any(|i| is_function(captures[i].kind));
        let absorber = parents[index].filter(|&p| is_type_of(captures[p].node, capture.node));
        if inside_function || absorber.is_some() {
            if let Some(absorber) = absorber.and_then(|p| kept[p]) {
                if definitions[absorber].kind == ChunkKind::Type {
                    definitions[absorber].kind = capture.kind;
                }
            }
            kept.push(None);
            continue;
        }
        let parent = ancestors().find_map(|i| kept[i]);
        let names = Names::of(capture, source);
        let mut kind = capture.kind;
        let parent_has_methods = parent.is_some_and(|p| has_methods(definitions[p].kind));
        if kind == ChunkKind::Function && (names.explicit_container.is_some() || parent_has_methods) {
            kind = ChunkKind::Method;
        }
        let enclosing_container = || {
            std::iter::successors(parent, |&p| definitions[p].parent).find_map(|p| definitions[p].member_name.clone())
        };
        let container = names.explicit_container.or_else(enclosing_container);
        let member_name = match kind {
            _ if is_function(kind) => None,
            // Namespaces keep their full name (`a::b`); types are reduced.
            ChunkKind::Module => names.name.clone(),
            _ => names.member_name,
        };
        kept.push(Some(definitions.len()));
        definitions.push(Definition {
            node: capture.node,
            name_node: capture.name_node,
            kind,
            name: names.name,
            container,
            member_name,
            parent,
            outer: capture.outer,
            attachable_before: capture.attachable_before.clone(),
        });
    }
    definitions
}

/// Whether `inner` is the `type` field of `outer` (a typedef's struct body).
fn is_type_of(outer: Node, inner: Node) -> bool {
    outer.child_by_field_name("type").is_some_and(|type_node| type_node == inner)
}

/// The names read from one capture.
struct Names {
    name: Option<String>,
    explicit_container: Option<String>,
    member_name: Option<String>,
}

impl Names {
    fn of(capture: &Found, source: &str) -> Names {
        // `get` rather than `utf8_text`: a tree that does not match `source`
        // (a caller's bug) must not make slicing panic.
        let text_of = |node: Node| source.get(node.byte_range()).map(collapse_whitespace);
        let mut name = capture.name_node.and_then(text_of);
        let mut explicit_container = capture.container_node.and_then(text_of).and_then(|t| bare_type_name(&t));
        let mut member_name = name.as_deref().and_then(bare_type_name);

        if capture.kind == ChunkKind::Impl {
            // `impl Display for Config`: named after both, members see `Config`.
            let trait_name = capture.node.child_by_field_name("trait").and_then(text_of);
            if let (Some(trait_name), Some(type_name)) = (trait_name, name.as_deref()) {
                name = Some(format!("{trait_name} for {type_name}"));
            }
            // Haskell's `instance Show (Maybe a)`: named `Show (Maybe a)`,
            // members see `Maybe`.
            if capture.name_node.is_some_and(|n| n.kind() == "type_patterns") {
                let class_name = capture.node.child_by_field_name("name").and_then(text_of);
                member_name = name.as_deref().and_then(|types| {
                    let first = types.trim_start_matches(['(', '[', ' ']).split([' ', ')', ']']).next().unwrap_or("");
                    bare_type_name(first)
                });
                if let (Some(class_name), Some(types)) = (class_name, name.as_deref()) {
                    name = Some(format!("{class_name} {types}"));
                }
            }
        } else if capture.name_node.is_some_and(|n| n.kind() == "qualified_identifier") {
            // `void Foo::bar()`: named `bar`, contained in `Foo`.
            if let Some((scope, last)) = name.as_deref().and_then(split_qualified) {
                explicit_container = explicit_container.or_else(|| bare_type_name(scope));
                member_name = bare_type_name(last);
                name = Some(last.to_string());
            }
        }
        Names { name, explicit_container, member_name }
    }
}

/// `a  b\n c` → `a b c`.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits `A::B<T>::c` at its last top-level `::` into (`A::B<T>`, `c`).
fn split_qualified(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut split_at = None;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => depth += 1,
            b'>' => depth -= 1,
            b':' if depth == 0 && bytes.get(i + 1) == Some(&b':') => split_at = Some(i),
            _ => {}
        }
    }
    let at = split_at?;
    let (scope, last) = (&text[..at], &text[at + 2..]);
    (!scope.is_empty() && !last.is_empty()).then_some((scope, last))
}

/// The bare name of a type as written: `&mut crate::config::Config<T>` →
/// `Config`, `*Server` → `Server`, `ns::Foo<int>` → `Foo`.
pub(crate) fn bare_type_name(text: &str) -> Option<String> {
    let mut rest = text.trim();
    loop {
        let before = rest;
        rest = rest.trim_start_matches(['&', '*', ' ']);
        for prefix in ["mut ", "const ", "dyn ", "struct ", "class "] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        if rest == before {
            break;
        }
    }
    if rest.starts_with(['"', '\'']) {
        // A module named by a string: `declare module "./store"`.
        let unquoted = rest.trim_matches(['"', '\'']).trim();
        return (!unquoted.is_empty()).then(|| unquoted.to_string());
    }
    let without_arguments = rest.split(['<', '(', '[']).next().unwrap_or(rest);
    let last_segment = without_arguments.rsplit("::").next().unwrap_or(without_arguments);
    let last_segment = last_segment.rsplit('.').next().unwrap_or(last_segment).trim();
    (!last_segment.is_empty()).then(|| last_segment.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_type_names() {
        assert_eq!(bare_type_name("&mut crate::config::Config<T>").as_deref(), Some("Config"));
        assert_eq!(bare_type_name("*Server").as_deref(), Some("Server"));
        assert_eq!(bare_type_name("ns::Foo<int>").as_deref(), Some("Foo"));
        assert_eq!(bare_type_name("Outer.Inner").as_deref(), Some("Inner"));
        assert_eq!(bare_type_name("\"./store\"").as_deref(), Some("./store"));
        assert_eq!(bare_type_name("  ").as_deref(), None);
    }

    #[test]
    fn qualified_names_split_at_the_last_top_level_separator() {
        assert_eq!(split_qualified("A::B<x::y>::c"), Some(("A::B<x::y>", "c")));
        assert_eq!(split_qualified("Foo::~Foo"), Some(("Foo", "~Foo")));
        assert_eq!(split_qualified("plain"), None);
    }
}
