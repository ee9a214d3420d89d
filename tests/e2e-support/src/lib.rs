//! Shared by the end-to-end tests (`cli/tests/e2e_python.rs`,
//! `examples/chat/tests/ts_e2e.rs`): prerequisites, servers that die with the
//! test, commands with deadlines, a minimal HTTP client, and the build and
//! runs of the TypeScript e2e programs in `tests/ts/e2e/`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Set (to anything but `0`) where a missing tool must fail the test instead
/// of skipping it; `scripts/test.sh` sets it, so CI never skips.
pub const REQUIRED_ENV: &str = "CHANX_E2E_REQUIRED";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn ts_package() -> PathBuf {
    repo_root().join("tests/ts")
}

/// Skips the test with a loud notice, or fails it when [`REQUIRED_ENV`] is set.
pub fn skip(reason: &str) {
    let required = std::env::var(REQUIRED_ENV).is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "{reason} ({REQUIRED_ENV} is set, so this fails)");
    // Straight to stderr: the test harness swallows `eprintln!` of passing tests.
    let stars = "*".repeat(70);
    let _ = writeln!(
        std::io::stderr().lock(),
        "\n{stars}\nNOTICE: end-to-end test SKIPPED: {reason}\n{stars}"
    );
}

/// The Python of the interop virtualenv (`tests/interop/.venv`, the pinned
/// chanx 2.13), made by `scripts/python-venv.sh` when missing; `None`, with a
/// notice, when python3 is not installed (a failure under [`REQUIRED_ENV`]).
pub fn interop_python() -> Option<PathBuf> {
    if !has_program("python3") {
        skip("python3 is not installed");
        return None;
    }
    let venv = Command::new("bash")
        .arg(repo_root().join("scripts/python-venv.sh"))
        .output()
        .expect("run scripts/python-venv.sh");
    assert!(
        venv.status.success(),
        "installing the Python chanx failed:\n{}{}",
        String::from_utf8_lossy(&venv.stdout),
        String::from_utf8_lossy(&venv.stderr)
    );
    Some(repo_root().join("tests/interop/.venv/bin/python"))
}

/// Whether `program --version` runs.
pub fn has_program(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Node.js and the npm packages of `tests/ts`, or the reason they are missing.
pub fn node_ready() -> Result<(), String> {
    if !has_program("node") {
        return Err("node is not installed".into());
    }
    if !ts_package().join("node_modules/esbuild").is_dir() {
        return Err("the npm packages are missing: run `npm ci` in tests/ts".into());
    }
    Ok(())
}

/// The Chromium the browser test drives (`CHROMIUM_PATH`, default `/usr/bin/chromium`).
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral port")
}

/// A child process killed (and reaped) when dropped, so a failing test
/// leaves no server behind.
pub struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `command` with stdout and stderr going to `log`.
    pub fn start(mut command: Command, log: &Path) -> Server {
        let file = std::fs::File::create(log).expect("create the server log");
        let err = file.try_clone().expect("clone the log handle");
        let child = command
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
        Server {
            child,
            log: log.to_path_buf(),
        }
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the server accepts connections on `port`.
    pub fn wait_for_listen(&mut self, port: u16, timeout: Duration) {
        self.wait_until(&format!("listen on {port}"), timeout, |_| {
            TcpStream::connect(("127.0.0.1", port)).ok().map(drop)
        });
    }

    /// Waits until the server's log names the address it listens on
    /// (`listening on ws://127.0.0.1:PORT`), and returns the port. A server
    /// told to bind port 0 takes its port itself: no other test can take it
    /// between choosing and binding, as with [`free_port`].
    pub fn wait_for_listen_address(&mut self, timeout: Duration) -> u16 {
        self.wait_until("say where it listens", timeout, |server| {
            listening_port(&server.log())
        })
    }

    /// Polls `ready` until it gives a value; panics with the server's log
    /// if the server exits first or `timeout` passes.
    fn wait_until<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut ready: impl FnMut(&Server) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(value) = ready(self) {
                return value;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the server exited ({status}) before it could {what}:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the server did not {what} within {timeout:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `GET path` on `port` answers 200, and returns the body.
    pub fn wait_for_http(&mut self, port: u16, path: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the server exited ({status}) before it served:\n{}",
                    self.log()
                );
            }
            match http(port, "GET", path, None) {
                Ok((200, body)) => return body,
                _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                other => panic!(
                    "the server did not serve {path} within {timeout:?} ({other:?}):\n{}",
                    self.log()
                ),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of the first `listening on ws://HOST:PORT` in a server log.
fn listening_port(log: &str) -> Option<u16> {
    let (_, rest) = log.split_once("listening on ws://")?;
    let address = rest.split(['/', ' ', '\n']).next()?;
    address.rsplit_once(':')?.1.parse().ok()
}

/// One HTTP/1.1 request to 127.0.0.1; returns the status code and the body.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    json: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = json.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_string()))
}

/// What a finished command printed.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// Panics with everything printed unless the command succeeded.
    pub fn assert_success(&self, what: &str) {
        assert!(
            self.status.success(),
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
    }
}

/// Runs `command` to completion, killing it when `timeout` passes.
pub fn run(mut command: Command, timeout: Duration) -> Finished {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
    // Drain both pipes on threads so a chatty child never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{command:?} did not finish within {timeout:?}:\n--- stdout\n{}\n--- stderr\n{}",
                    stdout.join().unwrap_or_default(),
                    stderr.join().unwrap_or_default()
                );
            }
        }
    };
    Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// `node ARGS` run in `tests/ts`.
pub fn node(args: &[&str], timeout: Duration) -> Finished {
    let mut command = Command::new("node");
    command.args(args).current_dir(ts_package());
    run(command, timeout)
}

/// Type-checks the e2e programs against `dir/chat.ts` and bundles them into
/// `dir` (see `tests/ts/e2e/build.mjs`).
pub fn build_e2e_programs(dir: &Path) {
    node(
        &["e2e/build.mjs", &dir.to_string_lossy()],
        Duration::from_secs(180),
    )
    .assert_success("type-checking and bundling the e2e programs");
}

/// Runs the chat scenario in Node, then (when Chromium is there) in the
/// browser, against the server at `port`; `notify_url` makes it push a
/// notification.
pub fn run_chat_scenarios(dir: &Path, port: u16, notify_url: &str) {
    let ws_url = format!("ws://127.0.0.1:{port}");
    let node_run = node(
        &[
            &dir.join("node-main.js").to_string_lossy(),
            &ws_url,
            notify_url,
        ],
        Duration::from_secs(60),
    );
    node_run.assert_success("the Node chat scenario");
    assert!(
        node_run.stdout.contains("PASSED 10 steps"),
        "{}",
        node_run.stdout
    );

    if chromium().is_none() {
        skip("no Chromium at /usr/bin/chromium (set CHROMIUM_PATH): the browser run is left out");
        return;
    }
    let browser_run = node(
        &[&dir.join("drive.js").to_string_lossy(), &ws_url, notify_url],
        Duration::from_secs(120),
    );
    browser_run.assert_success("the browser chat scenario");
    assert!(
        browser_run
            .stdout
            .contains("PASSED in the browser: passed 10 steps"),
        "{}",
        browser_run.stdout
    );
}

/// Opens a docs page in headless Chromium (`tests/ts/docs/check.mjs`):
/// fails on any console error, page error or network request, searches for
/// `query`, and writes `<screenshots>-light.png` and `-dark.png`. Returns
/// the JSON line of what the page shows, or `None` (after [`skip`]) when
/// node, the npm packages or Chromium are missing.
pub fn check_docs_page(url: &str, screenshots: &Path, query: &str) -> Option<String> {
    if let Err(reason) = node_ready() {
        skip(&reason);
        return None;
    }
    if chromium().is_none() {
        skip("no Chromium at /usr/bin/chromium (set CHROMIUM_PATH): the docs page is not opened");
        return None;
    }
    let run = node(
        &["docs/check.mjs", url, &screenshots.to_string_lossy(), query],
        Duration::from_secs(120),
    );
    run.assert_success(&format!("the docs page at {url} in Chromium"));
    Some(run.stdout.trim().to_owned())
}

/// Where a test writes its screenshots: `docs/screenshots/` when
/// `CHANX_UPDATE_SCREENSHOTS` is set (to check them in), a scratch
/// directory otherwise.
pub fn screenshot_dir() -> PathBuf {
    if std::env::var_os("CHANX_UPDATE_SCREENSHOTS").is_some() {
        return repo_root().join("docs/screenshots");
    }
    let dir = std::env::temp_dir().join(format!("chanx-screenshots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[cfg(test)]
mod tests {
    use super::listening_port;

    #[test]
    fn the_listening_port_is_read_from_the_log_line() {
        let log = "2026-11-30T03:25:06Z  INFO chat_server: chat server listening on \
                   ws://127.0.0.1:37621/ws/chat address=127.0.0.1:37621\n";
        assert_eq!(listening_port(log), Some(37621));
        assert_eq!(listening_port("listening on ws://[::1]:8000 x"), Some(8000));
        assert_eq!(listening_port("starting\n"), None);
        assert_eq!(listening_port("listening on ws://127.0.0.1:"), None);
    }
}
