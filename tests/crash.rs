//! Data safety: `semnav index` killed with SIGKILL at random moments, then run
//! to completion, must give the same index as a clean run: the same chunks,
//! every chunk with a vector, no record of a file that is not there.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::Rng;
use semnav::embed::FastEmbedder;
use semnav::store::{FileEntry, Store};
use semnav_e2e::{require_model, Fixture};

const FILES: usize = 240;

fn write_workspace(f: &Fixture) {
    let verbs = ["parse", "render", "upload", "compress", "validate", "merge", "sort", "encrypt"];
    let nouns = ["invoice", "image", "token", "report", "packet", "record", "session", "matrix"];
    for i in 0..FILES {
        let (v, n) = (verbs[i % verbs.len()], nouns[(i / verbs.len()) % nouns.len()]);
        f.write(
            &format!("pkg{}/mod_{i}.py", i % 12),
            format!(
                "import os\n\n\ndef {v}_{n}_{i}(data):\n    \"\"\"{v} the {n} number {i}.\"\"\"\n    out = []\n    for x in data:\n        out.append(x * {i})\n    return out\n\n\nclass {n}Handler{i}:\n    def handle(self, item):\n        return {v}_{n}_{i}([item])\n"
            ),
        );
    }
}

/// The index as comparable data: path → entry, minus when it was written.
fn snapshot(dir: &std::path::Path, model_id: &str) -> BTreeMap<String, FileEntry> {
    let (store, _) = Store::open(dir, model_id).expect("open index");
    let mut out = BTreeMap::new();
    for item in store.files() {
        let (path, mut entry) = item.expect("every record decodes");
        for c in &entry.chunks {
            assert!(store.has_vector(&c.text_hash).unwrap(), "{path}: chunk {:?} has no vector", c.name);
        }
        entry.indexed_ns = 0;
        out.insert(path, entry);
    }
    out
}

#[test]
fn killed_index_resumes_to_the_same_result() {
    let paths = require_model();
    let model_id = FastEmbedder::load(&paths, Some(1)).expect("model").model_id_string();
    let f = Fixture::new();
    write_workspace(&f);

    let mut rng = rand::rng();
    let mut kills = 0;
    for round in 0..5 {
        let mut child = f.command(&["index", "."]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("spawn");
        let wait = Duration::from_millis(rng.random_range(300..4000));
        let start = Instant::now();
        let mut finished = false;
        while start.elapsed() < wait {
            if child.try_wait().expect("try_wait").is_some() {
                finished = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if !finished {
            child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
            kills += 1;
        }
        let _ = child.wait();
        // Between kills the index must always open and decode.
        let partial = snapshot(f.index_dir(), &model_id);
        assert!(partial.len() <= FILES, "round {round}: more files than exist");
    }
    assert!(kills >= 3, "the test must actually interrupt indexing (killed {kills} of 5)");

    // Finish, then compare with a clean index of the same files.
    f.run_ok(&["index", "."]);
    let resumed = snapshot(f.index_dir(), &model_id);
    let clean_dir = tempfile::tempdir().unwrap();
    let out = f.command(&["index", "."]).env("SEMNAV_INDEX_DIR", clean_dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let clean = snapshot(clean_dir.path(), &model_id);
    assert_eq!(resumed.len(), FILES);
    assert_eq!(resumed.keys().collect::<Vec<_>>(), clean.keys().collect::<Vec<_>>());
    for (path, entry) in &clean {
        assert_eq!(&resumed[path], entry, "{path} differs after the interrupted runs");
    }
}
