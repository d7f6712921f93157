//! Fixtures for Rust, Go, C and C++: names, kinds, containers, exact line
//! ranges, doc-comment attachment and line coverage.

use super::{chunk_checked, named, outline};
use crate::chunk::ChunkKind;
use crate::lang::Language;

pub(crate) const RUST: &str = r##"//! Loading configuration files.

use std::fmt;
use std::path::Path;

/// Largest file we read.
const MAX_BYTES: usize = 1 << 20;

/// Settings read from `semnav.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub name: String,
    pub retries: u32,
}

impl Config {
    /// Reads and parses a config file.
    pub fn load(path: &Path) -> std::io::Result<Config> {
        fn helper() -> u32 {
            3
        }
        let text = std::fs::read_to_string(path)?;
        Ok(Config { name: text, retries: helper() })
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

pub trait Source {
    fn read(&self) -> String;
    fn name(&self) -> &str {
        "source"
    }
}

pub enum Mode {
    Fast,
    Slow,
}

pub type Result<T> = std::result::Result<T, String>;

macro_rules! square {
    ($x:expr) => {
        $x * $x
    };
}

mod tests {
    fn check() {}
}

// Free function with a plain comment.
fn main() {
    println!("{}", square!(2));
}
"##;

#[test]
fn rust_items_impls_and_methods() {
    let chunks = chunk_checked(Language::Rust, RUST);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-6",
            "struct Config [-] 8-13",
            "impl Config [-] 15-28",
            "method load [Config] 16-23",
            "method is_empty [Config] 25-27",
            "impl fmt::Display for Config [-] 30-34",
            "method fmt [Config] 31-33",
            "trait Source [-] 36-41",
            "method name [Source] 38-40",
            "enum Mode [-] 43-46",
            "type Result [-] 48-48",
            "function square [-] 50-54",
            "module tests [-] 56-58",
            "function check [tests] 57-57",
            "function main [-] 60-63",
        ]
    );
    // Doc comments and attributes are attached; the inner `//!` is not.
    let config = named(&chunks, "Config");
    assert!(config.text(RUST).starts_with("/// Settings read from `semnav.toml`.\n#[derive(Debug, Clone)]\npub struct"));
    assert_eq!(config.signature.as_deref(), Some("pub struct Config"));
    assert!(named(&chunks, "load").text(RUST).starts_with("/// Reads and parses"));
    assert_eq!(
        named(&chunks, "load").signature.as_deref(),
        Some("pub fn load(path: &Path) -> std::io::Result<Config>")
    );
    assert!(named(&chunks, "main").text(RUST).starts_with("// Free function"));
    assert!(chunks[0].text(RUST).starts_with("//! Loading"));
    // A function nested in a function stays inside its parent.
    assert!(chunks.iter().all(|c| c.name.as_deref() != Some("helper")));
    assert!(named(&chunks, "load").text(RUST).contains("fn helper()"));
    // The trait's required method has no body: it is only in the trait chunk.
    assert!(chunks.iter().all(|c| c.name.as_deref() != Some("read")));
}

pub(crate) const GO: &str = r##"// Package store keeps blobs.
package store

import (
	"errors"
	"sync"
)

var ErrMissing = errors.New("missing")

// Store is an in-memory blob store.
// It is safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	blobs map[string][]byte
}

// Reader reads blobs.
type Reader interface {
	Get(key string) ([]byte, error)
}

type Key string

// New makes an empty store.
func New() *Store {
	return &Store{blobs: map[string][]byte{}}
}

// Get returns a blob.
func (s *Store) Get(key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	blob, ok := s.blobs[key]
	if !ok {
		return nil, ErrMissing
	}
	return blob, nil
}

func (k Key) String() string { return string(k) }
"##;

#[test]
fn go_types_functions_and_methods() {
    let chunks = chunk_checked(Language::Go, GO);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-8",
            "struct Store [-] 10-15",
            "interface Reader [-] 17-20",
            "type Key [-] 22-22",
            "function New [-] 24-27",
            "method Get [Store] 29-38",
            "method String [Key] 40-40",
        ]
    );
    let store = named(&chunks, "Store");
    assert!(store.text(GO).starts_with("// Store is an in-memory blob store.\n// It is safe"));
    assert_eq!(store.signature.as_deref(), Some("type Store struct"));
    assert_eq!(named(&chunks, "Get").signature.as_deref(), Some("func (s *Store) Get(key string) ([]byte, error)"));
    assert_eq!(named(&chunks, "Get").kind, ChunkKind::Method);
}

#[test]
fn go_grouped_type_specs_keep_their_own_comments() {
    let source = "package p\n\ntype (\n\t// A is a.\n\tA struct{ x int }\n\tB = int\n)\n";
    let chunks = chunk_checked(Language::Go, source);
    assert_eq!(outline(&chunks), ["block - [-] 0-2", "struct A [-] 3-4", "type B [-] 5-5", "block - [-] 6-6"]);
}

pub(crate) const C: &str = r##"#include <stdio.h>
#include <stdlib.h>

#define MAX_NAME 64

/* A point in the plane. */
typedef struct {
    double x;
    double y;
} Point;

struct list {
    struct list *next;
    int value;
};

enum color { RED, GREEN };

typedef unsigned long size_type;

// Sums the values of a list.
static int sum(const struct list *head) {
    int total = 0;
    for (; head; head = head->next) {
        total += head->value;
    }
    return total;
}

char *copy_name(const char *name) {
    return NULL;
}

int main(void) {
    printf("%d\n", sum(NULL));
    return 0;
}
"##;

#[test]
fn c_functions_structs_and_typedefs() {
    let chunks = chunk_checked(Language::C, C);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-3",
            "struct Point [-] 5-9",
            "struct list [-] 11-14",
            "enum color [-] 16-16",
            "type size_type [-] 18-18",
            "function sum [-] 20-27",
            "function copy_name [-] 29-31",
            "function main [-] 33-36",
        ]
    );
    assert!(named(&chunks, "Point").text(C).starts_with("/* A point in the plane. */"));
    assert!(named(&chunks, "sum").text(C).starts_with("// Sums the values"));
    assert_eq!(named(&chunks, "sum").signature.as_deref(), Some("static int sum(const struct list *head)"));
}

#[test]
fn c_typedef_absorbs_the_struct_it_names() {
    let source = "typedef struct node {\n    struct node *next;\n} node_t;\n";
    let chunks = chunk_checked(Language::C, source);
    assert_eq!(outline(&chunks), ["struct node_t [-] 0-2"]);
}

pub(crate) const CPP: &str = r##"#include <string>
#include <vector>

namespace geo {

/// A shape with an area.
class Shape {
public:
    virtual ~Shape() = default;
    virtual double area() const = 0;

    /// Name for display.
    std::string name() const {
        return "shape";
    }
};

struct Circle : Shape {
    double r;
    double area() const override { return 3.14 * r * r; }
};

template <typename T>
T largest(const std::vector<T>& items) {
    return items.front();
}

}  // namespace geo

// Out-of-class definition.
double geo::Circle::perimeter() const {
    return 2 * 3.14 * r;
}

int main() {
    return 0;
}
"##;

#[test]
fn cpp_namespaces_classes_and_out_of_class_methods() {
    let chunks = chunk_checked(Language::Cpp, CPP);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-1",
            "module geo [-] 3-27",
            "class Shape [geo] 5-15",
            "method ~Shape [Shape] 8-8",
            "method name [Shape] 11-14",
            "struct Circle [geo] 17-20",
            "method area [Circle] 19-19",
            "function largest [geo] 22-25",
            "method perimeter [Circle] 29-32",
            "function main [-] 34-36",
        ]
    );
    assert!(named(&chunks, "Shape").text(CPP).starts_with("/// A shape with an area."));
    // The template line is part of the chunk, the signature starts at the name.
    let largest = named(&chunks, "largest");
    assert!(largest.text(CPP).starts_with("template <typename T>"));
    assert_eq!(largest.signature.as_deref(), Some("T largest(const std::vector<T>& items)"));
    assert!(named(&chunks, "perimeter").text(CPP).starts_with("// Out-of-class definition."));
}

#[test]
fn cpp_nested_namespaces_keep_their_full_name_as_container() {
    let source = "namespace a::b {\nstruct S {\n  int f() const { return 1; }\n};\n}\n";
    let chunks = chunk_checked(Language::Cpp, source);
    assert_eq!(outline(&chunks), ["module a::b [-] 0-4", "struct S [a::b] 1-3", "method f [S] 2-2"]);
}
