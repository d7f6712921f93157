//! Incremental indexing with the real model: nothing changed → nothing
//! embedded and no file read; one function edited → exactly its chunk embedded.

use semnav_e2e::{parse_summary, require_model, write_polyglot_workspace, Fixture};

fn index(f: &Fixture) -> (usize, usize, usize) {
    let out = f.run(&["index", "."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    parse_summary(&String::from_utf8_lossy(&out.stderr))
}

#[test]
fn unchanged_workspace_embeds_nothing_and_reads_nothing() {
    require_model();
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    f.age_files();
    let (embedded, _, read) = index(&f);
    assert!(embedded > 10, "first index embeds every chunk ({embedded})");
    assert_eq!(read, 9);
    let (embedded, _, read) = index(&f);
    assert_eq!((embedded, read), (0, 0), "a second refresh with nothing changed must embed and read nothing");
}

#[test]
fn editing_one_function_embeds_only_that_chunk() {
    require_model();
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    f.age_files();
    index(&f);
    let before = f.read("src/config.rs");
    let after = before.replace("if n < 2 { n } else { fibonacci(n - 1) + fibonacci(n - 2) }", "let (mut a, mut b) = (0, 1);\n    for _ in 0..n { (a, b) = (b, a + b); }\n    a");
    assert_ne!(before, after);
    f.write("src/config.rs", after);
    let (embedded, reused, read) = index(&f);
    assert_eq!(read, 1, "only the edited file is read");
    assert_eq!(embedded, 1, "only the edited function is embedded again (reused {reused})");
    // Restoring the old text finds its vector in the cache.
    f.write("src/config.rs", before);
    let (embedded, _, _) = index(&f);
    assert_eq!(embedded, 0, "old text: vector comes from the cache");
}
