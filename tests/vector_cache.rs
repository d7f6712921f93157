//! One vector cache for the machine, through the real binary and model: a
//! second clone of an indexed repository, and an index of a subfolder of it,
//! each with an index of its own, embed nothing and answer as the first
//! does; a cache that cannot be used is one warning, and indexing goes on.

use std::path::Path;

use semnav_e2e::{copy_dir, parse_summary, require_model, write_polyglot_workspace, Fixture};
use serde_json::Value;

/// `semnav index ROOT` into `index_dir`, with this fixture's vector cache:
/// (embedded, reused, files read) and stderr.
fn index(f: &Fixture, root: &Path, index_dir: &Path) -> ((usize, usize, usize), String) {
    let out = f.command(&["index", root.to_str().unwrap()]).env("SEMNAV_INDEX_DIR", index_dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success() && !stderr.contains("panicked"), "{stderr}");
    (parse_summary(&stderr), stderr)
}

/// The hits of `query` over the index of `root` in `index_dir`: path, name,
/// first line, score.
fn hits(f: &Fixture, root: &Path, index_dir: &Path, query: &str) -> Vec<(String, String, u64, String)> {
    let out = f.command(&["search", "--path", root.to_str().unwrap(), "--json", "--limit", "5", query]).env("SEMNAV_INDEX_DIR", index_dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["results"].as_array().unwrap().iter().map(|h| (h["path"].as_str().unwrap().to_string(), h["name"].as_str().unwrap_or("").to_string(), h["start_line"].as_u64().unwrap(), h["score"].to_string())).collect()
}

#[test]
fn a_second_clone_and_a_subfolder_embed_nothing() {
    require_model();
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    // A git clone: the embedded paths are relative to its top.
    std::fs::create_dir_all(f.path().join(".git")).unwrap();
    f.age_files();
    let indexes = tempfile::tempdir().unwrap();
    let ((embedded, reused, read), _) = index(&f, f.path(), &indexes.path().join("a"));
    assert!(embedded > 10 && reused == 0, "the first index embeds every text ({embedded} embedded, {reused} reused)");
    assert_eq!(read, 9);

    // A second clone elsewhere, an index of its own: no model call.
    let elsewhere = tempfile::tempdir().unwrap();
    let clone = elsewhere.path().join("clone");
    copy_dir(f.path(), &clone);
    let ((embedded2, reused2, read2), _) = index(&f, &clone, &indexes.path().join("b"));
    assert_eq!((embedded2, reused2, read2), (0, embedded, 9), "a second clone embeds nothing");
    let query = "resize an image to fit a width";
    assert_eq!(hits(&f, &clone, &indexes.path().join("b"), query), hits(&f, f.path(), &indexes.path().join("a"), query), "and answers as the first");

    // A subfolder of the first, an index of its own: no model call either.
    let ((embedded3, reused3, read3), _) = index(&f, &f.path().join("web"), &indexes.path().join("c"));
    assert_eq!((embedded3, read3), (0, 2), "a subfolder embeds nothing ({reused3} reused)");
    assert!(reused3 > 0);

    // Without the machine's cache, the same clone embeds everything again.
    let out = f.command(&["index", clone.to_str().unwrap()]).env("SEMNAV_INDEX_DIR", indexes.path().join("d")).env("SEMNAV_VECTOR_CACHE", "off").output().unwrap();
    assert_eq!(parse_summary(&String::from_utf8_lossy(&out.stderr)).0, embedded, "SEMNAV_VECTOR_CACHE=off");

    // `status --all` shows the cache; `clean --all` empties it.
    let home = tempfile::tempdir().unwrap();
    let status = |f: &Fixture| -> Value {
        let out = f.command(&["status", "--all", "--json"]).env("XDG_CACHE_HOME", home.path()).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = status(&f);
    assert_eq!(Path::new(v["vectorCache"]["path"].as_str().unwrap()), f.vector_cache(), "{v}");
    assert_eq!(v["vectorCache"]["vectors"], embedded, "{v}");
    assert!(v["vectorCache"]["diskBytes"].as_u64().unwrap() > 0, "{v}");
    let out = f.command(&["clean", "--all", "--json"]).env("XDG_CACHE_HOME", home.path()).output().unwrap();
    let cleaned: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cleaned["vectorCache"]["removedVectors"], embedded, "{cleaned}");
    assert_eq!(status(&f)["vectorCache"]["vectors"], 0);
}

#[test]
fn a_cache_that_cannot_be_used_is_one_warning() {
    require_model();
    let f = Fixture::new();
    f.write("a.py", "def parse_settings(text):\n    return dict(line.split('=') for line in text.splitlines())\n");
    // Its folder would be a file: it cannot be created.
    let blocked = f.vectors.path().join("a-file");
    std::fs::write(&blocked, "not a folder").unwrap();
    let out = f.command(&["index", "."]).env("SEMNAV_VECTOR_CACHE", blocked.join("vectors.sqlite3")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(parse_summary(&stderr).0 > 0, "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.contains("vector cache")).count(), 1, "one warning: {stderr}");
    // A damaged file is created again, and used.
    std::fs::write(f.vector_cache(), vec![0x5a_u8; 10_000]).unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let out = f.command(&["index", "."]).env("SEMNAV_INDEX_DIR", index_dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("damaged"), "{stderr}");
    let other = tempfile::tempdir().unwrap();
    let out = f.command(&["index", "."]).env("SEMNAV_INDEX_DIR", other.path()).output().unwrap();
    assert_eq!(parse_summary(&String::from_utf8_lossy(&out.stderr)).0, 0, "the new cache serves the next index");
}
