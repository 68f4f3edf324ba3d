//! Steps 3, 7 and 9: CloudWatch Logs through `aws-sdk-cloudwatchlogs`.
//!
//! - Access logs (step 3): the group in the stage's `accessLogSettings.destinationArn`.
//! - Application logs (step 7): the `/aws/lambda/{function}` groups of Lambda integrations and
//!   the groups the user names (e.g. where a frontend ships its console errors).
//! - Execution logs (step 9, REST only): `API-Gateway-Execution-Logs_{id}/{stage}`.
//!
//! Each group is read with `FilterLogEvents` over the window (paginated, capped), with a
//! server-side filter pattern where one narrows the volume, and every line is then classified
//! client-side ([`classify_line`], [`parse_console_error`]) so the result does not depend on how
//! faithfully a stand-in implements filter patterns. The probe's own request ids get a separate
//! exact query. This module records lines; it must not decide what they mean for the diagnosis.

use std::collections::BTreeMap;

use tokio::task::JoinSet;

use super::evidence::{
    ApiConfiguration, ApiIdentity, ApiKind, Collected, ConsoleErrorGroup, Evidence, LineKind,
    LogFindings, LogLine,
};
use super::{classify, rfc3339, AwsTarget, Clients, FailureKind, Window};

/// Events read per group at most.
pub const MAX_EVENTS: usize = 10_000;
/// Relevant lines kept per group at most.
pub const MAX_LINES: usize = 200;

/// Execution-log lines worth reading: preflights, CORS headers, failures, error statuses.
pub const EXECUTION_PATTERN: &str =
    "?OPTIONS ?\"Access-Control\" ?\"Execution failed\" ?\"Method completed with status: 4\" \
     ?\"Method completed with status: 5\" ?\"Gateway response\" ?\"not authorized\" ?Unauthorized";

/// Application-log lines worth reading: the browsers' CORS console messages and CORS mentions.
pub const CONSOLE_PATTERN: &str = "?\"blocked by CORS policy\" ?\"Cross-Origin Request Blocked\" \
     ?\"not allowed by Access-Control-Allow-Origin\" ?\"due to access control checks\" ?CORS ?cors";

/// The three kinds of log evidence.
#[derive(Debug, Default)]
pub struct LogsCollected {
    /// Step 3.
    pub access: Collected<LogFindings>,
    /// Step 9.
    pub execution: Collected<LogFindings>,
    /// Step 7.
    pub application: Vec<Collected<LogFindings>>,
}

/// The log group name in a `arn:aws:logs:{region}:{account}:log-group:{name}[:*]` ARN.
pub fn log_group_from_arn(arn: &str) -> Option<String> {
    let name = arn.split_once(":log-group:")?.1;
    let name = name.strip_suffix(":*").unwrap_or(name);
    (!name.is_empty()).then(|| name.to_string())
}

/// The Lambda function name in an integration URI
/// (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:…:function:NAME[:alias]/invocations`)
/// or a plain Lambda ARN (HTTP APIs).
pub fn lambda_function_of(uri: &str) -> Option<String> {
    let rest = uri.split_once(":function:")?.1;
    let rest = rest.split('/').next()?;
    let name = rest.split(':').next()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// Reads every log group the evidence points at, concurrently.
pub async fn collect(
    clients: &Clients,
    target: &AwsTarget,
    api: &ApiIdentity,
    ev: &Evidence,
) -> LogsCollected {
    let window = target.window;
    let ids = target.request_ids.clone();
    let mut set: JoinSet<(usize, Collected<LogFindings>)> = JoinSet::new();
    let mut out = LogsCollected::default();

    // Step 3: access logs.
    let access_group = match &ev.existence.stage {
        Collected::Present { value } => match value
            .access_log
            .as_ref()
            .and_then(|a| a.destination_arn.as_deref())
        {
            Some(arn) => match log_group_from_arn(arn) {
                Some(g) => Ok(g),
                None => Err(Collected::not_collected(super::Failure::other(format!(
                    "not a log group ARN: {arn}"
                )))),
            },
            None => Err(Collected::absent(format!(
                "stage {} has no accessLogSettings: access logging is off",
                value.name
            ))),
        },
        Collected::Absent { reason } => Err(Collected::absent(reason.clone())),
        Collected::NotCollected { why } => Err(Collected::not_collected(why.clone())),
    };
    match access_group {
        Ok(g) => {
            let (c, ids) = (clients.logs.clone(), ids.clone());
            set.spawn(async move {
                (
                    0,
                    scan_group(&c, g, "stage accessLogSettings".into(), None, window, &ids).await,
                )
            });
        }
        Err(c) => out.access = c,
    }

    // Step 9: execution logs.
    match api.kind {
        ApiKind::Rest => {
            let g = format!("API-Gateway-Execution-Logs_{}/{}", api.id, target.stage);
            let (c, ids) = (clients.logs.clone(), ids.clone());
            set.spawn(async move {
                (
                    1,
                    scan_group(
                        &c,
                        g,
                        "REST execution logs".into(),
                        Some(EXECUTION_PATTERN.into()),
                        window,
                        &ids,
                    )
                    .await,
                )
            });
        }
        ApiKind::Http | ApiKind::WebSocket => {
            out.execution = Collected::absent("HTTP APIs have access logs only, no execution logs");
        }
    }

    // Step 7: application logs.
    let mut app_groups: Vec<(String, String)> = lambda_groups(&ev.configuration)
        .into_iter()
        .map(|g| (g, "Lambda integration".to_string()))
        .collect();
    for g in &target.app_log_groups {
        if !app_groups.iter().any(|(x, _)| x == g) {
            app_groups.push((g.clone(), "--log-group".to_string()));
        }
    }
    out.application = vec![Collected::default(); app_groups.len()];
    for (i, (g, source)) in app_groups.into_iter().enumerate() {
        let (c, ids) = (clients.logs.clone(), ids.clone());
        set.spawn(async move {
            (
                2 + i,
                scan_group(&c, g, source, Some(CONSOLE_PATTERN.into()), window, &ids).await,
            )
        });
    }

    while let Some(joined) = set.join_next().await {
        let Ok((slot, found)) = joined else { continue };
        match slot {
            0 => out.access = found,
            1 => out.execution = found,
            n => {
                if let Some(s) = out.application.get_mut(n - 2) {
                    *s = found;
                }
            }
        }
    }
    out
}

/// The `/aws/lambda/{name}` groups of the API's Lambda integrations, sorted.
pub fn lambda_groups(config: &Collected<ApiConfiguration>) -> Vec<String> {
    let uris: Vec<String> = match config.value() {
        Some(ApiConfiguration::Rest(r)) => r
            .resources
            .iter()
            .flat_map(|res| &res.methods)
            .filter_map(|m| m.integration.as_ref()?.uri.clone())
            .collect(),
        Some(ApiConfiguration::Http(h)) => h
            .integrations
            .value()
            .into_iter()
            .flatten()
            .filter_map(|i| i.integration_uri.clone())
            .collect(),
        None => Vec::new(),
    };
    let mut groups: Vec<String> = uris
        .iter()
        .filter_map(|u| lambda_function_of(u))
        .map(|f| format!("/aws/lambda/{f}"))
        .collect();
    groups.sort();
    groups.dedup();
    groups
}

/// Reads one group: the window's events (through `pattern`), classified, and the probe's own
/// request ids.
pub async fn scan_group(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: String,
    source: String,
    pattern: Option<String>,
    window: Window,
    request_ids: &[String],
) -> Collected<LogFindings> {
    let resource = format!("log group {group}");
    let events = match read_events(client, &group, pattern.clone(), window, MAX_EVENTS).await {
        Ok(ev) => ev,
        Err(e) => {
            let f = classify(&e, "logs:FilterLogEvents", &resource);
            if f.kind == FailureKind::NotFound {
                return Collected::absent(format!("log group {group} does not exist"));
            }
            return Collected::not_collected(f);
        }
    };
    let (events, truncated) = events;
    let mut findings = LogFindings {
        log_group: group.clone(),
        source,
        filter_pattern: pattern,
        events_scanned: events.len(),
        truncated,
        ..Default::default()
    };
    let mut groups: BTreeMap<(String, Option<String>, Option<String>), ConsoleErrorGroup> =
        BTreeMap::new();
    for (ts, stream, message) in &events {
        let mut kinds = classify_line(message);
        let when = rfc3339(&aws_smithy_types::DateTime::from_millis(*ts));
        if let Some(c) = parse_console_error(message) {
            let g = groups
                .entry((c.browser.to_string(), c.origin.clone(), c.url.clone()))
                .or_insert_with(|| ConsoleErrorGroup {
                    browser: c.browser.to_string(),
                    origin: c.origin.clone(),
                    url: c.url.clone(),
                    reason: c.reason.clone(),
                    count: 0,
                    first_seen: when.clone(),
                    last_seen: when.clone(),
                });
            g.count += 1;
            g.last_seen = when.clone();
        }
        if kinds.is_empty() {
            continue;
        }
        kinds.sort();
        for k in &kinds {
            *findings.counts.entry(format!("{k:?}")).or_insert(0) += 1;
        }
        if findings.lines.len() < MAX_LINES {
            findings.lines.push(LogLine {
                timestamp: when,
                stream: stream.clone(),
                message: message.trim_end().to_string(),
                request_id: request_id_of(message),
                kinds,
            });
        }
    }
    findings.console_errors = groups.into_values().collect();

    if !request_ids.is_empty() {
        match read_events(
            client,
            &group,
            Some(request_id_pattern(request_ids)),
            window,
            MAX_EVENTS,
        )
        .await
        {
            Ok((events, _)) => {
                for (ts, stream, message) in events {
                    for id in request_ids
                        .iter()
                        .filter(|id| message.contains(id.as_str()))
                    {
                        let mut kinds = classify_line(&message);
                        kinds.push(LineKind::ProbeRequest);
                        kinds.sort();
                        findings
                            .probe_lines
                            .entry(id.clone())
                            .or_default()
                            .push(LogLine {
                                timestamp: rfc3339(&aws_smithy_types::DateTime::from_millis(ts)),
                                stream: stream.clone(),
                                message: message.trim_end().to_string(),
                                request_id: Some(id.clone()),
                                kinds,
                            });
                    }
                }
            }
            Err(e) => {
                let f = classify(&e, "logs:FilterLogEvents", &resource);
                findings
                    .counts
                    .insert(format!("probe_lookup_failed: {}", f.message), 0);
            }
        }
    }
    Collected::present(findings)
}

/// The filter pattern that finds any of the request ids (quoted terms, OR-ed).
pub fn request_id_pattern(ids: &[String]) -> String {
    match ids {
        [one] => format!("\"{one}\""),
        many => many
            .iter()
            .map(|id| format!("?\"{id}\""))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

type RawEvent = (i64, Option<String>, String);

async fn read_events(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    pattern: Option<String>,
    window: Window,
    cap: usize,
) -> Result<
    (Vec<RawEvent>, bool),
    aws_smithy_runtime_api::client::result::SdkError<
        aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .filter_log_events()
            .log_group_name(group)
            .start_time(window.start * 1000)
            .end_time(window.end * 1000)
            .set_filter_pattern(pattern.clone())
            .set_next_token(token.clone())
            .send()
            .await?;
        for e in page.events() {
            out.push((
                e.timestamp().unwrap_or_default(),
                e.log_stream_name().map(str::to_string),
                e.message().unwrap_or_default().to_string(),
            ));
            if out.len() >= cap {
                return Ok((out, true));
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok((out, false));
        }
    }
}

/// Why a log line is relevant (empty: it is not).
pub fn classify_line(message: &str) -> Vec<LineKind> {
    let mut kinds = Vec::new();
    let json: Option<serde_json::Value> = message
        .trim_start()
        .starts_with('{')
        .then(|| serde_json::from_str(message.trim()).ok())
        .flatten();
    let method = json
        .as_ref()
        .and_then(|j| json_str(j, &["httpMethod", "method", "requestMethod"]));
    let preflight = match &method {
        Some(m) => m.eq_ignore_ascii_case("OPTIONS"),
        None => {
            message.contains("HTTP Method: OPTIONS")
                || message.contains("\"OPTIONS ")
                || message.contains(" OPTIONS ")
        }
    };
    if preflight {
        kinds.push(LineKind::Preflight);
    }
    let status = json
        .as_ref()
        .and_then(|j| json_str(j, &["status", "statusCode", "responseStatus"]))
        .and_then(|s| s.parse::<u16>().ok())
        .or_else(|| status_in_text(message));
    match status {
        Some(400..=499) => kinds.push(LineKind::ClientError),
        Some(500..=599) => kinds.push(LineKind::ServerError),
        _ => {}
    }
    let response_type = json
        .as_ref()
        .and_then(|j| {
            json_str(
                j,
                &[
                    "responseType",
                    "errorResponseType",
                    "error.responseType",
                    "gatewayResponseType",
                ],
            )
        })
        .filter(|s| !s.is_empty() && s != "-");
    if response_type.is_some()
        || message.contains("Gateway response type:")
        || message.contains("x-amzn-ErrorType")
    {
        kinds.push(LineKind::GatewayResponse);
    }
    if message.to_ascii_lowercase().contains("access-control-") {
        kinds.push(LineKind::CorsHeaders);
    }
    if message.contains("Execution failed")
        || message.contains("Malformed Lambda proxy response")
        || message.contains("Unable to transform request")
    {
        kinds.push(LineKind::ExecutionFailure);
    }
    if parse_console_error(message).is_some() {
        kinds.push(LineKind::ConsoleCors);
    }
    kinds
}

fn json_str(j: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| {
        let v = if k.contains('.') {
            j.pointer(&format!("/{}", k.replace('.', "/")))
        } else {
            j.get(*k)
        }?;
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    })
}

/// A status code in a text line: "Method completed with status: 403", or a common-log-format
/// `"GET /x HTTP/1.1" 403 `.
fn status_in_text(message: &str) -> Option<u16> {
    let three = |s: &str| -> Option<u16> {
        let d: String = s.chars().take(3).collect();
        (d.len() == 3 && d.chars().all(|c| c.is_ascii_digit()))
            .then(|| d.parse().ok())
            .flatten()
    };
    if let Some(rest) = message.split_once("with status: ").map(|(_, r)| r) {
        return three(rest);
    }
    message.match_indices("\" ").find_map(|(i, _)| {
        let rest = &message[i + 2..];
        let code = three(rest)?;
        let after = rest.chars().nth(3);
        ((100..600).contains(&code) && after.is_none_or(|c| c == ' ')).then_some(code)
    })
}

/// The request id a line names: execution logs prefix `(id)`; JSON access logs carry `requestId`.
pub fn request_id_of(message: &str) -> Option<String> {
    let t = message.trim_start();
    if let Some(rest) = t.strip_prefix('(') {
        if let Some((id, _)) = rest.split_once(')') {
            if !id.is_empty()
                && id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '=')
            {
                return Some(id.to_string());
            }
        }
    }
    let j: serde_json::Value = serde_json::from_str(t).ok()?;
    json_str(&j, &["requestId", "requestid", "request_id"])
}

/// A browser console CORS message, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleError {
    /// chromium, firefox or safari.
    pub browser: &'static str,
    /// The page origin (Chromium and Safari name it).
    pub origin: Option<String>,
    /// The resource URL.
    pub url: Option<String>,
    /// The reason clause.
    pub reason: Option<String>,
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// Parses the Chromium, Firefox and Safari CORS console messages:
/// - Chromium: `Access to fetch at 'URL' from origin 'ORIGIN' has been blocked by CORS policy: REASON`
/// - Firefox: `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote
///   resource at URL. (Reason: REASON).`
/// - Safari: `Origin ORIGIN is not allowed by Access-Control-Allow-Origin.` and
///   `Fetch API cannot load URL due to access control checks.`
pub fn parse_console_error(message: &str) -> Option<ConsoleError> {
    if let Some(i) = message.find("has been blocked by CORS policy") {
        let head = &message[..i];
        let reason = message[i..]
            .split_once(':')
            .map(|(_, r)| r.trim().to_string())
            .filter(|r| !r.is_empty());
        return Some(ConsoleError {
            browser: "chromium",
            url: between(head, " at '", "'").map(str::to_string),
            origin: between(head, "from origin '", "'").map(str::to_string),
            reason,
        });
    }
    if let Some(i) = message.find("Cross-Origin Request Blocked") {
        let rest = &message[i..];
        let url = between(rest, "remote resource at ", ". (Reason:")
            .or_else(|| between(rest, "remote resource at ", " (Reason:"));
        return Some(ConsoleError {
            browser: "firefox",
            origin: None,
            url: url.map(|u| u.trim_end_matches('.').to_string()),
            reason: between(rest, "(Reason: ", ")").map(str::to_string),
        });
    }
    if let Some(origin) = between(
        message,
        "Origin ",
        " is not allowed by Access-Control-Allow-Origin",
    ) {
        let status = message
            .split_once("Status code: ")
            .map(|(_, s)| format!("Status code: {}", s.trim()));
        return Some(ConsoleError {
            browser: "safari",
            origin: Some(origin.trim().to_string()),
            url: None,
            reason: Some(status.map_or_else(
                || "not allowed by Access-Control-Allow-Origin".to_string(),
                |s| format!("not allowed by Access-Control-Allow-Origin ({s})"),
            )),
        });
    }
    if let Some(url) = between(message, " cannot load ", " due to access control checks") {
        return Some(ConsoleError {
            browser: "safari",
            origin: None,
            url: Some(url.to_string()),
            reason: Some("access control checks".to_string()),
        });
    }
    None
}
