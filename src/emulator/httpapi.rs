//! HTTP API (v2) data plane.
//!
//! Stages: a `$default` stage serves from the base URL; other stages are the first path segment.
//! No stage, no route: 404 `{"message":"Not Found"}` (awsdocs `doc_source/http-api-develop-routes.md`).
//!
//! CORS (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>):
//! with a `corsConfiguration`, "API Gateway automatically sends a response to preflight OPTIONS
//! requests, even if there isn't an OPTIONS route", adds the configured headers to integration
//! responses, and "ignores CORS headers returned from your backend integration". Headers are
//! added only when the request has an `Origin`; a matching origin is echoed (`*` is returned as
//! `*`). Emulated choices, each **(unverified)** in AWS's docs:
//! - the automatic preflight answer is `204` with `access-control-allow-origin`,
//!   `-allow-methods`, `-allow-headers` (configured lists joined with `,`), `-max-age`,
//!   `-allow-credentials`; for an origin that is not allowed it is `204` without CORS headers;
//! - a preflight whose path matches an explicit `OPTIONS` route, an `ANY` route or `$default` is
//!   routed like any request (authorizer first), which is how a JWT authorizer on `ANY /{proxy+}` or
//!   `$default` swallows preflights (AWS's "$default route and authorizer" note; anomalyco/sst
//!   #5493; aws/serverless-application-model #1603); CORS headers are still added to what it returns;
//! - gateway errors (401, 403, 404, 500, 503) also get the CORS headers when the origin is allowed.
//!
//! Without a CORS configuration, OPTIONS is routed like any other method.

use crate::apigw::backend::ORIGIN_PLACEHOLDER;
use crate::apigw::http::{
    CorsConfiguration, HttpApi, HttpApiDefinition, HttpAuthorizationType, Route,
};
use crate::apigw::{AuthorizerBehavior, Backend, Backends};

use super::ids::request_ids;
use super::paths::{match_template, SegmentRank};
use super::wire::{http_date, Request, Response};

/// Answers `req` for `api`; `path` is the request path below the API.
pub fn handle(api: &HttpApi, backends: &Backends, path: &str, req: &Request<'_>) -> Response {
    let (_, request_id) = request_ids();
    let trimmed = path.trim_start_matches('/');
    let first = trimmed.split('/').next().unwrap_or("");
    let (def, rest) = match api.stage(first).filter(|s| s.stage_name != "$default") {
        Some(stage) => (api.deployed(&stage.stage_name), &trimmed[first.len()..]),
        None => (api.deployed("$default"), path),
    };
    let Some(def) = def else {
        return message(&request_id, 404, "Not Found");
    };
    let cors = def.cors_configuration.as_ref();
    let origin = req.header("origin");

    let route = match_route(def, req.method, rest);
    if let (Some(cors), true) = (cors, req.is_preflight()) {
        let routed = route.is_some_and(|r| {
            let method = route_method(r);
            r.route_key == "$default" || method == "ANY" || method == "OPTIONS"
        });
        if !routed {
            return preflight(&request_id, cors, origin.unwrap_or(""));
        }
    }
    let mut response = match route {
        None => message(&request_id, 404, "Not Found"),
        Some(route) => match authorize(def, route, req, backends) {
            Some((status, text)) => message(&request_id, status, text),
            None => integrate(&request_id, def, route, req, backends),
        },
    };
    if let Some(cors) = cors {
        apply_cors(&mut response, cors, origin);
    }
    response
}

fn route_method(route: &Route) -> &str {
    route
        .route_key
        .split_once(' ')
        .map(|(m, _)| m)
        .unwrap_or("")
}

/// Route selection: most specific path, then a method match over `ANY`; `$default` last.
pub fn match_route<'d>(def: &'d HttpApiDefinition, method: &str, path: &str) -> Option<&'d Route> {
    // (greedy last segment, per-segment ranks, method is ANY): lower is more specific.
    type Key = (bool, Vec<SegmentRank>, bool);
    let mut best: Option<(&Route, Key)> = None;
    for route in &def.routes {
        let Some((m, template)) = route.route_key.split_once(' ') else {
            continue;
        };
        if m != method && m != "ANY" {
            continue;
        }
        let Some(ranks) = match_template(template, path) else {
            continue;
        };
        let key = (
            ranks.last() == Some(&SegmentRank::Greedy),
            ranks,
            m == "ANY",
        );
        if best.as_ref().is_none_or(|(_, k)| key < *k) {
            best = Some((route, key));
        }
    }
    best.map(|(r, _)| r)
        .or_else(|| def.routes.iter().find(|r| r.route_key == "$default"))
}

fn base(status: u16) -> Response {
    let mut r = Response {
        status,
        headers: Vec::with_capacity(10),
        body: Vec::new(),
    };
    r.push("date", http_date());
    r
}

fn finish(mut r: Response, request_id: &str, content_type: Option<String>) -> Response {
    if r.status != 204 {
        r.push(
            "content-type",
            content_type.unwrap_or_else(|| "application/json".into()),
        );
        r.push("content-length", r.body.len().to_string());
    }
    r.push("connection", "keep-alive");
    r.push("apigw-requestid", request_id.to_string());
    r
}

/// A gateway-generated answer with API Gateway's `{"message":"..."}` body.
fn message(request_id: &str, status: u16, text: &str) -> Response {
    let mut r = base(status);
    r.body = format!("{{\"message\":\"{text}\"}}").into_bytes();
    finish(r, request_id, None)
}

/// API Gateway's own answer to a preflight when CORS is configured.
fn preflight(request_id: &str, cors: &CorsConfiguration, origin: &str) -> Response {
    let mut r = base(204);
    if let Some(allow_origin) = cors.allow_origin_for(origin) {
        r.push("access-control-allow-origin", allow_origin);
        if cors.allow_credentials {
            r.push("access-control-allow-credentials", "true");
        }
        if !cors.allow_methods.is_empty() {
            r.push("access-control-allow-methods", cors.allow_methods.join(","));
        }
        if !cors.allow_headers.is_empty() {
            r.push("access-control-allow-headers", cors.allow_headers.join(","));
        }
        if let Some(age) = cors.max_age {
            r.push("access-control-max-age", age.to_string());
        }
    }
    finish(r, request_id, None)
}

/// Drops the backend's `access-control-*` headers; adds the configured ones for an allowed `Origin`.
fn apply_cors(r: &mut Response, cors: &CorsConfiguration, origin: Option<&str>) {
    r.headers
        .retain(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-"));
    let Some(origin) = origin else { return };
    let Some(allow_origin) = cors.allow_origin_for(origin) else {
        return;
    };
    let at = r
        .headers
        .iter()
        .position(|(n, _)| n == "apigw-requestid")
        .unwrap_or(r.headers.len());
    let mut extra = vec![("access-control-allow-origin".into(), allow_origin.into())];
    if cors.allow_credentials {
        extra.push(("access-control-allow-credentials".into(), "true".into()));
    }
    if !cors.expose_headers.is_empty() {
        extra.push((
            "access-control-expose-headers".into(),
            cors.expose_headers.join(",").into(),
        ));
    }
    r.headers.splice(at..at, extra);
}

fn authorize(
    def: &HttpApiDefinition,
    route: &Route,
    req: &Request<'_>,
    backends: &Backends,
) -> Option<(u16, &'static str)> {
    match route.authorization_type {
        HttpAuthorizationType::None => None,
        HttpAuthorizationType::AwsIam => req
            .header("authorization")
            .is_none()
            .then_some((403, "Forbidden")),
        HttpAuthorizationType::Jwt | HttpAuthorizationType::Custom => {
            let authorizer = route
                .authorizer_id
                .as_deref()
                .and_then(|id| def.authorizers.iter().find(|a| a.authorizer_id == id));
            let sources: Vec<&str> = match authorizer {
                Some(a) if !a.identity_source.is_empty() => {
                    a.identity_source.iter().map(String::as_str).collect()
                }
                _ => vec!["$request.header.Authorization"],
            };
            let mut token = None;
            for source in sources {
                let value = source
                    .strip_prefix("$request.header.")
                    .and_then(|h| req.header(h));
                match value {
                    Some(v) if !v.is_empty() => token = token.or(Some(v)),
                    _ => return Some((401, "Unauthorized")),
                }
            }
            let id = route.authorizer_id.as_deref().unwrap_or("");
            match backends.authorizers.get(id).cloned().unwrap_or_default() {
                AuthorizerBehavior::Allow => None,
                AuthorizerBehavior::Deny => Some((403, "Forbidden")),
                AuthorizerBehavior::AllowTokens { tokens } => {
                    let ok = token.is_some_and(|t| tokens.iter().any(|x| x == t));
                    (!ok).then_some((401, "Unauthorized"))
                }
            }
        }
    }
}

fn integrate(
    request_id: &str,
    def: &HttpApiDefinition,
    route: &Route,
    req: &Request<'_>,
    backends: &Backends,
) -> Response {
    let Some(integration) = def.integration_for(route) else {
        return message(request_id, 500, "Internal Server Error");
    };
    let default = Backend::default();
    let backend = backends
        .integrations
        .get(&integration.integration_uri)
        .unwrap_or(&default);
    let origin = req.header("origin");
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &str| {
        if v == ORIGIN_PLACEHOLDER {
            if let Some(o) = origin {
                headers.push((k.to_string(), o.to_string()));
            }
        } else {
            headers.push((k.to_string(), v.to_string()));
        }
    };
    let (status, body) = match backend {
        Backend::LambdaProxy(r) if r.status_code != 0 => {
            for (k, v) in &r.headers {
                push(k, v);
            }
            for (k, values) in &r.multi_value_headers {
                for v in values {
                    push(k, v);
                }
            }
            (r.status_code, r.body.clone())
        }
        Backend::Http {
            status,
            headers: h,
            body,
        } => {
            for (k, v) in h {
                push(k, v);
            }
            (*status, body.clone())
        }
        Backend::LambdaProxy(_) | Backend::Crash { .. } | Backend::MalformedProxyResponse => {
            return message(request_id, 500, "Internal Server Error");
        }
        Backend::Timeout => return message(request_id, 503, "Service Unavailable"),
    };
    let mut r = base(status);
    r.body = body.into_bytes();
    let mut content_type = None;
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "content-type" => content_type = Some(value),
            "content-length" | "connection" | "date" => {}
            _ => r.push(name, value),
        }
    }
    finish(r, request_id, content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(keys: &[&str]) -> HttpApiDefinition {
        let mut a = HttpApi::new("h", "h");
        for k in keys {
            a.add_route(k, "AWS_PROXY", k);
        }
        a.draft
    }

    #[test]
    fn match_route_prefers_exact_then_method_then_greedy_then_default() {
        let def = api(&[
            "$default",
            "ANY /{proxy+}",
            "GET /items/{id}",
            "ANY /items/{id}",
            "GET /items/x",
        ]);
        let key = |m: &str, p: &str| match_route(&def, m, p).map(|r| r.route_key.clone());
        assert_eq!(key("GET", "/items/x").as_deref(), Some("GET /items/x"));
        assert_eq!(key("GET", "/items/7").as_deref(), Some("GET /items/{id}"));
        assert_eq!(
            key("DELETE", "/items/7").as_deref(),
            Some("ANY /items/{id}")
        );
        assert_eq!(key("OPTIONS", "/a/b").as_deref(), Some("ANY /{proxy+}"));
        assert_eq!(key("GET", "/").as_deref(), Some("$default"));
    }

    #[test]
    fn preflight_echoes_allowed_origin_and_omits_headers_for_others() {
        let cors = CorsConfiguration {
            allow_origins: vec!["https://app.example.com".into()],
            allow_methods: vec!["GET".into(), "POST".into()],
            allow_headers: vec!["content-type".into()],
            max_age: Some(300),
            ..Default::default()
        };
        let ok = preflight("id", &cors, "https://app.example.com");
        assert_eq!(ok.status, 204);
        assert_eq!(
            ok.values("access-control-allow-origin").collect::<Vec<_>>(),
            ["https://app.example.com"]
        );
        assert_eq!(
            ok.values("access-control-allow-methods")
                .collect::<Vec<_>>(),
            ["GET,POST"]
        );
        let bad = preflight("id", &cors, "http://app.example.com");
        assert_eq!(bad.status, 204);
        assert_eq!(bad.values("access-control-allow-origin").count(), 0);
    }
}
