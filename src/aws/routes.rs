//! Route discovery: every route and method of the API with sample values for its path
//! parameters, so that later commands can probe each route. Pure: it reads the configuration the
//! API Gateway collectors produced and calls nothing.

use super::evidence::{ApiConfiguration, Collected, DiscoveredRoute, PathParameter};

/// Lists routes from the configuration, sorted by path then method.
pub fn discover(config: &Collected<ApiConfiguration>) -> Collected<Vec<DiscoveredRoute>> {
    let mut out = Vec::new();
    match config {
        Collected::Present {
            value: ApiConfiguration::Rest(rest),
        } => {
            for res in &rest.resources {
                for m in &res.methods {
                    if m.http_method == "OPTIONS" {
                        continue;
                    }
                    out.push(route(
                        &m.http_method,
                        &res.path,
                        m.authorization_type.clone(),
                    ));
                }
            }
        }
        Collected::Present {
            value: ApiConfiguration::Http(http),
        } => {
            for r in http.routes.value().into_iter().flatten() {
                if r.route_key == "$default" {
                    let mut d = route("ANY", "/", r.authorization_type.clone());
                    d.path_template = "$default".to_string();
                    out.push(d);
                    continue;
                }
                let (method, path) = r
                    .route_key
                    .split_once(' ')
                    .unwrap_or(("ANY", r.route_key.as_str()));
                if method == "OPTIONS" {
                    continue;
                }
                out.push(route(method, path, r.authorization_type.clone()));
            }
        }
        Collected::Absent { reason } => return Collected::absent(reason.clone()),
        Collected::NotCollected { why } => return Collected::not_collected(why.clone()),
    }
    out.sort_by(|a, b| {
        a.path_template
            .cmp(&b.path_template)
            .then(a.method.cmp(&b.method))
    });
    if out.is_empty() {
        Collected::absent("the API has no methods other than OPTIONS")
    } else {
        Collected::present(out)
    }
}

fn route(method: &str, template: &str, authorization_type: Option<String>) -> DiscoveredRoute {
    let mut params = Vec::new();
    let segments: Vec<String> = template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(inner) => {
                    let greedy = inner.ends_with('+');
                    let name = inner.trim_end_matches('+').to_string();
                    let sample = sample_value(&name, greedy);
                    params.push(PathParameter {
                        name,
                        greedy,
                        sample: sample.clone(),
                    });
                    sample
                }
                None => seg.to_string(),
            },
        )
        .collect();
    let sample_path = if segments.join("/").is_empty() {
        "/".to_string()
    } else {
        segments.join("/")
    };
    DiscoveredRoute {
        method: method.to_string(),
        path_template: template.to_string(),
        sample_path,
        path_parameters: params,
        authorization_type,
    }
}

/// A plausible value for a path parameter: numbers for ids, a fixed word otherwise, two segments
/// for greedy parameters so the probe exercises the greediness.
pub fn sample_value(name: &str, greedy: bool) -> String {
    let lower = name.to_ascii_lowercase();
    if greedy {
        "corsprobe/sample".to_string()
    } else if lower.contains("uuid") || lower.contains("guid") {
        "00000000-0000-4000-8000-000000000000".to_string()
    } else if lower.ends_with("id") || lower.ends_with("number") {
        "1".to_string()
    } else {
        "sample".to_string()
    }
}
