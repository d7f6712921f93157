//! Cutting a byte range into consecutive windows at line starts, within a
//! line and byte budget, preferring some cut points over others.
//!
//! Used for the windows of an oversized function (cuts preferred at statement
//! boundaries), for blocks of top-level code and for sections of files without
//! a grammar (cuts preferred after blank lines or before headings). This module
//! knows nothing of syntax or chunk kinds: callers say how good each cut is.
//! It never cuts inside a line, so a single line longer than the byte budget
//! becomes a window of its own.

use std::ops::Range;

use super::lines::LineIndex;

/// The most a window may hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_lines: usize,
    pub(crate) max_bytes: usize,
}

impl Limits {
    /// Whether `bytes` (spanning whole lines of `lines`) fits.
    pub(crate) fn fit(&self, lines: &LineIndex, bytes: &Range<usize>) -> bool {
        let (first, last) = lines.line_span(bytes);
        let line_total = (last - first) as usize + 1;
        line_total <= self.max_lines && bytes.len() <= self.max_bytes
    }
}

/// How good it is to cut just before a line: the sum of the reasons below
/// that apply. Higher is better; 0 is any line.
pub(crate) type CutPreference = u8;

/// A statement (or a TOML table, a YAML key, …) starts on the line.
pub(crate) const STRUCTURE_START: CutPreference = 2;

/// The line follows a blank line.
pub(crate) const AFTER_BLANK_LINE: CutPreference = 1;

const BEST_CUT: CutPreference = STRUCTURE_START + AFTER_BLANK_LINE;

/// The preference for a cut before `line` of `lines`, given whether a
/// structure starts there.
pub(crate) fn preference(lines: &LineIndex, line: usize, structure_starts: bool) -> CutPreference {
    let after_blank = line > 0 && lines.is_blank(line - 1);
    let structure = if structure_starts { STRUCTURE_START } else { 0 };
    structure + if after_blank { AFTER_BLANK_LINE } else { 0 }
}

/// A preferred cut is taken over the farthest possible cut only if the window
/// it ends is at least this fraction (1/N) of the farthest window's lines.
const PREFERRED_CUT_MIN_FRACTION: usize = 3;

/// Cuts `range` into consecutive, non-empty windows that together cover it
/// exactly. Every cut lies at the start of a line. `preference(line)` rates a
/// cut just before `line`.
pub(crate) fn cut_windows(
    lines: &LineIndex,
    range: Range<usize>,
    limits: Limits,
    preference: impl Fn(usize) -> CutPreference,
) -> Vec<Range<usize>> {
    let mut windows = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let rest = start..range.end;
        if limits.fit(lines, &rest) {
            windows.push(rest);
            break;
        }
        let cut = choose_cut(lines, &rest, limits, &preference);
        windows.push(start..cut);
        start = cut;
    }
    windows
}

/// The end of the next window starting at `rest.start`: always a line start
/// strictly inside `rest`, or `rest.end` if no line starts inside it.
fn choose_cut(
    lines: &LineIndex,
    rest: &Range<usize>,
    limits: Limits,
    preference: &impl Fn(usize) -> CutPreference,
) -> usize {
    let first_line = lines.line_of(rest.start);
    let cut_at = |line: usize| lines.line_start(line);
    let is_inside = |line: usize| cut_at(line) > rest.start && cut_at(line) < rest.end;

    // The farthest line we may cut before without exceeding the limits.
    let mut farthest = None;
    let mut line = first_line + 1;
    while is_inside(line) && limits.fit(lines, &(rest.start..cut_at(line))) {
        farthest = Some(line);
        line += 1;
    }
    let Some(farthest) = farthest else {
        // Even one line is too much: cut after it anyway (or take all).
        let next = first_line + 1;
        return if is_inside(next) { cut_at(next) } else { rest.end };
    };

    let reach = farthest - first_line;
    for wanted in (1..=BEST_CUT).rev() {
        let preferred = (first_line + 1..=farthest)
            .rev()
            .take_while(|&line| (line - first_line) * PREFERRED_CUT_MIN_FRACTION >= reach)
            .find(|&line| preference(line) >= wanted);
        if let Some(line) = preferred {
            return cut_at(line);
        }
    }
    cut_at(farthest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered_lines(count: usize) -> String {
        (0..count).map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn windows_cover_the_range_and_respect_limits() {
        let source = numbered_lines(100);
        let lines = LineIndex::new(&source);
        let limits = Limits { max_lines: 30, max_bytes: 10_000 };
        let windows = cut_windows(&lines, 0..source.len(), limits, |_| 0);
        assert_eq!(windows.first().map(|w| w.start), Some(0));
        assert_eq!(windows.last().map(|w| w.end), Some(source.len()));
        for pair in windows.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert!(windows.iter().all(|w| limits.fit(&lines, w)));
        assert_eq!(windows.len(), 4);
    }

    #[test]
    fn preferred_cuts_win_when_not_too_early() {
        let source = numbered_lines(50);
        let lines = LineIndex::new(&source);
        let limits = Limits { max_lines: 30, max_bytes: 10_000 };
        let windows = cut_windows(&lines, 0..source.len(), limits, |line| u8::from(line == 25) * BEST_CUT);
        assert_eq!(windows[0].end, lines.line_start(25));
        // A preferred cut after only 2 lines is ignored.
        let windows = cut_windows(&lines, 0..source.len(), limits, |line| u8::from(line == 2) * BEST_CUT);
        assert_eq!(windows[0].end, lines.line_start(30));
    }

    #[test]
    fn an_overlong_line_becomes_its_own_window() {
        let source = format!("short\n{}\nshort\n", "x".repeat(500));
        let lines = LineIndex::new(&source);
        let limits = Limits { max_lines: 10, max_bytes: 100 };
        let windows = cut_windows(&lines, 0..source.len(), limits, |_| 0);
        let texts: Vec<&str> = windows.iter().map(|w| &source[w.clone()]).collect();
        assert_eq!(texts.len(), 3);
        assert_eq!(texts[0], "short\n");
        assert_eq!(texts[2], "short\n");
    }
}
