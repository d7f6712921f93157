//! Workspace boundaries, with the real model: the server and the CLI read
//! only inside their workspace roots (links that lead outside are not
//! followed, by the walk or by a file event; a document outside every root,
//! or reached through a link or `..`, is served from its buffer and written
//! into no index; a glob such as `../**` reaches nothing outside) and write
//! only under their index directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use semnav_e2e::lsp_client::{file_uri, LspClient};
use semnav_e2e::{require_model, semnav_bin, write_polyglot_workspace, Fixture};
use serde_json::{json, Value};

const SECRET: &str = "/// Rotates the launch codes of the missile silo.\npub fn rotate_launch_codes(codes: &mut Vec<u32>) {\n    codes.rotate_left(1);\n}\n";
const SECRET_QUERY: &str = "rotate the launch codes of the missile silo";

/// A workspace, and next to it a folder outside it holding `secret.rs`,
/// reached from inside by a linked folder (`linked/`), a linked file
/// (`src/secret_link.rs`) and a path that climbs out (`src/../../…`).
struct World {
    f: Fixture,
    outside: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let f = Fixture::new();
        write_polyglot_workspace(&f);
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.rs"), SECRET).unwrap();
        std::os::unix::fs::symlink(outside.path(), f.path().join("linked")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.rs"), f.path().join("src/secret_link.rs")).unwrap();
        World { f, outside }
    }

    fn root(&self) -> PathBuf {
        self.f.path().canonicalize().unwrap()
    }

    /// Every way to name the secret file from the workspace or beside it.
    fn secret_paths(&self) -> Vec<PathBuf> {
        let outside = self.outside.path().canonicalize().unwrap();
        let climbing = self.root().join("src/../..").join(outside.strip_prefix("/").unwrap()).join("secret.rs");
        vec![outside.join("secret.rs"), self.root().join("linked/secret.rs"), self.root().join("src/secret_link.rs"), climbing]
    }
}

fn results(v: &Value) -> &Vec<Value> {
    v["results"].as_array().unwrap_or_else(|| panic!("no results in {v}"))
}

fn mentions_secret(hits: &[Value]) -> Vec<&Value> {
    hits.iter().filter(|h| h["uri"].as_str().unwrap_or_default().contains("secret") || h["name"] == "rotate_launch_codes" || h["name"] == "defuse").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reads_and_indexes_nothing_outside_its_root() {
    require_model();
    let w = World::new();
    let (client_io, server_io) = tokio::io::duplex(1 << 22);
    let (sr, sw) = tokio::io::split(server_io);
    tokio::spawn(semnav::lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_io);
    let client = LspClient::start(cr, cw);
    client.initialize(&w.root(), json!({"indexDir": w.f.index_dir(), "debounceMs": 20}), json!({})).await;
    let before = client.wait_idle().await;
    let regular_files = snapshot(&w.root()).values().filter(|v| v.ends_with(" bytes") || v.contains(" bytes,")).count();
    assert_eq!(before["files"], regular_files, "the walk follows no link: {before}");

    // File events for every name of the secret file: none is read. A new
    // file inside comes last in the same event: once it is found, the others
    // have been handled.
    w.f.write("src/marker.rs", "/// Waves a little flag.\npub fn wave_flag() {}\n");
    let mut changes: Vec<Value> = w.secret_paths().iter().map(|p| json!({"uri": file_uri(p), "type": 1})).collect();
    changes.push(json!({"uri": file_uri(&w.root().join("src/marker.rs")), "type": 1}));
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": changes}));
    let started = std::time::Instant::now();
    while !results(&client.request("semnav/search", json!({"query": "wave a little flag", "limit": 3})).await).iter().any(|h| h["name"] == "wave_flag") {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the event was never handled");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = client.wait_idle().await;
    let found = client.request("semnav/search", json!({"query": SECRET_QUERY, "limit": 20})).await;
    assert!(mentions_secret(results(&found)).is_empty(), "a file outside the root was indexed: {found}");

    // Open under every name, with a buffer of its own: served from the
    // buffer (lenses, similar code), written into no index.
    let buffer = "/// Defuses the bomb by cutting the wire.\npub fn defuse(wire: &str) -> bool {\n    wire == \"red\"\n}\n";
    for path in w.secret_paths() {
        let uri = file_uri(&path);
        client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": buffer}}));
        let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}})).await;
        assert_eq!(lenses.as_array().map(Vec::len), Some(1), "{}: a lens from the buffer: {lenses}", path.display());
        let similar = client.request("semnav/findSimilar", json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 4}})).await;
        assert!(!results(&similar).is_empty(), "{}: similar code from the buffer: {similar}", path.display());
        client.wait_idle().await;
        let found = client.request("semnav/search", json!({"query": "defuse the bomb by cutting the wire", "limit": 20})).await;
        assert!(mentions_secret(results(&found)).is_empty(), "{}: its buffer was written into an index: {found}", path.display());
        client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    }
    let after = client.wait_idle().await;
    assert_eq!((&after["files"], &after["chunks"]), (&before["files"], &before["chunks"]), "{after}");
    let found = client.request("semnav/search", json!({"query": SECRET_QUERY, "limit": 20})).await;
    assert!(mentions_secret(results(&found)).is_empty(), "a closed buffer's file outside the root was read: {found}");

    // Globs reach only the index, which holds only the root's files.
    for glob in ["../**", "../*/secret.rs", "/**", "**/secret*", "linked/**"] {
        let found = client.request("semnav/search", json!({"query": SECRET_QUERY, "globs": [glob]})).await;
        assert!(results(&found).is_empty(), "{glob}: {found}");
    }
    let found = client.request("semnav/search", json!({"query": SECRET_QUERY, "globs": ["**"], "limit": 50})).await;
    assert!(!results(&found).is_empty() && mentions_secret(results(&found)).is_empty(), "{found}");
}

/// Every file under `dir` (links as links): its size and content hash.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let what = if kind.is_symlink() {
                format!("link to {}", std::fs::read_link(&path).unwrap().display())
            } else if kind.is_dir() {
                stack.push(path.clone());
                "dir".into()
            } else {
                let bytes = std::fs::read(&path).unwrap();
                format!("{} bytes, {:x}", bytes.len(), bytes.iter().fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(b as u64)))
            };
            out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), what);
        }
    }
    out
}

/// The CLI and the binary's server in a sandbox: a home, cache, temporary
/// and working directory of their own, all empty. Afterwards only the index
/// directory and the machine's vector cache (under the cache home) hold
/// anything new; the workspace and the folder outside are byte for byte
/// what they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_and_the_server_write_only_under_the_index_directory() {
    let model = require_model();
    let w = World::new();
    let sandbox = tempfile::tempdir().unwrap();
    let dirs = ["home", "cache", "tmp", "cwd"].map(|d| sandbox.path().join(d));
    for d in &dirs {
        std::fs::create_dir(d).unwrap();
    }
    let index_dir = w.f.index_dir().to_path_buf();
    let command = |args: &[&str]| {
        let mut cmd = Command::new(semnav_bin());
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &dirs[0])
            .env("XDG_CACHE_HOME", &dirs[1])
            .env("TMPDIR", &dirs[2])
            .env("SEMNAV_MODEL_DIR", &model.model_dir)
            .env("ORT_DYLIB_PATH", &model.ort_dylib)
            .env("SEMNAV_INDEX_DIR", &index_dir)
            .current_dir(&dirs[3]);
        cmd
    };
    let run = |args: &[&str]| {
        let out = command(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (workspace, outside) = (snapshot(&w.root()), snapshot(w.outside.path()));
    let root = w.root().display().to_string();

    let (code, _, err) = run(&["index", &root]);
    assert_eq!(code, Some(0), "{err}");
    for glob in ["../**", "../*/secret.rs", "/**", "linked/**"] {
        let (code, out, err) = run(&["search", "--path", &root, "--json", "--glob", glob, SECRET_QUERY]);
        assert_eq!(code, Some(0), "{err}");
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("--glob {glob}: {e}: {out}"));
        assert!(results(&v).is_empty(), "--glob {glob}: {out}");
    }
    let (code, out, err) = run(&["search", "--path", &root, "--json", "--limit", "50", SECRET_QUERY]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("secret") && !out.contains("rotate_launch_codes"), "{out}");
    let (code, _, err) = run(&["similar", "--path", &root, &format!("{root}/src/secret_link.rs:2")]);
    assert_eq!(code, Some(1), "a linked file is outside the workspace: {err}");
    assert!(err.contains("outside the workspace"), "{err}");
    let (code, _, err) = run(&["status", &root, "--json"]);
    assert_eq!(code, Some(0), "{err}");

    // The server, editing a buffer, saving nothing.
    let mut child = tokio::process::Command::from(command(&["lsp"])).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true).spawn().unwrap();
    let client = LspClient::start(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    client.initialize(&w.root(), json!({"indexDir": index_dir}), json!({})).await;
    client.wait_idle().await;
    let uri = file_uri(&w.root().join("src/config.rs"));
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": w.f.read("src/config.rs")}}));
    client.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "fn typed_here() {}\n"}]}));
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": uri}}));
    client.wait_idle().await;
    client.request("semnav/search", json!({"query": "read configuration file"})).await;
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    client.request("semnav/reindex", json!(null)).await;
    client.wait_idle().await;
    client.request("shutdown", json!(null)).await;
    client.notify("exit", json!(null));
    assert!(tokio::time::timeout(std::time::Duration::from_secs(20), child.wait()).await.expect("exits").unwrap().success());

    assert_eq!(snapshot(&w.root()), workspace, "the workspace changed");
    assert_eq!(snapshot(w.outside.path()), outside, "the folder outside changed");
    // Under the cache home, only the machine's vector cache that every index shares.
    let mut cache_home = snapshot(&dirs[1]);
    assert!(cache_home.contains_key(Path::new("semnav/vectors/vectors.sqlite3")), "{cache_home:?}");
    cache_home.retain(|p, _| p != Path::new("semnav") && !p.starts_with("semnav/vectors"));
    assert_eq!(cache_home, BTreeMap::new(), "{} was written to", dirs[1].display());
    for d in [&dirs[0], &dirs[2], &dirs[3]] {
        assert_eq!(snapshot(d), BTreeMap::new(), "{} was written to", d.display());
    }
    assert!(!snapshot(&index_dir).is_empty(), "the index is in its directory");
}
