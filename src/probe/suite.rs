//! Probe files (`probes/*.toml`): what to send. Validated when loaded; every error names the
//! file, the line and the field.
//!
//! ```toml
//! name = "orders-api"
//! target = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
//! origins = ["https://app.example.com"]
//! variants = ["scheme", "port", "trailing-slash", "null", "sibling"]
//! credentials = ["same-origin", "include"]
//!
//! [auth]
//! cookie_env = "ORDERS_COOKIE"          # sent only with credentials, only to the target host
//! authorization_env = "ORDERS_TOKEN"    # sent as `Authorization` on actual requests
//!
//! [safety]
//! allow_unsafe = false                  # send POST/PUT/PATCH/DELETE actual requests
//! rate_limit = 10                       # requests per second per host (0 = off)
//!
//! [[route]]
//! path = "/orders/{id}"
//! params = { id = "42" }
//! methods = ["GET", "PUT"]
//! headers = { "Content-Type" = "application/json", "X-Api-Key" = "${env:ORDERS_API_KEY}" }
//! expect = "allow"                      # allow | block (per request; see expect_origins)
//! expect_origins = { "https://evil.example" = "block" }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::fetch::{CredentialsMode, HeaderList, Initiator, Origin, RequestMode};

/// A loaded, validated probe file.
#[derive(Clone, Debug)]
pub struct ProbeSuite {
    /// File it came from.
    pub path: PathBuf,
    /// Name (defaults to the file stem).
    pub name: String,
    /// Base URL.
    pub target: url::Url,
    /// Origins (after variant expansion), each with its expectation override.
    pub origins: Vec<OriginSpec>,
    /// Credentials modes.
    pub credentials: Vec<CredentialsMode>,
    /// Initiator.
    pub initiator: Initiator,
    /// Routes.
    pub routes: Vec<RouteSpec>,
    /// `allow_unsafe`.
    pub allow_unsafe: bool,
    /// Requests per second per host, `None` = off.
    pub rate_limit: Option<f64>,
    /// Cookie value resolved from the environment.
    pub cookie: Option<String>,
    /// SameSite attribute of that cookie.
    pub cookie_same_site: crate::fetch::request::CookieSameSite,
    /// Authorization value resolved from the environment.
    pub authorization: Option<String>,
}

/// An origin to probe from.
#[derive(Clone, Debug)]
pub struct OriginSpec {
    /// The origin.
    pub origin: Origin,
    /// How it was derived: `listed` or a variant name.
    pub source: String,
}

/// One route.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    /// Path template as written.
    pub path: String,
    /// Resolved URL.
    pub url: url::Url,
    /// Methods as written.
    pub methods: Vec<String>,
    /// Headers (values resolved; secrets included).
    pub headers: HeaderList,
    /// Body.
    pub body: Option<String>,
    /// Expected outcome by default.
    pub expect: Option<Expect>,
    /// Per-origin expectations.
    pub expect_origins: BTreeMap<String, Expect>,
    /// Request mode.
    pub mode: RequestMode,
    /// Origins for this route (overrides the suite's).
    pub origins: Option<Vec<OriginSpec>>,
    /// Credentials modes for this route (overrides the suite's).
    pub credentials: Option<Vec<CredentialsMode>>,
}

/// An expected outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// The browser allows it.
    Allow,
    /// The browser blocks it.
    Block,
}

/// A probe-file problem, with file, line and field.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{file}:{line}: {field}: {message}")]
pub struct SuiteError {
    /// File path.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Field path, e.g. `route[2].methods[0]`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    name: Option<String>,
    description: Option<String>,
    target: Spanned<String>,
    origins: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    variants: Vec<Spanned<String>>,
    #[serde(default)]
    credentials: Vec<Spanned<String>>,
    initiator: Option<Spanned<String>>,
    #[serde(default)]
    auth: RawAuth,
    #[serde(default)]
    safety: RawSafety,
    #[serde(default, rename = "route")]
    routes: Vec<Spanned<RawRoute>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    cookie_env: Option<Spanned<String>>,
    cookie_samesite: Option<Spanned<String>>,
    authorization_env: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSafety {
    #[serde(default)]
    allow_unsafe: bool,
    rate_limit: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    path: Spanned<String>,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    methods: Vec<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<String>>,
    body: Option<String>,
    content_type: Option<String>,
    expect: Option<Expect>,
    #[serde(default)]
    expect_origins: BTreeMap<String, Expect>,
    mode: Option<Spanned<String>>,
    /// Overrides the suite's origins for this route.
    origins: Option<Vec<Spanned<String>>>,
    /// Overrides the suite's credentials modes for this route.
    credentials: Option<Vec<Spanned<String>>>,
    #[allow(dead_code)]
    description: Option<String>,
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Loads every `*.toml` under the given files or folders, sorted by path.
pub fn load_paths(
    paths: &[PathBuf],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<ProbeSuite>, Vec<SuiteError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(rd) => {
                    let mut v: Vec<PathBuf> = rd
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                        .collect();
                    v.sort();
                    files.extend(v);
                }
                Err(e) => errors.push(SuiteError {
                    file: p.display().to_string(),
                    line: 0,
                    field: "-".into(),
                    message: format!("cannot read folder: {e}"),
                }),
            }
        } else {
            files.push(p.clone());
        }
    }
    let mut suites = Vec::new();
    for f in files {
        match std::fs::read_to_string(&f) {
            Ok(src) => match parse_suite(&f, &src, env) {
                Ok(s) => suites.push(s),
                Err(mut e) => errors.append(&mut e),
            },
            Err(e) => errors.push(SuiteError {
                file: f.display().to_string(),
                line: 0,
                field: "-".into(),
                message: format!("cannot read file: {e}"),
            }),
        }
    }
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(errors)
    }
}

/// Parses and validates one probe file.
pub fn parse_suite(
    path: &Path,
    src: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProbeSuite, Vec<SuiteError>> {
    let file = path.display().to_string();
    let raw: RawSuite = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(0);
            let msg = e.message().to_string();
            // The field is named in serde's message ("unknown field `x`", "missing field `y`");
            // for type errors, name the key at that line.
            let field = e
                .span()
                .and_then(|s| {
                    let l = src.lines().nth(line_of(src, s.start) - 1)?;
                    l.split('=').next().map(|k| {
                        k.trim()
                            .trim_matches('[')
                            .trim_matches(']')
                            .trim()
                            .to_string()
                    })
                })
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "-".into());
            return Err(vec![SuiteError {
                file,
                line,
                field,
                message: msg,
            }]);
        }
    };
    let mut errors = Vec::new();
    let err = |errors: &mut Vec<SuiteError>,
               span: std::ops::Range<usize>,
               field: &str,
               message: String| {
        errors.push(SuiteError {
            file: file.clone(),
            line: line_of(src, span.start),
            field: field.to_string(),
            message,
        });
    };
    let target = match url::Url::parse(raw.target.get_ref()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
        Ok(u) => {
            err(
                &mut errors,
                raw.target.span(),
                "target",
                format!("scheme `{}` is not http or https", u.scheme()),
            );
            None
        }
        Err(e) => {
            err(
                &mut errors,
                raw.target.span(),
                "target",
                format!("`{}` is not a URL: {e}", raw.target.get_ref()),
            );
            None
        }
    };
    let mut origins = Vec::new();
    if raw.origins.get_ref().is_empty() && raw.routes.iter().any(|r| r.get_ref().origins.is_none())
    {
        err(
            &mut errors,
            raw.origins.span(),
            "origins",
            "at least one origin is needed".into(),
        );
    }
    for (i, o) in raw.origins.get_ref().iter().enumerate() {
        match Origin::parse(o.get_ref()) {
            Ok(origin) => origins.push(OriginSpec {
                origin,
                source: "listed".into(),
            }),
            Err(e) => err(
                &mut errors,
                o.span(),
                &format!("origins[{i}]"),
                e.to_string(),
            ),
        }
    }
    let listed: Vec<Origin> = origins.iter().map(|o| o.origin.clone()).collect();
    for (i, v) in raw.variants.iter().enumerate() {
        match expand_variant(v.get_ref(), &listed) {
            Some(extra) => {
                for o in extra {
                    if !origins.iter().any(|x| x.origin == o) {
                        origins.push(OriginSpec {
                            origin: o,
                            source: v.get_ref().clone(),
                        });
                    }
                }
            }
            None => err(
                &mut errors,
                v.span(),
                &format!("variants[{i}]"),
                format!(
                    "`{}` is not one of: scheme, port, trailing-slash, null, sibling",
                    v.get_ref()
                ),
            ),
        }
    }
    let mut credentials = Vec::new();
    for (i, c) in raw.credentials.iter().enumerate() {
        match c.get_ref().parse::<CredentialsMode>() {
            Ok(m) => credentials.push(m),
            Err(e) => err(&mut errors, c.span(), &format!("credentials[{i}]"), e),
        }
    }
    if credentials.is_empty() {
        credentials.push(CredentialsMode::SameOrigin);
    }
    let initiator = match &raw.initiator {
        Some(s) => s.get_ref().parse::<Initiator>().unwrap_or_else(|e| {
            err(&mut errors, s.span(), "initiator", e);
            Initiator::Fetch
        }),
        None => Initiator::Fetch,
    };
    let resolve_env =
        |errors: &mut Vec<SuiteError>, s: &Spanned<String>, field: &str| -> Option<String> {
            match env(s.get_ref()) {
                Some(v) => Some(v),
                None => {
                    errors.push(SuiteError {
                        file: file.clone(),
                        line: line_of(src, s.span().start),
                        field: field.into(),
                        message: format!("environment variable `{}` is not set", s.get_ref()),
                    });
                    None
                }
            }
        };
    let cookie_same_site = match &raw.auth.cookie_samesite {
        Some(v) => v.get_ref().parse().unwrap_or_else(|e| {
            err(&mut errors, v.span(), "auth.cookie_samesite", e);
            crate::fetch::request::CookieSameSite::Lax
        }),
        None => crate::fetch::request::CookieSameSite::Lax,
    };
    let cookie = raw
        .auth
        .cookie_env
        .as_ref()
        .and_then(|s| resolve_env(&mut errors, s, "auth.cookie_env"));
    let authorization = raw
        .auth
        .authorization_env
        .as_ref()
        .and_then(|s| resolve_env(&mut errors, s, "auth.authorization_env"));
    let mut routes = Vec::new();
    if raw.routes.is_empty() {
        errors.push(SuiteError {
            file: file.clone(),
            line: 1,
            field: "route".into(),
            message: "at least one [[route]] is needed".into(),
        });
    }
    for (ri, r) in raw.routes.iter().enumerate() {
        let span = r.span();
        let r = r.get_ref();
        let mut path = r.path.get_ref().clone();
        for (k, v) in &r.params {
            path = path
                .replace(&format!("{{{k}}}"), v)
                .replace(&format!("{{{k}+}}"), v);
        }
        if path.contains('{') {
            err(
                &mut errors,
                r.path.span(),
                &format!("route[{ri}].path"),
                format!(
                    "`{}` has a path parameter without a sample value in `params`",
                    r.path.get_ref()
                ),
            );
        }
        if !path.starts_with('/') {
            err(
                &mut errors,
                r.path.span(),
                &format!("route[{ri}].path"),
                "must start with `/`".into(),
            );
        }
        let url = target.as_ref().and_then(|t| {
            let base = t.as_str().trim_end_matches('/');
            url::Url::parse(&format!("{base}{path}")).ok()
        });
        let mut methods = Vec::new();
        for (mi, m) in r.methods.iter().enumerate() {
            if crate::fetch::method::is_method(m.get_ref()) {
                methods.push(m.get_ref().clone());
            } else {
                err(
                    &mut errors,
                    m.span(),
                    &format!("route[{ri}].methods[{mi}]"),
                    format!("`{}` is not an HTTP method", m.get_ref()),
                );
            }
        }
        if methods.is_empty() && r.methods.is_empty() {
            methods.push("GET".into());
        }
        let mut headers = HeaderList::new();
        if let Some(ct) = &r.content_type {
            headers.append("Content-Type", ct.clone());
        }
        for (name, value) in &r.headers {
            if !crate::fetch::headers::is_token(name) {
                err(
                    &mut errors,
                    value.span(),
                    &format!("route[{ri}].headers"),
                    format!("`{name}` is not a header name"),
                );
                continue;
            }
            let v = value.get_ref();
            let resolved =
                if let Some(var) = v.strip_prefix("${env:").and_then(|s| s.strip_suffix('}')) {
                    match env(var) {
                        Some(x) => x,
                        None => {
                            err(
                                &mut errors,
                                value.span(),
                                &format!("route[{ri}].headers.{name}"),
                                format!("environment variable `{var}` is not set"),
                            );
                            continue;
                        }
                    }
                } else {
                    v.clone()
                };
            headers.append(name.clone(), resolved);
        }
        if let Some(a) = &authorization {
            if !headers.contains("authorization") {
                headers.append("Authorization", a.clone());
            }
        }
        let mut expect_origins = BTreeMap::new();
        for (o, e) in &r.expect_origins {
            match Origin::parse(o) {
                Ok(origin) => {
                    expect_origins.insert(origin.serialize(), *e);
                }
                Err(er) => err(
                    &mut errors,
                    span.clone(),
                    &format!("route[{ri}].expect_origins"),
                    er.to_string(),
                ),
            }
        }
        let mode = match &r.mode {
            Some(m) => m.get_ref().parse::<RequestMode>().unwrap_or_else(|e| {
                err(&mut errors, m.span(), &format!("route[{ri}].mode"), e);
                RequestMode::Cors
            }),
            None => RequestMode::Cors,
        };
        let route_origins = r.origins.as_ref().map(|list| {
            list.iter()
                .enumerate()
                .filter_map(|(i, o)| match Origin::parse(o.get_ref()) {
                    Ok(origin) => Some(OriginSpec {
                        origin,
                        source: "listed".into(),
                    }),
                    Err(e) => {
                        err(
                            &mut errors,
                            o.span(),
                            &format!("route[{ri}].origins[{i}]"),
                            e.to_string(),
                        );
                        None
                    }
                })
                .collect::<Vec<_>>()
        });
        let route_credentials = r.credentials.as_ref().map(|list| {
            list.iter()
                .enumerate()
                .filter_map(|(i, c)| match c.get_ref().parse::<CredentialsMode>() {
                    Ok(m) => Some(m),
                    Err(e) => {
                        err(
                            &mut errors,
                            c.span(),
                            &format!("route[{ri}].credentials[{i}]"),
                            e,
                        );
                        None
                    }
                })
                .collect::<Vec<_>>()
        });
        if let Some(url) = url {
            routes.push(RouteSpec {
                path: r.path.get_ref().clone(),
                url,
                methods,
                headers,
                body: r.body.clone(),
                expect: r.expect,
                expect_origins,
                mode,
                origins: route_origins,
                credentials: route_credentials,
            });
        }
    }
    let _ = raw.description;
    if !errors.is_empty() {
        return Err(errors);
    }
    let name = raw.name.unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let rate_limit = match raw.safety.rate_limit {
        Some(r) if r <= 0.0 => None,
        Some(r) => Some(r),
        None => Some(10.0),
    };
    Ok(ProbeSuite {
        path: path.to_path_buf(),
        name,
        // Invariant: errors is empty, so target parsed.
        target: target.expect("target validated above"),
        origins,
        credentials,
        initiator,
        routes,
        allow_unsafe: raw.safety.allow_unsafe,
        rate_limit,
        cookie,
        cookie_same_site,
        authorization,
    })
}

/// Near-miss origins derived from the listed ones (what CORScanner and Corsy try, narrowed to
/// what an allow-list mistake looks like).
fn expand_variant(name: &str, listed: &[Origin]) -> Option<Vec<Origin>> {
    let mut out = Vec::new();
    for o in listed {
        let Origin::Tuple { scheme, host, port } = o else {
            continue;
        };
        match name {
            "scheme" => {
                let other = if scheme == "https" { "http" } else { "https" };
                out.push(Origin::Tuple {
                    scheme: other.into(),
                    host: host.clone(),
                    port: *port,
                });
            }
            "port" => {
                let p = match port {
                    Some(3000) => 8080,
                    _ => 3000,
                };
                out.push(Origin::Tuple {
                    scheme: scheme.clone(),
                    host: host.clone(),
                    port: Some(p),
                });
            }
            // A trailing slash cannot be part of an origin the browser sends; this variant
            // stands for an allow-list entry written with one, so it is probed as listed.
            "trailing-slash" => {}
            "null" => out.push(Origin::Opaque),
            "sibling" => {
                let labels: Vec<&str> = host.split('.').collect();
                let sibling = if labels.len() > 2 {
                    format!("evil.{}", labels[1..].join("."))
                } else {
                    format!("evil.{host}")
                };
                out.push(Origin::Tuple {
                    scheme: scheme.clone(),
                    host: sibling,
                    port: *port,
                });
            }
            _ => return None,
        }
    }
    if name == "null" {
        out.truncate(1);
    }
    Some(out)
}

/// One request of the matrix.
#[derive(Clone, Debug)]
pub struct PlannedProbe {
    /// Suite name.
    pub suite: String,
    /// Route path template.
    pub route: String,
    /// Page request.
    pub request: crate::fetch::PageRequest,
    /// How the origin was derived.
    pub origin_source: String,
    /// Expectation.
    pub expect: Option<Expect>,
    /// allow_unsafe from the file.
    pub allow_unsafe: bool,
}

/// routes × methods × origins × credentials → page requests, in a stable order.
pub fn plan(suite: &ProbeSuite) -> Vec<PlannedProbe> {
    let mut out = Vec::new();
    for route in &suite.routes {
        for method in &route.methods {
            for origin in route.origins.as_ref().unwrap_or(&suite.origins) {
                for creds in route.credentials.as_ref().unwrap_or(&suite.credentials) {
                    let mut req =
                        crate::fetch::PageRequest::new(route.url.as_str(), origin.origin.clone());
                    req.method = method.clone();
                    req.headers = route.headers.clone();
                    req.credentials = *creds;
                    req.initiator = suite.initiator;
                    req.mode = route.mode;
                    req.body = route.body.clone().map(String::into_bytes);
                    req.cookies = suite.cookie.clone();
                    req.cookie_same_site = suite.cookie_same_site;
                    let expect = route
                        .expect_origins
                        .get(&origin.origin.serialize())
                        .copied()
                        .or(route.expect);
                    out.push(PlannedProbe {
                        suite: suite.name.clone(),
                        route: route.path.clone(),
                        request: req,
                        origin_source: origin.source.clone(),
                        expect,
                        allow_unsafe: suite.allow_unsafe,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn suite_unknown_field_names_file_line_field() {
        let src = "target = \"http://x\"\norigins = [\"https://a.com\"]\n[[route]]\npath = \"/\"\nmethds = [\"GET\"]\n";
        let e = parse_suite(Path::new("p.toml"), src, &no_env).unwrap_err();
        assert_eq!(e[0].file, "p.toml");
        assert_eq!(e[0].line, 5);
        assert!(
            e[0].message.contains("unknown field `methds`"),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn suite_bad_origin_and_method_are_located() {
        let src = "target = \"http://x\"\norigins = [\"https://a.com/app\"]\n[[route]]\npath = \"/{id}\"\nmethods = [\"GET\", \"BAD METHOD\"]\n";
        let e = parse_suite(Path::new("p.toml"), src, &no_env).unwrap_err();
        let s: Vec<String> = e.iter().map(|e| e.to_string()).collect();
        assert_eq!(s[0], "p.toml:2: origins[0]: `https://a.com/app` is not an origin: it has a path, query or fragment (did you mean `https://a.com`?)");
        assert_eq!(s[1], "p.toml:4: route[0].path: `/{id}` has a path parameter without a sample value in `params`");
        assert_eq!(
            s[2],
            "p.toml:5: route[0].methods[1]: `BAD METHOD` is not an HTTP method"
        );
    }

    #[test]
    fn plan_expands_matrix_in_stable_order() {
        let src = "target = \"http://127.0.0.1:1/prod\"\norigins = [\"https://a.example.com\"]\nvariants = [\"scheme\", \"null\"]\ncredentials = [\"omit\", \"include\"]\n[[route]]\npath = \"/i/{id}\"\nparams = { id = \"7\" }\nmethods = [\"GET\", \"PUT\"]\n";
        let s = parse_suite(Path::new("p.toml"), src, &no_env).unwrap();
        let p = plan(&s);
        assert_eq!(p.len(), 2 * 3 * 2);
        assert_eq!(p[0].request.url, "http://127.0.0.1:1/prod/i/7");
        assert_eq!(p[2].request.origin.serialize(), "http://a.example.com");
        assert_eq!(p[4].request.origin.serialize(), "null");
    }
}
