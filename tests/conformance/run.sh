#!/usr/bin/env bash
# Runs the HL7 FHIR terminology ecosystem suites `metadata` and `snomed` against sctx.
#
# Usage: tests/conformance/run.sh [PATH_TO_SHARED]   (default: ../shared, from the project root)
#
# Builds the release binary if needed, imports the tx-source SNOMED subset into a temporary
# database as http://snomed.info/xsct/900000000000207008/version/20250814, serves it on a free
# loopback port, runs txtest.py with --output, and fails when fewer tests pass than
# tests/conformance/MIN_PASS. Prints SKIPPED and exits 0 when the shared folder is absent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
shared="${1:-../shared}"

subset="$shared/samples/fhir-tx-ecosystem-ig/tx-source/snomed"
runner="$shared/tools/txtest/txtest.py"
if [[ ! -d "$shared" || ! -d "$subset" || ! -f "$runner" ]]; then
    echo "SKIPPED fhir conformance: $shared (HL7 tx-ecosystem subset and txtest) is absent"
    exit 0
fi

min_pass="$(tr -d '[:space:]' < "$here/MIN_PASS")"
bin="${CARGO_TARGET_DIR:-$root/target}/release/sctx"
if [[ ! -x "$bin" ]] || [[ -n "$(find crates data-loaders Cargo.toml Cargo.lock -newer "$bin" -print -quit 2>/dev/null)" ]]; then
    cargo build --release --quiet
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" --quiet import --db "$work/db" --edition 900000000000207008=20250814 "$subset" > "$work/import.json"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$bin" serve --db "$work/db" --addr "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the server exited early:" >&2
        cat "$work/serve.log" >&2
        exit 1
    fi
    if python3 -c "import sys, urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.2
done
if [[ -z "$ready" ]]; then
    echo "the server did not become ready on port $port" >&2
    exit 1
fi

out="${FHIR_CONFORMANCE_OUTPUT:-$work/results.json}"
set +e
python3 "$runner" --server "http://127.0.0.1:$port/fhir" --suites metadata,snomed --output "$out" --verbose
rc=$?
set -e
if [[ $rc -eq 2 ]]; then
    echo "txtest could not run (exit 2)" >&2
    exit 1
fi

passed="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["passed"])' "$out")"
echo "fhir conformance: $passed passed (minimum $min_pass); known failures are argued in tests/conformance/KNOWN.md"
if (( passed < min_pass )); then
    echo "FAIL: fewer than $min_pass tests passed" >&2
    exit 1
fi
