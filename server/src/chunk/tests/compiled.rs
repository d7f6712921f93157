//! Fixtures for C#, Haskell, Kotlin, Scala, Swift and Zig: names, kinds,
//! containers, exact line ranges, doc-comment attachment and coverage.

use super::{chunk_checked, named, outline};
use crate::lang::Language;

pub(crate) const CSHARP: &str = r##"using System;
using System.IO;

namespace Acme.Storage
{
    /// <summary>Reads and writes blobs.</summary>
    [Serializable]
    public class BlobStore : IStore
    {
        private readonly string root;

        public BlobStore(string root)
        {
            this.root = root;
        }

        /// <summary>Reads one blob.</summary>
        public byte[] Read(string key)
        {
            Func<int, int> twice = x => x * 2;
            return File.ReadAllBytes(Path.Combine(root, key));
        }

        public string Root => root;
    }

    public interface IStore
    {
        byte[] Read(string key);
    }

    public enum Mode { Read, Write }

    public record Entry(string Key, long Size);

    public struct Point
    {
        public int X;

        public int Length() { return X; }
    }
}
"##;

#[test]
fn csharp_namespaces_types_and_members() {
    let chunks = chunk_checked(Language::CSharp, CSHARP);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-1",
            "module Acme.Storage [-] 3-41",
            "class BlobStore [Acme.Storage] 5-24",
            "method BlobStore [BlobStore] 11-14",
            "method Read [BlobStore] 16-21",
            "interface IStore [Acme.Storage] 26-29",
            "enum Mode [Acme.Storage] 31-31",
            "class Entry [Acme.Storage] 33-33",
            "struct Point [Acme.Storage] 35-40",
            "method Length [Point] 39-39",
        ]
    );
    // `///` docs and attributes are part of the chunk; the signature starts at the name's line.
    let store = named(&chunks, "BlobStore");
    assert!(store.text(CSHARP).starts_with("/// <summary>Reads and writes blobs.</summary>\n    [Serializable]"));
    assert_eq!(store.signature.as_deref(), Some("public class BlobStore : IStore"));
    let read = named(&chunks, "Read");
    assert!(read.text(CSHARP).starts_with("/// <summary>Reads one blob."));
    assert_eq!(read.signature.as_deref(), Some("public byte[] Read(string key)"));
}

pub(crate) const HASKELL: &str = r##"module Acme.Config
  ( Config (..)
  , loadConfig
  ) where

import qualified Data.Map as Map

-- | Settings of the application.
data Config = Config
  { port :: Int
  , host :: String
  }

-- | Things that can be shown.
class Pretty a where
  -- | Shows a value.
  pretty :: a -> String

instance Pretty Config where
  pretty c = host c ++ ":" ++ show (port c)

type Env = Map.Map String String

-- | Reads the configuration.
loadConfig :: Env -> Config
loadConfig env = Config 8080 (Map.findWithDefault "localhost" "HOST" env)

main :: IO ()
main = print (pretty (loadConfig Map.empty))
"##;

#[test]
fn haskell_declarations_classes_and_instances() {
    let chunks = chunk_checked(Language::Haskell, HASKELL);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-5",
            "type Config [-] 7-11",
            "trait Pretty [-] 13-16",
            "impl Pretty Config [-] 18-19",
            "method pretty [Config] 19-19",
            "type Env [-] 21-21",
            "function loadConfig [-] 23-25",
            "function main [-] 27-28",
        ]
    );
    // The haddock comment the grammar puts at the end of the imports, and a
    // type signature, belong to the definition after them.
    assert!(named(&chunks, "Config").text(HASKELL).starts_with("-- | Settings of the application.\ndata Config"));
    let load = named(&chunks, "loadConfig");
    assert!(load.text(HASKELL).starts_with("-- | Reads the configuration.\nloadConfig :: Env -> Config\n"));
    assert_eq!(load.signature.as_deref(), Some("loadConfig :: Env -> Config"));
    assert_eq!(named(&chunks, "Pretty").signature.as_deref(), Some("class Pretty a"));
}

pub(crate) const KOTLIN: &str = r##"package acme.storage

import java.io.File

/** Reads and writes blobs. */
class BlobStore(private val root: File) : Store {
    private val cache = mutableMapOf<String, ByteArray>()

    /** Reads one blob. */
    override fun read(key: String): ByteArray {
        return File(root, key).readBytes()
    }

    companion object {
        fun default(): BlobStore = BlobStore(File("."))
    }
}

interface Store {
    fun read(key: String): ByteArray
}

object Registry {
    fun lookup(name: String): Store? = null
}

data class Entry(val key: String, val size: Long)

enum class Mode { READ, WRITE }

typealias Blob = ByteArray

// Entry point.
fun main(args: Array<String>) {
    println(BlobStore(File(args[0])).read("a"))
}

/** Shouts it. */
fun String.shout(): String = uppercase()

class Session {
    constructor(id: Int) {
    }
}
"##;

#[test]
fn kotlin_classes_objects_and_functions() {
    let chunks = chunk_checked(Language::Kotlin, KOTLIN);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-2",
            "class BlobStore [-] 4-16",
            "method read [BlobStore] 8-11",
            "method default [BlobStore] 14-14",
            "interface Store [-] 18-20",
            "class Registry [-] 22-24",
            "method lookup [Registry] 23-23",
            "class Entry [-] 26-26",
            "enum Mode [-] 28-28",
            "type Blob [-] 30-30",
            "function main [-] 32-35",
            "method shout [String] 37-38",
            "class Session [-] 40-43",
            "method constructor [Session] 41-42",
        ]
    );
    let read = named(&chunks, "read");
    assert!(read.text(KOTLIN).starts_with("/** Reads one blob. */\n    override fun read"));
    assert_eq!(read.signature.as_deref(), Some("override fun read(key: String): ByteArray"));
    assert!(named(&chunks, "BlobStore").text(KOTLIN).starts_with("/** Reads and writes blobs. */"));
    // An interface's abstract function stays in the interface's chunk.
    assert_eq!(chunks.iter().filter(|c| c.name.as_deref() == Some("read")).count(), 1);
    // An extension function belongs to the type it extends.
    assert_eq!(named(&chunks, "shout").container.as_deref(), Some("String"));
}

pub(crate) const SCALA: &str = r##"package acme.storage

import java.io.File

/** Reads and writes blobs. */
class BlobStore(root: File) extends Store {
  private val cache = scala.collection.mutable.Map.empty[String, Array[Byte]]

  /** Reads one blob. */
  override def read(key: String): Array[Byte] = {
    java.nio.file.Files.readAllBytes(new File(root, key).toPath)
  }
}

trait Store {
  def read(key: String): Array[Byte]
}

object BlobStore {
  def default: BlobStore = new BlobStore(new File("."))
}

case class Entry(key: String, size: Long)

type Blob = Array[Byte]

// Entry point.
def main(args: Array[String]): Unit = {
  println(BlobStore.default.read(args(0)).length)
}
"##;

#[test]
fn scala_classes_traits_objects_and_functions() {
    let chunks = chunk_checked(Language::Scala, SCALA);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-2",
            "class BlobStore [-] 4-12",
            "method read [BlobStore] 8-11",
            "trait Store [-] 14-16",
            "class BlobStore [-] 18-20",
            "method default [BlobStore] 19-19",
            "class Entry [-] 22-22",
            "type Blob [-] 24-24",
            "function main [-] 26-29",
        ]
    );
    let read = named(&chunks, "read");
    assert!(read.text(SCALA).starts_with("/** Reads one blob. */\n  override def read"));
    assert_eq!(read.signature.as_deref(), Some("override def read(key: String): Array[Byte]"));
    assert!(named(&chunks, "main").text(SCALA).starts_with("// Entry point.\ndef main"));
}

pub(crate) const SWIFT: &str = r##"import Foundation

/// Reads and writes blobs.
class BlobStore: Store {
    let root: URL

    init(root: URL) {
        self.root = root
    }

    /// Reads one blob.
    func read(_ key: String) throws -> Data {
        return try Data(contentsOf: root.appendingPathComponent(key))
    }
}

protocol Store {
    func read(_ key: String) throws -> Data
}

struct Entry {
    let key: String
    func describe() -> String { key }
}

enum Mode { case read, write }

extension BlobStore {
    func exists(_ key: String) -> Bool { true }
}

typealias Blob = Data

// Makes a store.
func makeStore() -> BlobStore {
    BlobStore(root: URL(fileURLWithPath: "/tmp"))
}
"##;

#[test]
fn swift_classes_protocols_extensions_and_functions() {
    let chunks = chunk_checked(Language::Swift, SWIFT);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-0",
            "class BlobStore [-] 2-14",
            "method init [BlobStore] 6-8",
            "method read [BlobStore] 10-13",
            "interface Store [-] 16-18",
            "struct Entry [-] 20-23",
            "method describe [Entry] 22-22",
            "enum Mode [-] 25-25",
            "impl BlobStore [-] 27-29",
            "method exists [BlobStore] 28-28",
            "type Blob [-] 31-31",
            "function makeStore [-] 33-36",
        ]
    );
    let read = named(&chunks, "read");
    assert!(read.text(SWIFT).starts_with("/// Reads one blob.\n    func read"));
    assert_eq!(read.signature.as_deref(), Some("func read(_ key: String) throws -> Data"));
    assert!(named(&chunks, "makeStore").text(SWIFT).starts_with("// Makes a store."));
}

pub(crate) const ZIG: &str = r##"//! Blob storage.
const std = @import("std");

/// Reads and writes blobs.
pub const BlobStore = struct {
    root: []const u8,

    /// Reads one blob.
    pub fn read(self: *BlobStore, key: []const u8) ![]u8 {
        _ = self;
        return key;
    }
};

pub const Mode = enum { read, write };

const Value = union(enum) { int: i64, none };

// Makes a store.
pub fn makeStore() BlobStore {
    return .{ .root = "/tmp" };
}

test "reads a blob" {
    var store = makeStore();
    _ = try store.read("a");
}
"##;

#[test]
fn zig_structs_functions_and_tests() {
    let chunks = chunk_checked(Language::Zig, ZIG);
    assert_eq!(
        outline(&chunks),
        [
            "block - [-] 0-1",
            "struct BlobStore [-] 3-12",
            "method read [BlobStore] 7-11",
            "enum Mode [-] 14-14",
            "struct Value [-] 16-16",
            "function makeStore [-] 18-21",
            "function reads a blob [-] 23-26",
        ]
    );
    // `///` documents what follows; `//!` the file.
    assert!(named(&chunks, "BlobStore").text(ZIG).starts_with("/// Reads and writes blobs.\npub const BlobStore"));
    assert!(named(&chunks, "read").text(ZIG).starts_with("/// Reads one blob.\n    pub fn read"));
    assert!(chunks[0].text(ZIG).starts_with("//! Blob storage."));
}

/// Left by random edits of the Kotlin fixture: tree-sitter-kotlin-ng took
/// over a minute to parse these 603 bytes (the grammar in use, a millisecond).
const KOTLIN_SLOW_TO_PARSE: &str = concat!(
    "package acfn f() {}\n",
    "return 1;port java.io.File\n",
    "\n",
    "/** Reads and writdef g():\n",
    "    pass\n",
    "s BlobStore(private val root: File) : Store {\n",
    "    private val cache = mutableMapOf<String, ByteArray>()\n",
    "\n",
    "    /** Reads one blob. */\n",
    "    override fun(.readBytes()\n",
    "    }\n",
    "\n",
    "    companion object {\n",
    "  return 1;fn f() {}\n",
    "e(File(\".\"))\n",
    "  /// doc\n",
    "😀x read(key: String): ByteArray\n",
    "}\n",
    "\n",
    "\n",
    "class K {}\n",
    "{ Registry {\n",
    "    fun lookup(namel\n",
    "}\n",
    "\n",
    "data class Entry(val key: String, val size: Long)\n",
    "\n",
    "\n",
    "x READ, WRITE }\n",
    "\n",
    "typealias Blob = ByteArray\n",
    "\n",
    "// Entry point.\n",
    "fun main(args: Array<String>) {\n",
    "    println(BlobStore(File(args[0])).read(\"a\"))\n",
    "}\n",
);

#[test]
fn kotlin_broken_code_is_chunked_in_reasonable_time() {
    let started = std::time::Instant::now();
    chunk_checked(Language::Kotlin, KOTLIN_SLOW_TO_PARSE);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn csharp_top_level_functions_keep_their_docs() {
    let source = "// Top-level statements.\nusing System;\n\n/// <summary>Greets.</summary>\nstatic string Greet(string name)\n{\n    return $\"Hello {name}\";\n}\n\nConsole.WriteLine(Greet(\"you\"));\n";
    let chunks = chunk_checked(Language::CSharp, source);
    assert_eq!(outline(&chunks), ["block - [-] 0-1", "function Greet [-] 3-7", "block - [-] 9-9"]);
    assert!(named(&chunks, "Greet").text(source).starts_with("/// <summary>Greets."));
}
