//! The wire layer's shared primitives: bounds-checked byte readers ([`bytes`]) and the Internet
//! checksum ([`checksum`]). Capture readers, the fast decoder, the details tree, the filter's
//! deep decoders and the checksum finding all read fields and verify checksums through these, so
//! a bounds rule or a checksum subtlety (odd lengths, UDP's zero, pseudo-headers) is written and
//! tested once. Modelled on smoltcp's `wire` module and etherparse's slices: plain functions over
//! `&[u8]`, no allocation, `None` instead of a panic.

pub mod bytes;
pub mod checksum;
