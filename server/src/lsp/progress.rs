//! Work-done progress (`$/progress`) for long refreshes, fed from blocking
//! threads through a channel.

use tokio::sync::mpsc;
use tower_lsp_server::ls_types::{request::WorkDoneProgressCreate, ProgressToken, WorkDoneProgressCreateParams};
use tower_lsp_server::Client;

use crate::index::Progress;

pub enum Event {
    Begin(String, u64),
    Advance(u64, String),
    End(String),
}

/// The engine-side end: implements [`Progress`] by sending events.
pub struct ChannelProgress(pub mpsc::UnboundedSender<Event>);

impl Progress for ChannelProgress {
    fn begin(&self, title: &str, total: u64) {
        let _ = self.0.send(Event::Begin(title.to_string(), total));
    }
    fn advance(&self, done: u64, message: &str) {
        let _ = self.0.send(Event::Advance(done, message.to_string()));
    }
    fn end(&self, message: &str) {
        let _ = self.0.send(Event::End(message.to_string()));
    }
}

/// Forwards events to the client as `$/progress` (when it supports work-done
/// progress) until the sender is dropped. Reports at most every 1%.
pub async fn forward(client: Client, supported: bool, token_name: String, mut rx: mpsc::UnboundedReceiver<Event>) {
    if !supported {
        while rx.recv().await.is_some() {}
        return;
    }
    let token = ProgressToken::String(token_name);
    let mut total = 0u64;
    let mut last_pct = u32::MAX;
    let mut ongoing = None;
    while let Some(event) = rx.recv().await {
        match event {
            Event::Begin(title, t) => {
                total = t;
                if client.send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams { token: token.clone() }).await.is_err() {
                    continue;
                }
                ongoing = Some(client.progress(token.clone(), title).with_percentage(0).with_message(crate::embed::eta::EmbedCount::new(t).message()).begin().await);
                last_pct = 0;
            }
            Event::Advance(done, msg) => {
                let pct = if total == 0 { 100 } else { (done * 100 / total) as u32 };
                if pct != last_pct {
                    if let Some(p) = &ongoing {
                        p.report_with_message(msg, pct).await;
                    }
                    last_pct = pct;
                }
            }
            Event::End(msg) => {
                if let Some(p) = ongoing.take() {
                    p.finish_with_message(msg).await;
                }
            }
        }
    }
    if let Some(p) = ongoing.take() {
        p.finish().await;
    }
}
