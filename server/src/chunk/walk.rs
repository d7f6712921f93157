//! One walk over the syntax tree that runs the definition query where its
//! patterns can start, and notes for each captured definition what surrounds
//! it: the wrappers above it and the comments and attributes just before.
//!
//! Why a walk instead of one query over the whole tree: a query cursor slows
//! down quadratically on nodes with very many children (a generated array of
//! a million elements took seconds), and `Node::parent` / `prev_sibling` cost
//! as much as the parent has children. Here the query runs with a start depth
//! of zero at nodes whose kind starts a pattern, and parents and preceding
//! siblings come from the walk's own stack, so the cost stays linear (the
//! one exception, `attach::first_child_run`, looks at the siblings of a few
//! Haskell nodes that have a handful).
//!
//! The walk does not descend into captured functions and methods, nor into
//! closures and other function expressions: nothing in there is a chunk of its
//! own (rule: nested definitions stay in their function). This module does not
//! decide kinds, names or containers: `definitions.rs` does.

use std::collections::HashMap;

use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree, TreeCursor};

use super::attach::{first_child_run, is_attachable, is_empty, passes_attachables_to_first_child, wraps};
use super::queries::{capture_role, CaptureRole, DefinitionQuery};
use super::ChunkKind;
use crate::lang::Language;

/// A definition the query captured, with its surroundings.
#[derive(Debug, Clone)]
pub(crate) struct Found<'tree> {
    pub(crate) node: Node<'tree>,
    pub(crate) kind: ChunkKind,
    pub(crate) name_node: Option<Node<'tree>>,
    pub(crate) container_node: Option<Node<'tree>>,
    /// Index of the pattern that matched; the lowest wins for a node.
    pub(crate) pattern_index: usize,
    /// The node grown to the wrappers that only hold it (`export`, …).
    pub(crate) outer: Node<'tree>,
    /// The contiguous run of comments and attributes right before `outer`
    /// among its siblings, in source order (not yet checked for blank lines).
    pub(crate) attachable_before: Vec<Node<'tree>>,
}

/// The walk's view of one depth: the node it is on, and the run of
/// attachable siblings right before that node.
struct Level<'tree> {
    node: Node<'tree>,
    attachable_run: Vec<Node<'tree>>,
}

/// Part of a tree to walk: `count` siblings from `first` on, below the nodes
/// of `path` (from a child of the root down to their parent; empty when they
/// are children of the root).
#[derive(Debug, Clone)]
pub(crate) struct Scope<'a, 'tree> {
    pub(crate) path: &'a [Node<'tree>],
    pub(crate) first: Node<'tree>,
    pub(crate) count: usize,
}

/// Every definition captured in `tree`, in walk order; with a `scope`, only
/// the nodes on its path (the definitions around it) and inside its siblings.
pub(crate) fn find_captures<'tree>(
    language: Language,
    definitions: &DefinitionQuery,
    tree: &'tree Tree,
    source: &str,
    scope: Option<Scope<'_, 'tree>>,
) -> Vec<Found<'tree>> {
    let mut query_cursor = QueryCursor::new();
    query_cursor.set_max_start_depth(Some(0));
    let mut walk = Walk { language, definitions, source, query_cursor: &mut query_cursor, pending: HashMap::new(), found: Vec::new() };

    let mut cursor = tree.walk();
    let mut levels = vec![Level { node: cursor.node(), attachable_run: Vec::new() }];
    // With a scope: the depth of its siblings, how many of them the walk has
    // left behind, and where to stop.
    let mut scope_depth = 2;
    let mut done = 0;
    let mut end = None;
    if let Some(Scope { path, first, count }) = scope {
        if count == 0 {
            return walk.found;
        }
        // Down the path: each node on it is visited (a definition holding the
        // scope is found there), with the run of comments and attributes
        // right before it.
        for (depth, &node) in path.iter().chain(std::iter::once(&first)).enumerate() {
            let parent = levels.last().expect("the root's level");
            let first_run = || first_child_run(language, parent.node, &parent.attachable_run, source);
            let Some(attachable_run) = go_to_child(&mut cursor, node, language, source, first_run) else { return walk.found };
            levels.push(Level { node, attachable_run });
            if depth < path.len() {
                walk.visit(node, &levels);
            }
        }
        scope_depth = path.len() + 2;
        end = Some(count);
    }
    loop {
        let node = cursor.node();
        if walk.visit(node, &levels) && cursor.goto_first_child() {
            let parent = levels.last().expect("the node's level");
            let attachable_run = match passes_attachables_to_first_child(language, node) {
                true => first_child_run(language, node, &parent.attachable_run, source),
                false => Vec::new(),
            };
            levels.push(Level { node: cursor.node(), attachable_run });
            continue;
        }
        // Move on to the next sibling, climbing up as long as there is none.
        loop {
            let depth = levels.len();
            let Some(level) = levels.last_mut() else { return walk.found };
            if is_attachable(language, level.node, source) {
                level.attachable_run.push(level.node);
            } else if !is_empty(level.node) {
                level.attachable_run.clear();
            }
            if depth == scope_depth {
                done += 1;
                if end.is_some_and(|end| done >= end) {
                    return walk.found;
                }
            }
            if cursor.goto_next_sibling() {
                level.node = cursor.node();
                break;
            }
            if !cursor.goto_parent() {
                return walk.found;
            }
            levels.pop();
        }
    }
}

/// Moves `cursor` from a node to its child `child`, jumping there by byte
/// offset rather than stepping through every sibling before it, and returns
/// the run of attachable siblings right before it (in source order), which
/// starts with `first_run()` when every sibling before it is attachable and
/// the node [passes its own run on](passes_attachables_to_first_child).
/// `None` if `child` is not a child of the cursor's node.
fn go_to_child<'tree>(
    cursor: &mut TreeCursor<'tree>,
    child: Node<'tree>,
    language: Language,
    source: &str,
    first_run: impl FnOnce() -> Vec<Node<'tree>>,
) -> Option<Vec<Node<'tree>>> {
    let parent = cursor.node();
    let jumped = cursor.goto_first_child_for_byte(child.start_byte()).is_some();
    // Empty nodes can sit at the same byte: step to the one sought.
    while jumped && cursor.node() != child && cursor.node().start_byte() <= child.start_byte() && cursor.goto_next_sibling() {}
    if cursor.node() != child {
        // An empty child the jump went past: look for it from the first one.
        if jumped {
            cursor.goto_parent();
        }
        cursor.goto_first_child();
        while cursor.node() != child {
            if !cursor.goto_next_sibling() {
                return None;
            }
        }
    }
    let mut run = Vec::new();
    let mut back = 0;
    let mut from_first = true;
    while cursor.goto_previous_sibling() {
        back += 1;
        let node = cursor.node();
        if is_empty(node) {
            continue;
        }
        if !is_attachable(language, node, source) {
            from_first = false;
            break;
        }
        run.push(node);
    }
    for _ in 0..back {
        cursor.goto_next_sibling();
    }
    if from_first && passes_attachables_to_first_child(language, parent) {
        run.extend(first_run().into_iter().rev());
    }
    run.reverse();
    Some(run)
}

/// What the walk gathers as it goes.
struct Walk<'w, 'tree> {
    language: Language,
    definitions: &'w DefinitionQuery,
    source: &'w str,
    query_cursor: &'w mut QueryCursor,
    /// Captured but not yet reached by the walk, by node id.
    pending: HashMap<usize, Vec<Found<'tree>>>,
    found: Vec<Found<'tree>>,
}

impl<'tree> Walk<'_, 'tree> {
    /// Runs the patterns that start at `node` (the bottom of `levels`) and
    /// takes the definitions captured at it. Returns whether to go inside it.
    fn visit(&mut self, node: Node<'tree>, levels: &[Level<'tree>]) -> bool {
        if self.definitions.may_start_at(node.kind()) {
            run_query_at(self.definitions, self.query_cursor, node, self.source, &mut self.pending);
        }
        let mut descend = !is_function_expression(self.language, node.kind());
        if let Some(captures) = self.pending.remove(&node.id()) {
            let (outer, attachable_before) = surroundings(self.language, levels);
            for capture in captures {
                descend &= !matches!(capture.kind, ChunkKind::Function | ChunkKind::Method);
                self.found.push(Found { outer, attachable_before: attachable_before.clone(), ..capture });
            }
        }
        descend
    }
}

/// Runs the patterns that start at `node` and files their captures under the
/// captured definition nodes.
fn run_query_at<'tree>(
    definitions: &DefinitionQuery,
    query_cursor: &mut QueryCursor,
    node: Node<'tree>,
    source: &str,
    pending: &mut HashMap<usize, Vec<Found<'tree>>>,
) {
    let query = &definitions.query;
    let mut matches = query_cursor.matches(query, node, source.as_bytes());
    while let Some(found) = matches.next() {
        let mut definition = None;
        let mut name_node = None;
        let mut container_node = None;
        for capture in found.captures {
            let role = query.capture_names().get(capture.index as usize).and_then(|name| capture_role(name));
            match role {
                Some(CaptureRole::Definition(kind)) => definition = Some((capture.node, kind)),
                Some(CaptureRole::Name) => name_node = Some(capture.node),
                Some(CaptureRole::Container) => container_node = Some(capture.node),
                None => {}
            }
        }
        let Some((node, kind)) = definition else { continue };
        pending.entry(node.id()).or_default().push(Found {
            node,
            kind,
            name_node,
            container_node,
            pattern_index: found.pattern_index,
            outer: node,
            attachable_before: Vec::new(),
        });
    }
}

/// For the node at the bottom of `levels`: the outermost wrapper holding it,
/// and the attachable run before that wrapper.
fn surroundings<'tree>(language: Language, levels: &[Level<'tree>]) -> (Node<'tree>, Vec<Node<'tree>>) {
    let mut depth = levels.len() - 1;
    while depth > 0 && wraps(language, levels[depth - 1].node, levels[depth].node) {
        depth -= 1;
    }
    (levels[depth].node, levels[depth].attachable_run.clone())
}

/// Function-valued expressions whose insides are never chunks.
fn is_function_expression(language: Language, kind: &str) -> bool {
    use Language::*;
    match language {
        Rust => kind == "closure_expression",
        Python => kind == "lambda",
        JavaScript | TypeScript | Tsx => {
            matches!(kind, "arrow_function" | "function_expression" | "generator_function" | "method_definition")
        }
        Go => kind == "func_literal",
        Java | Cpp | Scala => kind == "lambda_expression",
        CSharp => matches!(kind, "lambda_expression" | "anonymous_method_expression"),
        Kotlin => matches!(kind, "lambda_literal" | "anonymous_function"),
        Swift => kind == "lambda_literal",
        Php => matches!(kind, "anonymous_function" | "arrow_function"),
        Lua => kind == "function_definition",
        Elixir => kind == "anonymous_function",
        Haskell => kind == "lambda",
        // Not Ruby's `do … end` blocks: DSLs such as Rails' `class_methods do`
        // hold methods.
        Ruby => kind == "lambda",
        _ => false,
    }
}
