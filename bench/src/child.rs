//! Running a child process with a time limit and reading what it printed.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// What a finished child printed, and how long it ran.
pub struct Finished {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
    pub wall: Duration,
}

/// Runs `command` to completion, killing it after `limit`.
pub fn run(mut command: Command, limit: Duration) -> Result<Finished> {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {command:?}"))?;
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            kill(&mut child);
            bail!("did not finish within {} s", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    Ok(Finished {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        success: status.success(),
        wall,
    })
}

/// A finished child's wall time, success and peak memory.
pub struct Measured {
    pub success: bool,
    pub wall: Duration,
    pub peak_kib: u64,
    pub stderr: String,
}

/// Runs `command` to completion (output to stderr kept, stdout dropped),
/// killing it after `limit`; waits with `wait4`, so the wall time is not
/// rounded to a polling interval and the child's peak RSS comes with it.
pub fn run_measured(mut command: Command, limit: Duration) -> Result<Measured> {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {command:?}"))?;
    let stderr = drain(child.stderr.take());
    let pid = child.id() as libc::pid_t;
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(limit).is_err() {
            // SAFETY: kill takes any pid. The child is not reaped until
            // wait4 returns, which is followed at once by the message that
            // stops this thread, so the pid is still the child's.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; status and usage outlive the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    let _ = done.send(());
    let killed = watchdog.join().unwrap_or(false);
    if reaped != pid {
        bail!("waiting for {command:?} failed");
    }
    if killed {
        bail!("did not finish within {} s", limit.as_secs());
    }
    Ok(Measured {
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        wall,
        peak_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Ends a child this program started.
pub fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// The first non-empty line of `text`.
pub fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no output")
        .to_string()
}
