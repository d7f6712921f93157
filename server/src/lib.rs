//! semnav: navigate code by meaning.
//!
//! The library is the whole core, in the order data flows:
//! [`discover`] finds files → [`chunk`] cuts them into definitions →
//! [`embed`] turns chunk texts into vectors → [`store`] keeps them on disk
//! (and [`vector_cache`] for every index on the machine) and
//! [`ann`] / [`lexical`] index them in memory → [`search`] answers queries.
//! [`index`] runs that pipeline incrementally for a workspace; [`engine`]
//! keeps it live for a server ([`watch`] follows the disk where no client
//! does). [`lsp`] and [`mcp`] translate protocols over the engine, the CLI
//! (`cli`) sits on top; nothing below them knows about terminals or
//! protocols.

pub mod ann;
pub mod background;
pub mod chunk;
pub mod contract;
pub mod discover;
pub mod document;
pub mod embed;
pub mod engine;
pub mod excerpt;
pub mod housekeeping;
pub mod ident;
pub mod index;
pub mod ipc;
pub mod lang;
pub mod lexical;
pub mod lsp;
pub mod mcp;
pub mod position;
pub mod search;
pub mod store;
pub mod usage;
pub mod vector_cache;
pub mod watch;
