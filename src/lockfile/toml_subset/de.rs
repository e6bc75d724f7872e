//! `serde::Deserializer` over the fast path's tree, behaving as the `toml` crate's
//! `ValueDeserializer` does (same visitor calls, same spans for `toml::Spanned`, same
//! datetime protocol, keys in sorted order). Any error is a [`Decline`].

use super::{DATETIME_FIELD, Decline, Entry, Item, Value};
use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// `serde_spanned`'s private protocol for `Spanned<T>`.
const SPANNED: &str = "$__serde_spanned_private_Spanned";
const SPANNED_START: &str = "$__serde_spanned_private_start";
const SPANNED_END: &str = "$__serde_spanned_private_end";
const SPANNED_VALUE: &str = "$__serde_spanned_private_value";

impl fmt::Display for Decline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outside the fast TOML subset")
    }
}

impl std::error::Error for Decline {}

impl de::Error for Decline {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Decline
    }
}

/// The date-time `text` as the `toml` crate hands it out (`Datetime::to_string()`),
/// without reading and formatting it when the text is already that: no fraction
/// (written without trailing zeros) and no `-00:00` offset (written `+00:00`).
fn canonical_datetime(text: &str) -> Result<Cow<'_, str>, Decline> {
    if text.contains('.') || text.ends_with("-00:00") {
        let d = super::parse_datetime(text).map_err(|()| Decline)?;
        Ok(Cow::Owned(d.to_string()))
    } else {
        Ok(Cow::Borrowed(text))
    }
}

/// A value of the tree.
pub(super) struct ValueDe<'t, 'a> {
    pub(super) item: &'t Item<'a>,
}

impl<'de, 't> de::Deserializer<'de> for ValueDe<'t, 'de> {
    type Error = Decline;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        match &self.item.value {
            Value::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Value::Str(Cow::Owned(s)) => visitor.visit_string(s.clone()),
            Value::Int(n) => visitor.visit_i64(*n),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Datetime(text) => visitor.visit_map(DatetimeAccess {
                value: Some(canonical_datetime(text)?),
            }),
            Value::Array(items, _) => visitor.visit_seq(Seq { iter: items.iter() }),
            Value::Table(t, _) => visitor.visit_map(Map {
                iter: t.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Decline> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Decline> {
        if name == SPANNED {
            let (start, end) = (self.item.start as usize, self.item.end as usize);
            return visitor.visit_map(SpannedAccess {
                start: Some(start),
                end: Some(end),
                value: Some(self),
            });
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Decline> {
        match &self.item.value {
            Value::Str(Cow::Borrowed(s)) => {
                visitor.visit_enum(BorrowedStrDeserializer::<Decline>::new(s))
            }
            Value::Str(Cow::Owned(s)) => {
                let d: StringDeserializer<Decline> = s.clone().into_deserializer();
                visitor.visit_enum(d)
            }
            _ => Err(Decline),
        }
    }

    serde::forward_to_deserialize_any! {
        bool u8 u16 u32 u64 u128 i8 i16 i32 i64 i128 f32 f64 char str string seq
        bytes byte_buf map unit ignored_any unit_struct tuple_struct tuple identifier
    }
}

/// A table key: its text, or its span for `Spanned<String>` keys. Keys read as
/// anything else (numbers, booleans, enums, newtypes) fail, so the `toml` crate reads them.
struct KeyDe<'t, 'a> {
    entry: &'t Entry<'a>,
}

impl<'de, 't> de::Deserializer<'de> for KeyDe<'t, 'de> {
    type Error = Decline;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Decline> {
        visitor.visit_borrowed_str(self.entry.key.name)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Decline> {
        let key = self.entry.key;
        if name != SPANNED {
            return self.deserialize_any(visitor);
        }
        visitor.visit_map(SpannedAccess {
            start: Some(key.start as usize),
            end: Some(key.end as usize),
            value: Some(BorrowedStrDeserializer::<Decline>::new(key.name)),
        })
    }

    serde::forward_to_deserialize_any! {
        bool u8 u16 u32 u64 u128 i8 i16 i32 i64 i128 f32 f64 char str string seq bytes
        byte_buf map option unit ignored_any unit_struct newtype_struct tuple_struct tuple
        enum identifier
    }
}

struct Seq<'t, 'a> {
    iter: std::slice::Iter<'t, Item<'a>>,
}

impl<'de, 't> SeqAccess<'de> for Seq<'t, 'de> {
    type Error = Decline;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Decline> {
        match self.iter.next() {
            Some(item) => seed.deserialize(ValueDe { item }).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Map<'t, 'a> {
    iter: std::slice::Iter<'t, Entry<'a>>,
    value: Option<&'t Item<'a>>,
}

impl<'de, 't> MapAccess<'de> for Map<'t, 'de> {
    type Error = Decline;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Decline> {
        match self.iter.next() {
            Some(entry) => {
                self.value = Some(&entry.item);
                seed.deserialize(KeyDe { entry }).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Decline> {
        let item = self.value.take().ok_or(Decline)?;
        seed.deserialize(ValueDe { item })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// `{start, end, value}` for `Spanned<T>`.
struct SpannedAccess<D> {
    start: Option<usize>,
    end: Option<usize>,
    value: Option<D>,
}

impl<'de, D: de::Deserializer<'de, Error = Decline>> MapAccess<'de> for SpannedAccess<D> {
    type Error = Decline;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Decline> {
        let key = if self.start.is_some() {
            SPANNED_START
        } else if self.end.is_some() {
            SPANNED_END
        } else if self.value.is_some() {
            SPANNED_VALUE
        } else {
            return Ok(None);
        };
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Decline> {
        if let Some(start) = self.start.take() {
            seed.deserialize(start.into_deserializer())
        } else if let Some(end) = self.end.take() {
            seed.deserialize(end.into_deserializer())
        } else if let Some(value) = self.value.take() {
            seed.deserialize(value)
        } else {
            Err(Decline)
        }
    }
}

/// `{"$__toml_private_datetime": "…"}` for `Datetime`.
struct DatetimeAccess<'a> {
    value: Option<Cow<'a, str>>,
}

impl<'de> MapAccess<'de> for DatetimeAccess<'de> {
    type Error = Decline;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Decline> {
        if self.value.is_some() {
            seed.deserialize(BorrowedStrDeserializer::new(DATETIME_FIELD))
                .map(Some)
        } else {
            Ok(None)
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Decline> {
        match self.value.take().ok_or(Decline)? {
            Cow::Borrowed(s) => seed.deserialize(BorrowedStrDeserializer::<Decline>::new(s)),
            Cow::Owned(s) => {
                let d: StringDeserializer<Decline> = s.into_deserializer();
                seed.deserialize(d)
            }
        }
    }
}
