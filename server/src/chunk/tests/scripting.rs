//! Fixtures for Python, JavaScript, TypeScript (and TSX) and Java: names,
//! kinds, containers, exact line ranges, doc-comment attachment and coverage.

use super::{chunk_checked, named, outline};
use crate::chunk::ChunkKind;
use crate::lang::Language;

pub(crate) const PYTHON: &str = r##""""Upload retries."""
import os
import time

MAX_RETRIES = 3


# Decorators hold their own state.
def retry(times):
    def wrap(fn):
        return fn
    return wrap


class Uploader(Base):
    """Uploads files."""

    timeout = 10

    def __init__(self, root):
        self.root = root

    @retry(MAX_RETRIES)
    async def upload(self, path):
        """Upload one file."""
        await self.send(path)

    @staticmethod
    def describe():
        return "uploader"


if __name__ == "__main__":
    Uploader(os.getcwd()).upload("a.txt")
"##;

#[test]
fn python_classes_methods_and_decorators() {
    let chunks = chunk_checked(Language::Python, PYTHON);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-4",
            "function retry [-] 7-11",
            "class Uploader [-] 14-29",
            "method __init__ [Uploader] 19-20",
            "method upload [Uploader] 22-25",
            "method describe [Uploader] 27-29",
            "block - [-] 32-33",
        ]
    );
    // The chunk starts at the first decorator; the signature at `def`.
    let upload = named(&chunks, "upload");
    assert!(upload.text(PYTHON).starts_with("@retry(MAX_RETRIES)\n    async def upload"));
    assert_eq!(upload.signature.as_deref(), Some("async def upload(self, path)"));
    assert_eq!(named(&chunks, "Uploader").signature.as_deref(), Some("class Uploader(Base)"));
    assert!(named(&chunks, "retry").text(PYTHON).starts_with("# Decorators hold"));
    // `wrap` is nested in `retry`: not a chunk of its own.
    assert!(chunks.iter().all(|c| c.name.as_deref() != Some("wrap")));
    assert!(chunks[6].text(PYTHON).starts_with("if __name__ == \"__main__\":"));
}

pub(crate) const JAVASCRIPT: &str = r##"import { readFile } from "fs/promises";

const DEFAULT_PORT = 8080;

/**
 * Starts the HTTP server.
 * @param {number} port
 */
export function startServer(port = DEFAULT_PORT) {
  return listen(port);
}

function* ids() {
  let id = 0;
  while (true) yield id++;
}

export class Router extends Base {
  constructor() {
    super();
    this.routes = [];
  }

  /** Adds a route. */
  add(path, handler) {
    this.routes.push({ path, handler });
  }

  handle = (request) => {
    return this.routes.find((r) => r.path === request.path);
  };
}

const parseQuery = (query) => {
  return new URLSearchParams(query);
};

export const loadFile = async function (path) {
  return readFile(path, "utf8");
};

startServer();
"##;

#[test]
fn javascript_functions_classes_and_arrow_constants() {
    let chunks = chunk_checked(Language::JavaScript, JAVASCRIPT);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-2",
            "function startServer [-] 4-10",
            "function ids [-] 12-15",
            "class Router [-] 17-31",
            "method constructor [Router] 18-21",
            "method add [Router] 23-26",
            "method handle [Router] 28-30",
            "function parseQuery [-] 33-35",
            "function loadFile [-] 37-39",
            "block - [-] 41-41",
        ]
    );
    // JSDoc and the `export` keyword are part of the chunk.
    let start = named(&chunks, "startServer");
    assert!(start.text(JAVASCRIPT).starts_with("/**\n * Starts the HTTP server."));
    assert_eq!(start.signature.as_deref(), Some("export function startServer(port = DEFAULT_PORT)"));
    assert!(named(&chunks, "add").text(JAVASCRIPT).starts_with("/** Adds a route. */"));
    assert!(named(&chunks, "Router").text(JAVASCRIPT).starts_with("export class Router"));
    assert_eq!(named(&chunks, "parseQuery").signature.as_deref(), Some("const parseQuery = (query) =>"));
}

pub(crate) const TYPESCRIPT: &str = r##"import type { Request } from "./http";

/** A user as stored. */
export interface User {
  id: string;
  name: string;
}

export type UserId = string;

enum Role {
  Admin,
  Guest,
}

export abstract class Repository<T> {
  protected items: T[] = [];

  /** Finds one item. */
  find(id: string): T | undefined {
    return this.items.find((item: any) => item.id === id);
  }

  abstract save(item: T): void;
}

namespace Auth {
  export function check(user: User): boolean {
    return user.id.length > 0;
  }
}

export const handle = async (req: Request): Promise<void> => {
  await req.json();
};

export default function main(): void {
  console.log(Role.Admin);
}
"##;

#[test]
fn typescript_interfaces_types_namespaces_and_classes() {
    let expected = [
        "block - [-] 0-0",
        "interface User [-] 2-6",
        "type UserId [-] 8-8",
        "enum Role [-] 10-13",
        "class Repository [-] 15-24",
        "method find [Repository] 18-21",
        "module Auth [-] 26-30",
        "function check [Auth] 27-29",
        "function handle [-] 32-34",
        "function main [-] 36-38",
    ];
    for language in [Language::TypeScript, Language::Tsx] {
        let chunks = chunk_checked(language, TYPESCRIPT);
        assert_eq!(outline(&chunks), expected, "{language}");
        assert!(named(&chunks, "User").text(TYPESCRIPT).starts_with("/** A user as stored. */\nexport interface"));
        assert_eq!(named(&chunks, "Repository").kind, ChunkKind::Class);
        assert_eq!(
            named(&chunks, "handle").signature.as_deref(),
            Some("export const handle = async (req: Request): Promise<void> =>")
        );
    }
}

pub(crate) const JAVA: &str = r##"package com.example.cache;

import java.util.HashMap;
import java.util.Map;

/**
 * A least-recently-used cache.
 */
@SuppressWarnings("unchecked")
public class LruCache<K, V> {
    private final int capacity;
    private final Map<K, V> entries = new HashMap<>();

    /** Makes an empty cache. */
    public LruCache(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Looks a key up.
     */
    @Override
    public V get(K key) {
        return entries.get(key);
    }

    interface Listener {
        void evicted(Object key);
    }

    enum Policy { LRU, FIFO }

    record Entry(Object key, Object value) {}
}
"##;

#[test]
fn java_classes_constructors_methods_and_nested_types() {
    let chunks = chunk_checked(Language::Java, JAVA);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-3",
            "class LruCache [-] 5-33",
            "method LruCache [LruCache] 13-16",
            "method get [LruCache] 18-24",
            "interface Listener [LruCache] 26-28",
            "enum Policy [LruCache] 30-30",
            "class Entry [LruCache] 32-32",
        ]
    );
    // Javadoc and annotations are attached; the signature skips annotations.
    let cache = named(&chunks, "LruCache");
    assert!(cache.text(JAVA).starts_with("/**\n * A least-recently-used cache.\n */\n@SuppressWarnings"));
    assert_eq!(cache.signature.as_deref(), Some("public class LruCache<K, V>"));
    let get = named(&chunks, "get");
    assert!(get.text(JAVA).starts_with("/**\n     * Looks a key up."));
    assert_eq!(get.signature.as_deref(), Some("public V get(K key)"));
    // The interface method has no body: it stays in the interface chunk.
    assert!(chunks.iter().all(|c| c.name.as_deref() != Some("evicted")));
}

#[test]
fn definitions_inside_callbacks_stay_in_their_block() {
    let source = "describe(\"store\", () => {\n  function helper() {\n    return 1;\n  }\n  class Fake {}\n  it(\"works\", () => helper());\n});\n";
    let chunks = chunk_checked(Language::JavaScript, source);
    assert_eq!(outline(&chunks), ["block - [-] 0-6"]);
    let object_methods = "module.exports = {\n  start() {\n    return 1;\n  },\n};\n";
    assert_eq!(outline(&chunk_checked(Language::JavaScript, object_methods)), ["block - [-] 0-4"]);
}

#[test]
fn commonjs_exports_of_functions_are_functions() {
    let source = "exports.handler = async (event) => {\n  return event;\n};\nmodule.exports.count = 3;\n";
    let chunks = chunk_checked(Language::JavaScript, source);
    assert_eq!(outline(&chunks), ["function handler [-] 0-2", "block - [-] 3-3"]);
    assert_eq!(chunks[0].signature.as_deref(), Some("exports.handler = async (event) =>"));
}

#[test]
fn signatures_stop_at_the_end_of_the_first_line_outside_brackets() {
    let python = "class Config:  # loaded once\n    pass\n\ndef load(\n    path,\n    strict=False,\n):\n    pass\n";
    let chunks = chunk_checked(Language::Python, python);
    assert_eq!(named(&chunks, "Config").signature.as_deref(), Some("class Config"));
    assert_eq!(named(&chunks, "load").signature.as_deref(), Some("def load( path, strict=False, )"));
}
