//! tracelens: a network-trace analyzer whose core (capture readers → decode → index → flows →
//! analysis) is plain Rust; `wasm` is the one module that talks to JavaScript and the `tracelens`
//! binary is the command-line front end.

pub mod analyzer;
pub mod capture;
pub mod connections;
pub mod conversations;
pub mod decode;
pub mod dissect;
pub mod error;
pub mod export;
pub mod filter;
pub mod findings;
pub mod flows;
pub mod index;
pub mod summary;
pub mod synth;
pub mod tcp;
pub mod wire;

pub use error::CaptureError;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
