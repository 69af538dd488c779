# Shared helpers for the scripts in cross/ (sourced, not run).

# on_exit COMMAND: runs COMMAND when the script exits, however it exits (an error under set
# -e, a signal), after the commands registered later (last in, first out). Scripts and
# helpers register their cleanups here rather than with `trap … EXIT`, which would replace
# the ones registered before: everything a script starts is stopped, every directory removed.
on_exit() {
    # A subshell inherits the list but not the trap: its cleanups are its own.
    if [ "${_cleanups_owner:-}" != "$BASHPID" ]; then
        _cleanups=()
        _cleanups_owner=$BASHPID
        trap _run_cleanups EXIT
        # Without these, a signal would end the shell without running the EXIT trap.
        trap 'exit 129' HUP
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
    _cleanups+=("$1")
}

_run_cleanups() {
    local i
    for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
        eval "${_cleanups[i]}" || true
    done
    _cleanups=()
}

# need COMMAND PACKAGE: installs PACKAGE from Debian when COMMAND is missing.
need() {
    command -v "$1" >/dev/null \
        || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") >/dev/null
}
need_qemu() { need qemu-aarch64-static qemu-user-static; }
need_skopeo() { need skopeo skopeo; }

# The command prefix that runs a binary of TARGET on this machine.
runner_for() {
    case "$1" in
        x86_64-*) echo "" ;;
        aarch64-*) echo "qemu-aarch64-static" ;;
        armv7-*) echo "qemu-arm-static -cpu cortex-a7" ;;
        armv5te-*) echo "qemu-arm-static -cpu arm926" ;;
        mipsel-*) echo "qemu-mipsel-static" ;;
        mips-*) echo "qemu-mips-static" ;;
        *) echo "unknown target $1" >&2; return 1 ;;
    esac
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# http_get PORT PATH [HEADER]: a GET over bash's /dev/tcp; prints the body.
http_get() {
    local port=$1 path=$2 header=${3:-}
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: check\r\nConnection: close\r\n%s\r\n' "$path" "${header:+$header$'\r\n'}" >&3
    local reply
    reply=$(cat <&3)
    exec 3<&-
    printf '%s' "${reply#*$'\r\n\r\n'}"
}

# Starts cross/tls_peer.py once; sets TLS_PEERS to "name:port" entries. It is stopped (and
# stops its servers) when the script exits.
start_tls_peer() {
    [ -n "${TLS_PEERS:-}" ] && return 0
    coproc TLS_PEER { exec python3 "$(dirname "${BASH_SOURCE[0]}")/tls_peer.py"; }
    on_exit "kill $TLS_PEER_PID 2>/dev/null; wait $TLS_PEER_PID 2>/dev/null"
    local name port
    TLS_PEERS=""
    while read -r name port <&"${TLS_PEER[0]}"; do TLS_PEERS="$TLS_PEERS $name:$port"; done
}

# gateway_on RUN BIN PORT ENDPOINT: starts the gateway (/health on) with Cloudflare at
# ENDPOINT, sets GW_PID, and waits until it answers. gateway_off stops it; so does the exit.
gateway_on() {
    local run=$1 bin=$2 port=$3 endpoint=$4 i
    if [ -z "${_gateway_cleanup:-}" ]; then
        on_exit gateway_off
        _gateway_cleanup=1
    fi
    DDNS_GATEWAY_PROVIDERS_CLOUDFLARE_ENDPOINT="$endpoint" \
        $run "$bin" --host 127.0.0.1 --port "$port" --health-enabled >/dev/null 2>&1 &
    GW_PID=$!
    for i in $(seq 1 100); do
        http_get "$port" /health >/dev/null 2>&1 && break
        sleep 0.1
    done
}

# gateway_off [SIGNAL]: stops the gateway gateway_on started (TERM by default) and waits for
# it; returns its exit status.
gateway_off() {
    [ -n "${GW_PID:-}" ] || return 0
    local pid=$GW_PID code=0
    GW_PID=""
    kill "-${1:-TERM}" "$pid" 2>/dev/null
    wait "$pid" || code=$?
    return "$code"
}

# check_binary TARGET PATH: static, --version, /health, TLS handshakes of every kind the
# provider APIs may ask for, with the target's crypto code (up to the certificate check),
# SIGTERM → exit 0.
check_binary() {
    local target=$1 bin=$2 run
    run=$(runner_for "$target")
    [ -x "$bin" ] || { echo "FAIL $target: $bin missing" >&2; return 1; }
    if readelf -l "$bin" | grep -q 'INTERP'; then
        echo "FAIL $target: not static (has a program interpreter)" >&2; return 1
    fi
    local version
    version=$($run "$bin" --version)
    [[ "$version" == "ddns-gateway "* ]] || { echo "FAIL $target: --version said '$version'" >&2; return 1; }
    # The release build formats no Debug (-Zfmt-debug=none): a value in a message is quoted
    # by the gateway's own code, and the shipped binary must still show it.
    local usage code=0
    usage=$($run "$bin" --methods 'put"' 2>&1) || code=$?
    [ "$code" = 2 ] && [[ "$usage" == *'unknown method "put\""'* ]] \
        || { echo "FAIL $target: --methods put\" said '$usage' (exit $code)" >&2; return 1; }
    start_tls_peer
    local port body peer tls kinds=""
    port=$(free_port)
    for peer in $TLS_PEERS; do
        gateway_on "$run" "$bin" "$port" "https://127.0.0.1:${peer#*:}/client/v4"
        body=$(http_get "$port" /health 2>/dev/null || true)
        tls=$(http_get "$port" "/update?provider=cloudflare&zone=example.com&record=a&type=A&value=192.0.2.1" \
            'X-Upstream-Authorization: ApiKey secret="t"' 2>/dev/null || true)
        local code=0
        gateway_off TERM || code=$?
        [ "$body" = '{"status":"ok"}' ] || { echo "FAIL $target: /health said '$body'" >&2; return 1; }
        # Judging the certificate means the handshake of this kind was negotiated (and
        # under TLS 1.3 the key exchange and AEAD worked: the certificate is encrypted).
        # In the gateway's own words (src/tls.rs): the release build formats no Debug.
        [[ "$tls" == *"invalid peer certificate: it is not signed by a known authority"* ]] || { echo "FAIL $target: TLS ${peer%%:*}: $tls" >&2; return 1; }
        [ "$code" = 0 ] || { echo "FAIL $target: exit $code after SIGTERM" >&2; return 1; }
        kinds="$kinds ${peer%%:*}"
    done
    echo "ok $target: $version, static, $(stat -c %s "$bin") bytes, /health ok, TLS to the certificate check:$kinds, SIGTERM → 0"
}

# ARCH (RouterOS/Docker naming) → Rust target, image architecture, variant.
arch_target() {
    case "$1" in
        arm64) echo "aarch64-unknown-linux-musl arm64 -" ;;
        arm) echo "armv7-unknown-linux-musleabihf arm v7" ;;
        armv5) echo "armv5te-unknown-linux-musleabi arm v5" ;;
        amd64) echo "x86_64-unknown-linux-musl amd64 -" ;;
        *) echo "unknown ARCH $1 (arm64, arm, armv5, amd64)" >&2; return 1 ;;
    esac
}

# dist/SHA256SUMS: every binary and image archive in dist/.
write_sums() {
    (cd "$1" && sha256sum $(ls ddns-gateway-* | grep -v '\.unstripped$') > SHA256SUMS)
}

# check_healthcheck LABEL CONFIG_JSON: the image config runs the binary as its own health
# probe (exec form: the image has no shell), with a timeout longer than the probe's 2 s.
check_healthcheck() {
    python3 - "$1" "$2" <<'PY'
import json, sys
label, h = sys.argv[1], json.loads(sys.argv[2]).get("config", {}).get("Healthcheck") or {}
want = ["CMD", "/ddns-gateway", "--healthcheck"]
ok = (h.get("Test") == want and all(isinstance(h.get(k), int) for k in ("Interval", "Timeout", "Retries"))
      and 2_000_000_000 < h["Timeout"] < h["Interval"] and h["Retries"] >= 1)
if not ok:
    sys.exit(f"FAIL {label}: Healthcheck {h} is not {want} with a timeout over 2 s and below the interval")
print(f"ok {label}: Healthcheck {' '.join(h['Test'][1:])} every {h['Interval'] // 10**9} s, timeout {h['Timeout'] // 10**9} s")
PY
}
