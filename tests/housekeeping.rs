//! Index housekeeping through the real binary, in a temporary cache directory
//! (`XDG_CACHE_HOME`), with real indexes: `status --all`, `clean`,
//! `clean --all`, and the expiry of unused indexes when `semnav index` or
//! `semnav lsp` starts.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use semnav_e2e::lsp_client::LspClient;
use semnav_e2e::{require_model, semnav_bin};
use serde_json::{json, Value};

/// A cache directory of its own, the model found where it is installed.
struct Cache {
    home: tempfile::TempDir,
    model: semnav::embed::ModelPaths,
}

impl Cache {
    fn new() -> Cache {
        Cache { home: tempfile::tempdir().unwrap(), model: require_model() }
    }

    fn indexes(&self) -> PathBuf {
        self.home.path().join("semnav").join("indexes")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(semnav_bin());
        cmd.args(args)
            .env("XDG_CACHE_HOME", self.home.path())
            .env_remove("SEMNAV_INDEX_DIR")
            .env_remove("SEMNAV_EXPIRE_DAYS")
            .env("SEMNAV_MODEL_DIR", &self.model.model_dir)
            .env("ORT_DYLIB_PATH", &self.model.ort_dylib)
            .env("SEMNAV_THREADS", "2");
        cmd
    }

    /// Runs semnav; returns (stdout, stderr), failing on an error exit.
    fn run(&self, args: &[&str]) -> (String, String) {
        let out = self.command(args).output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
        assert!(out.status.success() && !stderr.contains("panicked"), "semnav {args:?}: {stderr}");
        (stdout, stderr)
    }

    fn status_all(&self) -> Vec<Value> {
        self.status_all_json()["indexes"].as_array().unwrap().clone()
    }

    fn status_all_json(&self) -> Value {
        let (stdout, _) = self.run(&["status", "--all", "--json"]);
        let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!(Path::new(v["home"].as_str().unwrap()), self.indexes());
        v
    }

    /// The vectors in the machine's vector cache, which lives beside the indexes.
    fn cached_vectors(&self) -> u64 {
        let v = self.status_all_json();
        assert_eq!(Path::new(v["vectorCache"]["path"].as_str().unwrap()), self.home.path().join("semnav/vectors/vectors.sqlite3"), "{v}");
        v["vectorCache"]["vectors"].as_u64().unwrap()
    }

    /// The index directory of workspace `root`.
    fn index_of(&self, root: &Path) -> PathBuf {
        let root = root.canonicalize().unwrap();
        self.status_all().iter().find(|i| Path::new(i["root"].as_str().unwrap_or("")) == root).map(|i| PathBuf::from(i["indexDir"].as_str().unwrap())).unwrap_or_else(|| panic!("no index of {}", root.display()))
    }
}

fn workspace(parent: &Path, name: &str, functions: usize) -> PathBuf {
    let root = parent.join(name);
    std::fs::create_dir_all(&root).unwrap();
    let body: String = (0..functions).map(|i| format!("def {name}_step_{i}(x):\n    return x + {i}\n\n\n")).collect();
    std::fs::write(root.join("steps.py"), body).unwrap();
    root
}

/// Sets the index's last use `days` back.
fn age(index_dir: &Path, days: u64) {
    let past = SystemTime::now() - Duration::from_secs(days * 86_400);
    std::fs::File::options().write(true).open(index_dir.join(semnav::housekeeping::MARKER)).unwrap().set_modified(past).unwrap();
}

#[test]
fn status_all_clean_and_expiry_over_real_indexes() {
    let cache = Cache::new();
    let roots = tempfile::tempdir().unwrap();
    let a = workspace(roots.path(), "alpha", 3);
    let b = workspace(roots.path(), "beta", 5);
    cache.run(&["index", a.to_str().unwrap()]);
    cache.run(&["index", b.to_str().unwrap()]);
    // Not an index: never listed, never removed.
    let stranger = cache.indexes().join("notes");
    std::fs::create_dir_all(&stranger).unwrap();
    std::fs::write(stranger.join("todo.txt"), "keep me").unwrap();

    let all = cache.status_all();
    assert_eq!(all.len(), 2, "{all:?}");
    let beta = all.iter().find(|i| i["root"] == json!(b.canonicalize().unwrap())).expect("beta listed");
    assert_eq!(beta["chunks"], 5, "{beta}");
    assert!(beta["diskBytes"].as_u64().unwrap() > 0 && beta["rootExists"] == true && beta["unusedDays"] == 0 && beta["inUse"] == false, "{beta}");
    let (human, _) = cache.run(&["status", "--all"]);
    assert!(human.contains(&format!("{}\n", a.canonicalize().unwrap().display())) && human.contains("3 chunks, used today"), "{human}");
    assert!(human.contains("vector cache, shared by every index: 8 vectors"), "{human}");
    assert_eq!(cache.cached_vectors(), 8, "alpha's 3 texts and beta's 5");

    // The root of beta is deleted: `clean` removes its index only.
    let beta_dir = cache.index_of(&b);
    std::fs::remove_dir_all(&b).unwrap();
    let (cleaned, _) = cache.run(&["clean"]);
    assert!(cleaned.contains(&format!("removed {}", beta_dir.display())) && cleaned.contains("removed 1 of the indexes"), "{cleaned}");
    assert!(!beta_dir.exists());
    assert_eq!(cache.status_all().len(), 1);
    // The vectors are the installed model's: `clean` keeps them.
    assert_eq!(cache.cached_vectors(), 8, "{cleaned}");

    // alpha unused for 40 days: indexing gamma removes it, but not with --expire-days 0 or 45.
    let alpha_dir = cache.index_of(&a);
    age(&alpha_dir, 40);
    let g = workspace(roots.path(), "gamma", 2);
    cache.run(&["index", "--expire-days", "0", g.to_str().unwrap()]);
    let (_, stderr) = cache.command(&["index", g.to_str().unwrap()]).env("SEMNAV_EXPIRE_DAYS", "45").output().map(|o| ((), String::from_utf8_lossy(&o.stderr).into_owned())).unwrap();
    assert!(alpha_dir.exists(), "{stderr}");
    let (_, stderr) = cache.run(&["index", g.to_str().unwrap()]);
    assert!(stderr.contains(&format!("removed the index of {}", a.canonicalize().unwrap().display())) && stderr.contains("unused for 40 days"), "{stderr}");
    assert!(!alpha_dir.exists());
    // The index being opened is never expired, however old.
    let gamma_dir = cache.index_of(&g);
    age(&gamma_dir, 400);
    cache.run(&["search", "--path", g.to_str().unwrap(), "gamma step"]);
    assert!(gamma_dir.join("db").exists());

    let (cleaned, _) = cache.run(&["clean", "--all", "--json"]);
    let v: Value = serde_json::from_str(&cleaned).unwrap();
    assert_eq!(v["removed"].as_array().unwrap().len(), 1, "{v}");
    assert!(v["freedBytes"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["vectorCache"]["removedVectors"], 10, "alpha's, beta's and gamma's: {v}");
    assert!(cache.status_all().is_empty());
    assert_eq!(cache.cached_vectors(), 0);
    assert_eq!(std::fs::read_to_string(stranger.join("todo.txt")).unwrap(), "keep me");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_server_expires_old_indexes_but_not_its_own() {
    let cache = Cache::new();
    let roots = tempfile::tempdir().unwrap();
    let old = workspace(roots.path(), "old", 2);
    let mine = workspace(roots.path(), "mine", 2);
    cache.run(&["index", old.to_str().unwrap()]);
    cache.run(&["index", mine.to_str().unwrap()]);
    let (old_dir, mine_dir) = (cache.index_of(&old), cache.index_of(&mine));
    age(&old_dir, 12);
    age(&mine_dir, 400);

    let mut child = tokio::process::Command::from(cache.command(&["lsp"])).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let client = LspClient::start(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    client.initialize(&mine, json!({"expireDays": 10}), json!({})).await;
    client.wait_idle().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while old_dir.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!old_dir.exists(), "an index unused for 12 days outlives expireDays 10");
    assert!(mine_dir.join("db").exists(), "the server's own index is kept");
    client.request("shutdown", json!(null)).await;
    client.notify("exit", json!(null));
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.unwrap().unwrap();
    assert!(status.success());
}
