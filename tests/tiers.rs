//! The tiers of a cold workspace, through the real binary and the official
//! MCP client: words at once, the static model's vectors within seconds,
//! the transformer's behind them; and what a server says of its progress
//! while it embeds (chunks, not files, with the time left).

use std::time::{Duration, Instant};

use semnav_e2e::mcp_client::{call, hits, spawn, text_of};
use semnav_e2e::{require_model, write_polyglot_workspace, Fixture};
use serde_json::json;

/// How many of the polyglot workspace's queries (no word shared with their
/// target) find their target in the top 3, with no transformer at all (its
/// model directory empty), with `env` added.
async fn found_without_the_transformer(env: &[(&str, &str)]) -> (usize, usize) {
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let no_model = tempfile::tempdir().expect("tempdir");
    let mut all_env = vec![("SEMNAV_MODEL_DIR", no_model.path().to_str().expect("utf-8")), ("SEMNAV_NO_PROVISION", "1")];
    all_env.extend_from_slice(env);
    let client = spawn(&f, &all_env).await;
    let mut found = 0;
    for e in &expectations {
        let r = call(&client, "search", json!({"query": e.query, "limit": 3, "max_lines": 0})).await;
        assert_ne!(r.is_error, Some(true), "{}", text_of(&r));
        found += e.found_in(&hits(&r)) as usize;
    }
    client.cancel().await.expect("close the session");
    (found, expectations.len())
}

/// Without any transformer vector (no model at all), the static model finds
/// by meaning what words cannot: most queries that share no word with their
/// target find it, where words alone find at most a few.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_static_tier_finds_by_meaning_before_any_transformer_vector() {
    require_model();
    let (by_static, total) = found_without_the_transformer(&[]).await;
    let (by_words, _) = found_without_the_transformer(&[("SEMNAV_STATIC", "off")]).await;
    assert!(by_static > by_words, "static tier found {by_static} of {total}, words alone {by_words}");
    assert!(by_static * 2 >= total, "static tier found only {by_static} of {total}");
}

/// While a cold index embeds, `status` says how far it is in chunks
/// embedded of chunks to embed (with the time left once there is a rate), and
/// a search's note says the same; when it is done, nothing is in progress.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_index_says_its_progress_in_chunks() {
    require_model();
    let f = Fixture::new();
    write_polyglot_workspace(&f);
    // Enough chunks that embedding them takes seconds.
    for i in 0..40 {
        let body: String = (0..8).map(|j| format!("def step_{i}_{j}(value):\n    \"\"\"Stage {j} of pipeline {i}.\"\"\"\n    return value * {j} + {i}\n\n\n")).collect();
        f.write(&format!("pipelines/p{i}.py"), body);
    }
    let client = spawn(&f, &[]).await;
    let started = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let status = call(&client, "status", json!({})).await;
        let s = status.structured_content.clone().expect("structured status");
        let progress: Vec<String> = s["progress"].as_array().cloned().unwrap_or_default().iter().filter_map(|p| p.as_str().map(String::from)).collect();
        if s["indexing"] == false && s["loading"].as_array().is_none_or(|l| l.is_empty()) {
            assert!(progress.is_empty(), "done, yet in progress: {progress:?}");
            break;
        }
        seen.extend(progress);
        assert!(started.elapsed() < Duration::from_secs(300), "indexing did not end: {}", text_of(&status));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!seen.is_empty(), "no progress was ever reported");
    let counts: Vec<(u64, u64)> = seen
        .iter()
        .map(|p| {
            let rest = p.strip_prefix("by meaning: ").unwrap_or_else(|| panic!("{p:?}"));
            let (done, rest) = rest.split_once(" of ").unwrap_or_else(|| panic!("{p:?}"));
            let total = rest.split(' ').next().unwrap_or_default();
            let number = |s: &str| s.replace(',', "").parse::<u64>().unwrap_or_else(|_| panic!("{p:?}"));
            (number(done), number(total))
        })
        .collect();
    let total = counts[0].1;
    assert!(total >= 320, "the 320 pipeline functions and more are to embed, said {total}: {seen:?}");
    assert!(counts.iter().all(|&(done, t)| t == total && done <= total), "{seen:?}");
    assert!(counts.windows(2).all(|w| w[0].0 <= w[1].0), "progress went back: {seen:?}");
    client.cancel().await.expect("close the session");
}
