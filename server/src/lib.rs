//! semnav: navigate code by meaning.
//!
//! The library is the whole core, in the order data flows:
//! [`discover`] finds files → [`chunk`] cuts them into definitions →
//! [`embed`] turns chunk texts into vectors → [`store`] keeps them on disk and
//! [`ann`] / [`lexical`] index them in memory → [`search`] answers queries.
//! [`index`] runs that pipeline incrementally for a workspace. The CLI
//! (`cli`) sits on top; nothing below it knows about terminals or LSP.

pub mod ann;
pub mod background;
pub mod chunk;
pub mod discover;
pub mod document;
pub mod embed;
pub mod engine;
pub mod housekeeping;
pub mod ident;
pub mod index;
pub mod lang;
pub mod lexical;
pub mod lsp;
pub mod position;
pub mod search;
pub mod store;
