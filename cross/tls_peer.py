#!/usr/bin/env python3
"""A loopback TLS server with a throwaway self-signed certificate, for the qemu checks:
a gateway that gets as far as judging the certificate has done a real key exchange and decrypted the
server's records with the target's crypto code. Prints its port, then serves until killed."""

import os
import socket
import ssl
import subprocess
import sys
import tempfile

workdir = tempfile.mkdtemp()
cert, key = os.path.join(workdir, "c.pem"), os.path.join(workdir, "k.pem")
subprocess.run(
    ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
     "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
     "-addext", "basicConstraints=critical,CA:FALSE", "-days", "2", "-keyout", key, "-out", cert],
    check=True, capture_output=True,
)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
print(srv.getsockname()[1], flush=True)
sys.stdout.close()
while True:
    conn, _ = srv.accept()
    try:
        ctx.wrap_socket(conn, server_side=True).close()
    except (ssl.SSLError, OSError):
        conn.close()
