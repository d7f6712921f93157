//! The code of a hit, read from the disk when it is shown (the MCP tools'
//! answers, `semnav search --context`): as the file is now, and only while
//! it is still a file of the workspace reached through no link, since it may
//! have been swapped for a link to outside since it was indexed.
//!
//! Must not: search, or read anything but the hit's own file.

use std::path::Path;

/// Lines `start..=end` (0-based) of the file at `path`, at most `max_lines`
/// of them, fenced; says how many were left out. Read as it is now, and only
/// when it is still a file of `root` reached through no link (it may have
/// been swapped for a link to outside since it was indexed).
pub fn excerpt(root: &Path, path: &Path, start: u32, end: u32, max_lines: usize, language: &str) -> String {
    let read = crate::discover::relative_path(root, path).ok_or(crate::discover::SkipReason::Link).and_then(|rel| crate::discover::read_inside(root, &rel, u64::MAX));
    let text = match read {
        Ok(text) => text,
        Err(why) => return format!("    (cannot show {}: {})\n", crate::discover::relative_path(root, path).unwrap_or_else(|| path.display().to_string()), why.as_str()),
    };
    let lines: Vec<&str> = text.lines().skip(start as usize).take(end.saturating_sub(start) as usize + 1).collect();
    let shown = lines.len().min(max_lines);
    let mut out = format!("```{language}\n");
    for line in &lines[..shown] {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("```\n");
    if lines.len() > shown {
        out.push_str(&format!("({} more lines)\n", lines.len() - shown));
    }
    out
}


#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_hit_shows_its_lines_until_its_file_is_swapped_for_a_link_to_outside() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/a.rs"), "fn a() {\n    one();\n}\n").unwrap();
        std::fs::write(outside.path().join("secret.rs"), "SECRET\nSECRET\nSECRET\n").unwrap();
        let file = root.join("src/a.rs");
        assert_eq!(excerpt(&root, &file, 0, 2, 10, "rust"), "```rust\nfn a() {\n    one();\n}\n```\n");
        std::fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.rs"), &file).unwrap();
        let shown = excerpt(&root, &file, 0, 2, 10, "rust");
        assert!(!shown.contains("SECRET") && shown.contains("a link"), "{shown}");
        // A folder on the way swapped too.
        std::fs::remove_file(&file).unwrap();
        std::fs::remove_dir(root.join("src")).unwrap();
        std::fs::create_dir(outside.path().join("src")).unwrap();
        std::fs::write(outside.path().join("src/a.rs"), "SECRET\n").unwrap();
        std::os::unix::fs::symlink(outside.path().join("src"), root.join("src")).unwrap();
        let shown = excerpt(&root, &file, 0, 0, 10, "rust");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
