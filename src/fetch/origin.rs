//! Origins: the scheme/host/port tuple or an opaque origin, and their serialization.
//!
//! Spec: <https://html.spec.whatwg.org/multipage/browsers.html#origin> and Fetch
//! "byte-serializing a request origin" (<https://fetch.spec.whatwg.org/#byte-serializing-a-request-origin>).

use std::fmt;
use url::Url;

/// An origin as HTML defines it: a tuple origin, or an opaque origin (serialized as `null`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An opaque origin: sandboxed documents, `file:` pages, `data:` workers. Serializes as `null`.
    Opaque,
    /// A tuple origin. `port` is `None` when it is the scheme's default port.
    Tuple {
        /// Lowercase scheme, e.g. `https`.
        scheme: String,
        /// Host as the URL parser serializes it (lowercase, punycode, IPv6 in brackets).
        host: String,
        /// Port, omitted when it is the scheme's default.
        port: Option<u16>,
    },
}

/// Why a string could not be used as an origin.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OriginParseError {
    /// Not a URL at all.
    #[error("`{0}` is not an origin: expected scheme://host[:port] or `null`")]
    NotAUrl(String),
    /// A URL with a path, query or fragment; origins have none.
    #[error("`{0}` is not an origin: it has a path, query or fragment (did you mean `{1}`?)")]
    HasPath(String, String),
    /// A scheme whose URLs have opaque origins.
    #[error("`{0}` has an opaque origin; use `null` to stand for it")]
    OpaqueScheme(String),
}

impl Origin {
    /// Parses what a user types for `--origin`: `scheme://host[:port]` (a trailing `/` is
    /// tolerated), or `null` for an opaque origin (sandboxed or `file://` pages).
    pub fn parse(input: &str) -> Result<Origin, OriginParseError> {
        let trimmed = input.trim();
        if trimmed == "null" {
            return Ok(Origin::Opaque);
        }
        let url = Url::parse(trimmed).map_err(|_| OriginParseError::NotAUrl(input.to_string()))?;
        if url.scheme() == "file" {
            return Ok(Origin::Opaque);
        }
        let origin = Origin::of_url(&url);
        if origin == Origin::Opaque {
            return Err(OriginParseError::OpaqueScheme(input.to_string()));
        }
        let has_path = (url.path() != "/" && !url.path().is_empty())
            || url.query().is_some()
            || url.fragment().is_some();
        if has_path {
            return Err(OriginParseError::HasPath(
                input.to_string(),
                origin.serialize(),
            ));
        }
        Ok(origin)
    }

    /// The origin of a URL (URL standard "origin" getter): http(s), ws(s) and ftp URLs have tuple
    /// origins; everything else is opaque.
    pub fn of_url(url: &Url) -> Origin {
        match url.scheme() {
            "http" | "https" | "ws" | "wss" | "ftp" => match url.host_str() {
                Some(host) => Origin::Tuple {
                    scheme: url.scheme().to_string(),
                    host: host.to_string(),
                    port: url.port(),
                },
                None => Origin::Opaque,
            },
            _ => Origin::Opaque,
        }
    }

    /// HTML "ASCII serialization of an origin": `scheme://host[:port]`, or `null`.
    pub fn serialize(&self) -> String {
        match self {
            Origin::Opaque => "null".to_string(),
            Origin::Tuple { scheme, host, port } => match port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            },
        }
    }

    /// True for an opaque origin.
    pub fn is_opaque(&self) -> bool {
        matches!(self, Origin::Opaque)
    }

    /// HTML "same origin": identical tuples. Opaque origins are never same origin with anything
    /// here (we never hold two handles to the same opaque origin).
    pub fn same_origin(&self, other: &Origin) -> bool {
        match (self, other) {
            (Origin::Tuple { .. }, Origin::Tuple { .. }) => self == other,
            _ => false,
        }
    }

    /// Scheme of a tuple origin.
    pub fn scheme(&self) -> Option<&str> {
        match self {
            Origin::Tuple { scheme, .. } => Some(scheme),
            Origin::Opaque => None,
        }
    }

    /// Host of a tuple origin.
    pub fn host(&self) -> Option<&str> {
        match self {
            Origin::Tuple { host, .. } => Some(host),
            Origin::Opaque => None,
        }
    }

    /// HTML "schemelessly same site" approximated without the public suffix list: identical hosts,
    /// or identical last two labels of domain hosts ("registrable domain" for the common
    /// `*.example.com` case). IP addresses must match exactly.
    pub fn same_site(&self, other: &Origin) -> bool {
        match (self, other) {
            (
                Origin::Tuple {
                    scheme: s1,
                    host: h1,
                    ..
                },
                Origin::Tuple {
                    scheme: s2,
                    host: h2,
                    ..
                },
            ) => s1 == s2 && registrable_domain(h1) == registrable_domain(h2),
            _ => false,
        }
    }

    /// Secure Contexts "potentially trustworthy origin": https/wss, loopback hosts and `localhost`.
    pub fn is_potentially_trustworthy(&self) -> bool {
        match self {
            Origin::Opaque => false,
            Origin::Tuple { scheme, host, .. } => {
                scheme == "https" || scheme == "wss" || is_loopback_host(host)
            }
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialize())
    }
}

/// True for `localhost`, `*.localhost`, `127.0.0.0/8` and `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_end_matches('.');
    if h == "localhost" || h.ends_with(".localhost") || h == "[::1]" {
        return true;
    }
    match h.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// A potentially trustworthy URL: `https:`, `wss:`, `data:`, `about:blank`, or a loopback host.
pub fn is_potentially_trustworthy_url(url: &Url) -> bool {
    match url.scheme() {
        "https" | "wss" | "data" | "file" => true,
        "about" => true,
        _ => Origin::of_url(url).is_potentially_trustworthy(),
    }
}

fn registrable_domain(host: &str) -> String {
    if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return host.to_string();
    }
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    if labels.len() <= 2 {
        return labels.join(".");
    }
    labels[labels.len() - 2..].join(".")
}

impl serde::Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.serialize())
    }
}

impl<'de> serde::Deserialize<'de> for Origin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Origin::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_parse_default_port_is_omitted() {
        let o = Origin::parse("https://App.Example.com:443").unwrap();
        assert_eq!(o.serialize(), "https://app.example.com");
        let o = Origin::parse("http://localhost:3000/").unwrap();
        assert_eq!(o.serialize(), "http://localhost:3000");
    }

    #[test]
    fn origin_parse_null_and_file_are_opaque() {
        assert_eq!(Origin::parse("null").unwrap(), Origin::Opaque);
        assert_eq!(Origin::parse("file:///tmp/x.html").unwrap(), Origin::Opaque);
    }

    #[test]
    fn origin_parse_with_path_is_rejected_with_suggestion() {
        let e = Origin::parse("https://app.example.com/login").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`https://app.example.com/login` is not an origin: it has a path, query or fragment \
             (did you mean `https://app.example.com`?)"
        );
    }

    #[test]
    fn same_site_compares_registrable_domains() {
        let a = Origin::parse("https://app.example.com").unwrap();
        let b = Origin::parse("https://api.example.com").unwrap();
        let c = Origin::parse("https://api.other.com").unwrap();
        let d = Origin::parse("http://api.example.com").unwrap();
        assert!(a.same_site(&b));
        assert!(!a.same_site(&c));
        assert!(!a.same_site(&d), "schemeful same-site");
    }

    #[test]
    fn trustworthy_covers_https_and_loopback() {
        assert!(Origin::parse("https://x.com")
            .unwrap()
            .is_potentially_trustworthy());
        assert!(Origin::parse("http://127.0.0.1:8080")
            .unwrap()
            .is_potentially_trustworthy());
        assert!(Origin::parse("http://a.localhost")
            .unwrap()
            .is_potentially_trustworthy());
        assert!(!Origin::parse("http://x.com")
            .unwrap()
            .is_potentially_trustworthy());
    }
}
