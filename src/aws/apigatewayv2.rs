//! HTTP APIs (API Gateway v2) through `aws-sdk-apigatewayv2`: the API-level CorsConfiguration,
//! routes (`$default`, `ANY`, `OPTIONS`) and their authorizers (steps 2, 5), integrations (for
//! application log groups), the stage (step 1) and its deployment (step 8).
//!
//! It must not diagnose; it records what AWS says. moto 5.2.5 implements no `GetAuthorizers` and
//! no deployments for HTTP APIs: the authorizer list falls back to one `GetAuthorizer` per id the
//! routes reference, and deployments become "not collected" with the reason.

use aws_sdk_apigatewayv2::types as t;

use super::evidence::{
    AccessLogSettings, ApiConfiguration, ApiIdentity, Collected, CorsConfiguration,
    DeploymentEvidence, DeploymentFacts, Failure, HttpApiConfig, HttpAuthorizer, HttpIntegration,
    HttpRoute, StageFacts,
};
use super::{apigw_arn, classify, rfc3339, Clients, FailureKind};

/// What the collector found (the same shape for both API types).
pub type HttpCollected = super::ApiCollected;

/// Places the findings into the evidence.
pub use super::fill_api as fill;

/// Reads an HTTP API's configuration, stage and deployment, with independent calls concurrent.
pub async fn collect_http(clients: &Clients, api: &ApiIdentity, stage: &str) -> HttpCollected {
    let c = &clients.apigatewayv2;
    let id = api.id.as_str();
    let arn = |p: &str| apigw_arn(&clients.region, &format!("/apis/{id}{p}"));

    let get_api = async {
        c.get_api()
            .api_id(id)
            .send()
            .await
            .map_err(|e| classify(&e, "apigateway:GET", &arn("")))
    };
    let routes = async {
        let mut out = all_pages(|token| async move {
            let page = c
                .get_routes()
                .api_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| classify(&e, "apigateway:GET", &arn("/routes")))?;
            let items = page.items().iter().map(http_route).collect();
            Ok((items, page.next_token().map(str::to_string)))
        })
        .await?;
        out.sort_by(|a, b| a.route_key.cmp(&b.route_key));
        Ok::<_, Failure>(out)
    };
    let integrations = async {
        let mut out = all_pages(|token| async move {
            let page = c
                .get_integrations()
                .api_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| classify(&e, "apigateway:GET", &arn("/integrations")))?;
            let items = page
                .items()
                .iter()
                .map(|i| HttpIntegration {
                    integration_id: i.integration_id().unwrap_or_default().to_string(),
                    integration_type: i.integration_type().map(|t| t.as_str().to_string()),
                    integration_uri: i.integration_uri().map(str::to_string),
                    payload_format_version: i.payload_format_version().map(str::to_string),
                })
                .collect();
            Ok((items, page.next_token().map(str::to_string)))
        })
        .await?;
        out.sort_by(|a, b| a.integration_id.cmp(&b.integration_id));
        Ok::<_, Failure>(out)
    };
    let authorizers = async {
        let out = all_pages(|token| async move {
            let page = c
                .get_authorizers()
                .api_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| classify(&e, "apigateway:GET", &arn("/authorizers")))?;
            let items = page.items().iter().map(http_authorizer).collect();
            Ok((items, page.next_token().map(str::to_string)))
        })
        .await?;
        Ok::<_, Failure>(out)
    };
    let stage_call = async {
        c.get_stage()
            .api_id(id)
            .stage_name(stage)
            .send()
            .await
            .map_err(|e| classify(&e, "apigateway:GET", &arn(&format!("/stages/{stage}"))))
    };
    let deployments = async {
        let mut out = all_pages(|token| async move {
            let page = c
                .get_deployments()
                .api_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| classify(&e, "apigateway:GET", &arn("/deployments")))?;
            let items = page
                .items()
                .iter()
                .map(|d| DeploymentFacts {
                    id: d.deployment_id().unwrap_or_default().to_string(),
                    created: d.created_date().map(rfc3339),
                    description: d.description().map(str::to_string),
                    status: d.deployment_status().map(|s| s.as_str().to_string()),
                    auto_deployed: d.auto_deployed(),
                    api_summary: None,
                })
                .collect();
            Ok((items, page.next_token().map(str::to_string)))
        })
        .await?;
        out.sort_by(|a, b| b.created.cmp(&a.created));
        Ok::<_, Failure>(out)
    };

    let (api_out, routes, integrations, authorizers, stage_out, deployments) = tokio::join!(
        get_api,
        routes,
        integrations,
        authorizers,
        stage_call,
        deployments
    );

    // GetAuthorizers failed for a reason other than permissions (moto does not implement it):
    // read the authorizers the routes reference one by one.
    let authorizers = match (authorizers, &routes) {
        (Err(f), Ok(routes))
            if f.kind != FailureKind::MissingPermission && f.kind != FailureKind::Credentials =>
        {
            let mut ids: Vec<&str> = routes
                .iter()
                .filter_map(|r| r.authorizer_id.as_deref())
                .collect();
            ids.sort();
            ids.dedup();
            let mut out = Vec::new();
            let mut failure = None;
            for aid in ids {
                match c
                    .get_authorizer()
                    .api_id(id)
                    .authorizer_id(aid)
                    .send()
                    .await
                {
                    Ok(a) => out.push(HttpAuthorizer {
                        authorizer_id: a.authorizer_id().unwrap_or(aid).to_string(),
                        name: a.name().map(str::to_string),
                        authorizer_type: a.authorizer_type().map(|t| t.as_str().to_string()),
                        identity_source: a.identity_source().to_vec(),
                        jwt_issuer: a
                            .jwt_configuration()
                            .and_then(|j| j.issuer())
                            .map(str::to_string),
                        jwt_audience: a
                            .jwt_configuration()
                            .map(|j| j.audience().to_vec())
                            .unwrap_or_default(),
                    }),
                    Err(e) => {
                        failure = Some(classify(
                            &e,
                            "apigateway:GET",
                            &arn(&format!("/authorizers/{aid}")),
                        ))
                    }
                }
            }
            match failure {
                Some(f) => Err(f),
                None => Ok(out),
            }
        }
        (other, _) => other,
    };

    let config = match api_out {
        Ok(a) => Collected::present(ApiConfiguration::Http(HttpApiConfig {
            id: id.to_string(),
            name: a.name().map(str::to_string),
            protocol_type: a.protocol_type().map(|p| p.as_str().to_string()),
            api_endpoint: a.api_endpoint().map(str::to_string),
            disable_execute_api_endpoint: a.disable_execute_api_endpoint().unwrap_or(false),
            cors: match a.cors_configuration() {
                Some(c) => Collected::present(cors(c)),
                None => Collected::absent(
                    "no CorsConfiguration: API Gateway answers no preflight itself and routes OPTIONS like any other method",
                ),
            },
            routes: match routes {
                Ok(v) if v.is_empty() => Collected::absent("the API has no routes"),
                Ok(v) => Collected::present(v),
                Err(f) => Collected::not_collected(f),
            },
            integrations: match integrations {
                Ok(v) if v.is_empty() => Collected::absent("the API has no integrations"),
                Ok(v) => Collected::present(v),
                Err(f) => Collected::not_collected(f),
            },
            authorizers: match authorizers {
                Ok(mut v) => {
                    v.sort_by(|a, b| a.authorizer_id.cmp(&b.authorizer_id));
                    if v.is_empty() {
                        Collected::absent("no authorizers")
                    } else {
                        Collected::present(v)
                    }
                }
                Err(f) => Collected::not_collected(f),
            },
        })),
        Err(f) => Collected::not_collected(f),
    };

    let stage_facts = match stage_out {
        Ok(s) => Collected::present(StageFacts {
            name: s.stage_name().unwrap_or_default().to_string(),
            deployment_id: s
                .deployment_id()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            auto_deploy: s.auto_deploy(),
            last_deployment_status_message: s.last_deployment_status_message().map(str::to_string),
            access_log: s.access_log_settings().map(|a| AccessLogSettings {
                destination_arn: a.destination_arn().map(str::to_string),
                format: a.format().map(str::to_string),
            }),
            method_settings: Default::default(),
            detailed_metrics_enabled: s
                .default_route_settings()
                .and_then(|r| r.detailed_metrics_enabled()),
            web_acl_arn: None,
            variables: s
                .stage_variables()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            created: s.created_date().map(rfc3339),
            last_updated: s.last_updated_date().map(rfc3339),
        }),
        Err(f) if f.kind == FailureKind::NotFound => {
            Collected::absent(format!("stage {stage:?} does not exist on HTTP API {id}"))
        }
        Err(f) => Collected::not_collected(f),
    };

    let stage_deployment = match stage_facts.value().map(|s| s.deployment_id.clone()) {
        Some(Some(dep_id)) => match c.get_deployment().api_id(id).deployment_id(&dep_id).send().await {
            Ok(d) => Collected::present(DeploymentFacts {
                id: dep_id.clone(),
                created: d.created_date().map(rfc3339),
                description: d.description().map(str::to_string),
                status: d.deployment_status().map(|s| s.as_str().to_string()),
                auto_deployed: d.auto_deployed(),
                api_summary: None,
            }),
            Err(e) => Collected::not_collected(classify(&e, "apigateway:GET", &arn(&format!("/deployments/{dep_id}")))),
        },
        Some(None) => Collected::absent("the stage has no deploymentId (nothing deployed yet, or a stand-in without deployments)"),
        None => match &stage_facts {
            Collected::Absent { reason } => Collected::absent(reason.clone()),
            Collected::NotCollected { why } => Collected::not_collected(why.clone()),
            Collected::Present { .. } => Collected::absent("no deployment"),
        },
    };
    let newer_than_stage = match (&stage_deployment, &deployments) {
        (Collected::Present { value: live }, Ok(all)) => all
            .iter()
            .filter(|d| d.created > live.created && d.id != live.id)
            .map(|d| d.id.clone())
            .collect(),
        _ => Vec::new(),
    };
    let deployment = Collected::present(DeploymentEvidence {
        stage_deployment,
        deployments: match deployments {
            Ok(v) if v.is_empty() => Collected::absent("the API has no deployments"),
            Ok(v) => Collected::present(v),
            Err(f) => Collected::not_collected(f),
        },
        newer_than_stage,
        drift: Collected::not_collected(Failure::skipped(
            "HTTP API deployments carry no method snapshot; compare the deployment time with changes_since_deployment",
        )),
        export: Collected::not_collected(Failure::skipped("not read for HTTP APIs: CORS is API-level configuration")),
        changes_since_deployment: Vec::new(),
    });
    HttpCollected {
        config,
        stage: stage_facts,
        deployment,
    }
}

fn cors(c: &t::Cors) -> CorsConfiguration {
    CorsConfiguration {
        allow_origins: c.allow_origins().to_vec(),
        allow_methods: c.allow_methods().to_vec(),
        allow_headers: c.allow_headers().to_vec(),
        expose_headers: c.expose_headers().to_vec(),
        allow_credentials: c.allow_credentials(),
        max_age: c.max_age(),
    }
}

fn http_route(r: &t::Route) -> HttpRoute {
    HttpRoute {
        route_id: r.route_id().map(str::to_string),
        route_key: r.route_key().unwrap_or_default().to_string(),
        authorization_type: r.authorization_type().map(|a| a.as_str().to_string()),
        authorizer_id: r.authorizer_id().map(str::to_string),
        authorization_scopes: r.authorization_scopes().to_vec(),
        api_key_required: r.api_key_required().unwrap_or(false),
        target: r.target().map(str::to_string),
    }
}

fn http_authorizer(a: &t::Authorizer) -> HttpAuthorizer {
    HttpAuthorizer {
        authorizer_id: a.authorizer_id().unwrap_or_default().to_string(),
        name: a.name().map(str::to_string),
        authorizer_type: a.authorizer_type().map(|t| t.as_str().to_string()),
        identity_source: a.identity_source().to_vec(),
        jwt_issuer: a
            .jwt_configuration()
            .and_then(|j| j.issuer())
            .map(str::to_string),
        jwt_audience: a
            .jwt_configuration()
            .map(|j| j.audience().to_vec())
            .unwrap_or_default(),
    }
}

/// Follows `next_token` until the last page; `fetch` gets the token and returns the page's items
/// and the next token.
async fn all_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, Failure>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), Failure>>,
{
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let (items, next) = fetch(token).await?;
        out.extend(items);
        match next {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}
