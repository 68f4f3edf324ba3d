//! The emulator's view of one HTTP exchange: a borrowed request parsed by `httparse`, and an owned
//! response whose header lines are written exactly as listed (order kept, duplicates kept), which
//! is what the prober must be able to observe (two `Access-Control-Allow-Origin` lines, say).

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

/// A request as received. Header names are matched case-insensitively (RFC 9110 §5.1).
#[derive(Debug)]
pub struct Request<'a> {
    /// Method token as sent (case kept: PATCH and patch differ).
    pub method: &'a str,
    /// Path without the query.
    pub path: &'a str,
    /// Query string without `?`, empty when none.
    pub query: &'a str,
    /// Header lines in wire order.
    pub headers: &'a [httparse::Header<'a>],
    /// Body bytes (Content-Length delimited).
    pub body: &'a [u8],
}

impl<'a> Request<'a> {
    /// The first value of header `name`, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .map(str::trim)
    }

    /// Whether this is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method` (Fetch §4.8 "CORS-preflight fetch").
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS"
            && self.header("origin").is_some()
            && self.header("access-control-request-method").is_some()
    }
}

/// Header name or value: static text on the common path, owned when computed.
pub type Text = Cow<'static, str>;

/// A response to write.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header lines in the order they are written; the writer adds nothing.
    pub headers: Vec<(Text, Text)>,
    /// Body (not written for HEAD requests and 204/304 responses).
    pub body: Vec<u8>,
}

impl Response {
    /// Appends a header line.
    pub fn push(&mut self, name: impl Into<Text>, value: impl Into<Text>) {
        self.headers.push((name.into(), value.into()));
    }

    /// All values of header `name` (case-insensitive), in order.
    pub fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    /// Serialises status line, header lines and (unless `head`) the body into `out`.
    pub fn write_to(&self, out: &mut Vec<u8>, head: bool) {
        out.extend_from_slice(b"HTTP/1.1 ");
        push_u64(out, u64::from(self.status));
        out.push(b' ');
        out.extend_from_slice(reason(self.status).as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if !head && self.status != 204 && self.status != 304 {
            out.extend_from_slice(&self.body);
        }
    }
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Reason phrase for the status line.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// The current time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7).
pub fn http_date() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_http_date(secs)
}

/// Formats seconds since the Unix epoch as an IMF-fixdate.
pub fn format_http_date(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_date_formats_known_instants() {
        assert_eq!(
            format_http_date(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            format_http_date(1_709_164_800),
            "Thu, 29 Feb 2024 00:00:00 GMT"
        );
    }

    #[test]
    fn response_writes_duplicate_lines_in_order_and_skips_body_for_head() {
        let mut r = Response {
            status: 200,
            ..Default::default()
        };
        r.push("A", "1");
        r.push("a", "2");
        r.body = b"xy".to_vec();
        let mut out = Vec::new();
        r.write_to(&mut out, false);
        assert_eq!(out, b"HTTP/1.1 200 OK\r\nA: 1\r\na: 2\r\n\r\nxy");
        out.clear();
        r.write_to(&mut out, true);
        assert_eq!(out, b"HTTP/1.1 200 OK\r\nA: 1\r\na: 2\r\n\r\n");
    }
}
