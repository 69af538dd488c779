#!/usr/bin/env python3
"""Loopback TLS servers with throwaway self-signed certificates, for the qemu checks: one
per kind of handshake the provider APIs may ask for. A gateway that gets as far as judging
the certificate has negotiated that kind with the target's crypto code (and under TLS 1.3,
where the certificate travels encrypted, done the key exchange and decrypted records).

Prints "NAME PORT" per server, then serves until killed:
  tls13-x25519  TLS 1.3, key exchange X25519 only, ECDSA P-256 certificate
  tls13-p256    TLS 1.3, key exchange P-256 only (the client's X25519 share is refused)
  tls12-ecdsa   TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256, ECDSA P-256 certificate
  tls12-rsa     TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, RSA 2048 certificate
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

work = tempfile.mkdtemp()


def cert(name, *key_args):
    key, crt = os.path.join(work, name + ".key"), os.path.join(work, name + ".pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", *key_args, "-nodes", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE",
         "-days", "2", "-keyout", key, "-out", crt],
        check=True, capture_output=True,
    )
    return ["-cert", crt, "-key", key]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


ec = cert("ec", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")
rsa = cert("rsa", "rsa:2048")
servers = {
    "tls13-x25519": ec + ["-tls1_3", "-groups", "X25519"],
    "tls13-p256": ec + ["-tls1_3", "-groups", "P-256"],
    "tls12-ecdsa": ec + ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
    "tls12-rsa": rsa + ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
}
children = []
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
try:
    for name, args in servers.items():
        port = free_port()
        children.append(subprocess.Popen(
            ["openssl", "s_server", "-quiet", "-www", "-accept", f"127.0.0.1:{port}", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        print(name, port, flush=True)
    # The reader takes end-of-file as the end of the list (sys.stdout.close() keeps fd 1).
    sys.stdout.flush()
    os.close(1)
    while True:
        time.sleep(3600)
finally:
    for c in children:
        c.kill()
        c.wait()
    shutil.rmtree(work, ignore_errors=True)
