//! The built-in demo: a few API Gateway APIs, configured the way real projects misconfigure them
//! (aws-and-peers.md §A.6) next to healthy routes, all on one loopback port (path-based routing:
//! `http://127.0.0.1:PORT/{mount}/...`).
//!
//! | mount | API | stage(s) |
//! |---|---|---|
//! | `rest` | REST API `demorest01` ("demo-rest") | `prod` (deployment `d2`; draft has an undeployed fix) |
//! | `gwcors` | REST API `demogwc001` with DEFAULT_4XX carrying CORS headers | `prod` |
//! | `binary` | REST API `demobin001` with `binaryMediaTypes: ["*/*"]` | `prod` |
//! | `http` | HTTP API `demohttp01` with a CORS configuration (credentials allowed) | `$default` (auto-deploy) |
//! | `httpauth` | HTTP API `demohttp02`: CORS configured, `ANY /{proxy+}` with a JWT authorizer | `$default` |
//! | `httpnocors` | HTTP API `demohttp03` without CORS configuration | `$default` |
//!
//! The routes, the request a page at `https://app.example.com` makes to each, and what the
//! browser decides are listed by [`demo_routes`] (the source of `probes/demo.toml`):
//!
//! | path | request | reproduces | wire (preflight / actual) | browser |
//! |---|---|---|---|---|
//! | `/rest/prod/healthy` | GET | healthy REST route | – / 200 + ACAO | allowed |
//! | `/rest/prod/healthy` | POST JSON | healthy MOCK OPTIONS + Lambda proxy returning ACAO | 200 / 200 | allowed |
//! | `/rest/prod/healthy` | POST JSON + `X-Trace-Id` | custom header not in Allow-Headers (story 12) | 200 / – | blocked `HeaderDisallowedByPreflightResponse` |
//! | `/rest/prod/no-options` | POST JSON | no OPTIONS method: 403 MissingAuthenticationToken (story 11) | 403 / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/rest/prod/forgot-headers` | POST JSON | Lambda proxy forgets ACAO (story 1) | 200 / 200 | blocked `MissingAllowOriginHeader` |
//! | `/rest/prod/private` | GET + `Authorization: Bearer wrong` | authorizer 401 without CORS headers (story 2) | 200 / 401 | blocked `MissingAllowOriginHeader` |
//! | `/rest/prod/private` | GET + `Authorization: Bearer demo-token` | authorized request | 200 / 200 | allowed |
//! | `/gwcors/prod/private` | GET + `Authorization: Bearer wrong` | DEFAULT_4XX with CORS headers: readable 401 | 200 / 401 | allowed (script sees 401) |
//! | `/rest/prod/authorized-options` | POST JSON | authorizer on OPTIONS (story 3) | 401 / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/rest/prod/api-key-options` | POST JSON + `X-Api-Key` | apiKeyRequired on OPTIONS (story 4) | 403 / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/rest/prod/throttled` | GET | THROTTLED 429 without CORS headers | – / 429 | blocked `MissingAllowOriginHeader` |
//! | `/rest/prod/slow` | GET | INTEGRATION_TIMEOUT 504 without CORS headers | – / 504 | blocked `MissingAllowOriginHeader` |
//! | `/rest/prod/crash` | GET | Lambda crash → 502 without CORS headers (story 10) | – / 502 | blocked `MissingAllowOriginHeader` |
//! | `/rest/prod/double-origin` | GET | two ACAO lines (`headers` + `multiValueHeaders`, story 13) | – / 200 | blocked `MultipleAllowOriginValues` |
//! | `/rest/prod/wildcard-credentials` | GET, credentials include | backend returns `*` + ACAC true | – / 200 | blocked `WildcardOriginNotAllowed` |
//! | `/rest/prod/multi-origin` | POST JSON | two origins in one static header (story 7) | 200 / – | blocked `PreflightMultipleAllowOriginValues` |
//! | `/rest/prod/dev-origin` | POST JSON | static ACAO left at `http://localhost:3000` | 200 / – | blocked `PreflightAllowOriginMismatch` |
//! | `/rest/prod/bad-template` | POST JSON | MOCK request template without statusCode (story 14) | 500 / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/rest/prod/not-deployed` | POST JSON | OPTIONS added in the draft, never deployed (story 5) | 403 / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/rest/dev/healthy` | GET | stage that does not exist (story 11) | – / 403 | blocked `MissingAllowOriginHeader` |
//! | `/binary/prod/items` | POST JSON | `binaryMediaTypes: */*` breaks MOCK OPTIONS (story 6) | 500 / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/binary/prod/fixed` | POST JSON | same, with `contentHandling: CONVERT_TO_TEXT` | 200 / 200 | allowed |
//! | `/http/items` | POST JSON, credentials include | HTTP API CORS config answers the preflight (204) | 204 / 200 | allowed |
//! | `/http/items` | POST JSON from `http://app.example.com` | origin differs by scheme | 204 (no ACAO) / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/http/items` | POST JSON from `https://app.example.com:3000` | origin differs by port | 204 (no ACAO) / – | blocked `PreflightMissingAllowOriginHeader` |
//! | `/httpauth/orders` | POST JSON | `ANY /{proxy+}` + JWT authorizer swallows the preflight (story 9) | 401 + ACAO / – | blocked `PreflightInvalidStatus` |
//! | `/httpnocors/items` | POST JSON | HTTP API without CORS configuration: OPTIONS → 404 | 404 / – | blocked `PreflightMissingAllowOriginHeader` |
//!
//! "POST JSON" means `fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}})`,
//! which needs a preflight. The HTTP API's 204 without CORS headers for a non-matching origin is
//! an emulator choice ([`super::httpapi`]).

use crate::apigw::backend::LambdaProxyResponse;
use crate::apigw::http::{CorsConfiguration, HttpAuthorizationType, HttpAuthorizer};
use crate::apigw::rest::{
    AuthorizationType, Authorizer, AuthorizerType, ContentHandling, Integration, IntegrationType,
    Method, MethodSetting,
};
use crate::apigw::{
    Api, AuthorizerBehavior, Backend, Backends, Emulation, GatewayResponseType, HostedApi, HttpApi,
    RestApi,
};

/// The page origin the demo is written for.
pub const DEMO_ORIGIN: &str = "https://app.example.com";

/// One demo request and what a browser decides about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoRoute {
    /// Path on the emulator (`/{mount}/...`).
    pub path: &'static str,
    /// Method of the page's fetch().
    pub method: &'static str,
    /// Request headers the page sets (they decide whether a preflight is sent).
    pub request_headers: &'static [(&'static str, &'static str)],
    /// fetch() credentials mode: `omit` or `include`.
    pub credentials: &'static str,
    /// The page's origin.
    pub origin: &'static str,
    /// What the route reproduces.
    pub reproduces: &'static str,
    /// Story number in aws-and-peers.md §A.6, when it reproduces one.
    pub story: Option<u8>,
    /// Status of the preflight the emulator answers; `None` when no preflight is needed.
    pub preflight_status: Option<u16>,
    /// Status of the actual response; `None` when the browser never sends it.
    pub actual_status: Option<u16>,
    /// Whether the browser blocks the request.
    pub blocked: bool,
    /// Chromium's CorsError (DevTools protocol name) when blocked.
    pub cors_error: Option<&'static str>,
}

const JSON: &[(&str, &str)] = &[("Content-Type", "application/json")];

#[allow(clippy::too_many_arguments)]
const fn row(
    path: &'static str,
    method: &'static str,
    request_headers: &'static [(&'static str, &'static str)],
    credentials: &'static str,
    origin: &'static str,
    reproduces: &'static str,
    story: Option<u8>,
    statuses: (Option<u16>, Option<u16>),
    cors_error: Option<&'static str>,
) -> DemoRoute {
    DemoRoute {
        path,
        method,
        request_headers,
        credentials,
        origin,
        reproduces,
        story,
        preflight_status: statuses.0,
        actual_status: statuses.1,
        blocked: cors_error.is_some(),
        cors_error,
    }
}

/// The demo's routes with the expected browser outcome (see the module doc's table).
pub fn demo_routes() -> Vec<DemoRoute> {
    const O: &str = DEMO_ORIGIN;
    vec![
        row(
            "/rest/prod/healthy",
            "GET",
            &[],
            "omit",
            O,
            "healthy REST route (simple request)",
            None,
            (None, Some(200)),
            None,
        ),
        row(
            "/rest/prod/healthy",
            "POST",
            JSON,
            "omit",
            O,
            "healthy MOCK OPTIONS + Lambda proxy returning ACAO",
            None,
            (Some(200), Some(200)),
            None,
        ),
        row(
            "/rest/prod/healthy",
            "POST",
            &[("Content-Type", "application/json"), ("X-Trace-Id", "t-1")],
            "omit",
            O,
            "custom request header missing from Access-Control-Allow-Headers",
            Some(12),
            (Some(200), None),
            Some("HeaderDisallowedByPreflightResponse"),
        ),
        row(
            "/rest/prod/no-options",
            "POST",
            JSON,
            "omit",
            O,
            "REST resource without an OPTIONS method: 403 MissingAuthenticationToken",
            Some(11),
            (Some(403), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/forgot-headers",
            "POST",
            JSON,
            "omit",
            O,
            "Lambda proxy backend forgets Access-Control-Allow-Origin",
            Some(1),
            (Some(200), Some(200)),
            Some("MissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/private",
            "GET",
            &[("Authorization", "Bearer wrong")],
            "omit",
            O,
            "authorizer rejects: UNAUTHORIZED gateway response without CORS headers",
            Some(2),
            (Some(200), Some(401)),
            Some("MissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/private",
            "GET",
            &[("Authorization", "Bearer demo-token")],
            "omit",
            O,
            "authorized request on the same route",
            None,
            (Some(200), Some(200)),
            None,
        ),
        row(
            "/gwcors/prod/private",
            "GET",
            &[("Authorization", "Bearer wrong")],
            "omit",
            O,
            "DEFAULT_4XX gateway response with CORS headers: the 401 is readable",
            Some(2),
            (Some(200), Some(401)),
            None,
        ),
        row(
            "/rest/prod/authorized-options",
            "POST",
            JSON,
            "omit",
            O,
            "Lambda authorizer on the OPTIONS method: preflight 401",
            Some(3),
            (Some(401), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/api-key-options",
            "POST",
            &[
                ("Content-Type", "application/json"),
                ("X-Api-Key", "demo-key"),
            ],
            "omit",
            O,
            "apiKeyRequired on the OPTIONS method: preflight 403 Forbidden",
            Some(4),
            (Some(403), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/throttled",
            "GET",
            &[],
            "omit",
            O,
            "THROTTLED gateway response (429) without CORS headers",
            None,
            (None, Some(429)),
            Some("MissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/slow",
            "GET",
            &[],
            "omit",
            O,
            "INTEGRATION_TIMEOUT gateway response (504) without CORS headers",
            None,
            (None, Some(504)),
            Some("MissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/crash",
            "GET",
            &[],
            "omit",
            O,
            "Lambda crash: 502 without CORS headers",
            Some(10),
            (None, Some(502)),
            Some("MissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/double-origin",
            "GET",
            &[],
            "omit",
            O,
            "two Access-Control-Allow-Origin lines (headers + multiValueHeaders)",
            Some(13),
            (None, Some(200)),
            Some("MultipleAllowOriginValues"),
        ),
        row(
            "/rest/prod/wildcard-credentials",
            "GET",
            &[],
            "include",
            O,
            "backend returns ACAO * with ACAC true; credentialed request",
            None,
            (None, Some(200)),
            Some("WildcardOriginNotAllowed"),
        ),
        row(
            "/rest/prod/multi-origin",
            "POST",
            JSON,
            "omit",
            O,
            "two origins written into one static Access-Control-Allow-Origin",
            Some(7),
            (Some(200), None),
            Some("PreflightMultipleAllowOriginValues"),
        ),
        row(
            "/rest/prod/dev-origin",
            "POST",
            JSON,
            "omit",
            O,
            "static ACAO left at the dev origin http://localhost:3000",
            None,
            (Some(200), None),
            Some("PreflightAllowOriginMismatch"),
        ),
        row(
            "/rest/prod/bad-template",
            "POST",
            JSON,
            "omit",
            O,
            "MOCK OPTIONS request template without statusCode: 500",
            Some(14),
            (Some(500), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/rest/prod/not-deployed",
            "POST",
            JSON,
            "omit",
            O,
            "OPTIONS fixed in the draft but never deployed",
            Some(5),
            (Some(403), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/rest/dev/healthy",
            "GET",
            &[],
            "omit",
            O,
            "stage that does not exist: 403 MissingAuthenticationToken",
            Some(11),
            (None, Some(403)),
            Some("MissingAllowOriginHeader"),
        ),
        row(
            "/binary/prod/items",
            "POST",
            JSON,
            "omit",
            O,
            "binaryMediaTypes */* breaks the MOCK OPTIONS: 500",
            Some(6),
            (Some(500), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/binary/prod/fixed",
            "POST",
            JSON,
            "omit",
            O,
            "binaryMediaTypes */* with contentHandling CONVERT_TO_TEXT on OPTIONS",
            Some(6),
            (Some(200), Some(200)),
            None,
        ),
        row(
            "/http/items",
            "POST",
            JSON,
            "include",
            O,
            "HTTP API CORS configuration answers the preflight itself (204)",
            None,
            (Some(204), Some(200)),
            None,
        ),
        row(
            "/http/items",
            "POST",
            JSON,
            "omit",
            "http://app.example.com",
            "origin differs from the configured one by scheme",
            None,
            (Some(204), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/http/items",
            "POST",
            JSON,
            "omit",
            "https://app.example.com:3000",
            "origin differs from the configured one by port",
            None,
            (Some(204), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
        row(
            "/httpauth/orders",
            "POST",
            JSON,
            "omit",
            O,
            "ANY /{proxy+} route with a JWT authorizer catches the preflight",
            Some(9),
            (Some(401), None),
            Some("PreflightInvalidStatus"),
        ),
        row(
            "/httpnocors/items",
            "POST",
            JSON,
            "omit",
            O,
            "HTTP API without CORS configuration: OPTIONS has no route (404)",
            None,
            (Some(404), None),
            Some("PreflightMissingAllowOriginHeader"),
        ),
    ]
}

fn lambda(name: &str) -> String {
    format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations")
}

const HEALTHY_CORS: &[(&str, &str)] = &[
    (
        "Access-Control-Allow-Headers",
        "Content-Type,Authorization,X-Api-Key",
    ),
    ("Access-Control-Allow-Methods", "GET,POST,OPTIONS"),
    ("Access-Control-Allow-Origin", DEMO_ORIGIN),
];

fn proxy_method(http_method: &str, function: &str) -> Method {
    Method::new(
        http_method,
        Integration::proxy(IntegrationType::AwsProxy, &lambda(function)),
    )
}

fn put(api: &mut RestApi, path: &str, method: Method) {
    api.resource_mut(path)
        .resource_methods
        .insert(method.http_method.clone(), method);
}

fn rest_api(backends: &mut Backends) -> RestApi {
    let mut api = RestApi::new("demorest01", "demo-rest");
    api.draft.authorizers.push(Authorizer {
        id: "auth01".into(),
        name: "token-authorizer".into(),
        authorizer_type: AuthorizerType::Token,
        identity_source: Some("method.request.header.Authorization".into()),
        authorizer_uri: Some(lambda("authorizer")),
    });
    backends.authorizers.insert(
        "auth01".into(),
        AuthorizerBehavior::AllowTokens {
            tokens: vec!["Bearer demo-token".into()],
        },
    );
    let good = LambdaProxyResponse::ok(&[
        ("Access-Control-Allow-Origin", DEMO_ORIGIN),
        ("Vary", "Origin"),
    ]);
    backends
        .integrations
        .insert(lambda("healthy"), Backend::LambdaProxy(good));
    backends.integrations.insert(
        lambda("forgetful"),
        Backend::LambdaProxy(LambdaProxyResponse::ok(&[])),
    );

    put(&mut api, "/healthy", Method::cors_options(HEALTHY_CORS));
    put(&mut api, "/healthy", proxy_method("GET", "healthy"));
    put(&mut api, "/healthy", proxy_method("POST", "healthy"));

    put(&mut api, "/no-options", proxy_method("POST", "healthy"));

    put(
        &mut api,
        "/forgot-headers",
        Method::cors_options(HEALTHY_CORS),
    );
    put(
        &mut api,
        "/forgot-headers",
        proxy_method("POST", "forgetful"),
    );

    put(&mut api, "/private", Method::cors_options(HEALTHY_CORS));
    let mut private = proxy_method("GET", "healthy");
    private.authorization_type = AuthorizationType::Custom;
    private.authorizer_id = Some("auth01".into());
    put(&mut api, "/private", private);

    let mut options = Method::cors_options(HEALTHY_CORS);
    options.authorization_type = AuthorizationType::Custom;
    options.authorizer_id = Some("auth01".into());
    put(&mut api, "/authorized-options", options);
    put(
        &mut api,
        "/authorized-options",
        proxy_method("POST", "healthy"),
    );

    let mut options = Method::cors_options(HEALTHY_CORS);
    options.api_key_required = true;
    put(&mut api, "/api-key-options", options);
    put(
        &mut api,
        "/api-key-options",
        proxy_method("POST", "healthy"),
    );

    put(&mut api, "/throttled", proxy_method("GET", "healthy"));
    put(&mut api, "/slow", proxy_method("GET", "slow"));
    backends
        .integrations
        .insert(lambda("slow"), Backend::Timeout);
    put(&mut api, "/crash", proxy_method("GET", "crash"));
    backends.integrations.insert(
        lambda("crash"),
        Backend::Crash {
            error_message: "TypeError: x is undefined".into(),
        },
    );

    let mut double = LambdaProxyResponse::ok(&[("Access-Control-Allow-Origin", "*")]);
    double.multi_value_headers.insert(
        "Access-Control-Allow-Origin".into(),
        vec![DEMO_ORIGIN.into()],
    );
    backends
        .integrations
        .insert(lambda("double"), Backend::LambdaProxy(double));
    put(&mut api, "/double-origin", proxy_method("GET", "double"));

    let wildcard = LambdaProxyResponse::ok(&[
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    backends
        .integrations
        .insert(lambda("wildcard"), Backend::LambdaProxy(wildcard));
    put(
        &mut api,
        "/wildcard-credentials",
        proxy_method("GET", "wildcard"),
    );

    put(
        &mut api,
        "/multi-origin",
        Method::cors_options(&[
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Allow-Methods", "POST,OPTIONS"),
            (
                "Access-Control-Allow-Origin",
                "https://app.example.com,https://admin.example.com",
            ),
        ]),
    );
    put(&mut api, "/multi-origin", proxy_method("POST", "healthy"));

    put(
        &mut api,
        "/dev-origin",
        Method::cors_options(&[
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Allow-Methods", "POST,OPTIONS"),
            ("Access-Control-Allow-Origin", "http://localhost:3000"),
        ]),
    );
    put(&mut api, "/dev-origin", proxy_method("POST", "healthy"));

    let mut bad = Method::cors_options(HEALTHY_CORS);
    if let Some(integration) = bad.method_integration.as_mut() {
        integration
            .request_templates
            .insert("application/json".into(), "{}".into());
    }
    put(&mut api, "/bad-template", bad);
    put(&mut api, "/bad-template", proxy_method("POST", "healthy"));

    put(&mut api, "/not-deployed", proxy_method("POST", "healthy"));

    api.deploy("prod", "d1");
    api.deploy("prod", "d2");
    if let Some(stage) = api.stages.iter_mut().find(|s| s.stage_name == "prod") {
        stage.method_settings.insert(
            "/throttled/GET".into(),
            MethodSetting {
                throttling_burst_limit: Some(0),
                throttling_rate_limit: Some(0.0),
            },
        );
    }
    // The fix, made after the last deployment and never deployed.
    put(
        &mut api,
        "/not-deployed",
        Method::cors_options(HEALTHY_CORS),
    );
    api
}

fn gateway_cors_api() -> RestApi {
    let mut api = RestApi::new("demogwc001", "demo-gateway-responses-with-cors");
    api.draft.authorizers.push(Authorizer {
        id: "auth01".into(),
        name: "token-authorizer".into(),
        authorizer_type: AuthorizerType::Token,
        identity_source: Some("method.request.header.Authorization".into()),
        authorizer_uri: Some(lambda("authorizer")),
    });
    api.draft
        .gateway_responses
        .push(crate::apigw::rest::GatewayResponse::with_headers(
            GatewayResponseType::Default4xx,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ],
        ));
    api.draft
        .gateway_responses
        .push(crate::apigw::rest::GatewayResponse::with_headers(
            GatewayResponseType::Default5xx,
            &[("Access-Control-Allow-Origin", "*")],
        ));
    put(&mut api, "/private", Method::cors_options(HEALTHY_CORS));
    let mut private = proxy_method("GET", "healthy");
    private.authorization_type = AuthorizationType::Custom;
    private.authorizer_id = Some("auth01".into());
    put(&mut api, "/private", private);
    api.deploy("prod", "d1");
    api
}

fn binary_api() -> RestApi {
    let mut api = RestApi::new("demobin001", "demo-binary");
    api.draft.binary_media_types.push("*/*".into());
    put(&mut api, "/items", Method::cors_options(HEALTHY_CORS));
    put(&mut api, "/items", proxy_method("POST", "healthy"));
    let mut fixed = Method::cors_options(HEALTHY_CORS);
    if let Some(integration) = fixed.method_integration.as_mut() {
        integration.content_handling = Some(ContentHandling::ConvertToText);
    }
    put(&mut api, "/fixed", fixed);
    put(&mut api, "/fixed", proxy_method("POST", "healthy"));
    api.deploy("prod", "d1");
    api
}

fn http_api(backends: &mut Backends) -> HttpApi {
    let mut api = HttpApi::new("demohttp01", "demo-http");
    api.draft.cors_configuration = Some(CorsConfiguration {
        allow_origins: vec![DEMO_ORIGIN.into()],
        allow_methods: vec!["GET".into(), "POST".into(), "PUT".into(), "DELETE".into()],
        allow_headers: vec!["content-type".into(), "authorization".into()],
        expose_headers: vec!["x-request-id".into()],
        max_age: Some(300),
        allow_credentials: true,
    });
    // The backend's own `*` is ignored: API Gateway replaces it with the configured headers.
    let backend = LambdaProxyResponse::ok(&[
        ("Access-Control-Allow-Origin", "*"),
        ("x-request-id", "r-1"),
    ]);
    backends
        .integrations
        .insert(lambda("http-items"), Backend::LambdaProxy(backend));
    api.add_route("GET /items", "AWS_PROXY", &lambda("http-items"));
    api.add_route("POST /items", "AWS_PROXY", &lambda("http-items"));
    api
}

fn http_auth_api() -> HttpApi {
    let mut api = HttpApi::new("demohttp02", "demo-http-jwt");
    api.draft.cors_configuration = Some(CorsConfiguration {
        allow_origins: vec![DEMO_ORIGIN.into()],
        allow_methods: vec!["*".into()],
        allow_headers: vec!["content-type".into(), "authorization".into()],
        ..Default::default()
    });
    api.draft.authorizers.push(HttpAuthorizer {
        authorizer_id: "jwt01".into(),
        name: "cognito-jwt".into(),
        authorizer_type: "JWT".into(),
        identity_source: vec!["$request.header.Authorization".into()],
    });
    let route = api.add_route("ANY /{proxy+}", "AWS_PROXY", &lambda("http-items"));
    route.authorization_type = HttpAuthorizationType::Jwt;
    route.authorizer_id = Some("jwt01".into());
    api
}

fn http_no_cors_api() -> HttpApi {
    let mut api = HttpApi::new("demohttp03", "demo-http-no-cors");
    api.add_route("GET /items", "AWS_PROXY", &lambda("forgetful"));
    api.add_route("POST /items", "AWS_PROXY", &lambda("forgetful"));
    api
}

/// The demo configuration (see the module doc).
pub fn demo_emulation() -> Emulation {
    let mut backends = Backends::default();
    let rest = rest_api(&mut backends);
    let http = http_api(&mut backends);
    let hosted = |mount: &str, api: Api| HostedApi {
        mount: mount.into(),
        api,
    };
    Emulation {
        apis: vec![
            hosted("rest", Api::Rest(rest)),
            hosted("gwcors", Api::Rest(gateway_cors_api())),
            hosted("binary", Api::Rest(binary_api())),
            hosted("http", Api::Http(http)),
            hosted("httpauth", Api::Http(http_auth_api())),
            hosted("httpnocors", Api::Http(http_no_cors_api())),
        ],
        backends,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_emulation_is_valid_and_round_trips_through_json() {
        let demo = demo_emulation();
        assert_eq!(demo.validate(), Vec::<String>::new());
        let json = serde_json::to_string(&demo).unwrap_or_default();
        let back: Option<Emulation> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(demo));
    }

    #[test]
    fn demo_routes_use_existing_mounts_and_block_iff_an_error_is_named() {
        let demo = demo_emulation();
        for route in demo_routes() {
            let mount = route
                .path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("");
            assert!(demo.apis.iter().any(|a| a.mount == mount), "{}", route.path);
            assert_eq!(route.blocked, route.cors_error.is_some());
            assert!(route.preflight_status.is_some() || route.actual_status.is_some());
        }
    }

    #[test]
    fn demo_not_deployed_route_differs_between_draft_and_stage() {
        let demo = demo_emulation();
        let Some(Api::Rest(api)) = demo.apis.first().map(|h| &h.api) else {
            panic!("first demo API is the REST API");
        };
        let has_options = |def: &crate::apigw::rest::RestApiDefinition| {
            def.resources
                .iter()
                .any(|r| r.path == "/not-deployed" && r.resource_methods.contains_key("OPTIONS"))
        };
        assert!(has_options(&api.draft));
        assert!(api.deployed("prod").is_some_and(|d| !has_options(d)));
    }
}
