//! tracelens: a network-trace analyzer whose core (capture readers → decode → index → flows →
//! analysis) is plain Rust; `wasm` is the one module that talks to JavaScript and the `tracelens`
//! binary is the command-line front end.

pub mod capture;
pub mod error;

pub use error::CaptureError;
