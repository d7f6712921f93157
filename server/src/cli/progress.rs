//! A progress bar on stderr when it is a terminal; nothing when piped.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use semnav::index::Progress;

pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    pub fn new() -> Self {
        // indicatif draws only when stderr is a terminal.
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {wide_msg}  ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        TerminalProgress { bar }
    }
}

impl Progress for TerminalProgress {
    fn begin(&self, title: &str, total: u64) {
        self.bar.set_prefix(title.to_string());
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(first_message(total));
    }
    fn advance(&self, done: u64, message: &str) {
        self.bar.set_position(done);
        self.bar.set_message(message.to_string());
    }
    fn end(&self, _message: &str) {
        self.bar.finish_and_clear();
    }
}

/// What the bar says before the first chunk is embedded.
fn first_message(total: u64) -> String {
    semnav::embed::eta::EmbedCount::new(total).message()
}
