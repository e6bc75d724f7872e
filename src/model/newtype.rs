//! The impls every newtype of the model that stands for what it wraps repeats.

/// For a newtype `$ty` over a pointer to `$target` (`Arc<str>`, `Box<str>`,
/// `Arc<Path>`) in field `.0`: `Deref` and `AsRef` to `$target`, and `==` with
/// `$target` and `&$target`, so it reads, compares and is passed as what it wraps.
macro_rules! reads_as {
    ($ty:ty => $target:ty) => {
        impl std::ops::Deref for $ty {
            type Target = $target;
            fn deref(&self) -> &$target {
                &self.0
            }
        }

        impl AsRef<$target> for $ty {
            fn as_ref(&self) -> &$target {
                &self.0
            }
        }

        impl PartialEq<$target> for $ty {
            fn eq(&self, other: &$target) -> bool {
                *self.0 == *other
            }
        }

        impl PartialEq<&$target> for $ty {
            fn eq(&self, other: &&$target) -> bool {
                *self.0 == **other
            }
        }
    };
}
pub(crate) use reads_as;
