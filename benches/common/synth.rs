//! Synthetic but realistic source files in the nine languages semnav chunks by
//! syntax or by section: each file is an import header, then "units" (a
//! documented type with three methods and a free function, or a Markdown
//! section with a code block and a table), each unit with renamed identifiers
//! so that no two chunks have the same text. The units are in `templates/*.tmpl`:
//! `{n}` / `{N}` / `{i}` stand for the unit's snake_case name, CamelCase name
//! and number.

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
        Language::Rust => include_str!("templates/unit.rs.tmpl"),
        Language::Python => include_str!("templates/unit.py.tmpl"),
        Language::JavaScript => include_str!("templates/unit.js.tmpl"),
        Language::TypeScript => include_str!("templates/unit.ts.tmpl"),
        Language::Go => include_str!("templates/unit.go.tmpl"),
        Language::Java => include_str!("templates/unit.java.tmpl"),
        Language::C => include_str!("templates/unit.c.tmpl"),
        Language::Cpp => include_str!("templates/unit.cpp.tmpl"),
        Language::Markdown => include_str!("templates/unit.md.tmpl"),
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
