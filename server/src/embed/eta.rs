//! What a person is told about embedding in progress: chunks embedded of
//! chunks to embed, the rate, and the time left, in one line every surface
//! shows the same way ("by meaning: 1,200 of 3,400 chunks, about 40 s left").
//! Counts chunk texts, not files: a file of 300 functions and one of 3
//! differ a hundredfold in the time they take. Knows no protocol and does
//! no embedding.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The rate is measured over at most this much of the recent past, so a
/// pause (a query served first, the machine busy) fades out.
const WINDOW: Duration = Duration::from_secs(60);

/// A count of chunks embedded of a known total, with its recent rate.
pub struct EmbedCount {
    total: u64,
    /// (when, done) samples, oldest first, within [`WINDOW`] plus the one before.
    samples: Mutex<Vec<(Instant, u64)>>,
}

impl EmbedCount {
    pub fn new(total: u64) -> Self {
        EmbedCount { total, samples: Mutex::new(vec![(Instant::now(), 0)]) }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Records that `done` chunks are embedded now.
    pub fn record(&self, done: u64) {
        self.record_at(done, Instant::now());
    }

    fn record_at(&self, done: u64, now: Instant) {
        let mut samples = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        samples.push((now, done));
        // Keep one sample older than the window: the rate spans all of it.
        while samples.len() > 2 && now.duration_since(samples[1].0) > WINDOW {
            samples.remove(0);
        }
    }

    /// Chunks embedded so far.
    pub fn done(&self) -> u64 {
        self.samples.lock().unwrap_or_else(|e| e.into_inner()).last().map_or(0, |s| s.1)
    }

    /// Chunks a second over the recent past; `None` before any was embedded.
    pub fn rate(&self) -> Option<f64> {
        let samples = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        let (first, last) = (samples.first()?, samples.last()?);
        let seconds = last.0.duration_since(first.0).as_secs_f64();
        let chunks = last.1.saturating_sub(first.1);
        (chunks > 0 && seconds > 0.0).then(|| chunks as f64 / seconds)
    }

    /// Time left at the recent rate; `None` until there is a rate.
    pub fn left(&self) -> Option<Duration> {
        let rate = self.rate()?;
        let remaining = self.total.saturating_sub(self.done());
        Some(Duration::from_secs_f64(remaining as f64 / rate))
    }

    /// "by meaning: 1,200 of 3,400 chunks, about 40 s left".
    pub fn message(&self) -> String {
        let mut text = format!("by meaning: {} of {} chunks", thousands(self.done().min(self.total)), thousands(self.total));
        if let Some(left) = self.left() {
            text.push_str(&format!(", about {} left", about(left)));
        }
        text
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration as a person says it roughly: "40 s", "3 min", "1 h 20 min".
pub fn about(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{} s", s.max(1)),
        60..=3599 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_counts_chunks_with_the_rate_and_the_time_left() {
        let count = EmbedCount::new(3_400);
        assert_eq!(count.message(), "by meaning: 0 of 3,400 chunks", "no rate before any chunk");
        let start = count.samples.lock().unwrap()[0].0;
        count.record_at(1_200, start + Duration::from_secs(20));
        assert_eq!(count.rate(), Some(60.0));
        assert_eq!(count.message(), "by meaning: 1,200 of 3,400 chunks, about 36 s left");
        // The rate follows the recent past: after a long pause it is slower.
        count.record_at(1_260, start + Duration::from_secs(200));
        assert_eq!(count.samples.lock().unwrap().len(), 2, "samples older than the window are dropped");
        assert!(count.rate().unwrap() < 1.0);
        // 2,140 left at a third of a chunk a second.
        assert_eq!(count.left().map(about).as_deref(), Some("1 h 47 min"));
    }

    #[test]
    fn numbers_read_as_a_person_writes_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(about(Duration::from_millis(300)), "1 s");
        assert_eq!(about(Duration::from_secs(89)), "1 min");
        assert_eq!(about(Duration::from_secs(91)), "2 min");
        assert_eq!(about(Duration::from_secs(4_800)), "1 h 20 min");
    }
}
