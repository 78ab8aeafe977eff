//! The skeleton every fixed-size header view shares, as a macro: [`header_view!`] defines a
//! `Copy` struct over the header's bytes and its `new`, which checks once that the header's
//! minimum length is there ([`super::WireError::Truncated`] otherwise), so the accessors a view
//! adds in its own `impl` may index within that length without failing.

/// `header_view! { /// docs  Name, MIN_LEN }` defines `pub struct Name<'a>` over `&'a [u8]`
/// and `Name::new(bytes) -> Result<Name, WireError>` checking `MIN_LEN` bytes.
macro_rules! header_view {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            bytes: &'a [u8],
        }

        impl<'a> $name<'a> {
            /// The view of the header at the start of `bytes`, when its minimum length is there.
            #[inline]
            pub fn new(bytes: &'a [u8]) -> Result<Self, $crate::wire::WireError> {
                $crate::wire::error::need(bytes, $len)?;
                Ok($name { bytes })
            }
        }
    };
}

pub(crate) use header_view;
