//! Times as the registries write them (RFC 3339) and as lockgate keeps them (Unix
//! seconds).

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub use crate::model::timestamp::parse_timestamp;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp("2024-09-05T00:40:51.026000+00:00"),
            Some(1_725_496_851)
        );
        assert_eq!(
            parse_timestamp("2018-04-09T01:21:06.476Z"),
            Some(1_523_236_866)
        );
        assert_eq!(
            parse_timestamp("2020-01-01T02:00:00+02:00"),
            Some(1_577_836_800)
        );
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2020-13-01T00:00:00Z"), None);
    }
}
