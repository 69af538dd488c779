//! `--healthcheck`: the container's health probe. The image holds only this binary (no
//! shell, no curl), so the binary itself asks the gateway configured by the same flags,
//! environment and file whether it answers HTTP.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The whole probe: resolve, connect, send, and read the status line.
pub const DEADLINE: Duration = Duration::from_secs(2);

/// Ok when `GET /health` on host:port gets any HTTP status line within `deadline`.
/// A wildcard listen address (`0.0.0.0`, `::`) is probed on loopback.
pub fn probe(host: &str, port: u16, deadline: Duration) -> Result<(), String> {
    let end = Instant::now() + deadline;
    let left = || end.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
    let addr = target(host, port)?;
    let mut s =
        TcpStream::connect_timeout(&addr, left()).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    s.set_write_timeout(Some(left())).map_err(|e| e.to_string())?;
    s.write_all(b"GET /health HTTP/1.1\r\nHost: healthcheck\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut head = [0u8; 12];
    let mut got = 0;
    while got < head.len() {
        s.set_read_timeout(Some(left())).map_err(|e| e.to_string())?;
        match s.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(format!("no answer from {addr} within {} s: {e}", deadline.as_secs())),
        }
        if Instant::now() >= end {
            break;
        }
    }
    // "HTTP/1.1 200" — any status means the server is up and serving.
    if got == head.len() && head.starts_with(b"HTTP/1.") && head[8] == b' ' {
        Ok(())
    } else {
        Err(format!("{addr} did not answer HTTP"))
    }
}

fn target(host: &str, port: u16) -> Result<SocketAddr, String> {
    let ip = match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Ok(IpAddr::V6(ip)) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        Ok(ip) => ip,
        Err(_) => {
            return (host, port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| format!("cannot resolve {host}"));
        }
    };
    Ok(SocketAddr::new(ip, port))
}
