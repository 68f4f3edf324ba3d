//! `cargo bench --bench engine`: verdicts per second of the pure engine (no I/O), over a mix of
//! simple, preflighted, credentialed, failing and redirected requests with canned responses.

use std::hint::black_box;
use std::time::{Duration, Instant};

use corsprobe::fetch::{
    BrowserProfile, CredentialsMode, Fetch, HeaderList, IncomingResponse, Origin, PageRequest, Step,
};

fn h(pairs: &[(&str, &str)]) -> HeaderList {
    HeaderList::from_pairs(pairs)
}

struct Case {
    req: PageRequest,
    responses: Vec<IncomingResponse>,
}

fn cases() -> Vec<Case> {
    let origin = Origin::parse("https://app.example.com").expect("static origin");
    let ok = |extra: &[(&str, &str)]| {
        let mut v = vec![
            ("Access-Control-Allow-Origin", "https://app.example.com"),
            ("Vary", "Origin"),
            ("Content-Type", "application/json"),
        ];
        v.extend_from_slice(extra);
        IncomingResponse {
            status: 200,
            headers: h(&v),
        }
    };
    let mut out = Vec::new();
    // Simple GET, allowed.
    out.push(Case {
        req: PageRequest::new("https://api.example.com/prod/items", origin.clone()),
        responses: vec![ok(&[])],
    });
    // Preflighted PUT with JSON + Authorization, allowed.
    let mut r = PageRequest::new("https://api.example.com/prod/items/1", origin.clone());
    r.method = "PUT".into();
    r.headers = h(&[
        ("Content-Type", "application/json"),
        ("Authorization", "Bearer x"),
    ]);
    out.push(Case {
        req: r,
        responses: vec![
            IncomingResponse {
                status: 204,
                headers: h(&[
                    ("Access-Control-Allow-Origin", "https://app.example.com"),
                    ("Access-Control-Allow-Methods", "GET,PUT,DELETE"),
                    ("Access-Control-Allow-Headers", "authorization,content-type"),
                    ("Access-Control-Max-Age", "600"),
                ]),
            },
            ok(&[("Access-Control-Expose-Headers", "X-Total")]),
        ],
    });
    // Preflight 403 MissingAuthenticationToken, blocked.
    let mut r = PageRequest::new("https://api.example.com/prod/missing", origin.clone());
    r.headers = h(&[("X-Api-Key", "k")]);
    out.push(Case {
        req: r,
        responses: vec![IncomingResponse {
            status: 403,
            headers: h(&[
                ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
                ("Content-Type", "application/json"),
            ]),
        }],
    });
    // Credentialed with wildcard, blocked.
    let mut r = PageRequest::new("https://api.example.com/prod/me", origin.clone());
    r.credentials = CredentialsMode::Include;
    out.push(Case {
        req: r,
        responses: vec![IncomingResponse {
            status: 200,
            headers: h(&[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Credentials", "true"),
            ]),
        }],
    });
    // Cross-origin redirect, tainted.
    out.push(Case {
        req: PageRequest::new("https://api.example.com/prod/old", origin),
        responses: vec![
            IncomingResponse {
                status: 301,
                headers: h(&[
                    ("Location", "https://other.example.net/new"),
                    ("Access-Control-Allow-Origin", "*"),
                ]),
            },
            IncomingResponse {
                status: 200,
                headers: h(&[("Access-Control-Allow-Origin", "*")]),
            },
        ],
    });
    out
}

fn run(case: &Case) -> bool {
    let mut f = Fetch::new(case.req.clone(), BrowserProfile::default());
    let mut step = f.start();
    let mut i = 0;
    loop {
        match step {
            Step::Done(v) => return v.blocked(),
            Step::Send(_) => {
                let resp = &case.responses[i.min(case.responses.len() - 1)];
                i += 1;
                step = f.receive(resp);
            }
        }
    }
}

fn main() {
    let cases = cases();
    // Warm up.
    for c in &cases {
        black_box(run(c));
    }
    let budget = Duration::from_secs(3);
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        for c in &cases {
            black_box(run(c));
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "engine: {n} verdicts in {secs:.2} s = {:.0} verdicts/s (mix of {} request shapes)",
        n as f64 / secs,
        cases.len()
    );
}
