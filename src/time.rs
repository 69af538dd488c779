//! UTC calendar arithmetic for log lines and request signatures. A date-time crate would
//! be most of a megabyte of tables for what is forty lines here.

use std::time::{SystemTime, UNIX_EPOCH};

/// A moment split into its UTC calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Utc {
    /// Splits seconds since the Unix epoch (Howard Hinnant's days-to-civil algorithm).
    pub fn from_unix(secs: i64) -> Utc {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Utc {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    pub fn now() -> Utc {
        Utc::from_unix(unix_now())
    }

    /// `2026-01-12`
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `2026-01-12 03:58:51`, for log lines.
    pub fn log_stamp(&self) -> String {
        format!("{} {:02}:{:02}:{:02}", self.date(), self.hour, self.minute, self.second)
    }

    /// `2026-01-12T03:58:51Z`, ISO 8601 as Aliyun's `Timestamp` wants it.
    pub fn iso8601(&self) -> String {
        format!("{}T{:02}:{:02}:{:02}Z", self.date(), self.hour, self.minute, self.second)
    }
}

/// Days since the Unix epoch of a civil date (Howard Hinnant's days-from-civil).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// Seconds since the Unix epoch of an HTTP `Date` in the form servers send (IMF-fixdate,
/// `Sun, 06 Nov 1994 08:49:37 GMT`); `None` for anything else. The weekday is not checked:
/// only the time is wanted.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" || [b[7], b[11], b[16]] != [b' '; 3] {
        return None;
    }
    if b[19] != b':' || b[22] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let digits = &b[from..to];
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let month = MONTHS.iter().position(|m| m[..] == b[8..11])? as i64 + 1;
    let (day, year) = (num(5, 7)?, num(12, 16)?);
    let (hour, minute, second) = (num(17, 19)?, num(20, 22)?, num(23, 25)?);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Seconds since the Unix epoch by the system clock (negative if the clock is before 1970).
pub fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_known_moments() {
        assert_eq!(Utc::from_unix(0).iso8601(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc::from_unix(1_551_113_065).iso8601(), "2019-02-25T16:44:25Z");
        assert_eq!(Utc::from_unix(1_456_231_584).iso8601(), "2016-02-23T12:46:24Z");
        // Leap day and the turn of a century that is a leap year.
        assert_eq!(Utc::from_unix(951_782_400).date(), "2000-02-29");
        assert_eq!(Utc::from_unix(1_768_190_331).log_stamp(), "2026-01-12 03:58:51");
        assert_eq!(Utc::from_unix(-1).iso8601(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn reads_http_dates_as_httpdate_writes_them() {
        let mut t: i64 = 0;
        while t < 4_102_444_800 {
            let http = httpdate::fmt_http_date(UNIX_EPOCH + std::time::Duration::from_secs(t as u64));
            assert_eq!(parse_http_date(&http), Some(t), "{http}");
            t += 86_400 * 17 + 3_607;
        }
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Xyz 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 0a Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08-49-37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT ",
            "Sun, 06 Nov 1994 08:4é:37 GM",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn agrees_with_httpdate_across_years() {
        // httpdate is already a dependency; use it as an independent oracle.
        let mut t: i64 = 0;
        while t < 4_102_444_800 {
            let st = UNIX_EPOCH + std::time::Duration::from_secs(t as u64);
            let http = httpdate::fmt_http_date(st);
            let u = Utc::from_unix(t);
            let day: u32 = http[5..7].parse().unwrap();
            let year: i64 = http[12..16].parse().unwrap();
            assert_eq!((u.day, u.year), (day, year), "{t} {http}");
            assert_eq!(&http[17..25], &u.log_stamp()[11..], "{t}");
            t += 86_400 * 17 + 3_607;
        }
    }
}
