//! `server.Users`: `/etc/passwd` entries with groups, last login and password hash.

use serde_json::json;

use super::basic::{days_in_month, format_offset};
use super::util::int_or_err;
use crate::fact_source::FactCtx;
use crate::value::{Map, Value};

/// The shell loop printing `passwd entry|primary group|all groups|lastlog line|password` per user.
pub const COMMAND: &str = "for i in `cat /etc/passwd | cut -d: -f1`; do
            ENTRY=`grep ^$i: /etc/passwd`;
            LASTLOG=`(((lastlog -u $i || lastlogin $i) 2> /dev/null) | grep ^$i | tr -s ' ')`;
            PASSWORD=`(grep ^$i: /etc/shadow || grep ^$i: /etc/master.passwd) 2> /dev/null | cut -d: -f2`;
            echo \"$ENTRY|`id -gn $i`|`id -Gn $i`|$LASTLOG|$PASSWORD\";
        done";

/// User name -> home, comment, shell, groups, ids, last login and password.
pub fn parse(ctx: &FactCtx<'_>) -> Result<Value, String> {
    let mut users = Map::new();
    let year = year_of(ctx.facts.now());
    for line in ctx.output {
        let fields: Vec<&str> = line.rsplitn(5, '|').collect();
        let [password, lastlog, user_groups, group, entry] = fields[..] else {
            return Err(format!("expected 5 |-separated fields in {line:?}"));
        };
        if entry.is_empty() {
            continue;
        }
        let e: Vec<&str> = entry.split(':').collect();
        if e.len() < 7 {
            return Err(format!("list index out of range in passwd entry {entry:?}"));
        }
        let groups: Vec<&str> = user_groups.split(' ').filter(|g| !g.is_empty() && *g != group).collect();
        let raw_login = login_text(lastlog);
        let login_time = match raw_login {
            Some(raw) => Some(parse_date(raw, year).ok_or_else(|| format!("Unknown string format: {raw}"))?),
            None => None,
        };
        let or_none = |s: &str| {
            if s.is_empty() { Value::Null } else { Value::String(s.to_string()) }
        };
        users.insert(
            e[0].to_string(),
            json!({
                "home": or_none(e[5]),
                "comment": or_none(e[4]),
                "shell": or_none(e[6]),
                "group": group,
                "groups": groups,
                "uid": int_or_err(e[2])?,
                "gid": int_or_err(e[3])?,
                "lastlog": raw_login,
                "login_time": login_time,
                "password": password,
            }),
        );
    }
    Ok(Value::Object(users))
}

/// Search for `[A-Z][a-z]{2} [A-Z][a-z]{2} {1,2}\d+ .+$`: the login time at the end of a lastlog line.
fn login_text(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    (0..b.len()).filter(|&i| s.is_char_boundary(i)).find(|&i| matches_login_at(&b[i..])).map(|i| &s[i..])
}

fn matches_login_at(b: &[u8]) -> bool {
    let word = |at: usize| {
        b.get(at).is_some_and(u8::is_ascii_uppercase)
            && b.get(at + 1..at + 3).is_some_and(|w| w.iter().all(u8::is_ascii_lowercase))
    };
    if !word(0) || b.get(3) != Some(&b' ') || !word(4) {
        return false;
    }
    let mut i = 7;
    let spaces = b[i..].iter().take(2).take_while(|c| **c == b' ').count();
    if spaces == 0 {
        return false;
    }
    i += spaces;
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    i += digits;
    // ` .+$`: a space, then at least one character before the end (or a final newline).
    b.get(i) == Some(&b' ') && b.get(i + 1).is_some_and(|c| *c != b'\n')
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn month_of(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full)
        .position(|(short, long)| w == *short || w == long || (w == "sept" && *short == "sep"))
        .map(|i| i as u32 + 1)
}

fn is_weekday(word: &str) -> bool {
    let w = word.to_lowercase();
    DAYS.iter().any(|d| w == *d || (w.len() > 3 && w.starts_with(d) && w.ends_with("day")))
}

/// The year of a Unix time, for dates that leave it out (dateutil fills missing parts from today).
fn year_of(unix: i64) -> u32 {
    // Civil year from days since the epoch (proleptic Gregorian).
    let days = unix.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400 + i64::from(mp >= 10);
    year.clamp(1, 9999) as u32
}

/// A subset of `dateutil.parser.parse` covering `last`/`lastlog` times: weekday and month names,
/// day, `HH:MM[:SS]`, year (else `default_year`), a numeric offset or `UTC`/`GMT`/`Z`; returns
/// Python's `isoformat()`.
pub fn parse_date(s: &str, default_year: u32) -> Option<String> {
    let (mut year, mut month, mut day) = (None, None, None);
    let (mut hms, mut offset) = (None, None);
    for token in s.split_whitespace() {
        let t = token.trim_end_matches(',');
        if is_weekday(t) {
            continue;
        }
        if let Some(m) = month_of(t) {
            month = Some(m);
        } else if t.contains(':') && t.starts_with(|c: char| c.is_ascii_digit()) {
            hms = Some(parse_hms(t)?);
        } else if (t.starts_with('+') || t.starts_with('-')) && t.len() > 1 {
            offset = Some(format_offset(t)?);
        } else if ["utc", "gmt", "z"].contains(&t.to_lowercase().as_str()) {
            offset = Some("+00:00".to_string());
        } else if t.bytes().all(|c| c.is_ascii_digit()) && !t.is_empty() {
            let n: u32 = t.parse().ok()?;
            if t.len() >= 3 || n > 31 || (day.is_some() && year.is_none()) {
                year = Some(if t.len() <= 2 { 2000 + n } else { n });
            } else if day.is_none() {
                day = Some(n);
            } else {
                return None;
            }
        } else if t.chars().all(|c| c.is_ascii_alphabetic()) {
            // An unknown time zone name: dateutil drops it and returns a naive time.
            continue;
        } else {
            return None;
        }
    }
    let (year, month, day) = (year.unwrap_or(default_year), month?, day.unwrap_or(1));
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let (h, m, sec) = hms.unwrap_or((0, 0, 0));
    Some(format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}{}", offset.unwrap_or_default()))
}

fn parse_hms(t: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<u32> = t.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (h, m, s) = match parts[..] {
        [h, m] => (h, m, 0),
        [h, m, s] => (h, m, s),
        _ => return None,
    };
    (h < 24 && m < 60 && s < 60).then_some((h, m, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lastlog_times() {
        assert_eq!(parse_date("Sat Jun 5 12:03:23 -0600 2021", 2025).as_deref(), Some("2021-06-05T12:03:23-06:00"));
        assert_eq!(parse_date("Thu Aug 31 05:37:58 2023", 2025).as_deref(), Some("2023-08-31T05:37:58"));
        assert_eq!(parse_date("Mon Jan 13 12:00:00 +0000 2025", 2025).as_deref(), Some("2025-01-13T12:00:00+00:00"));
    }

    #[test]
    fn missing_year_defaults() {
        assert_eq!(parse_date("Mon Jan 13 12:00:00", year_of(1_735_689_600)).as_deref(), Some("2025-01-13T12:00:00"));
        assert_eq!(year_of(0), 1970);
    }

    #[test]
    fn login_search() {
        assert_eq!(login_text("root pts/0 Sat Jun 5 12:03:23 -0600 2021"), Some("Sat Jun 5 12:03:23 -0600 2021"));
        assert_eq!(login_text("noshell **Never logged in**"), None);
    }
}
