pub mod chunk;
pub mod ident;
pub mod lang;
