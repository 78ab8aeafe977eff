//! What every header view shares, written once: [`header_view!`] declares a zero-copy view
//! over bytes checked to a minimum length and its typed accessors, one per field range of the
//! protocol's `field` module (smoltcp's `field` modules are the model), and [`FieldValue`]
//! reads a field's value — a byte, a big-endian integer of two to four bytes, or the bytes as
//! an array — from bytes the view already checked, so an accessor has no failure path and
//! cannot panic; a field may also be a bit field (shifted, then masked). [`versioned_view!`]
//! adds the version-nibble check of the IPv4 and IPv6 views.

use super::error::WireError;
use std::ops::Range;

/// A field's value read from bytes a view has already checked to cover the field.
pub trait FieldValue<At> {
    fn read(bytes: &[u8], at: At) -> Self;
}

impl FieldValue<usize> for u8 {
    #[inline]
    fn read(bytes: &[u8], at: usize) -> u8 {
        bytes[at]
    }
}

impl FieldValue<Range<usize>> for u16 {
    #[inline]
    fn read(bytes: &[u8], at: Range<usize>) -> u16 {
        be16_at(bytes, at.start)
    }
}

/// A big-endian integer of up to four bytes (VXLAN's network identifier has three).
impl FieldValue<Range<usize>> for u32 {
    #[inline]
    fn read(bytes: &[u8], at: Range<usize>) -> u32 {
        if at.len() == 4 {
            return be32_at(bytes, at.start);
        }
        bytes[at]
            .iter()
            .fold(0, |value, &byte| value << 8 | u32::from(byte))
    }
}

impl<const N: usize> FieldValue<Range<usize>> for [u8; N] {
    #[inline]
    fn read(bytes: &[u8], at: Range<usize>) -> [u8; N] {
        let mut value = [0; N];
        value.copy_from_slice(&bytes[at]);
        value
    }
}

/// The big-endian `u16` at `at` of bytes checked to hold it.
#[inline]
pub fn be16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

/// The big-endian `u32` at `at` of bytes checked to hold it.
#[inline]
pub fn be32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// `Ok` when the top nibble of the first byte (of bytes checked to hold it) is `version`; else
/// the error names `field` and the nibble found.
#[inline]
pub fn version_is(bytes: &[u8], version: u8, field: &'static str) -> Result<(), WireError> {
    match bytes[0] >> 4 {
        found if found == version => Ok(()),
        found => Err(WireError::Malformed {
            field,
            value: u32::from(found),
        }),
    }
}

/// Declares a header view and its protocol's field module from one table: `pub struct
/// Name<'a>` over the bytes from the header's start (which may run on into the payload),
/// `Name::at_least(bytes)` that checks they hold `$len` bytes (the views' `new` add their own
/// checks to it; `checked to LEN, with new` makes a public `new` that checks only that),
/// `bytes()`, and `pub mod field` (or another name, when a file has several views) with one
/// constant per listed field (its byte offset or range, public for the details tree and the
/// filter). A field written `pub const NAME: Range<usize> = 2..4 => accessor: u16;` also gets
/// `accessor()`, reading it as that type through [`FieldValue`]; `=> accessor: u16, shift 4,
/// mask 0x0fff` shifts the value right, then masks it (a bit field). Every accessor's range must
/// lie within the `$len` bytes.
macro_rules! header_view {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, checked to $len:expr $(, with $new:ident)?;
        $(#[$field_mod_meta:meta])*
        pub mod $field_mod:ident {
            $(
                $(#[$field_meta:meta])*
                pub const $field:ident: $field_ty:ty = $at:expr
                    $(=> $accessor:ident: $ty:ty $(, shift $shift:literal)? $(, mask $mask:literal)?)?;
            )*
        }
    ) => {
        $(#[$field_mod_meta])*
        pub mod $field_mod {
            #[allow(unused_imports)]
            use std::ops::Range;
            $(
                $(#[$field_meta])*
                pub const $field: $field_ty = $at;
            )*
        }

        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            bytes: &'a [u8],
        }

        impl<'a> $name<'a> {
            /// Views the bytes when they hold the fixed header; nothing else is checked.
            #[inline]
            fn at_least(bytes: &'a [u8]) -> Result<Self, $crate::wire::WireError> {
                $crate::wire::error::need(bytes, $len)?;
                Ok($name { bytes })
            }

            $(
                /// The view of the header at the start of `bytes`, when its minimum length is
                /// there.
                #[inline]
                pub fn $new(bytes: &'a [u8]) -> Result<Self, $crate::wire::WireError> {
                    Self::at_least(bytes)
                }
            )?

            /// Every byte from the header's start (header, payload and whatever follows).
            #[inline]
            pub fn bytes(&self) -> &'a [u8] {
                self.bytes
            }

            $(
                $crate::wire::view::header_view!(
                    @accessor [$(#[$field_meta])*] $field_mod::$field
                    $($accessor $ty [$($shift)?] [$($mask)?])?
                );
            )*
        }
    };
    (
        @accessor [$($attr:tt)*] $field_mod:ident::$field:ident
        $accessor:ident $ty:ty [$($shift:literal)?] [$($mask:literal)?]
    ) => {
        $($attr)*
        #[inline]
        pub fn $accessor(&self) -> $ty {
            let value: $ty = $crate::wire::view::FieldValue::read(self.bytes, $field_mod::$field);
            $(let value = value >> $shift;)?
            $(let value = value & $mask;)?
            value
        }
    };
    (@accessor [$($attr:tt)*] $field_mod:ident::$field:ident) => {};
}

pub(crate) use header_view;

/// The constructors of a view whose first nibble is its version (IPv4, IPv6): `new`, which
/// checks the length and the version, `any_version`, which checks only the length (the details
/// tree shows a header with a wrong version field by field; everyone else wants `new`), and
/// `version()`.
macro_rules! versioned_view {
    ($name:ident, version $version:literal named $field:literal) => {
        impl<'a> $name<'a> {
            #[doc = concat!(
                "Views the header at the start of `bytes`: the fixed header must be there and ",
                "its version nibble must be ", stringify!($version), "."
            )]
            pub fn new(bytes: &'a [u8]) -> Result<Self, $crate::wire::WireError> {
                let header = Self::at_least(bytes)?;
                $crate::wire::view::version_is(bytes, $version, $field)?;
                Ok(header)
            }

            /// Views the header whatever its version nibble says: only the fixed header's
            /// length is checked.
            pub fn any_version(bytes: &'a [u8]) -> Result<Self, $crate::wire::WireError> {
                Self::at_least(bytes)
            }

            #[doc = concat!(
                "The version nibble (", stringify!($version),
                ", unless viewed with `any_version`)."
            )]
            pub fn version(&self) -> u8 {
                self.bytes[0] >> 4
            }
        }
    };
}

pub(crate) use versioned_view;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind_of_field() {
        let bytes = [0x45, 0x01, 0x02, 0x03, 0x04, 0x05];
        assert_eq!(u8::read(&bytes, 1), 0x01);
        assert_eq!(u16::read(&bytes, 1..3), 0x0102);
        assert_eq!(u32::read(&bytes, 1..5), 0x0102_0304);
        assert_eq!(u32::read(&bytes, 3..6), 0x03_0405);
        assert_eq!(<[u8; 2]>::read(&bytes, 4..6), [0x04, 0x05]);
        assert_eq!(version_is(&bytes, 4, "ip.version"), Ok(()));
        assert_eq!(
            version_is(&bytes, 6, "ipv6.version"),
            Err(WireError::Malformed {
                field: "ipv6.version",
                value: 4
            })
        );
    }
}
