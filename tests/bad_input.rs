//! Bad input gives a clear message or a counted skip, never a panic.

use semnav_e2e::{require_model, Fixture};

#[test]
fn missing_model_names_the_command_that_installs_it() {
    let f = Fixture::new();
    f.write("a.rs", "fn a() {}\n");
    let missing = tempfile::tempdir().unwrap();
    let out = f.command(&["index", "."]).env("SEMNAV_MODEL_DIR", missing.path().join("none")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("provision.py") && stderr.contains("model.onnx"), "{stderr}");
    let out = f.command(&["search", "x"]).env("ORT_DYLIB_PATH", missing.path().join("libonnxruntime.so")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ONNX Runtime") && stderr.contains("provision.py"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn usage_errors_exit_2() {
    let f = Fixture::new();
    assert_eq!(f.run(&["search"]).status.code(), Some(2));
    assert_eq!(f.run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(f.run(&["similar", "nocolon"]).status.code(), Some(1));
}

#[test]
fn odd_files_are_skipped_and_counted() {
    require_model();
    let f = Fixture::new();
    f.write("good.rs", "/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 { a + b }\n");
    let mut binary = b"fn main() {}\n".to_vec();
    binary.extend_from_slice(&[0, 1, 2, 3, 0, 255]);
    f.write("binary.rs", binary);
    f.write("huge.py", vec![b'#'; 50 * 1024 * 1024]);
    f.write("latin1.py", b"# caf\xe9\nx = 1\n");
    f.write("min.js", format!("var a={};\n", "1,".repeat(10_000)));
    f.run_ok(&["index", "."]);
    let status = f.run_ok(&["status", ".", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(v["files"], 1, "{status}");
    let skipped = &v["skipped"];
    assert_eq!(skipped["binary"], 1, "{status}");
    assert_eq!(skipped["too large"], 1, "{status}");
    assert_eq!(skipped["not UTF-8"], 1, "{status}");
    assert_eq!(skipped["long lines (minified or generated)"], 1, "{status}");
    assert_eq!(v["stale"], serde_json::json!({"new": 0, "changed": 0, "removed": 0}), "a refused file is not new: {status}");
    let human = f.run_ok(&["status", "."]);
    assert!(human.contains("1 binary") && human.contains("1 not UTF-8"), "{human}");
    assert!(human.contains("up to date"), "{human}");
    // Indexing again refuses them again, counted the same.
    f.run_ok(&["index", "."]);
    let again: serde_json::Value = serde_json::from_str(&f.run_ok(&["status", ".", "--json"])).unwrap();
    assert_eq!(again["skipped"], v["skipped"]);
    // A refused file that becomes text is changed, then indexed.
    f.write("min.js", "function add(a, b) { return a + b; }\n");
    let changed: serde_json::Value = serde_json::from_str(&f.run_ok(&["status", ".", "--json"])).unwrap();
    assert_eq!(changed["stale"], serde_json::json!({"new": 0, "changed": 1, "removed": 0}), "{changed}");
    f.run_ok(&["index", "."]);
    let fixed: serde_json::Value = serde_json::from_str(&f.run_ok(&["status", ".", "--json"])).unwrap();
    assert_eq!(fixed["files"], 2, "{fixed}");
    assert_eq!(fixed["stale"], serde_json::json!({"new": 0, "changed": 0, "removed": 0}), "{fixed}");
    assert!(fixed["skipped"].get("long lines (minified or generated)").is_none(), "{fixed}");
}

#[test]
fn corrupt_index_is_rebuilt_without_user_action() {
    require_model();
    let f = Fixture::new();
    f.write("lib.rs", "/// Parses a date.\npub fn parse_date(s: &str) -> Option<u32> { s.parse().ok() }\n");
    f.run_ok(&["index", "."]);
    for entry in walk(f.index_dir()) {
        std::fs::write(&entry, vec![0x5A; 8192]).unwrap();
    }
    let out = f.run(&["index", "."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rebuil"), "says it rebuilt: {stderr}");
    let found = f.run_ok(&["search", "--path", ".", "--json", "turn text into a calendar day"]);
    assert!(found.contains("\"path\":\"lib.rs\""), "the rebuilt index answers: {found}");
}

#[test]
fn bad_locations_are_clear_errors() {
    require_model();
    let f = Fixture::new();
    f.write("a.rs", "fn a() {}\n");
    for args in [["similar", "a.rs:0"], ["similar", "a.rs:x"], ["similar", "missing.rs:3"], ["similar", "a.rs:999"]] {
        let out = f.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("semnav: ") && stderr.trim().lines().count() == 1, "{args:?}: {stderr}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
