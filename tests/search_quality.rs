//! The real model on a small eight-language workspace: every query shares no
//! word with its target, and the target must rank in the top 3.

use semnav::ident::split_words;
use semnav_e2e::{require_model, write_polyglot_workspace, Fixture};
use serde_json::Value;

#[test]
fn queries_find_their_targets_by_meaning() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    f.run_ok(&["index", "."]);

    let queries: String = expectations.iter().map(|e| format!("{}\n", e.query)).collect();
    f.write(".queries", &queries);
    let out = f.run_ok(&["search", "--path", ".", "--json", "--limit", "3", "--queries", ".queries"]);
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert_eq!(lines.len(), expectations.len(), "one line per query: {out}");

    let mut failures = Vec::new();
    for (e, line) in expectations.iter().zip(&lines) {
        assert_eq!(line["query"], e.query, "answers come in query order");
        // The fixture itself must keep its promise: no shared word.
        let target_words = split_words(e.name);
        let query_words = split_words(e.query);
        assert!(target_words.iter().all(|w| !query_words.contains(w)), "query {:?} shares a word with {}", e.query, e.name);

        let results = line["results"].as_array().expect("results array");
        let found = results.iter().any(|r| {
            r["path"] == e.path && (r["name"] == e.name || r["container"] == e.name || r["name"].is_null())
        });
        if !found {
            failures.push(format!("{:?} → expected {}::{} in top 3, got {}", e.query, e.path, e.name, serde_json::to_string(results).unwrap()));
        }
    }
    assert!(failures.is_empty(), "{} of {} queries missed:\n{}", failures.len(), expectations.len(), failures.join("\n"));
}

#[test]
fn json_results_follow_the_contract() {
    require_model();
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    // `search` refreshes a stale (here: missing) index by itself.
    let out = f.run_ok(&["search", "--path", ".", "--json", "--limit", "5", "--lang", "rust", "read", "settings"]);
    let v: Value = serde_json::from_str(out.trim()).expect("JSON");
    assert_eq!(v["query"], "read settings");
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["language"], "rust", "--lang filters before the top k: {r}");
        let (s, e) = (r["start_line"].as_u64().unwrap(), r["end_line"].as_u64().unwrap());
        assert!(s >= 1 && e >= s, "1-based inclusive lines: {r}");
        assert!(r["score"].is_number() && r["kind"].is_string());
        assert!(!r["path"].as_str().unwrap().starts_with('/'), "paths are relative: {r}");
    }
    let globbed = f.run_ok(&["search", "--path", ".", "--json", "--glob", "web/**", "a cache"]);
    let v: Value = serde_json::from_str(globbed.trim()).unwrap();
    assert!(v["results"].as_array().unwrap().iter().all(|r| r["path"].as_str().unwrap().starts_with("web/")));
    // No results is still success, with an empty list.
    let none = f.run_ok(&["search", "--path", ".", "--json", "--lang", "java", "--glob", "nothing/**", "x"]);
    let v: Value = serde_json::from_str(none.trim()).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 0);
}

#[test]
fn similar_finds_the_twin_and_never_itself() {
    require_model();
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    f.write(
        "app/sync.py",
        "def resend_pending(items):\n    for it in items:\n        for n in range(5):\n            if it.send():\n                break\n            time.sleep(2 ** n)\n",
    );
    f.run_ok(&["index", "."]);
    let out = f.run_ok(&["similar", "app/sync.py:3", "--json", "--limit", "3"]);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results[0]["path"], "app/uploads.py", "{out}");
    assert!(results.iter().all(|r| r["path"] != "app/sync.py"), "never the query chunk: {out}");
}
