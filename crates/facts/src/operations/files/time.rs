//! A small slice of Python's `datetime`: ISO-8601 parsing and formatting, fixed UTC offsets and
//! microsecond arithmetic, enough for `files.download`'s cache time and `files.put`'s atime/mtime.

const MICROS: i128 = 1_000_000;
const DAY_MICROS: i128 = 86_400 * MICROS;

/// A Python `datetime`: wall-clock time (microseconds since 1970-01-01T00:00 of that clock) and an
/// optional fixed UTC offset in seconds (`None`: naive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Wall-clock microseconds since the Unix epoch, as if the clock were UTC.
    pub wall: i128,
    /// Seconds east of UTC, when aware.
    pub offset: Option<i32>,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Microseconds of the earliest and latest `datetime` Python can represent (years 1 and 9999).
fn wall_range() -> (i128, i128) {
    let min = i128::from(days_from_civil(1, 1, 1)) * DAY_MICROS;
    let max = i128::from(days_from_civil(9999, 12, 31)) * DAY_MICROS + DAY_MICROS - 1;
    (min, max)
}

impl DateTime {
    /// A date and time, validated as Python's constructor does.
    pub fn new(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, us: u32) -> Option<DateTime> {
        let ok = (1..=9999).contains(&y)
            && (1..=12).contains(&mo)
            && d >= 1
            && d <= days_in_month(y, mo)
            && h < 24
            && mi < 60
            && s < 60
            && us < 1_000_000;
        ok.then(|| DateTime {
            wall: i128::from(days_from_civil(y, mo, d)) * DAY_MICROS
                + i128::from(h * 3600 + mi * 60 + s) * MICROS
                + i128::from(us),
            offset: None,
        })
    }

    /// `datetime.fromtimestamp(ts, timezone.utc)` (aware) from seconds since the epoch.
    pub fn from_timestamp(ts: f64) -> Option<DateTime> {
        if !ts.is_finite() {
            return None;
        }
        let wall = (ts * 1e6).round_ties_even() as i128;
        let (min, max) = wall_range();
        (min..=max).contains(&wall).then_some(DateTime { wall, offset: Some(0) })
    }

    /// `datetime.fromisoformat`: `YYYY-MM-DD[(T| )HH[:MM[:SS[.ffffff]]]][Z|±HH:MM[:SS]]`.
    /// Accepts the vectors' `datetime:` prefix.
    pub fn parse(s: &str) -> Option<DateTime> {
        let s = s.strip_prefix("datetime:").unwrap_or(s);
        let num = |t: &str| -> Option<u32> {
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
        };
        let (date, rest) = (s.get(..10)?, s.get(10..)?);
        let b = date.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (y, mo, d) = (num(&date[..4])?, num(&date[5..7])?, num(&date[8..10])?);
        let (mut h, mut mi, mut sec, mut us, mut offset) = (0, 0, 0, 0, None);
        if !rest.is_empty() {
            let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
            let split = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
            let (time, tz) = rest.split_at(split);
            let (hms, frac) = match time.split_once('.') {
                Some((a, f)) => (a, Some(f)),
                None => (time, None),
            };
            let mut parts = hms.split(':');
            h = num(parts.next()?)?;
            mi = parts.next().map(num).unwrap_or(Some(0))?;
            sec = parts.next().map(num).unwrap_or(Some(0))?;
            if parts.next().is_some() {
                return None;
            }
            if let Some(f) = frac {
                if f.is_empty() || f.len() > 6 {
                    return None;
                }
                us = num(f)? * 10u32.pow(6 - f.len() as u32);
            }
            offset = parse_offset(tz)?;
        }
        let mut dt = DateTime::new(i64::from(y), mo, d, h, mi, sec, us)?;
        dt.offset = offset;
        Some(dt)
    }

    /// The instant in UTC microseconds (a naive time is taken as UTC).
    pub fn utc(&self) -> i128 {
        self.wall - i128::from(self.offset.unwrap_or(0)) * MICROS
    }

    /// `self - timedelta(seconds=secs)`, `None` on Python's `OverflowError`.
    pub fn minus_seconds(&self, secs: i128) -> Option<DateTime> {
        let wall = self.wall.checked_sub(secs.checked_mul(MICROS)?)?;
        let (min, max) = wall_range();
        (min..=max).contains(&wall).then_some(DateTime { wall, offset: self.offset })
    }

    /// The same instant at another offset (`astimezone`).
    pub fn at_offset(&self, offset: i32) -> DateTime {
        DateTime { wall: self.utc() + i128::from(offset) * MICROS, offset: Some(offset) }
    }

    /// The seconds field of the wall-clock time.
    pub fn second(&self) -> i128 {
        self.wall.div_euclid(MICROS).rem_euclid(60)
    }

    /// Python's `isoformat()`.
    pub fn isoformat(&self) -> String {
        let days = self.wall.div_euclid(DAY_MICROS);
        let in_day = self.wall.rem_euclid(DAY_MICROS);
        let (y, m, d) = civil_from_days(days as i64);
        let secs = in_day / MICROS;
        let us = in_day % MICROS;
        let mut out = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        if us != 0 {
            out.push_str(&format!(".{us:06}"));
        }
        if let Some(off) = self.offset {
            let sign = if off < 0 { '-' } else { '+' };
            let a = off.unsigned_abs();
            out.push_str(&format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60));
            if a % 60 != 0 {
                out.push_str(&format!(":{:02}", a % 60));
            }
        }
        out
    }
}

/// `Z`, `±HH:MM[:SS]` or `±HHMM` -> seconds east of UTC; empty -> naive.
fn parse_offset(tz: &str) -> Option<Option<i32>> {
    if tz.is_empty() {
        return Some(None);
    }
    if tz == "Z" {
        return Some(Some(0));
    }
    let sign = match tz.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &tz[1..];
    let parts: Vec<&str> = if body.contains(':') {
        body.split(':').collect()
    } else if body.len() == 4 {
        vec![&body[..2], &body[2..]]
    } else {
        vec![body]
    };
    let mut secs = 0i32;
    for (i, p) in parts.iter().enumerate() {
        if i > 2 || p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        secs += p.parse::<i32>().ok()? * [3600, 60, 1][i];
    }
    (secs < 86_400).then_some(Some(sign * secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_like_python() {
        let d = DateTime::parse("datetime:2002-09-15T10:11:11.888888+00:00").unwrap();
        assert_eq!(d.isoformat(), "2002-09-15T10:11:11.888888+00:00");
        let d = DateTime::parse("2017-03-03T10:07:37-06:00").unwrap();
        assert_eq!(d.offset, Some(-6 * 3600));
        assert_eq!(d.at_offset(0).isoformat(), "2017-03-03T16:07:37+00:00");
        assert_eq!(DateTime::parse("2020-02-20").unwrap().isoformat(), "2020-02-20T00:00:00");
        assert!(DateTime::parse("2020-02-30").is_none());
        assert!(DateTime::parse("/var/timeref.blob").is_none());
    }

    #[test]
    fn timestamps_and_overflow() {
        assert_eq!(DateTime::from_timestamp(1594804583.0).unwrap().isoformat(), "2020-07-15T09:16:23+00:00");
        let d = DateTime::parse("2015-01-01T00:30:00").unwrap();
        assert!(d.minus_seconds(9_999_999_999_999).is_none());
        assert_eq!(d.minus_seconds(3600).unwrap().isoformat(), "2014-12-31T23:30:00");
    }
}
