//! What every surface refuses in a request, in the same words: an empty
//! query, a limit of 0, a location in no chunk. A refusal is an [`Invalid`]
//! error, which the CLI turns into exit code 2, the LSP into "invalid
//! params" and MCP into a tool error, so that no surface answers a request
//! it did not understand with arbitrary hits.
//!
//! Must not: know any protocol, or look at the index.

use std::fmt;

/// A request the client got wrong: the message says what and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// The query without surrounding white space; refused when nothing is left.
pub fn query(query: &str) -> Result<&str, Invalid> {
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(Invalid("the query is empty: describe the code you are looking for, or name a symbol".into()));
    }
    Ok(trimmed)
}

/// A limit on the number of results; 0 asks for nothing and is refused.
pub fn limit(limit: usize) -> Result<usize, Invalid> {
    if limit == 0 {
        return Err(Invalid("the limit must be at least 1".into()));
    }
    Ok(limit)
}

/// Whether `e` (or what it wraps) is a refusal of the request.
pub fn is_invalid(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| cause.downcast_ref::<Invalid>().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_queries_are_refused() {
        for q in ["", " ", "\t\n", "\u{3000}"] {
            assert!(query(q).is_err(), "{q:?}");
        }
        assert_eq!(query("  parse config \n"), Ok("parse config"));
    }

    #[test]
    fn a_limit_of_zero_is_refused() {
        assert!(limit(0).is_err());
        assert_eq!(limit(1), Ok(1));
    }

    #[test]
    fn refusals_are_found_through_context() {
        let e = anyhow::Error::new(Invalid("x".into())).context("searching");
        assert!(is_invalid(&e));
        assert!(!is_invalid(&anyhow::anyhow!("disk full")));
    }
}
