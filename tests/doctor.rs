//! `semnav doctor`: one line per part with its state, the fix under what is
//! missing, the same as JSON, exit 1 when semnav cannot run.

use semnav_e2e::{require_model, Fixture};
use serde_json::Value;

fn checks(v: &Value) -> Vec<(String, String)> {
    v["checks"].as_array().expect("checks").iter().map(|c| (c["name"].as_str().unwrap().to_string(), c["state"].as_str().unwrap().to_string())).collect()
}

#[test]
fn doctor_reports_each_part_and_its_fix() {
    require_model();
    let f = Fixture::new();
    f.write("a.py", "def add(a, b):\n    return a + b\n");
    let v: Value = serde_json::from_str(&f.run_ok(&["doctor", ".", "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let states = checks(&v);
    let names: Vec<&str> = states.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["binary", "runtime", "model", "index", "vectors"], "{v}");
    assert_eq!(states[1].1, "ok", "{v}");
    assert_eq!(states[2].1, "ok", "{v}");
    assert!(v["checks"][2]["detail"].as_str().unwrap().contains("384 dimensions"), "the model was loaded and run: {v}");
    assert!(v["checks"][2]["detail"].as_str().unwrap().contains("static model potion-base-8M"), "{v}");
    // No index yet: a warning that says how to build it.
    assert_eq!(states[3].1, "warn", "{v}");
    assert!(v["checks"][3]["fix"].as_str().unwrap().contains("semnav index"), "{v}");
    f.run_ok(&["index", "."]);
    let v: Value = serde_json::from_str(&f.run_ok(&["doctor", ".", "--json"])).unwrap();
    assert_eq!(checks(&v)[3].1, "ok", "{v}");
    // The vector cache every index shares: where it is, what it holds.
    assert_eq!(checks(&v)[4].1, "ok", "{v}");
    let detail = v["checks"][4]["detail"].as_str().unwrap();
    assert!(detail.contains(&f.vector_cache().display().to_string()) && !detail.starts_with("0 vectors"), "{v}");
    let human = f.run_ok(&["doctor", "."]);
    assert_eq!(human.lines().filter(|l| !l.trim_start().starts_with("fix:") && !l.starts_with(' ')).count(), 5, "one line per part: {human}");
}

#[test]
fn doctor_without_the_model_says_what_to_run_and_fails() {
    let f = Fixture::new();
    let missing = tempfile::tempdir().unwrap();
    let out = f.command(&["doctor", ".", "--json"]).env("SEMNAV_MODEL_DIR", missing.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let model = &v["checks"][2];
    assert_eq!(model["name"], "model");
    assert_eq!(model["state"], "error");
    assert!(model["detail"].as_str().unwrap().contains("model.onnx"), "{v}");
    assert!(model["fix"].as_str().unwrap().contains("semnav provision"), "{v}");
    let out = f.command(&["doctor", "."]).env("ORT_DYLIB_PATH", missing.path().join("libonnxruntime.so")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.lines().any(|l| l.starts_with("runtime") && l.contains("error")), "{human}");
    assert!(human.contains("fix:") && human.contains("semnav provision"), "{human}");
}

/// Without the static model semnav still runs (a warning, not an error):
/// a cold index answers by words until the transformer has embedded it, and
/// doctor names the command that installs it.
#[test]
fn doctor_without_the_static_model_warns_and_says_what_to_run() {
    require_model();
    let f = Fixture::new();
    let missing = tempfile::tempdir().unwrap();
    let out = f.command(&["doctor", ".", "--json"]).env("SEMNAV_STATIC_MODEL_DIR", missing.path()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let model = &v["checks"][2];
    assert_eq!(model["state"], "warn", "{v}");
    assert!(model["detail"].as_str().unwrap().contains("model.safetensors"), "{v}");
    assert!(model["fix"].as_str().unwrap().contains("semnav provision"), "{v}");
}
