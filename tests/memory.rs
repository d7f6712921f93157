//! Memory follows the work: a server drops the transformer after a while
//! without anything to embed, holds only the index and the static model
//! while idle, and loads the model again for the next query. Real binary,
//! real model, the official MCP client; the figures compared are the
//! server's own resident memory within one run (no absolute sizes, which
//! vary by machine).

use std::time::{Duration, Instant};

use semnav_e2e::mcp_client::{call, hits, spawn_with_pid, text_of};
use semnav_e2e::{require_model, write_polyglot_workspace, Fixture};
use serde_json::json;

/// The server's resident memory in KiB.
fn resident_kb(pid: u32) -> u64 {
    semnav_e2e::resident_kib(pid).expect("the server's VmRSS in /proc/PID/status")
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_server_releases_the_model_and_loads_it_again_for_a_query() {
    require_model();
    let f = Fixture::new();
    let expectations = write_polyglot_workspace(&f);
    let (client, pid) = spawn_with_pid(&f, &[("SEMNAV_MODEL_IDLE_SECS", "2")]).await;
    // Index (the first search waits for the root), then ask by meaning.
    let e = &expectations[0];
    let first = call(&client, "search", json!({"query": e.query, "limit": 3, "max_lines": 0})).await;
    assert!(e.found_in(&hits(&first)), "{}", text_of(&first));
    let deadline = Instant::now() + Duration::from_secs(300);
    while call(&client, "status", json!({})).await.structured_content.expect("status")["indexing"] == true {
        assert!(Instant::now() < deadline, "indexing did not end");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let loaded = resident_kb(pid);
    // Idle: the model is dropped and its memory given back.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut idle = resident_kb(pid);
    while idle * 2 > loaded && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        idle = resident_kb(pid);
    }
    assert!(idle * 2 <= loaded, "idle for a minute, the server still holds {idle} kB of the {loaded} kB it held with the model loaded");
    // The next query loads it again and is answered by meaning.
    for e in &expectations[1..4] {
        let r = call(&client, "search", json!({"query": e.query, "limit": 3, "max_lines": 0})).await;
        assert!(e.found_in(&hits(&r)), "after the release: {}", text_of(&r));
    }
    assert!(resident_kb(pid) > idle, "the model is in memory again");
    client.cancel().await.expect("close the session");
}
