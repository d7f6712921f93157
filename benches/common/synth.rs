//! Synthetic but realistic source files in the nine languages semnav chunks by
//! syntax or by section: each file is an import header, then "units" (a
//! documented type with three methods and a free function, or a Markdown
//! section with a code block and a table), each unit with renamed identifiers
//! so that no two chunks have the same text.

use semnav::lang::Language;

/// The languages measured, in table order.
pub const LANGS: [Language; 9] = [
    Language::Rust,
    Language::Python,
    Language::JavaScript,
    Language::TypeScript,
    Language::Go,
    Language::Java,
    Language::C,
    Language::Cpp,
    Language::Markdown,
];

pub fn extension(lang: Language) -> &'static str {
    match lang {
        Language::Rust => "rs",
        Language::Python => "py",
        Language::JavaScript => "js",
        Language::TypeScript => "ts",
        Language::Go => "go",
        Language::Java => "java",
        Language::C => "c",
        Language::Cpp => "cpp",
        Language::Markdown => "md",
        other => panic!("no synthetic source for {other:?}"),
    }
}

const WORDS: [&str; 16] = [
    "record", "config", "session", "buffer", "token", "packet", "ledger", "cache", "socket", "stream", "invoice", "order",
    "schema", "window", "tenant", "metric",
];

/// Identifiers of unit `i`: (`snake_case`, `CamelCase`).
fn names(i: usize) -> (String, String) {
    let (a, b) = (WORDS[i % 16], WORDS[(i / 16) % 16]);
    let cap = |w: &str| format!("{}{}", w[..1].to_ascii_uppercase(), &w[1..]);
    (format!("{a}_{b}_{i}"), format!("{}{}{i}", cap(a), cap(b)))
}

/// Unit `i` of `lang`: the template with `{n}` / `{N}` / `{i}` filled in.
pub fn unit(lang: Language, i: usize) -> String {
    let (snake, camel) = names(i);
    let template = match lang {
        Language::Rust => RUST,
        Language::Python => PYTHON,
        Language::JavaScript => JAVASCRIPT,
        Language::TypeScript => TYPESCRIPT,
        Language::Go => GO,
        Language::Java => JAVA,
        Language::C => C,
        Language::Cpp => CPP,
        Language::Markdown => MARKDOWN,
        other => panic!("no synthetic source for {other:?}"),
    };
    template.replace("{n}", &snake).replace("{N}", &camel).replace("{i}", &i.to_string())
}

/// A whole file: header, units `first..first + count`, footer.
pub fn file(lang: Language, file_index: usize, first: usize, count: usize) -> String {
    let (header, footer) = match lang {
        Language::Rust => ("use std::collections::HashMap;\nuse std::io::{self, Write};\n\n".to_string(), String::new()),
        Language::Python => ("\"\"\"In-memory stores.\"\"\"\n\nimport bisect\nimport os\nfrom typing import Optional\n\n\n".into(), String::new()),
        Language::JavaScript => ("import { createWriteStream } from \"node:fs\";\nimport path from \"node:path\";\n\n".into(), String::new()),
        Language::TypeScript => ("import { createWriteStream } from \"node:fs\";\nimport type { Writable } from \"node:stream\";\n\n".into(), String::new()),
        Language::Go => ("package store\n\nimport (\n\t\"fmt\"\n\t\"io\"\n\t\"sort\"\n\t\"strconv\"\n\t\"strings\"\n)\n\n".into(), String::new()),
        Language::Java => (
            format!("package com.example.store;\n\nimport java.io.IOException;\nimport java.io.Writer;\nimport java.util.*;\n\n/** Stores, part {file_index}. */\npublic final class Stores{file_index} {{\n\n"),
            "}\n".into(),
        ),
        Language::C => ("#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n".into(), String::new()),
        Language::Cpp => ("#include <algorithm>\n#include <cstdint>\n#include <optional>\n#include <ostream>\n#include <string>\n#include <vector>\n\nnamespace store {\n\n".into(), "}  // namespace store\n".into()),
        Language::Markdown => (format!("# Store reference, part {file_index}\n\nHow the in-memory stores behave.\n\n"), String::new()),
        other => panic!("no synthetic source for {other:?}"),
    };
    let mut out = header;
    for i in first..first + count {
        out.push_str(&unit(lang, i));
        out.push('\n');
    }
    out.push_str(&footer);
    out
}

/// Files of about `file_bytes` each, `total_bytes` in all.
pub fn corpus(lang: Language, total_bytes: usize, file_bytes: usize) -> Vec<String> {
    let per_file = (file_bytes / unit(lang, 0).len()).max(1);
    let mut files = Vec::new();
    let mut bytes = 0;
    while bytes < total_bytes {
        let f = file(lang, files.len(), files.len() * per_file, per_file);
        bytes += f.len();
        files.push(f);
    }
    files
}

const RUST: &str = r##"/// A {n} held in memory, with the bookkeeping needed to flush it.
///
/// Values are kept sorted by key so that lookups can binary-search.
#[derive(Debug, Clone, Default)]
pub struct {N} {
    entries: Vec<(u64, String)>,
    capacity: usize,
    dirty: bool,
}

impl {N} {
    /// Creates an empty {n} that holds at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        {N} { entries: Vec::with_capacity(capacity), capacity, dirty: false }
    }

    /// Inserts or replaces the value under `key`; returns the old value.
    pub fn insert(&mut self, key: u64, value: impl Into<String>) -> Option<String> {
        self.dirty = true;
        match self.entries.binary_search_by_key(&key, |e| e.0) {
            Ok(pos) => Some(std::mem::replace(&mut self.entries[pos].1, value.into())),
            Err(pos) => {
                if self.entries.len() == self.capacity {
                    self.entries.remove(0);
                }
                self.entries.insert(pos.min(self.entries.len()), (key, value.into()));
                None
            }
        }
    }

    /// Writes every entry to `out`, one per line.
    pub fn flush<W: Write>(&mut self, out: &mut W) -> io::Result<usize> {
        for (key, value) in &self.entries {
            writeln!(out, "{key}\t{value}")?;
        }
        self.dirty = false;
        Ok(self.entries.len())
    }
}

/// Parses a {n} line of the form `key=value`.
pub fn parse_{n}(line: &str) -> Result<(u64, String), String> {
    let (k, v) = line.split_once('=').ok_or_else(|| format!("missing '=' in {line:?}"))?;
    let key = k.trim().parse::<u64>().map_err(|e| e.to_string())?;
    Ok((key, v.trim().to_string()))
}
"##;

const PYTHON: &str = r##"class {N}:
    """A {n} kept in memory, flushed to disk on demand.

    Entries are stored sorted by key so that lookups can bisect.
    """

    def __init__(self, capacity: int = 128) -> None:
        self.entries: list[tuple[int, str]] = []
        self.capacity = capacity
        self.dirty = False

    def insert(self, key: int, value: str) -> Optional[str]:
        """Insert or replace the value under key; return the old value."""
        self.dirty = True
        pos = bisect.bisect_left(self.entries, (key, ""))
        if pos < len(self.entries) and self.entries[pos][0] == key:
            old = self.entries[pos][1]
            self.entries[pos] = (key, value)
            return old
        if len(self.entries) == self.capacity:
            self.entries.pop(0)
        self.entries.insert(min(pos, len(self.entries)), (key, value))
        return None

    def flush(self, out) -> int:
        """Write every entry to out, one per line."""
        for key, value in self.entries:
            out.write(f"{key}\t{value}\n")
        self.dirty = False
        return len(self.entries)


def parse_{n}(line: str) -> tuple[int, str]:
    """Parse a {n} line of the form key=value."""
    key, sep, value = line.partition("=")
    if not sep:
        raise ValueError(f"missing '=' in {line!r}")
    return int(key.strip()), value.strip()

"##;

const JAVASCRIPT: &str = r##"/**
 * A {n} kept in memory, flushed on demand.
 * Entries are kept sorted by key so that lookups can bisect.
 */
export class {N} {
  constructor(capacity = 128) {
    this.entries = [];
    this.capacity = capacity;
    this.dirty = false;
  }

  /** Inserts or replaces the value under `key`; returns the old value. */
  insert(key, value) {
    this.dirty = true;
    let lo = 0, hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid][0] < key) lo = mid + 1; else hi = mid;
    }
    if (lo < this.entries.length && this.entries[lo][0] === key) {
      const old = this.entries[lo][1];
      this.entries[lo][1] = value;
      return old;
    }
    if (this.entries.length === this.capacity) this.entries.shift();
    this.entries.splice(Math.min(lo, this.entries.length), 0, [key, value]);
    return undefined;
  }

  /** Writes every entry to `out`, one per line. */
  async flush(out) {
    for (const [key, value] of this.entries) {
      await out.write(`${key}\t${value}\n`);
    }
    this.dirty = false;
    return this.entries.length;
  }
}

/** Parses a {n} line of the form `key=value`. */
export function parse{N}(line) {
  const i = line.indexOf("=");
  if (i < 0) throw new Error(`missing '=' in ${line}`);
  return [Number(line.slice(0, i).trim()), line.slice(i + 1).trim()];
}

export const default{N}Options = { capacity: 128, flushOnExit: true };
"##;

const TYPESCRIPT: &str = r##"/** Options for a {n}. */
export interface {N}Options {
  capacity: number;
  flushOnExit?: boolean;
}

export type {N}Entry<V> = [key: number, value: V];

/**
 * A {n} kept in memory, flushed on demand.
 * Entries are kept sorted by key so that lookups can bisect.
 */
export class {N}<V = string> {
  private entries: Array<{N}Entry<V>> = [];
  private dirty = false;

  constructor(private readonly options: {N}Options = { capacity: 128 }) {}

  /** Inserts or replaces the value under `key`; returns the old value. */
  insert(key: number, value: V): V | undefined {
    this.dirty = true;
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid][0] < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.entries.length && this.entries[lo][0] === key) {
      const old = this.entries[lo][1];
      this.entries[lo][1] = value;
      return old;
    }
    if (this.entries.length === this.options.capacity) this.entries.shift();
    this.entries.splice(Math.min(lo, this.entries.length), 0, [key, value]);
    return undefined;
  }

  /** Writes every entry to `out`, one per line. */
  async flush(out: Writable): Promise<number> {
    for (const [key, value] of this.entries) {
      out.write(`${key}\t${String(value)}\n`);
    }
    this.dirty = false;
    return this.entries.length;
  }
}

/** Parses a {n} line of the form `key=value`. */
export function parse{N}(line: string): {N}Entry<string> {
  const i = line.indexOf("=");
  if (i < 0) throw new Error(`missing '=' in ${line}`);
  return [Number(line.slice(0, i).trim()), line.slice(i + 1).trim()];
}
"##;

const GO: &str = r##"// {N} is a {n} kept in memory, flushed on demand.
// Entries are kept sorted by key so that lookups can binary-search.
type {N} struct {
	entries  []entry{N}
	capacity int
	dirty    bool
}

type entry{N} struct {
	key   uint64
	value string
}

// New{N} creates an empty {n} holding at most capacity entries.
func New{N}(capacity int) *{N} {
	return &{N}{entries: make([]entry{N}, 0, capacity), capacity: capacity}
}

// Insert inserts or replaces the value under key and returns the old value.
func (s *{N}) Insert(key uint64, value string) (string, bool) {
	s.dirty = true
	pos := sort.Search(len(s.entries), func(i int) bool { return s.entries[i].key >= key })
	if pos < len(s.entries) && s.entries[pos].key == key {
		old := s.entries[pos].value
		s.entries[pos].value = value
		return old, true
	}
	if len(s.entries) == s.capacity {
		s.entries = s.entries[1:]
		if pos > 0 {
			pos--
		}
	}
	s.entries = append(s.entries, entry{N}{})
	copy(s.entries[pos+1:], s.entries[pos:])
	s.entries[pos] = entry{N}{key, value}
	return "", false
}

// Flush writes every entry to w, one per line.
func (s *{N}) Flush(w io.Writer) (int, error) {
	for _, e := range s.entries {
		if _, err := fmt.Fprintf(w, "%d\t%s\n", e.key, e.value); err != nil {
			return 0, err
		}
	}
	s.dirty = false
	return len(s.entries), nil
}

// Parse{N} parses a line of the form key=value.
func Parse{N}(line string) (uint64, string, error) {
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return 0, "", fmt.Errorf("missing '=' in %q", line)
	}
	key, err := strconv.ParseUint(strings.TrimSpace(k), 10, 64)
	return key, strings.TrimSpace(v), err
}
"##;

const JAVA: &str = r##"    /**
     * A {n} kept in memory, flushed on demand.
     * Entries are kept sorted by key so that lookups can bisect.
     */
    public static final class {N} {
        private final List<Map.Entry<Long, String>> entries = new ArrayList<>();
        private final int capacity;
        private boolean dirty;

        public {N}(int capacity) {
            this.capacity = capacity;
        }

        /** Inserts or replaces the value under {@code key}; returns the old value. */
        public Optional<String> insert(long key, String value) {
            dirty = true;
            int lo = 0, hi = entries.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (entries.get(mid).getKey() < key) lo = mid + 1; else hi = mid;
            }
            if (lo < entries.size() && entries.get(lo).getKey() == key) {
                String old = entries.get(lo).getValue();
                entries.set(lo, Map.entry(key, value));
                return Optional.of(old);
            }
            if (entries.size() == capacity) entries.remove(0);
            entries.add(Math.min(lo, entries.size()), Map.entry(key, value));
            return Optional.empty();
        }

        /** Writes every entry to {@code out}, one per line. */
        public int flush(Writer out) throws IOException {
            for (Map.Entry<Long, String> e : entries) {
                out.write(e.getKey() + "\t" + e.getValue() + "\n");
            }
            dirty = false;
            return entries.size();
        }
    }

    /** Parses a {n} line of the form {@code key=value}. */
    public static Map.Entry<Long, String> parse{N}(String line) {
        int i = line.indexOf('=');
        if (i < 0) throw new IllegalArgumentException("missing '=' in " + line);
        return Map.entry(Long.parseLong(line.substring(0, i).trim()), line.substring(i + 1).trim());
    }
"##;

const C: &str = r##"#define {N}_DEFAULT_CAPACITY 128

/* A {n}: a fixed-capacity table kept sorted by key. */
typedef struct {n}_t {
    uint64_t *keys;
    char **values;
    size_t len;
    size_t capacity;
    int dirty;
} {n}_t;

/* Creates an empty {n} holding at most `capacity` entries; NULL on failure. */
{n}_t *{n}_new(size_t capacity) {
    {n}_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->keys = calloc(capacity, sizeof *s->keys);
    s->values = calloc(capacity, sizeof *s->values);
    s->capacity = capacity;
    return s;
}

/* Inserts or replaces the value under `key`; returns 1 if it replaced one. */
int {n}_insert({n}_t *s, uint64_t key, const char *value) {
    size_t lo = 0, hi = s->len;
    s->dirty = 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->keys[mid] < key) lo = mid + 1; else hi = mid;
    }
    if (lo < s->len && s->keys[lo] == key) {
        free(s->values[lo]);
        s->values[lo] = strdup(value);
        return 1;
    }
    if (s->len == s->capacity) return -1;
    memmove(&s->keys[lo + 1], &s->keys[lo], (s->len - lo) * sizeof *s->keys);
    memmove(&s->values[lo + 1], &s->values[lo], (s->len - lo) * sizeof *s->values);
    s->keys[lo] = key;
    s->values[lo] = strdup(value);
    s->len++;
    return 0;
}

/* Writes every entry to `out`, one per line; returns the count. */
size_t {n}_flush({n}_t *s, FILE *out) {
    for (size_t i = 0; i < s->len; i++) {
        fprintf(out, "%llu\t%s\n", (unsigned long long)s->keys[i], s->values[i]);
    }
    s->dirty = 0;
    return s->len;
}
"##;

const CPP: &str = r##"/// A {n} kept in memory, flushed on demand.
/// Entries are kept sorted by key so that lookups can binary-search.
template <typename V = std::string>
class {N} {
public:
    explicit {N}(std::size_t capacity = 128) : capacity_(capacity) {}

    /// Inserts or replaces the value under `key`; returns the old value.
    std::optional<V> insert(std::uint64_t key, V value) {
        dirty_ = true;
        auto it = find(key);
        if (it != entries_.end() && it->first == key) {
            return std::exchange(it->second, std::move(value));
        }
        if (entries_.size() == capacity_) {
            entries_.erase(entries_.begin());
            it = find(key);
        }
        entries_.emplace(it, key, std::move(value));
        return std::nullopt;
    }

    /// Writes every entry to `out`, one per line.
    std::size_t flush(std::ostream& out) {
        for (const auto& [key, value] : entries_) out << key << '\t' << value << '\n';
        dirty_ = false;
        return entries_.size();
    }

private:
    auto find(std::uint64_t key) {
        return std::lower_bound(entries_.begin(), entries_.end(), key,
                                [](const auto& e, std::uint64_t k) { return e.first < k; });
    }

    std::vector<std::pair<std::uint64_t, V>> entries_;
    std::size_t capacity_;
    bool dirty_ = false;
};

/// Parses a {n} line of the form key=value.
inline std::pair<std::uint64_t, std::string> parse_{n}(const std::string& line) {
    auto i = line.find('=');
    if (i == std::string::npos) throw std::invalid_argument("missing '=' in " + line);
    return {std::stoull(line.substr(0, i)), line.substr(i + 1)};
}
"##;

const MARKDOWN: &str = r##"## The {n} store

A {n} keeps entries in memory, sorted by key, and writes them out on demand.
Lookups bisect the sorted list, so they take logarithmic time; inserts shift
the tail and take linear time, which is fine below a few thousand entries.

### Inserting into a {n}

Call `insert(key, value)`. When the key is already present its value is
replaced and the old one returned. When the store is full, the oldest entry
is dropped first.

```rust
let mut s = {N}::new(128);
s.insert({i}, "value");
```

### Flushing a {n}

- `flush(out)` writes one `key<TAB>value` line per entry.
- The dirty flag is cleared afterwards.
- Errors from the writer are returned unchanged.

| option | default | meaning |
|--------|---------|---------|
| capacity | 128 | entries kept before the oldest is dropped |
| flush_on_exit | true | write everything when the process ends |
"##;
