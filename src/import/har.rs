//! HAR files (DevTools "Save all as HAR", HAR 1.2 with Chromium's `_resourceType` and
//! `_initiator` extensions) → [`Captured`].
//!
//! Entry choice: `--entry N` (0-based, as in `log.entries`), or `--url-contains S` (the first
//! fetch/XHR entry whose URL contains S), or, without either, the only fetch/XHR entry. HTTP/2
//! pseudo-headers (`:authority`, …) are dropped by [`super::rebuild`]; `request.cookies` count
//! as cookies sent.

use serde::Deserialize;

use super::{Captured, ImportError};

#[derive(Deserialize)]
struct Har {
    log: Log,
}

#[derive(Deserialize)]
struct Log {
    #[serde(default)]
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    request: Request,
    #[serde(rename = "_resourceType", default)]
    resource_type: Option<String>,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    cookies: Vec<NameValue>,
    #[serde(rename = "postData", default)]
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Deserialize)]
struct PostData {
    #[serde(default)]
    text: Option<String>,
}

/// How to pick the entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntrySelector {
    /// `--entry N`.
    pub index: Option<usize>,
    /// `--url-contains S`.
    pub url_contains: Option<String>,
}

/// A one-line summary of an entry, for listings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrySummary {
    /// Index in `log.entries`.
    pub index: usize,
    /// Method.
    pub method: String,
    /// URL.
    pub url: String,
    /// `_resourceType` (`fetch`, `xhr`, `preflight`, `document`, …), empty when absent.
    pub resource_type: String,
}

fn is_script_request(e: &Entry) -> bool {
    match e.resource_type.as_deref() {
        Some(t) => t == "fetch" || t == "xhr",
        // Not Chromium: anything with an Origin header is a candidate.
        None => e
            .request
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("origin")),
    }
}

/// Lists the entries of a HAR file.
pub fn list_entries(text: &str) -> Result<Vec<EntrySummary>, ImportError> {
    let har: Har = serde_json::from_str(text).map_err(|e| ImportError::Har(e.to_string()))?;
    Ok(har
        .log
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| EntrySummary {
            index: i,
            method: e.request.method.clone(),
            url: e.request.url.clone(),
            resource_type: e.resource_type.clone().unwrap_or_default(),
        })
        .collect())
}

/// Picks one entry of a HAR file.
pub fn parse_har(text: &str, sel: &EntrySelector) -> Result<(usize, Captured), ImportError> {
    let har: Har = serde_json::from_str(text).map_err(|e| ImportError::Har(e.to_string()))?;
    let entries = &har.log.entries;
    let listing = |idx: &[usize]| -> String {
        idx.iter()
            .take(20)
            .map(|&i| {
                let e = &entries[i];
                format!(
                    "\n  {i}: {} {} ({})",
                    e.request.method,
                    e.request.url,
                    e.resource_type.as_deref().unwrap_or("?")
                )
            })
            .collect()
    };
    let index = match (sel.index, &sel.url_contains) {
        (Some(i), _) => {
            if i >= entries.len() {
                return Err(ImportError::Entry(format!(
                    "--entry {i}: the file has {} entries",
                    entries.len()
                )));
            }
            i
        }
        (None, Some(s)) => {
            let hits: Vec<usize> = (0..entries.len())
                .filter(|&i| entries[i].request.url.contains(s.as_str()))
                .collect();
            let script: Vec<usize> = hits
                .iter()
                .copied()
                .filter(|&i| is_script_request(&entries[i]))
                .collect();
            match (script.first(), hits.first()) {
                (Some(&i), _) => i,
                (None, Some(&i)) => i,
                (None, None) => {
                    return Err(ImportError::Entry(format!("no entry's URL contains `{s}`")))
                }
            }
        }
        (None, None) => {
            let script: Vec<usize> = (0..entries.len())
                .filter(|&i| is_script_request(&entries[i]))
                .collect();
            match script.as_slice() {
                [one] => *one,
                [] => {
                    return Err(ImportError::Entry(
                        "no fetch or XHR entry in the file: pick one with --entry N".into(),
                    ))
                }
                many => {
                    return Err(ImportError::Entry(format!(
                        "{} fetch/XHR entries: pick one with --entry N or --url-contains S:{}",
                        many.len(),
                        listing(many)
                    )))
                }
            }
        }
    };
    let e = &entries[index];
    let cookies = if e.request.cookies.is_empty() {
        None
    } else {
        Some(
            e.request
                .cookies
                .iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    Ok((
        index,
        Captured {
            method: e.request.method.clone(),
            url: e.request.url.clone(),
            headers: e
                .request
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect(),
            cookies,
            body: e.request.post_data.as_ref().and_then(|p| p.text.clone()),
            xhr: e.resource_type.as_deref() == Some("xhr"),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::{CredentialsMode, Initiator};
    use crate::import::rebuild;

    // Shaped as Chromium's DevTools HAR export (HTTP/2 pseudo-headers, _resourceType).
    const HAR: &str = r#"{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":[
 {"_resourceType":"document","request":{"method":"GET","url":"https://app.example.com/","httpVersion":"h2","headers":[{"name":":authority","value":"app.example.com"}],"cookies":[],"queryString":[]}},
 {"_resourceType":"preflight","request":{"method":"OPTIONS","url":"https://api.example.com/items","httpVersion":"h2","headers":[{"name":"access-control-request-method","value":"POST"},{"name":"origin","value":"https://app.example.com"}],"cookies":[],"queryString":[]}},
 {"_resourceType":"xhr","request":{"method":"POST","url":"https://api.example.com/items","httpVersion":"h2","headers":[{"name":":authority","value":"api.example.com"},{"name":":method","value":"POST"},{"name":":path","value":"/items"},{"name":":scheme","value":"https"},{"name":"content-type","value":"application/json"},{"name":"origin","value":"https://app.example.com"},{"name":"x-client","value":"web"},{"name":"sec-fetch-mode","value":"cors"},{"name":"cookie","value":"sid=1"}],"cookies":[{"name":"sid","value":"1"}],"queryString":[],"postData":{"mimeType":"application/json","text":"{\"a\":1}"}}},
 {"_resourceType":"fetch","request":{"method":"GET","url":"https://api.example.com/me","httpVersion":"h2","headers":[{"name":"origin","value":"https://app.example.com"}],"cookies":[],"queryString":[]}}
]}}"#;

    #[test]
    fn har_needs_a_choice_among_several_script_entries() {
        let e = parse_har(HAR, &EntrySelector::default()).unwrap_err();
        let ImportError::Entry(msg) = e else {
            panic!("{e:?}")
        };
        assert!(msg.contains("2 fetch/XHR entries"), "{msg}");
        assert!(
            msg.contains("3: GET https://api.example.com/me (fetch)"),
            "{msg}"
        );
    }

    #[test]
    fn har_url_contains_prefers_the_script_request_over_its_preflight() {
        let (i, c) = parse_har(
            HAR,
            &EntrySelector {
                index: None,
                url_contains: Some("/items".into()),
            },
        )
        .expect("found");
        assert_eq!(i, 2);
        let r = rebuild(&c, None).expect("rebuilds").request;
        assert_eq!(r.method, "POST");
        assert_eq!(r.initiator, Initiator::Xhr);
        assert_eq!(r.credentials, CredentialsMode::Include);
        assert_eq!(r.body.as_deref(), Some(&b"{\"a\":1}"[..]));
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["content-type", "x-client"]);
    }

    #[test]
    fn har_entry_index_out_of_range_is_an_error() {
        let sel = EntrySelector {
            index: Some(9),
            url_contains: None,
        };
        assert!(parse_har(HAR, &sel).is_err());
        assert!(parse_har("{}", &EntrySelector::default()).is_err());
        assert_eq!(list_entries(HAR).expect("lists").len(), 4);
    }
}
