//! Times as registries and lockfiles write them (RFC 3339) and as lockgate keeps
//! them (Unix seconds), and "now" as lockgate's checks see it.

/// An RFC 3339 / ISO 8601 time (`2024-01-02T03:04:05Z`, fractional seconds and
/// `+hh:mm` offsets allowed) as Unix seconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &r[n..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = &rest[1..];
            let (oh, om) = match r.len() {
                5 if r.as_bytes()[2] == b':' => (r.get(0..2)?, r.get(3..5)?),
                4 => (r.get(0..2)?, r.get(2..4)?),
                _ => return None,
            };
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    from_parts([y, mo, d, h, mi, se], offset)
}

/// Unix seconds of a date and time given as numbers, `[year, month, day, hour, minute,
/// second]`, at `offset` seconds east of UTC; `None` when a field is out of its range
/// (the ranges [`parse_timestamp`] accepts).
pub fn from_parts([y, mo, d, h, mi, se]: [i64; 6], offset: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// The variable that sets the clock the checks measure ages against (an RFC 3339
/// time or Unix seconds); unset, the system clock. For reproducing a run and for tests.
pub const NOW_VAR: &str = "LOCKGATE_NOW";

/// Now, in Unix seconds, as the checks see it: `LOCKGATE_NOW` when set (an RFC 3339
/// time such as `2026-07-23T21:16:13Z`, or Unix seconds), else the system clock.
/// An unreadable `LOCKGATE_NOW` is an error: a check must not measure ages against
/// a clock nobody meant.
pub fn clock() -> Result<i64, String> {
    match std::env::var(NOW_VAR) {
        Ok(v) => parse_timestamp(&v)
            .or_else(|| v.trim().parse::<i64>().ok())
            .ok_or_else(|| {
                format!("{NOW_VAR}={v:?} is neither an RFC 3339 time (2026-07-23T21:16:13Z) nor Unix seconds: fix or unset it")
            }),
        Err(_) => Ok(system_now()),
    }
}

/// Now by the system clock, in Unix seconds.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// An optional time in Unix seconds, in 8 bytes (an `Option<i64>` takes 16): when a
/// package's files were uploaded, as its lockfile records it
/// ([`Package::upload_time`](super::Package::upload_time)). Compares with an
/// `Option<i64>` (`p.upload_time == Some(1_708_727_054)`); [`UploadTime::get`] reads it.
///
/// Stored as the seconds with the top bit flipped, so that `i64::MIN` seconds is the
/// only value it cannot hold (it is read as one second later, some 292 billion years
/// before any upload).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct UploadTime(Option<std::num::NonZeroU64>);

impl UploadTime {
    /// No time recorded.
    pub const NONE: UploadTime = UploadTime(None);

    /// The time `secs` (Unix seconds).
    pub fn at(secs: i64) -> UploadTime {
        let bits = (secs.max(i64::MIN + 1) as u64) ^ (1 << 63);
        UploadTime(std::num::NonZeroU64::new(bits))
    }

    /// The time, in Unix seconds, if one is recorded.
    pub fn get(self) -> Option<i64> {
        self.0.map(|b| (b.get() ^ (1 << 63)) as i64)
    }

    /// True when a time is recorded.
    pub fn is_some(self) -> bool {
        self.0.is_some()
    }

    /// True when no time is recorded.
    pub fn is_none(self) -> bool {
        self.0.is_none()
    }
}

impl From<Option<i64>> for UploadTime {
    fn from(t: Option<i64>) -> UploadTime {
        t.map_or(UploadTime::NONE, UploadTime::at)
    }
}

impl PartialEq<Option<i64>> for UploadTime {
    fn eq(&self, other: &Option<i64>) -> bool {
        self.get() == *other
    }
}

impl std::fmt::Debug for UploadTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.get(), f)
    }
}

#[cfg(test)]
mod upload_time_tests {
    use super::UploadTime;

    #[test]
    fn an_upload_time_is_eight_bytes_and_reads_back() {
        assert_eq!(std::mem::size_of::<UploadTime>(), 8);
        for t in [0, 1, -1, 1_708_727_054, i64::MAX, i64::MIN + 1] {
            assert_eq!(UploadTime::at(t).get(), Some(t));
            assert_eq!(UploadTime::at(t), Some(t));
        }
        assert_eq!(UploadTime::at(i64::MIN).get(), Some(i64::MIN + 1));
        assert_eq!(UploadTime::NONE, None);
        assert_eq!(UploadTime::from(Some(5)), Some(5));
        assert_eq!(format!("{:?}", UploadTime::at(7)), "Some(7)");
    }
}
