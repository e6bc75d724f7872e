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

    /// Remove every item.
    pub fn clear(&mut self) {
        self.0 = Box::default();
    }

    /// The items as a `Vec` (no copy).
    pub fn into_vec(self) -> Vec<T> {
        self.0.into_vec()
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

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

/// What a list type that derefs to a slice and is edited through a `Vec` of its items
/// (its own `edit`) shares: `Vec`'s editing methods, extending it by reference
/// (extending it by value each list implements itself), iterating it by
/// reference, comparing it with vectors, slices and arrays, printing and serializing
/// it as its items.
macro_rules! reads_as_slice {
    ($list:ident) => {
        impl<T> $list<T> {
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

            /// Nothing to do: the list never keeps spare capacity (for callers
            /// written for a `Vec`).
            pub fn shrink_to_fit(&mut self) {}
        }

        impl<T: PartialEq> $list<T> {
            /// Remove consecutive equal items (after a sort: every duplicate).
            pub fn dedup(&mut self) {
                if self.windows(2).any(|w| w[0] == w[1]) {
                    self.edit(Vec::dedup);
                }
            }
        }

        impl<'a, T: Clone + 'a> Extend<&'a T> for $list<T> {
            fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
                self.extend(iter.into_iter().cloned());
            }
        }

        impl<'a, T> IntoIterator for &'a $list<T> {
            type Item = &'a T;
            type IntoIter = std::slice::Iter<'a, T>;
            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl<'a, T> IntoIterator for &'a mut $list<T> {
            type Item = &'a mut T;
            type IntoIter = std::slice::IterMut<'a, T>;
            fn into_iter(self) -> Self::IntoIter {
                self.iter_mut()
            }
        }

        impl<T: PartialEq<U>, U> PartialEq<Vec<U>> for $list<T> {
            fn eq(&self, other: &Vec<U>) -> bool {
                self[..] == other[..]
            }
        }

        impl<T: PartialEq<U>, U> PartialEq<[U]> for $list<T> {
            fn eq(&self, other: &[U]) -> bool {
                self[..] == *other
            }
        }

        impl<T: PartialEq<U>, U> PartialEq<&[U]> for $list<T> {
            fn eq(&self, other: &&[U]) -> bool {
                self[..] == **other
            }
        }

        impl<T: PartialEq<U>, U, const N: usize> PartialEq<[U; N]> for $list<T> {
            fn eq(&self, other: &[U; N]) -> bool {
                self[..] == other[..]
            }
        }

        impl<T: fmt::Debug> fmt::Debug for $list<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self[..], f)
            }
        }

        impl<T: Serialize> Serialize for $list<T> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self[..].serialize(s)
            }
        }
    };
}

reads_as_slice!(List);
reads_as_slice!(OneOrList);

impl<T> Extend<T> for List<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter().peekable();
        if iter.peek().is_some() {
            self.edit(|v| v.extend(iter));
        }
    }
}

impl<T> Extend<T> for OneOrList<T> {
    /// The common case, one item into an empty list, is stored in place without
    /// going through a vector (no allocation; rest8).
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter();
        let Some(first) = iter.next() else {
            return;
        };
        if self.is_empty() {
            *self = match iter.next() {
                None => OneOrList(Repr::One(first)),
                Some(second) => {
                    OneOrList::from_vec([first, second].into_iter().chain(iter).collect())
                }
            };
            return;
        }
        self.edit(|v| {
            v.push(first);
            v.extend(iter);
        });
    }
}

/// A [`List`] that holds a list of one item in place, without an allocation: a
/// package's hashes, which are one digest in almost every lockfile (a package-lock's
/// `integrity`, a hashed requirement). For `T` = [`Hash`](super::Hash) it is 24 bytes
/// (the enum's tag lives in a spare value of the hash's algorithm byte), against the
/// 16 bytes of a [`List`] plus its 24-byte block for one hash (issue 13).
///
/// The same interface as [`List`]: it reads as a slice and compares, orders, hashes,
/// prints and serializes as one.
#[derive(Clone)]
pub struct OneOrList<T>(Repr<T>);

/// The two forms of a [`OneOrList`]: a list of any length but one, or one item.
#[derive(Clone)]
enum Repr<T> {
    Many(Box<[T]>),
    One(T),
}

impl<T> OneOrList<T> {
    /// The empty list (no allocation).
    pub fn new() -> OneOrList<T> {
        OneOrList(Repr::Many(Box::default()))
    }

    /// The list of `v`'s items (one in place, else `v` without its spare capacity).
    fn from_vec(mut v: Vec<T>) -> OneOrList<T> {
        if v.len() == 1
            && let Some(one) = v.pop()
        {
            return OneOrList(Repr::One(one));
        }
        // (an empty vector's boxed slice allocates nothing)
        OneOrList(Repr::Many(v.into_boxed_slice()))
    }

    /// Change the list through a `Vec` of its items, then store it again.
    fn edit<R>(&mut self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        let mut v = std::mem::take(self).into_vec();
        let r = f(&mut v);
        *self = OneOrList::from_vec(v);
        r
    }

    /// Remove every item.
    pub fn clear(&mut self) {
        *self = OneOrList::new();
    }

    /// The items as a `Vec`.
    pub fn into_vec(self) -> Vec<T> {
        match self.0 {
            Repr::Many(b) => b.into_vec(),
            Repr::One(one) => vec![one],
        }
    }
}

impl<T> Default for OneOrList<T> {
    fn default() -> OneOrList<T> {
        OneOrList::new()
    }
}

impl<T> std::ops::Deref for OneOrList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.0 {
            Repr::Many(b) => b,
            Repr::One(one) => std::slice::from_ref(one),
        }
    }
}

impl<T> std::ops::DerefMut for OneOrList<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.0 {
            Repr::Many(b) => b,
            Repr::One(one) => std::slice::from_mut(one),
        }
    }
}

impl<T> AsRef<[T]> for OneOrList<T> {
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T> From<Vec<T>> for OneOrList<T> {
    fn from(v: Vec<T>) -> OneOrList<T> {
        OneOrList::from_vec(v)
    }
}

impl<T> From<List<T>> for OneOrList<T> {
    fn from(l: List<T>) -> OneOrList<T> {
        OneOrList::from_vec(l.into_vec())
    }
}

impl<T> From<OneOrList<T>> for List<T> {
    fn from(l: OneOrList<T>) -> List<T> {
        l.into_vec().into()
    }
}

impl<T> From<OneOrList<T>> for Vec<T> {
    fn from(l: OneOrList<T>) -> Vec<T> {
        l.into_vec()
    }
}

impl<T> FromIterator<T> for OneOrList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> OneOrList<T> {
        OneOrList::from_vec(iter.into_iter().collect())
    }
}

impl<T> IntoIterator for OneOrList<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<T: PartialEq<U>, U> PartialEq<OneOrList<U>> for OneOrList<T> {
    fn eq(&self, other: &OneOrList<U>) -> bool {
        self[..] == other[..]
    }
}

impl<T: Eq> Eq for OneOrList<T> {}

impl<T: PartialOrd> PartialOrd for OneOrList<T> {
    fn partial_cmp(&self, other: &OneOrList<T>) -> Option<std::cmp::Ordering> {
        self[..].partial_cmp(&other[..])
    }
}

impl<T: Ord> Ord for OneOrList<T> {
    fn cmp(&self, other: &OneOrList<T>) -> std::cmp::Ordering {
        self[..].cmp(&other[..])
    }
}

impl<T: std::hash::Hash> std::hash::Hash for OneOrList<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self[..].hash(state);
    }
}

impl<T: PartialEq<U>, U> PartialEq<List<U>> for OneOrList<T> {
    fn eq(&self, other: &List<U>) -> bool {
        self[..] == other[..]
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

    #[test]
    fn one_or_list_reads_as_the_list_it_replaces() {
        // Every edit, from every length 0-4, as a `List` does it.
        for n in 0..5u32 {
            let items: Vec<u32> = (0..n).map(|i| (i * 7) % 3).collect();
            type Edit<'a> = &'a dyn Fn(&mut Vec<u32>);
            let edits: [Edit<'_>; 7] = [
                &|v| v.push(3),
                &|v| v.extend([1, 3]),
                &|v| v.append(&mut vec![2]),
                &|v| v.sort(),
                &|v| v.dedup(),
                &|v| v.retain(|x| *x != 2),
                &|v| v.clear(),
            ];
            for (k, edit) in edits.iter().enumerate() {
                let (mut a, mut b): (List<u32>, OneOrList<u32>) =
                    (items.clone().into(), items.clone().into());
                let mut want = items.clone();
                edit(&mut want);
                match k {
                    0 => {
                        a.push(3);
                        b.push(3);
                    }
                    1 => {
                        a.extend([1, 3]);
                        b.extend([1, 3]);
                    }
                    2 => {
                        a.append(&mut vec![2]);
                        b.append(&mut vec![2]);
                    }
                    3 => {
                        a.sort();
                        b.sort();
                    }
                    4 => {
                        a.sort();
                        b.sort();
                        want.sort();
                        want.dedup();
                        a.dedup();
                        b.dedup();
                    }
                    5 => {
                        a.retain(|x| *x != 2);
                        b.retain(|x| *x != 2);
                    }
                    _ => {
                        a.clear();
                        b.clear();
                    }
                }
                assert_eq!(b, want, "{n} {k}");
                assert_eq!(b, a, "{n} {k}");
                assert_eq!(b[..], a[..]);
                assert_eq!(format!("{b:?}"), format!("{a:?}"));
                assert_eq!(
                    serde_json::to_string(&b).unwrap(),
                    serde_json::to_string(&a).unwrap()
                );
                assert_eq!(b.clone().into_vec(), a.clone().into_vec());
                let c: OneOrList<u32> = a.iter().copied().collect();
                assert_eq!(c, b);
                assert_eq!(c.cmp(&b), std::cmp::Ordering::Equal);
                assert_eq!(List::from(b.clone()), a);
            }
        }
        // Orders as the slices do.
        let one: OneOrList<u32> = vec![2].into();
        let two: OneOrList<u32> = vec![1, 5].into();
        assert!(two < one && OneOrList::<u32>::new() < two);
        // One hash in place: the size of a hash, no block beside it.
        assert_eq!(
            std::mem::size_of::<OneOrList<super::super::Hash>>(),
            std::mem::size_of::<super::super::Hash>()
        );
    }
}

#[cfg(test)]
mod rest8_tests {
    use super::*;

    /// `OneOrList::extend` before rest8 (always through a vector): the oracle.
    fn extend_before_rest8<T>(l: &mut OneOrList<T>, iter: impl IntoIterator<Item = T>) {
        let mut iter = iter.into_iter().peekable();
        if iter.peek().is_some() {
            l.edit(|v| v.extend(iter));
        }
    }

    /// True when the list is in the form `from_vec` gives its items.
    fn canonical<T>(l: &OneOrList<T>) -> bool {
        match &l.0 {
            Repr::One(_) => true,
            Repr::Many(b) => b.len() != 1,
        }
    }

    #[test]
    fn one_or_list_extends_as_before_rest8() {
        for n in 0..5u32 {
            for m in 0..5u32 {
                let items: Vec<u32> = (0..n).collect();
                let more: Vec<u32> = (10..10 + m).collect();
                let mut a: OneOrList<u32> = items.clone().into();
                let mut b: OneOrList<u32> = items.clone().into();
                a.extend(more.clone());
                extend_before_rest8(&mut b, more.clone());
                assert_eq!(a, b, "{n} {m}");
                assert!(canonical(&a), "{n} {m}");
                // An iterator whose size hint is no help (a filter), and one of references.
                let mut a: OneOrList<u32> = items.clone().into();
                let mut b: OneOrList<u32> = items.clone().into();
                a.extend(more.iter().copied().filter(|x| x % 2 == 0));
                extend_before_rest8(&mut b, more.iter().copied().filter(|x| x % 2 == 0));
                assert_eq!(a, b, "{n} {m} filtered");
                assert!(canonical(&a), "{n} {m} filtered");
                let mut a: OneOrList<u32> = items.clone().into();
                a.extend(more.iter());
                assert_eq!(a[..], [items.clone(), more.clone()].concat()[..]);
                assert!(canonical(&a));
            }
        }
    }
}
