//! MIME Sniffing standard "parse a MIME type" (strict), as used by the `Content-Type` safelist
//! rule. Spec: <https://mimesniff.spec.whatwg.org/#parse-a-mime-type>.

/// A parsed MIME type: essence plus parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MimeType {
    /// Lowercase type.
    pub type_: String,
    /// Lowercase subtype.
    pub subtype: String,
    /// Parameters, names lowercased, in order.
    pub parameters: Vec<(String, String)>,
}

impl MimeType {
    /// `type/subtype`.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.type_, self.subtype)
    }
}

fn is_http_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_token_code_point(c: char) -> bool {
    c.is_ascii() && super::headers::is_token_char(c as u8)
}

fn is_quoted_string_token_code_point(c: char) -> bool {
    c == '\t' || (' '..='~').contains(&c) || ('\u{80}'..='\u{ff}').contains(&c)
}

/// Parses a MIME type; `None` is failure. A header value holding two MIME types joined by a comma
/// fails here because the subtype then contains a `,`-led parameter that is not a token.
pub fn parse_mime_type(input: &str) -> Option<MimeType> {
    // 1. Remove any leading and trailing HTTP whitespace from input.
    let input = input.trim_matches(is_http_whitespace);
    let chars: Vec<char> = input.chars().collect();
    let mut pos = 0;
    // 3-4. Collect code points that are not U+002F (/) → type.
    let start = pos;
    while pos < chars.len() && chars[pos] != '/' {
        pos += 1;
    }
    let type_: String = chars[start..pos].iter().collect();
    // 5. If type is the empty string or does not solely contain HTTP token code points, failure.
    if type_.is_empty() || !type_.chars().all(is_token_code_point) {
        return None;
    }
    // 6. If position is past the end of input, then return failure.
    if pos >= chars.len() {
        return None;
    }
    // 7. Advance position by 1 (skips past U+002F (/)).
    pos += 1;
    // 8. Collect code points that are not U+003B (;) → subtype.
    let start = pos;
    while pos < chars.len() && chars[pos] != ';' {
        pos += 1;
    }
    let subtype: String = chars[start..pos].iter().collect();
    // 9. Remove any trailing HTTP whitespace from subtype.
    let subtype = subtype.trim_end_matches(is_http_whitespace).to_string();
    // 10. If subtype is empty or not solely HTTP token code points, failure.
    if subtype.is_empty() || !subtype.chars().all(is_token_code_point) {
        return None;
    }
    let mut mime = MimeType {
        type_: type_.to_ascii_lowercase(),
        subtype: subtype.to_ascii_lowercase(),
        parameters: Vec::new(),
    };
    // 12. While position is not past the end of input:
    while pos < chars.len() {
        // 12.1 Advance position by 1 (skips past U+003B (;)).
        pos += 1;
        // 12.2 Collect HTTP whitespace.
        while pos < chars.len() && is_http_whitespace(chars[pos]) {
            pos += 1;
        }
        // 12.3 parameterName: collect code points that are not ; or =.
        let start = pos;
        while pos < chars.len() && chars[pos] != ';' && chars[pos] != '=' {
            pos += 1;
        }
        let name: String = chars[start..pos]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        // 12.5 If position is not past the end of input: if the code point is ;, continue;
        // advance past =.
        if pos < chars.len() {
            if chars[pos] == ';' {
                continue;
            }
            pos += 1;
        }
        // 12.6 If position is past the end of input, then break.
        if pos >= chars.len() {
            break;
        }
        let value: String;
        // 12.8 If the code point is U+0022 ("): collect an HTTP quoted string (extract-value).
        if chars[pos] == '"' {
            let (v, p) = collect_http_quoted_string(&chars, pos);
            value = v;
            pos = p;
            // Collect code points that are not ; (ignored).
            while pos < chars.len() && chars[pos] != ';' {
                pos += 1;
            }
        } else {
            let start = pos;
            while pos < chars.len() && chars[pos] != ';' {
                pos += 1;
            }
            let v: String = chars[start..pos].iter().collect();
            let v = v.trim_end_matches(is_http_whitespace).to_string();
            if v.is_empty() {
                continue;
            }
            value = v;
        }
        // 12.10 If name is non-empty, solely token code points, value solely quoted-string token
        // code points, and name not already present: set it.
        if !name.is_empty()
            && name.chars().all(is_token_code_point)
            && value.chars().all(is_quoted_string_token_code_point)
            && !mime.parameters.iter().any(|(n, _)| *n == name)
        {
            mime.parameters.push((name, value));
        }
    }
    Some(mime)
}

fn collect_http_quoted_string(chars: &[char], mut pos: usize) -> (String, usize) {
    let mut value = String::new();
    pos += 1; // skip opening quote
    while pos < chars.len() {
        let c = chars[pos];
        if c == '"' {
            pos += 1;
            break;
        }
        if c == '\\' {
            pos += 1;
            if pos >= chars.len() {
                value.push('\\');
                break;
            }
            value.push(chars[pos]);
            pos += 1;
            continue;
        }
        value.push(c);
        pos += 1;
    }
    (value, pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_mime_type_table() {
        let ok = |s: &str| parse_mime_type(s).map(|m| m.essence());
        assert_eq!(ok("text/plain").as_deref(), Some("text/plain"));
        assert_eq!(
            ok(" TEXT/Plain ; charset=UTF-8").as_deref(),
            Some("text/plain")
        );
        assert_eq!(
            ok("multipart/form-data; boundary=\"x y\"").as_deref(),
            Some("multipart/form-data")
        );
        assert_eq!(ok("text"), None);
        assert_eq!(ok("text/"), None);
        assert_eq!(ok("/plain"), None);
        assert_eq!(ok("text/plain, application/json"), None);
        assert_eq!(ok("application/json, text/plain"), None);
    }
}
