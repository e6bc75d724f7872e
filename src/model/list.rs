//! A list sized exactly to what it holds, for the lists every [`Package`](super::Package)
//! keeps (its hashes, its artifacts).

use serde::{Serialize, Serializer};
use std::fmt;

/// A list of `T` that holds exactly its items: a `Box<[T]>` (16 bytes, no spare
/// capacity) with the parts of `Vec`'s interface the readers use (`push`, `extend`,
/// `append`, `dedup`, `retain`), so a package built one push at a time does not keep
/// room for more. It reads as a slice (`len`, `iter`, `[i]`, `sort`) and compares
/// with vectors, arrays and slices.
///
/// Growing it reallocates to the new length: meant for the short lists of one
/// package, built by `extend` or a few pushes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct List<T>(Box<[T]>);

impl<T> List<T> {
    /// The empty list (no allocation).
    pub fn new() -> List<T> {
        List(Box::default())
    }

    /// Change the list through a `Vec` of its items (no copy: a `Box<[T]>` is a
    /// `Vec` whose capacity is its length), then cut the spare capacity again.
    fn edit<R>(&mut self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        let mut v = std::mem::take(&mut self.0).into_vec();
        let r = f(&mut v);
        self.0 = v.into_boxed_slice();
        r
    }

    /// Add one item at the end.
    pub fn push(&mut self, item: T) {
        self.edit(|v| v.push(item));
    }

    /// Move every item of `other` to the end, leaving `other` empty.
    pub fn append(&mut self, other: &mut Vec<T>) {
        if !other.is_empty() {
            self.edit(|v| v.append(other));
        }
    }

    /// Keep only the items `keep` says yes to.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.edit(|v| v.retain(keep));
    }

    /// Remove every item.
    pub fn clear(&mut self) {
        self.0 = Box::default();
    }

    /// Nothing to do: the list never keeps spare capacity (for callers written for a `Vec`).
    pub fn shrink_to_fit(&mut self) {}

    /// The items as a `Vec` (no copy).
    pub fn into_vec(self) -> Vec<T> {
        self.0.into_vec()
    }
}

impl<T: PartialEq> List<T> {
    /// Remove consecutive equal items (after a sort: every duplicate).
    pub fn dedup(&mut self) {
        if self.0.windows(2).any(|w| w[0] == w[1]) {
            self.edit(Vec::dedup);
        }
    }
}

impl<T> Default for List<T> {
    fn default() -> List<T> {
        List::new()
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> std::ops::DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T> AsRef<[T]> for List<T> {
    fn as_ref(&self) -> &[T] {
        &self.0
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(v: Vec<T>) -> List<T> {
        List(v.into_boxed_slice())
    }
}

impl<T> From<List<T>> for Vec<T> {
    fn from(l: List<T>) -> Vec<T> {
        l.into_vec()
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> List<T> {
        List(iter.into_iter().collect())
    }
}

impl<T> Extend<T> for List<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter().peekable();
        if iter.peek().is_some() {
            self.edit(|v| v.extend(iter));
        }
    }
}

impl<'a, T: Clone + 'a> Extend<&'a T> for List<T> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().cloned());
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut List<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl<T: PartialEq<U>, U> PartialEq<Vec<U>> for List<T> {
    fn eq(&self, other: &Vec<U>) -> bool {
        self.0[..] == other[..]
    }
}

impl<T: PartialEq<U>, U> PartialEq<[U]> for List<T> {
    fn eq(&self, other: &[U]) -> bool {
        self.0[..] == *other
    }
}

impl<T: PartialEq<U>, U> PartialEq<&[U]> for List<T> {
    fn eq(&self, other: &&[U]) -> bool {
        self.0[..] == **other
    }
}

impl<T: PartialEq<U>, U, const N: usize> PartialEq<[U; N]> for List<T> {
    fn eq(&self, other: &[U; N]) -> bool {
        self.0[..] == other[..]
    }
}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0[..], f)
    }
}

impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_grows_and_shrinks_like_a_vec_without_spare_room() {
        let mut l: List<u32> = List::new();
        assert!(l.is_empty());
        l.push(3);
        l.extend([1, 3]);
        l.append(&mut vec![2]);
        assert_eq!(l, vec![3, 1, 3, 2]);
        l.sort();
        l.dedup();
        assert_eq!(l, [1, 2, 3]);
        l.retain(|x| *x != 2);
        assert_eq!(l.len(), 2);
        assert_eq!(format!("{l:?}"), "[1, 3]");
        assert_eq!(serde_json::to_string(&l).unwrap(), "[1,3]");
        assert_eq!(l.into_iter().sum::<u32>(), 4);
        assert_eq!(std::mem::size_of::<List<u64>>(), 16);
    }
}
