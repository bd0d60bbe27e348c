#!/usr/bin/env bash
# The benchmark harness: generate (cached), import, measure. Writes bench-data/results-<profile>.md
# and prints it. Usage: benches/run.sh [international|uk|tiny] [--skip-http]
#
# Needs: /usr/bin/time (Debian package `time`), oha (`cargo install oha`) for HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${1:-international}"
SKIP_HTTP="${2:-}"
SEED=42
DATA="bench-data"
REL="$DATA/synth-$PROFILE-$SEED"
DB="$DATA/db-$PROFILE"
OUT="$DATA/results-$PROFILE.md"
mkdir -p "$DATA"
command -v /usr/bin/time >/dev/null || { echo "install GNU time: apt-get install time" >&2; exit 1; }

cargo build --release --quiet --bin sctx --examples
cargo bench --no-run --quiet --bench inprocess --bench io_floor --bench search_latency 2>/dev/null || cargo bench --no-run --bench inprocess --bench io_floor --bench search_latency
SCTX=target/release/sctx

if [ ! -f "$REL/.complete" ]; then
    rm -rf "$REL"
    /usr/bin/time -v "$SCTX" -q generate --profile "$PROFILE" --seed "$SEED" --out "$REL" > "$DATA/generate-$PROFILE.json" 2> "$DATA/generate-$PROFILE.time"
    touch "$REL/.complete"
fi
GEN_WALL=$(grep "Elapsed (wall" "$DATA/generate-$PROFILE.time" | awk '{print $NF}')

# I/O floor: read and split every line (same files as the import)
FLOOR_JSON=$(cargo bench --quiet --bench io_floor -- "$REL" 2>/dev/null | tail -1)
FLOOR=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['seconds'])" "$FLOOR_JSON")

# import, measured
rm -rf "$DB"
/usr/bin/time -v "$SCTX" -q import --db "$DB" "$REL" > "$DATA/import-$PROFILE.json" 2> "$DATA/import-$PROFILE.time"
WALL=$(grep "Elapsed (wall" "$DATA/import-$PROFILE.time" | awk '{print $NF}')
RSS_KB=$(grep "Maximum resident" "$DATA/import-$PROFILE.time" | awk '{print $NF}')
BUILD=$(ls -d "$DB"/build-* | tail -1)
SIZE=$(du -sb "$BUILD" | cut -f1)
SEARCH_SIZE=$(du -sb "$BUILD/search" | cut -f1)

# in-process (divan)
SCTX_BENCH_DB="$DB" cargo bench --quiet --bench inprocess -- --min-time 1 > "$DATA/inprocess-$PROFILE.txt" 2>&1 || true
SCTX_BENCH_DB="$DB" cargo bench --quiet --bench search_latency > "$DATA/search-latency-$PROFILE.txt" 2>&1 || true

HTTP=""
if [ -z "$SKIP_HTTP" ] && command -v oha >/dev/null; then
    PORT=18080; HPORT=18098; NPORT=18081
    "$SCTX" -q serve --db "$DB" --addr 127.0.0.1:$PORT > /dev/null 2>&1 & SPID=$!
    # the same build without the response cache: every request does the work
    "$SCTX" -q serve --db "$DB" --cache-mb 0 --addr 127.0.0.1:$NPORT > /dev/null 2>&1 & NPID=$!
    target/release/examples/hello_axum 127.0.0.1:$HPORT & HPID=$!
    for _ in $(seq 100); do curl -sf 127.0.0.1:$PORT/readyz >/dev/null && curl -sf 127.0.0.1:$NPORT/readyz >/dev/null && break; sleep 0.2; done
    ID=$(python3 -c "import json; print(json.load(open('$DATA/import-$PROFILE.json'))['build'])" >/dev/null; "$SCTX" -q ecl --db "$DB" --limit 1 "<< 404684003" | python3 -c "import json,sys; print(json.load(sys.stdin)['items'][0]['id'])")
    run() { oha --no-tui -z 10s -c 50 --output-format json "$1" 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); s=d['summary']; p=d['latencyPercentiles']; print(f\"{s['requestsPerSec']:.0f} | {(p['p50'] or 0)*1000:.2f} | {(p['p99'] or 0)*1000:.2f}\")"; }
    H=$(run "http://127.0.0.1:$HPORT/")
    both() { echo "$(run "http://127.0.0.1:$NPORT$1") | $(run "http://127.0.0.1:$PORT$1")"; }
    C=$(both "/v1/concepts/$ID")
    S=$(both "/v1/search?q=hea&limit=10")
    L=$(both "/fhir/CodeSystem/\$lookup?system=http://snomed.info/sct&code=$ID")
    V=$(both "/fhir/CodeSystem/\$validate-code?url=http://snomed.info/sct&code=$ID")
    E=$(both "/fhir/ValueSet/\$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs%3Disa%2F$ID&count=20")
    F=$(both "/fhir/ValueSet/\$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs&filter=hea&count=20")
    H2=$(run "http://127.0.0.1:$HPORT/")
    # memory over a million mixed requests: RSS sampled every second
    "$SCTX" -q ecl --db "$DB" --limit 2000 "< 404684003" | python3 -c "
import json,sys
ids=[i['id'] for i in json.load(sys.stdin)['items']]
words=['hea','dia','fra','inf','car','pne','chr','acu','ren','neo']
with open('$DATA/urls.txt','w') as f:
    for k,i in enumerate(ids):
        f.write(f'http://127.0.0.1:$NPORT/v1/concepts/{i}\n')
        f.write(f'http://127.0.0.1:$NPORT/v1/search?q={words[k%len(words)]}&limit=10\n')
        f.write(f'http://127.0.0.1:$NPORT/v1/subsumes?a=404684003&b={i}\n')
        f.write(f'http://127.0.0.1:$NPORT/v1/concepts/{i}/parents\n')
"
    # the mix goes to the server without the cache, so every request does its work
    RSS0=$(awk '/VmRSS/ {print $2}' /proc/$NPID/status)
    ( while kill -0 $NPID 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$NPID/status; sleep 1; done ) > "$DATA/rss-$PROFILE.txt" &
    SAMPLER=$!
    MIX=$(oha --no-tui -n 1000000 -c 50 --urls-from-file --output-format json "$DATA/urls.txt" 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); s=d['summary']; print(f\"{s['requestsPerSec']:.0f} req/s, success {s['successRate']*100:.1f}%\")")
    RSS1=$(awk '/VmRSS/ {print $2}' /proc/$NPID/status)
    kill $SAMPLER 2>/dev/null || true
    RSSMAX=$(sort -n "$DATA/rss-$PROFILE.txt" | tail -1)
    kill $SPID $NPID $HPID 2>/dev/null || true
    HTTP="Columns: without the response cache (\`--cache-mb 0\`, every request does the work) | with it (the default; a repeated GET is a cache hit).

| route | req/s | p50 ms | p99 ms | req/s (cached) | p50 | p99 |
|---|---|---|---|---|---|---|
| axum hello-world (ceiling), before / after the routes | $H | $H2 |
| \`GET /v1/concepts/{id}\` | $C |
| \`GET /v1/search?q=hea\` (3-letter prefix) | $S |
| FHIR \`CodeSystem/\$lookup\` | $L |
| FHIR \`CodeSystem/\$validate-code\` | $V |
| FHIR \`ValueSet/\$expand\` isa, count=20 | $E |
| FHIR \`ValueSet/\$expand\` filter=hea, count=20 | $F |

1,000,000 mixed requests (lookup, search, subsumes, parents; \`oha -n 1000000 -c 50 --urls-from-file\`): $MIX;
server RSS $((RSS0 / 1024)) MiB before, $((RSS1 / 1024)) MiB after, $((RSSMAX / 1024)) MiB at most."
fi

{
echo "## $PROFILE profile — $(date -u +%Y-%m-%d) — $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| measure | value |"
echo "|---|---|"
echo "| generate (\`sctx generate --profile $PROFILE --seed $SEED\`) | $GEN_WALL |"
echo "| input | $(du -sh "$REL" | cut -f1), $(python3 -c "import json,sys; print(json.loads(sys.argv[1])['lines'])" "$FLOOR_JSON") lines |"
echo "| I/O floor (read + split every line) | ${FLOOR}s |"
echo "| import wall time (\`sctx import\`) | $WALL |"
echo "| import peak RSS | $((RSS_KB / 1024)) MiB |"
echo "| database size | $((SIZE / 1048576)) MiB (search index $((SEARCH_SIZE / 1048576)) MiB) |"
echo
echo "In process (divan, median):"
echo
echo '```'
grep -E "^(├|╰|inprocess|│)" "$DATA/inprocess-$PROFILE.txt" || cat "$DATA/inprocess-$PROFILE.txt"
echo '```'
echo
echo "Search latency, 10 hits (\`cargo bench --bench search_latency\`, median of 5 runs per query):"
echo
grep -E "^(\||[0-9]+ queries)" "$DATA/search-latency-$PROFILE.txt" || cat "$DATA/search-latency-$PROFILE.txt"
if [ -n "$HTTP" ]; then
echo
echo "HTTP, \`oha -z 10s -c 50\` on loopback:"
echo
echo "$HTTP"
fi
} > "$OUT"
cat "$OUT"
