//! REST API (v1) data plane: what `https://{id}.execute-api.{region}.amazonaws.com/{stage}/...`
//! answers, computed from the stage's deployed snapshot only (the draft is never served).
//!
//! Order of checks, as API Gateway runs them (aws-and-peers.md §A.1; execution-log order in §A.4):
//! stage → resource and method (else MISSING_AUTHENTICATION_TOKEN, 403) → stage throttling
//! (THROTTLED, 429) → authorization (AWS_IAM: MISSING_AUTHENTICATION_TOKEN; CUSTOM/Cognito without
//! the identity source: UNAUTHORIZED 401 without invoking the authorizer; denied: ACCESS_DENIED
//! 403) → API key (`apiKeyRequired` without `x-api-key`: 403 `{"message":"Forbidden"}`, modelled as
//! INVALID_API_KEY **(unverified: which type AWS uses for a missing key)**) → integration.
//!
//! Integrations: MOCK takes its status from the request template's `statusCode` and maps headers
//! through the selected integration response (`'literal'` values); with `binaryMediaTypes`
//! matching the request (`*/*` matches even a request without `Content-Type`, such as a preflight),
//! a template-based integration without `contentHandling: CONVERT_TO_TEXT` fails with 500
//! ("Unable to transform request", aws/chalice #1310, clebert/aws-simple #167). Proxy integrations
//! return exactly the backend's headers (a name in both `headers` and `multiValueHeaders` comes out
//! twice); a crashed or malformed Lambda gives 502, a timeout 504 INTEGRATION_TIMEOUT.
//!
//! Gateway responses use the snapshot's customised response for the type, else its DEFAULT_4XX /
//! DEFAULT_5XX, else API Gateway's built-in one; only `responseParameters` add headers, so CORS
//! headers appear on errors only when configured there.

use std::collections::BTreeMap;

use crate::apigw::backend::ORIGIN_PLACEHOLDER;
use crate::apigw::rest::{
    AuthorizationType, ContentHandling, Integration, IntegrationResponse, IntegrationType, Method,
    RestApi, RestApiDefinition, Stage,
};
use crate::apigw::{AuthorizerBehavior, Backend, Backends, GatewayResponseType};

use super::ids::request_ids;
use super::paths::{match_template, most_specific};
use super::pattern::selection_matches;
use super::wire::{http_date, Request, Response, Text};

/// Per-request context: the request, its ids, and what the deployed stage offers.
struct Ctx<'a, 'r> {
    req: &'a Request<'r>,
    request_id: String,
    apigw_id: String,
    stage: Option<&'a Stage>,
    def: Option<&'a RestApiDefinition>,
}

/// Answers `req` for `api`; `path` is the request path below the API (starting with the stage).
pub fn handle(api: &RestApi, backends: &Backends, path: &str, req: &Request<'_>) -> Response {
    let (request_id, apigw_id) = request_ids();
    let mut ctx = Ctx {
        req,
        request_id,
        apigw_id,
        stage: None,
        def: None,
    };
    let trimmed = path.trim_start_matches('/');
    let (stage_name, rest) = match trimmed.find('/') {
        Some(i) => (&trimmed[..i], &trimmed[i..]),
        None => (trimmed, "/"),
    };
    // Unknown stage, or a stage without a deployment: nothing is served there.
    let (Some(stage), Some(def)) = (api.stage(stage_name), api.deployed(stage_name)) else {
        return gateway_response(&ctx, GatewayResponseType::MissingAuthenticationToken, None);
    };
    ctx.stage = Some(stage);
    ctx.def = Some(def);

    let Some(resource) = most_specific(
        def.resources
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, match_template(&r.path, rest)?))),
    )
    .and_then(|i| def.resources.get(i)) else {
        return gateway_response(&ctx, GatewayResponseType::MissingAuthenticationToken, None);
    };
    let Some(method) = resource
        .resource_methods
        .get(req.method)
        .or_else(|| resource.resource_methods.get("ANY"))
    else {
        return gateway_response(&ctx, GatewayResponseType::MissingAuthenticationToken, None);
    };

    if throttled(stage, &resource.path, req.method) {
        return gateway_response(&ctx, GatewayResponseType::Throttled, None);
    }
    if let Some(failure) = authorize(&ctx, def, method, backends) {
        return gateway_response(&ctx, failure, None);
    }
    if method.api_key_required
        && def.api_key_source == crate::apigw::rest::ApiKeySource::Header
        && req.header("x-api-key").is_none_or(str::is_empty)
    {
        return gateway_response(&ctx, GatewayResponseType::InvalidApiKey, None);
    }
    let Some(integration) = &method.method_integration else {
        return gateway_response(&ctx, GatewayResponseType::ApiConfigurationError, None);
    };
    integrate(&ctx, def, integration, backends)
}

/// Stage throttling: a matching method setting with `throttlingBurstLimit: 0` rejects every
/// request (a burst of zero admits nothing). Rate-based throttling is not simulated.
fn throttled(stage: &Stage, resource_path: &str, method: &str) -> bool {
    let want = resource_path.trim_start_matches('/');
    stage.method_settings.iter().any(|(key, setting)| {
        let key = key.replace("~1", "/");
        let key = key.trim_start_matches('/');
        let applies = key == "*/*"
            || key
                .rsplit_once('/')
                .is_some_and(|(p, m)| p == want && (m == method || m == "*"));
        applies && setting.throttling_burst_limit == Some(0)
    })
}

fn authorize(
    ctx: &Ctx<'_, '_>,
    def: &RestApiDefinition,
    method: &Method,
    backends: &Backends,
) -> Option<GatewayResponseType> {
    let req = ctx.req;
    match method.authorization_type {
        AuthorizationType::None => None,
        AuthorizationType::AwsIam => {
            // An unsigned request to an IAM-protected method is answered like a missing route.
            req.header("authorization")
                .is_none()
                .then_some(GatewayResponseType::MissingAuthenticationToken)
        }
        AuthorizationType::Custom | AuthorizationType::CognitoUserPools => {
            let authorizer = method
                .authorizer_id
                .as_deref()
                .and_then(|id| def.authorizer(id));
            let Some(authorizer) = authorizer else {
                return Some(GatewayResponseType::AuthorizerConfigurationError);
            };
            let sources = authorizer
                .identity_source
                .as_deref()
                .unwrap_or("method.request.header.Authorization");
            let mut token = None;
            for source in sources.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let value = resolve_request_value(req, source, ctx.stage.map(|s| &s.variables));
                match value {
                    Some(v) if !v.is_empty() => token = token.or(Some(v)),
                    // Identity source missing: 401 without invoking the authorizer
                    // (awsdocs/amazon-api-gateway-developer-guide PR #152).
                    _ => return Some(GatewayResponseType::Unauthorized),
                }
            }
            let behaviour = backends
                .authorizers
                .get(&authorizer.id)
                .cloned()
                .unwrap_or_default();
            match behaviour {
                AuthorizerBehavior::Allow => None,
                AuthorizerBehavior::Deny => Some(GatewayResponseType::AccessDenied),
                AuthorizerBehavior::AllowTokens { tokens } => {
                    let ok = token.is_some_and(|t| tokens.iter().any(|x| x == &t));
                    (!ok).then_some(GatewayResponseType::Unauthorized)
                }
            }
        }
    }
}

/// Resolves `method.request.header.X`, `method.request.querystring.X` and `stageVariables.X`.
fn resolve_request_value(
    req: &Request<'_>,
    expr: &str,
    stage_vars: Option<&BTreeMap<String, String>>,
) -> Option<String> {
    if let Some(name) = expr.strip_prefix("method.request.header.") {
        return req.header(name).map(str::to_string);
    }
    if let Some(name) = expr.strip_prefix("method.request.querystring.") {
        return req.query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == name).then(|| v.to_string())
        });
    }
    if let Some(name) = expr.strip_prefix("stageVariables.") {
        return stage_vars.and_then(|v| v.get(name)).cloned();
    }
    None
}

/// Resolves a `responseParameters` value: a `'static'` literal or a mapping expression.
fn resolve_value(
    ctx: &Ctx<'_, '_>,
    expr: &str,
    integration_headers: &[(String, String)],
) -> Option<String> {
    let expr = expr.trim();
    if expr.len() >= 2 && expr.starts_with('\'') && expr.ends_with('\'') {
        return Some(expr[1..expr.len() - 1].to_string());
    }
    if let Some(name) = expr.strip_prefix("integration.response.header.") {
        return integration_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone());
    }
    if expr == "context.requestId" {
        return Some(ctx.request_id.clone());
    }
    resolve_request_value(ctx.req, expr, ctx.stage.map(|s| &s.variables))
}

/// Starts a response with the headers API Gateway puts first on every REST answer.
fn base(ctx: &Ctx<'_, '_>, status: u16, content_type: Text, body: Vec<u8>) -> Response {
    let mut r = Response {
        status,
        headers: Vec::with_capacity(10),
        body,
    };
    r.push("Date", http_date());
    r.push("Content-Type", content_type);
    r.push("Content-Length", r.body.len().to_string());
    r.push("Connection", "keep-alive");
    r.push("x-amzn-RequestId", ctx.request_id.clone());
    r
}

/// Renders gateway response `t` from the deployed snapshot (see the module doc).
fn gateway_response(ctx: &Ctx<'_, '_>, t: GatewayResponseType, status: Option<u16>) -> Response {
    let custom = ctx.def.and_then(|d| {
        d.gateway_response(t)
            .filter(|g| !g.default_response)
            .or_else(|| {
                d.gateway_response(t.fallback())
                    .filter(|g| !g.default_response)
            })
    });
    let status = status
        .or_else(|| {
            custom
                .and_then(|g| g.status_code.as_deref())
                .and_then(|s| s.parse().ok())
        })
        .or(t.default_status())
        .unwrap_or(500);
    let template = custom
        .and_then(|g| {
            g.response_templates
                .get("application/json")
                .or_else(|| g.response_templates.values().next())
        })
        .map(String::as_str)
        .unwrap_or("{\"message\":$context.error.messageString}");
    let message = t.message();
    let body = template
        .replace("$context.error.messageString", &format!("\"{message}\""))
        .replace("$context.error.message", message)
        .replace("$context.error.responseType", &format!("{t:?}"))
        .replace("$context.requestId", &ctx.request_id);
    let mut r = base(ctx, status, "application/json".into(), body.into_bytes());
    if let Some(custom) = custom {
        for (key, expr) in &custom.response_parameters {
            if let Some(name) = key.strip_prefix("gatewayresponse.header.") {
                if let Some(value) = resolve_value(ctx, expr, &[]) {
                    r.push(name.to_string(), value);
                }
            }
        }
    }
    if let Some(error_type) = t.error_type() {
        r.push("x-amzn-ErrorType", error_type);
    }
    r.push("x-amz-apigw-id", ctx.apigw_id.clone());
    r
}

fn media_essence(content_type: Option<&str>) -> Option<String> {
    content_type.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}

/// Whether `binaryMediaTypes` makes API Gateway treat the request payload as binary.
fn is_binary(binary_media_types: &[String], content_type: Option<&str>) -> bool {
    let essence = media_essence(content_type);
    binary_media_types.iter().any(|t| {
        let t = t.trim().to_ascii_lowercase();
        if t == "*/*" {
            return true;
        }
        let Some(ct) = &essence else { return false };
        match t.strip_suffix("/*") {
            Some(major) => ct.split('/').next() == Some(major),
            None => *ct == t,
        }
    })
}

/// The status code a MOCK request template yields: `"statusCode": N`.
fn template_status(template: &str) -> Option<u16> {
    let at = template.find("\"statusCode\"")? + "\"statusCode\"".len();
    let rest = template[at..].trim_start().strip_prefix(':')?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn select_response<'i>(integration: &'i Integration, key: &str) -> Option<&'i IntegrationResponse> {
    let responses = integration.integration_responses.values();
    responses
        .clone()
        .find(|r| {
            r.selection_pattern
                .as_deref()
                .is_some_and(|p| !p.is_empty() && selection_matches(p, key))
        })
        .or_else(|| {
            responses
                .clone()
                .find(|r| r.selection_pattern.as_deref().is_none_or(str::is_empty))
        })
}

/// What the simulated backend produced for a non-MOCK integration.
enum Outcome {
    Response {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    LambdaError(String),
    Malformed,
    Timeout,
}

fn call_backend(ctx: &Ctx<'_, '_>, integration: &Integration, backends: &Backends) -> Outcome {
    let default = Backend::default();
    let backend = integration
        .uri
        .as_deref()
        .and_then(|u| backends.integrations.get(u))
        .unwrap_or(&default);
    let origin = ctx.req.header("origin");
    let substitute = |name: &str, value: &str| -> Option<(String, String)> {
        if value == ORIGIN_PLACEHOLDER {
            origin.map(|o| (name.to_string(), o.to_string()))
        } else {
            Some((name.to_string(), value.to_string()))
        }
    };
    match backend {
        Backend::LambdaProxy(r) => {
            if r.status_code == 0 {
                return Outcome::Malformed;
            }
            let mut headers: Vec<(String, String)> = r
                .headers
                .iter()
                .filter_map(|(k, v)| substitute(k, v))
                .collect();
            for (k, values) in &r.multi_value_headers {
                headers.extend(values.iter().filter_map(|v| substitute(k, v)));
            }
            Outcome::Response {
                status: r.status_code,
                headers,
                body: r.body.clone(),
            }
        }
        Backend::Http {
            status,
            headers,
            body,
        } => Outcome::Response {
            status: *status,
            headers: headers
                .iter()
                .filter_map(|(k, v)| substitute(k, v))
                .collect(),
            body: body.clone(),
        },
        Backend::Crash { error_message } => Outcome::LambdaError(error_message.clone()),
        Backend::MalformedProxyResponse => Outcome::Malformed,
        Backend::Timeout => Outcome::Timeout,
    }
}

fn integrate(
    ctx: &Ctx<'_, '_>,
    def: &RestApiDefinition,
    integration: &Integration,
    backends: &Backends,
) -> Response {
    let content_type = ctx.req.header("content-type");
    if !integration.integration_type.is_proxy()
        && is_binary(&def.binary_media_types, content_type)
        && integration.content_handling != Some(ContentHandling::ConvertToText)
        && !integration.request_templates.is_empty()
    {
        // "Execution failed due to configuration error: Unable to transform request".
        return gateway_response(ctx, GatewayResponseType::ApiConfigurationError, None);
    }

    if integration.integration_type == IntegrationType::Mock {
        let essence = media_essence(content_type).unwrap_or_else(|| "application/json".into());
        let status = match integration.request_templates.get(&essence) {
            Some(template) => template_status(template),
            None if integration.passthrough_behavior.as_deref() == Some("NEVER") => {
                return gateway_response(ctx, GatewayResponseType::UnsupportedMediaType, None)
            }
            // Passthrough: the body itself must carry the statusCode.
            None => template_status(&String::from_utf8_lossy(ctx.req.body)),
        };
        let Some(status) = status else {
            // "statusCode should be an integer which defined in request template".
            return gateway_response(ctx, GatewayResponseType::ApiConfigurationError, None);
        };
        return mapped_response(ctx, integration, &status.to_string(), &[], String::new());
    }

    let outcome = call_backend(ctx, integration, backends);
    if integration.integration_type.is_proxy() {
        return match outcome {
            Outcome::Response {
                status,
                headers,
                body,
            } => proxy_response(ctx, status, headers, body),
            // "Malformed Lambda proxy response" / function error: 502 (aws-and-peers.md §A.4).
            Outcome::LambdaError(_) | Outcome::Malformed => {
                gateway_response(ctx, GatewayResponseType::Default5xx, Some(502))
            }
            Outcome::Timeout => {
                gateway_response(ctx, GatewayResponseType::IntegrationTimeout, None)
            }
        };
    }
    match outcome {
        Outcome::Response {
            status,
            headers,
            body,
        } => mapped_response(ctx, integration, &status.to_string(), &headers, body),
        Outcome::LambdaError(message) => {
            mapped_response(ctx, integration, &message, &[], message.clone())
        }
        Outcome::Malformed => {
            gateway_response(ctx, GatewayResponseType::ApiConfigurationError, None)
        }
        Outcome::Timeout => gateway_response(ctx, GatewayResponseType::IntegrationTimeout, None),
    }
}

/// A non-proxy answer: the selected integration response's status, mapped headers and template.
fn mapped_response(
    ctx: &Ctx<'_, '_>,
    integration: &Integration,
    key: &str,
    backend_headers: &[(String, String)],
    backend_body: String,
) -> Response {
    let Some(selected) = select_response(integration, key) else {
        // No integration response matches and none is the default.
        return gateway_response(ctx, GatewayResponseType::ApiConfigurationError, None);
    };
    let Ok(status) = selected.status_code.parse::<u16>() else {
        return gateway_response(ctx, GatewayResponseType::ApiConfigurationError, None);
    };
    let body = selected
        .response_templates
        .get("application/json")
        .or_else(|| selected.response_templates.values().next())
        .cloned()
        .unwrap_or(backend_body);
    let mut r = base(ctx, status, "application/json".into(), body.into_bytes());
    for (key, expr) in &selected.response_parameters {
        if let Some(name) = key.strip_prefix("method.response.header.") {
            if let Some(value) = resolve_value(ctx, expr, backend_headers) {
                r.push(name.to_string(), value);
            }
        }
    }
    r.push("x-amz-apigw-id", ctx.apigw_id.clone());
    r
}

/// A proxy answer: API Gateway's own headers, then exactly the backend's header lines.
fn proxy_response(
    ctx: &Ctx<'_, '_>,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
) -> Response {
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| Text::from(v.clone()))
        .unwrap_or(Text::Borrowed("application/json"));
    let mut r = base(ctx, status, content_type, body.into_bytes());
    for (name, value) in headers {
        let hoisted = ["content-type", "content-length", "connection", "date"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h));
        if !hoisted {
            r.push(name, value);
        }
    }
    r.push("x-amz-apigw-id", ctx.apigw_id.clone());
    r.push(
        "X-Amzn-Trace-Id",
        format!("Root=1-{}", &ctx.request_id[..8]),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_binary_star_matches_requests_without_content_type() {
        assert!(is_binary(&["*/*".into()], None));
        assert!(!is_binary(&["image/*".into()], None));
        assert!(is_binary(&["image/*".into()], Some("image/png")));
        assert!(!is_binary(
            &["image/png".into()],
            Some("application/json; charset=utf-8")
        ));
    }

    #[test]
    fn template_status_reads_console_template() {
        assert_eq!(template_status("{\"statusCode\": 200}"), Some(200));
        assert_eq!(template_status("{ \"statusCode\" :204 }"), Some(204));
        assert_eq!(template_status("{}"), None);
    }
}
