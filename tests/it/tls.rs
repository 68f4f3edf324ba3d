//! The transport over TLS: system roots, `--cacert`, `--insecure`, and TLS failures classified
//! as network errors (never CORS). A loopback rustls server with a certificate made by openssl.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;

use crate::harness::corsprobe_json;

fn cert_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corsprobe-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if !dir.join("cert.pem").exists() {
        let st = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
            ])
            .args([
                "-addext",
                "subjectAltName=DNS:localhost",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
            ])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .output()
            .expect("openssl (Debian's openssl package) is needed for the TLS tests");
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
    dir
}

/// Serves HTTPS on loopback: every request gets `200` with `Access-Control-Allow-Origin: *`.
fn tls_server(dir: &std::path::Path) -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_file_iter(dir.join("cert.pem"))
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = rustls_pki_types::PrivateKeyDer::from_pem_file(dir.join("key.pem")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut reader = BufReader::new(&mut tls);
                let mut lines = Vec::new();
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap_or(0) == 0 {
                        return;
                    }
                    if l == "\r\n" {
                        break;
                    }
                    lines.push(l);
                }
                drop(reader);
                let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

#[test]
fn tls_untrusted_certificate_is_a_tls_network_error() {
    let dir = cert_dir();
    let port = tls_server(&dir);
    let url = format!("https://localhost:{port}/x");
    let resolve = format!("localhost:{port}:127.0.0.1");
    let (code, v) = corsprobe_json(&[
        "check",
        &url,
        "--origin",
        "https://app.example.com",
        "--resolve",
        &resolve,
        "--format",
        "json",
    ]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["network_error"]["kind"], "tls");
    assert!(v["cors_error"].is_null());
}

#[test]
fn tls_cacert_and_insecure_reach_the_server() {
    let dir = cert_dir();
    let port = tls_server(&dir);
    let url = format!("https://localhost:{port}/x");
    let resolve = format!("localhost:{port}:127.0.0.1");
    let ca = dir.join("cert.pem");
    let (code, v) = corsprobe_json(&[
        "check",
        &url,
        "--origin",
        "https://app.example.com",
        "--resolve",
        &resolve,
        "--cacert",
        ca.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["outcome"], "allowed");
    assert_eq!(v["actual"]["response"]["version"], "HTTP/1.1");
    // Fetch Metadata headers are sent to potentially trustworthy (https) URLs.
    let sent: Vec<(String, String)> = v["actual"]["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        sent.contains(&("Sec-Fetch-Mode".to_string(), "cors".to_string())),
        "{sent:?}"
    );
    let (code, v) = corsprobe_json(&[
        "check",
        &url,
        "--origin",
        "https://app.example.com",
        "--resolve",
        &resolve,
        "--insecure",
        "--format",
        "json",
    ]);
    assert_eq!((code, v["outcome"].as_str()), (0, Some("allowed")), "{v}");
}

#[test]
fn tls_bad_cacert_file_is_bad_input() {
    let dir = cert_dir();
    let bogus = dir.join("bogus.pem");
    std::fs::write(&bogus, "not a certificate\n").unwrap();
    let (code, _) = {
        let out = crate::harness::corsprobe(&[
            "check",
            "https://localhost:1/",
            "--origin",
            "https://a.com",
            "--cacert",
            bogus.to_str().unwrap(),
        ]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    assert_eq!(code, Some(2));
}
