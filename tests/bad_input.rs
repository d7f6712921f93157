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
    assert!(stderr.contains("semnav provision") && stderr.contains("model.onnx"), "{stderr}");
    let out = f.command(&["search", "x"]).env("ORT_DYLIB_PATH", missing.path().join("libonnxruntime.so")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ONNX Runtime") && stderr.contains("semnav provision"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn usage_errors_exit_2() {
    let f = Fixture::new();
    assert_eq!(f.run(&["search"]).status.code(), Some(2));
    assert_eq!(f.run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(f.run(&["similar", "nocolon"]).status.code(), Some(1));
}

/// One rule on every surface: an empty or blank query, and a limit of 0, are
/// the user's mistake (exit 2, one line saying what), never ten arbitrary hits.
#[test]
fn an_empty_query_or_a_zero_limit_is_a_usage_error() {
    let f = Fixture::new();
    f.write("a.rs", "fn a() {}\n");
    for args in [&["search", ""][..], &["search", "   "], &["search", "\t", " "], &["search", "--limit", "0", "parse"], &["similar", "--limit", "0", "a.rs:1"]] {
        let out = f.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed results: {}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("empty") || stderr.contains("at least 1"), "{args:?}: {stderr}");
    }
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

/// Permission errors are errors, and never lose what the index has: a
/// workspace its user cannot read is exit 1 with one line naming it, its
/// index unchanged; a folder inside it that cannot be read is skipped and
/// counted, and keeps what the index had of it. Root reads everything, so as
/// root the commands run as `nobody` (setpriv), on copies of the model and
/// runtime that user can read.
#[cfg(unix)]
#[test]
fn an_unreadable_workspace_or_folder_loses_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let model = require_model();
    let base = tempfile::tempdir().unwrap();
    let at = |rel: &str| base.path().join(rel);
    let mode = |p: &std::path::Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    for (dir, m) in [("", 0o755), ("ws", 0o755), ("ws/sub", 0o755), ("idx", 0o777), ("cache", 0o777), ("model", 0o755), ("ort", 0o755)] {
        std::fs::create_dir_all(at(dir)).unwrap();
        mode(&at(dir), m);
    }
    std::fs::write(at("ws/a.py"), "def parse_settings(text):\n    return dict(line.split('=') for line in text.splitlines())\n").unwrap();
    std::fs::write(at("ws/sub/b.py"), "def send_invoice(customer):\n    customer.mail('invoice')\n").unwrap();
    for entry in std::fs::read_dir(&model.model_dir).unwrap().flatten() {
        std::fs::copy(entry.path(), at("model").join(entry.file_name())).unwrap();
    }
    let ort = at("ort").join(model.ort_dylib.file_name().unwrap());
    std::fs::copy(&model.ort_dylib, &ort).unwrap();
    let as_root = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false);
    let run = |args: &[&str]| {
        let mut cmd = if as_root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(semnav_e2e::semnav_bin());
            c
        } else {
            std::process::Command::new(semnav_e2e::semnav_bin())
        };
        let out = cmd
            .args(args)
            .current_dir(base.path())
            .env("SEMNAV_INDEX_DIR", at("idx"))
            .env("XDG_CACHE_HOME", at("cache"))
            .env("SEMNAV_MODEL_DIR", at("model"))
            .env("ORT_DYLIB_PATH", &ort)
            .env("SEMNAV_THREADS", "2")
            .output()
            .expect("run semnav");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let ws = at("ws").canonicalize().unwrap();
    let ws_arg = ws.to_str().unwrap();
    let files = |what: &str| -> serde_json::Value {
        let (code, out, err) = run(&["status", ws_arg, "--json"]);
        assert_eq!(code, Some(0), "{what}: {err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{what}: {e}: {out}"))
    };
    let (code, _, err) = run(&["index", ws_arg]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(files("indexed")["files"], 2);

    // A folder that cannot be read: skipped, counted, its file kept.
    mode(&at("ws/sub"), 0o000);
    let (code, out, err) = run(&["search", "--path", ws_arg, "--json", "mail an invoice to a customer"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("sub/b.py"), "what the index had of the folder is still found: {out}");
    assert!(!err.contains("removed") || err.contains("0 removed"), "{err}");
    let status = files("a folder unreadable");
    assert_eq!(status["files"], 2, "{status}");
    assert_eq!(status["skipped"]["unreadable"], 1, "{status}");

    // The workspace itself: an error naming it, and nothing removed.
    mode(&at("ws/sub"), 0o755);
    mode(&at("ws"), 0o000);
    let (code, out, err) = run(&["search", "--path", ws_arg, "parse settings"]);
    mode(&at("ws"), 0o755);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.is_empty(), "no results are printed: {out}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(ws_arg) && err.contains("ermission denied"), "{err}");
    assert_eq!(files("after the unreadable workspace")["files"], 2);
}
