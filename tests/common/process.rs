//! The release binary as a router runs it: started in a scratch directory on a free
//! loopback port, signalled, and waited for with a bound.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_ddns-gateway");

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ddns-gw-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary to completion in `dir`: (exit code, stdout, stderr).
pub fn run(dir: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// A port that was free a moment ago (the binary must be given a real port number).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Running {
    pub child: Child,
    pub port: u16,
    pub stderr: PathBuf,
}

// A failing test must not leave a gateway behind.
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary in `dir` for at most `limit` (then kills it): (exit code, stderr, how long
/// it ran). For what must not hang.
pub fn run_within(dir: &PathBuf, args: &[&str], limit: Duration) -> (i32, String, Duration) {
    let stderr = dir.join("run-stderr.log");
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (code, std::fs::read_to_string(&stderr).unwrap(), started.elapsed())
}

impl Running {
    pub async fn start(dir: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> Running {
        let stderr = dir.join("stderr.log");
        Running::launch(dir, args, env, std::fs::File::create(&stderr).unwrap().into(), stderr).await
    }

    /// Started with its stderr on a pipe, whose reading end is returned: a log reader that
    /// the test controls (or lets stall). `wait` then returns an empty log.
    pub async fn start_piped(
        dir: &PathBuf,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> (Running, std::process::ChildStderr) {
        let stderr = dir.join("stderr-unused.log");
        std::fs::File::create(&stderr).unwrap();
        let mut gw = Running::launch(dir, args, env, Stdio::piped(), stderr).await;
        let pipe = gw.child.stderr.take().unwrap();
        (gw, pipe)
    }

    async fn launch(
        dir: &PathBuf,
        args: &[&str],
        env: &[(&str, &str)],
        stderr_to: Stdio,
        stderr: PathBuf,
    ) -> Running {
        let port = free_port();
        let child = Command::new(BIN)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(args)
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr_to)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "gateway did not start: {}",
                std::fs::read_to_string(&stderr).unwrap()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Running { child, port, stderr }
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        ([127, 0, 0, 1], self.port).into()
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill").args([sig, &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
    }

    /// Waits for the exit (bounded) and returns (code, stderr).
    pub async fn wait(&mut self, limit: Duration) -> (i32, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code().unwrap_or(-1), std::fs::read_to_string(&self.stderr).unwrap());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("did not exit within {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
