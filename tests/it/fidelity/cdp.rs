//! A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`.
//!
//! Owns the Chromium child process and the two pipes (fd 3: commands to Chromium, fd 4:
//! replies and events from Chromium, messages separated by NUL bytes). Knows nothing about
//! CORS or scenarios.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct Browser {
    child: Child,
    to_browser: File,
    from_browser: Receiver<Value>,
    next_id: u64,
    /// Events received while waiting for command replies, in arrival order.
    pub events: Vec<Value>,
    profile: PathBuf,
}

fn pipe() -> (i32, i32) {
    let mut fds = [0i32; 2];
    // SAFETY: fds is a valid 2-element array.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2 failed");
    // Move both ends above 10 so dup2 onto 3/4 in the child never aliases them.
    let hi = |fd: i32| {
        // SAFETY: fd is a freshly created, owned descriptor.
        let n = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
        assert!(n >= 10, "fcntl F_DUPFD_CLOEXEC failed");
        unsafe { libc::close(fd) };
        n
    };
    (hi(fds[0]), hi(fds[1]))
}

impl Browser {
    pub fn launch(exe: &Path, extra_args: &[String]) -> Browser {
        let profile = std::env::temp_dir().join(format!(
            "corsprobe-fidelity-{}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("create chromium profile dir");
        let (cmd_r, cmd_w) = pipe();
        let (resp_r, resp_w) = pipe();
        let mut cmd = Command::new(exe);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-proxy-server",
            "--disable-extensions",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra_args)
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (dup2) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(cmd_r, 3) < 0 || libc::dup2(resp_w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        // SAFETY: we own these descriptors; the child has its own copies.
        unsafe {
            libc::close(cmd_r);
            libc::close(resp_w);
        }
        let to_browser = unsafe { File::from_raw_fd(cmd_w) };
        let reader = unsafe { File::from_raw_fd(resp_r) };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, reader);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if buf.last() == Some(&0) {
                            buf.pop();
                        }
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                            if tx.send(v).is_err() {
                                break;
                            }
                        }
                    }
                }
            }
        });
        Browser {
            child,
            to_browser,
            from_browser: rx,
            next_id: 1,
            events: Vec::new(),
            profile,
        }
    }

    /// Sends a command (to the browser, or to a flattened session) and waits for its reply.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.call_timeout(session, method, params, Duration::from_secs(60))
    }

    pub fn call_timeout(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).expect("serialize CDP command");
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .expect("write to chromium pipe");
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from_browser.recv_timeout(left) {
                Ok(v) => {
                    if v.get("id").and_then(Value::as_u64) == Some(id) {
                        if let Some(err) = v.get("error") {
                            panic!("CDP {method} failed: {err}");
                        }
                        return v.get("result").cloned().unwrap_or(Value::Null);
                    }
                    self.events.push(v);
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("CDP {method}: no reply within {timeout:?}")
                }
                Err(RecvTimeoutError::Disconnected) => panic!("CDP {method}: chromium exited"),
            }
        }
    }

    /// Collects events for `quiet` after the last one received (bounded by `max`).
    pub fn drain(&mut self, quiet: Duration, max: Duration) {
        let end = Instant::now() + max;
        loop {
            let left = end.saturating_duration_since(Instant::now()).min(quiet);
            if left.is_zero() {
                return;
            }
            match self.from_browser.recv_timeout(left) {
                Ok(v) => self.events.push(v),
                Err(_) => return,
            }
        }
    }

    /// Opens a page and attaches a flattened session to it; returns the session id.
    pub fn open_page(&mut self, url: &str) -> String {
        let t = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target = t["targetId"].as_str().expect("targetId").to_string();
        let a = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        );
        let session = a["sessionId"].as_str().expect("sessionId").to_string();
        let s = Some(session.as_str());
        self.call(s, "Network.enable", json!({}));
        self.call(s, "Log.enable", json!({}));
        self.call(s, "Runtime.enable", json!({}));
        self.call(s, "Page.enable", json!({}));
        self.call(s, "Audits.enable", json!({}));
        self.call(s, "Page.navigate", json!({"url": url}));
        // Wait until the runner script is defined.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.call(
                s,
                "Runtime.evaluate",
                json!({"expression": "typeof window.__corsprobeRun === 'function'", "returnByValue": true}),
            );
            if r["result"]["value"] == json!(true) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "page {url} did not load the runner"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        session
    }

    /// Evaluates an expression returning a promise of a JSON-serializable value.
    pub fn eval_await(&mut self, session: &str, expr: &str) -> Value {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expr, "awaitPromise": true, "returnByValue": true}),
        );
        if let Some(ex) = r.get("exceptionDetails") {
            panic!("page script threw: {ex}");
        }
        r["result"]["value"].clone()
    }

    pub fn version(&mut self) -> String {
        let v = self.call(None, "Browser.getVersion", json!({}));
        v["product"].as_str().unwrap_or("?").to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ask Chromium to close so its helper processes are gone before the profile is removed;
        // kill it if it does not exit promptly.
        let mut msg = br#"{"id":0,"method":"Browser.close","params":{}}"#.to_vec();
        msg.push(0);
        let _ = self.to_browser.write_all(&msg);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for _ in 0..10 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
