//! Test harness for the AWS collectors: one moto server per test-binary run (started on a free
//! loopback port with `MOTO_DISABLE_GLOBAL_CORS=1`, killed by a watchdog when the test process
//! exits), SDK configs pointed at it, and a small recording mock of AWS endpoints on loopback for
//! what moto lacks (CloudTrail lookups, HTTP API deployments, error paths).
//!
//! The mock is hand-written on tokio + httparse (already dependencies) instead of wiremock: wiremock
//! would switch on hyper's server features in test builds only, and every SDK crate above hyper
//! would then be compiled twice on a 2-core machine.

use std::io::Read;
use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where moto listens, or why it is unavailable.
static MOTO: OnceLock<Result<String, String>> = OnceLock::new();

fn moto_server_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CORSPROBE_MOTO_SERVER") {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    local.exists().then_some(local)
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

fn start_moto() -> Result<String, String> {
    let path = moto_server_path()
        .ok_or("moto_server not found: run scripts/test.sh (or set CORSPROBE_MOTO_SERVER)")?;
    let port = free_port();
    let me = std::process::id();
    // The watchdog shell kills moto once this test process is gone.
    let script = format!(
        "MOTO_DISABLE_GLOBAL_CORS=1 '{}' -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; \
         while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill $m",
        path.display()
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start moto: {e}"))?;
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Write;
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut buf = [0u8; 16];
            if s.read(&mut buf)
                .is_ok_and(|n| n >= 12 && buf.starts_with(b"HTTP/1.") && &buf[9..12] == b"200")
            {
                return Ok(url);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("moto did not become ready on {url} within 30 s"))
}

/// The moto endpoint, or `None` to skip (only outside CI: under `CI=true` a missing moto fails).
pub fn moto() -> Option<String> {
    match MOTO.get_or_init(start_moto) {
        Ok(url) => Some(url.clone()),
        Err(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("moto is required under CI=true: {why}");
            }
            eprintln!("skipping: {why}");
            None
        }
    }
}

/// An SDK config for a loopback endpoint: static credentials, us-east-1, the project's HTTPS client,
/// the given retry policy.
pub async fn sdk_config(endpoint: &str, retry: RetryConfig) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "static"))
        .endpoint_url(endpoint)
        .http_client(corsprobe::aws::https_client())
        .retry_config(retry)
        .load()
        .await
}

/// Clients for a loopback endpoint without retries and without CloudTrail pacing.
pub async fn clients(endpoint: &str) -> corsprobe::aws::Clients {
    let conf = sdk_config(endpoint, RetryConfig::disabled()).await;
    let mut c = corsprobe::aws::Clients::from_sdk_config(&conf);
    c.cloudtrail_pause = Duration::from_millis(1);
    c
}

/// A unique suffix for resource names (tests share one moto).
pub fn unique(prefix: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{}", std::process::id(), t % 1_000_000)
}

/// Now, in epoch seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A request the mock received.
#[derive(Clone, Debug)]
pub struct MockRequest {
    /// The method.
    pub method: String,
    /// The path with query.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl MockRequest {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A canned response.
#[derive(Clone, Debug)]
pub struct MockResponse {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl MockResponse {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// An AWS error: REST-JSON style (`x-amzn-ErrorType` header) and JSON-1.1 style (`__type`).
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        let mut r = Self::json(
            status,
            serde_json::json!({"__type": code, "message": message, "Message": message}),
        );
        r.headers.push(("x-amzn-errortype".into(), code.into()));
        r
    }
}

type Handler = dyn Fn(&MockRequest) -> MockResponse + Send + Sync;

/// A recording mock AWS endpoint on loopback.
pub struct MockAws {
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// Every request received, in order.
    pub requests: Arc<Mutex<Vec<MockRequest>>>,
}

impl MockAws {
    /// Starts the mock on the current tokio runtime.
    pub async fn start(
        handler: impl Fn(&MockRequest) -> MockResponse + Send + Sync + 'static,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback bind (test setup)");
        let url = format!(
            "http://{}",
            listener.local_addr().expect("bound address (test setup)")
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let recorded = requests.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (handler, recorded) = (handler.clone(), recorded.clone());
                tokio::spawn(async move {
                    let _ = serve(sock, handler, recorded).await;
                });
            }
        });
        Self { url, requests }
    }

    /// The requests so far.
    pub fn received(&self) -> Vec<MockRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn serve(
    mut sock: tokio::net::TcpStream,
    handler: Arc<Handler>,
    recorded: Arc<Mutex<Vec<MockRequest>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        // Read until a full request (headers + content-length body) is buffered.
        let (req, used) = loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut parsed = httparse::Request::new(&mut headers);
            if let Ok(httparse::Status::Complete(n)) = parsed.parse(&buf) {
                let hs: Vec<(String, String)> = parsed
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_ascii_lowercase(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                let len: usize = hs
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                if buf.len() >= n + len {
                    let req = MockRequest {
                        method: parsed.method.unwrap_or_default().to_string(),
                        path: parsed.path.unwrap_or_default().to_string(),
                        headers: hs,
                        body: buf[n..n + len].to_vec(),
                    };
                    break (req, n + len);
                }
            }
            let mut chunk = [0u8; 8192];
            let got = sock.read(&mut chunk).await?;
            if got == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..got]);
        };
        buf.drain(..used);
        let resp = handler(&req);
        if let Ok(mut r) = recorded.lock() {
            r.push(req);
        }
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
            resp.status,
            resp.body.len()
        );
        for (k, v) in &resp.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        sock.write_all(head.as_bytes()).await?;
        sock.write_all(&resp.body).await?;
    }
}
