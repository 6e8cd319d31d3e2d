#!/usr/bin/env bash
# Benchmark: `ocvm migrate --driver file` against the other ways of moving an OpenClaw state dir
# between two hosts, all measured in the same run on the same generated deployment.
#
#   sudo bash bench/file-migration.sh                 # full size: 50000 small files + 2048 MiB of transcripts, 3 reps
#   sudo BENCH_QUICK=1 bash bench/file-migration.sh   # 5000 files + 200 MiB, 1 rep (debugging)
#
# Env knobs:
#   BENCH_FILES        small WhatsApp credential files (default 50000; quick 5000)
#   BENCH_SESSION_MB   MiB of session transcripts (default 2048; quick 200)
#   BENCH_REPEAT       repetitions of every method; the median is reported (default 3; quick 1)
#   BENCH_SEED         generator seed (default 20260917): same seed and sizes => same payload bytes
#   BENCH_METHODS      subset/order of: ocvm guide rsync backup raw (default: all; "delta" (the
#                      same command again) and "change" (--force after a small source change)
#                      always follow each ocvm run)
#   BENCH_REGEN=1      regenerate the deployment even if one with the same parameters is there
#   BENCH_KEEP_INFRA=0 run `hosts.sh down` at the end (default: leave the hosts up)
#
# Needs root and the namespace test hosts (test/infra/hosts.sh; started here if they are not up),
# and a built ocvm (`npm run build`; the script does not build, so it measures whatever dist/ holds).
# Everything stays on the hosts' bridge / loopback. Results: bench/out/file-migration-<stamp>.json,
# a markdown table on stdout (also bench/out/file-migration-<stamp>.md), logs in
# bench/out/file-migration-<stamp>/. See BENCHMARKS.md for what each method does and why.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$REPO/bench"

if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  FILES="${BENCH_FILES:-5000}"; SESSION_MB="${BENCH_SESSION_MB:-200}"; REPEAT="${BENCH_REPEAT:-1}"
else
  FILES="${BENCH_FILES:-50000}"; SESSION_MB="${BENCH_SESSION_MB:-2048}"; REPEAT="${BENCH_REPEAT:-3}"
fi
SEED="${BENCH_SEED:-20260917}"
read -r -a METHODS <<<"${BENCH_METHODS:-ocvm guide rsync backup raw}"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
bench_start file-migration "ocvm guide rsync backup raw" "${METHODS[@]}"

# ------------------------------------------------------------------------------------------ infra
bench_hosts
SRC_HOME="$OCVM_INFRA_ROOT/hosts/ocvm-src/fs/home/alice"   # alice's /home/alice on ocvm-src, seen from here
DST_HOME="$OCVM_INFRA_ROOT/hosts/ocvm-dst/fs/home/bob"     # bob's /home/bob on ocvm-dst
[[ -d "$SRC_HOME" && -d "$DST_HOME" ]] || die "host homes not found under $OCVM_INFRA_ROOT/hosts"
# /tmp is NOT private to the hosts (hosts.sh shares everything but /home and a few /etc dirs), so
# the per-host scratch dirs must differ or a copy would overwrite its own source.
SCRATCH=/tmp/ocvm-bench
SRC_TMP="$SCRATCH/src"
DST_TMP="$SCRATCH/dst"

# ------------------------------------------------------------------------------------ deployment
MARKER="$SRC_HOME/.ocvm-bench-params"
PARAMS="files=$FILES session_mb=$SESSION_MB seed=$SEED gen=$(sha256sum "$BENCH/gen-deployment.mjs" | cut -c1-16)"
if [[ "${BENCH_REGEN:-0}" != 1 && -d "$SRC_HOME/.openclaw" && -f "$MARKER" && "$(cat "$MARKER")" == "$PARAMS" ]]; then
  log "reusing the deployment on ocvm-src ($PARAMS)"
  gen_seconds=null
else
  log "generating the deployment on ocvm-src ($PARAMS)"
  t0=$(date +%s%N)
  rm -rf "$SRC_HOME/.openclaw" "$MARKER"
  sshh alice@ocvm-src 'openclaw setup --baseline' >"$WORK/setup-baseline.log" 2>&1 \
    || { cat "$WORK/setup-baseline.log" >&2; die "openclaw setup --baseline failed on ocvm-src"; }
  node "$BENCH/gen-deployment.mjs" "$SRC_HOME/.openclaw" "$FILES" "$SESSION_MB" "$SEED" >"$WORK/generated.json"
  chown -R alice:alice "$SRC_HOME/.openclaw"
  sync
  printf '%s\n' "$PARAMS" >"$MARKER"
  gen_seconds=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  log "generated in ${gen_seconds}s: $(cat "$WORK/generated.json")"
fi

# What a complete copy must look like (counted once on the source).
src_state="$SRC_HOME/.openclaw"
count_files() { if [[ -d "$1" ]]; then find "$1" -type f | wc -l; else echo 0; fi; }
SRC_FILES=$(count_files "$src_state")
SRC_BYTES=$(du -sb "$src_state" | cut -f1)
SRC_WA=$(count_files "$src_state/credentials/whatsapp/default")
SRC_AR=$(count_files "$src_state/agents/main/archive")
SRC_MD=$(count_files "$src_state/workspace")
# Sample files whose bytes must arrive unchanged (none of them mentions a home path).
SAMPLES=(
  "credentials/whatsapp/default/creds.json"
  "credentials/whatsapp/default/$(cd "$src_state/credentials/whatsapp/default" && ls | sort | sed -n "$((SRC_WA / 2))p")"
  "agents/main/archive/$(cd "$src_state/agents/main/archive" && ls -S | head -n 1)"
  "workspace/MEMORY.md"
  "workspace/notes/$(cd "$src_state/workspace/notes" && ls | sort | head -n 1)"
)
declare -A SRC_SHA
for s in "${SAMPLES[@]}"; do SRC_SHA[$s]=$(sha256sum <"$src_state/$s" | cut -d' ' -f1); done
log "source: $SRC_FILES files, $SRC_BYTES bytes ($SRC_WA WhatsApp files, $SRC_AR transcripts, $SRC_MD workspace files)"

# ------------------------------------------------------------------------------------- helpers
reset_target() {
  rm -rf "$DST_HOME/.openclaw" "$DST_HOME"/.openclaw.ocvm-* "$DST_HOME"/.ocvm-staging-* \
    "$DST_HOME/openclaw-restored" "$DST_HOME/bench-backup.tar.gz" "$SCRATCH"
  mkdir -p "$SRC_TMP" "$DST_TMP"
  chmod 1777 "$SRC_TMP"   # openclaw backup create runs as alice
  # Flush the previous method's writes so they are not billed to the next one.
  sync
}

now_ns() { date +%s%N; }
rss_of() { local v; v=$(tail -n 1 "$1" 2>/dev/null || true); [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo null; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# Checks the copy on ocvm-dst against the source; prints a JSON object. A method that skips files
# on purpose (openclaw backup) is flagged "partial" rather than failed.
check_target() {
  local method="$1" d="$DST_HOME/.openclaw" files bytes wa ar md s sha bad=() ok status rewritten
  if [[ ! -d "$d" ]]; then
    printf '{"status":"failed","reason":"no %s on the target"}' "/home/bob/.openclaw"
    return
  fi
  files=$(count_files "$d"); bytes=$(du -sb "$d" | cut -f1)
  wa=$(count_files "$d/credentials/whatsapp/default"); ar=$(count_files "$d/agents/main/archive"); md=$(count_files "$d/workspace")
  [[ $wa == "$SRC_WA" ]] || bad+=("whatsapp $wa/$SRC_WA")
  [[ $ar == "$SRC_AR" ]] || bad+=("transcripts $ar/$SRC_AR")
  [[ $md == "$SRC_MD" ]] || bad+=("workspace $md/$SRC_MD")
  for s in "${SAMPLES[@]}"; do
    sha=$(sha256sum <"$d/$s" 2>/dev/null | cut -d' ' -f1 || true)
    [[ $sha == "${SRC_SHA[$s]}" ]] || bad+=("sha256 $s")
  done
  if grep -q '/home/alice' "$d/openclaw.json" 2>/dev/null; then rewritten=false; else rewritten=true; fi
  if ((${#bad[@]} > 0)); then status=failed
  elif [[ $files != "$SRC_FILES" ]]; then status=partial
  else status=ok; fi
  printf '{"status":"%s","files":%s,"bytes":%s,"sourceFiles":%s,"sourceBytes":%s,"configRewritten":%s,"problems":"%s"}' \
    "$status" "$files" "$bytes" "$SRC_FILES" "$SRC_BYTES" "$rewritten" "${bad[*]:-}"
}

# record <method> <rep> <rc> <seconds> <wireBytes|null> <peakRssKb|null> <extra-json|null>
record() {
  local check
  check=$(check_target "$1")
  printf '{"method":"%s","rep":%s,"exitCode":%s,"seconds":%s,"wireBytes":%s,"peakRssKb":%s,"check":%s,"extra":%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$check" "$7" >>"$RESULTS"
  log "  $1 #$2: ${4}s rc=$3 wire=$5 rssKb=$6 check=$check"
}

ocvm_migrate() { # <runsDir> <tag> [extra flags...]
  local runs="$1" tag="$2"
  shift 2
  # --skip-hooks: the other methods only move the state too (and these hosts have no init system).
  OCVM_RUNS_DIR="$runs" /usr/bin/time -f %M -o "$WORK/$tag.rss" \
    node "$REPO/bin/run.js" migrate --driver file --from root@ocvm-src --user alice \
    --to root@ocvm-dst --target-user bob --yes --json --skip-hooks "$@" >"$WORK/$tag.json" 2>"$WORK/$tag.err"
}

# Extracts wire bytes and per-step seconds from ocvm's --json result.
ocvm_extra() {
  node -e '
    const fs = require("fs")
    let r = {}
    try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")) } catch {}
    const steps = {}
    for (const s of r.steps ?? []) if (s.startedAt && s.finishedAt) steps[s.name] = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000
    const out = {status: r.status ?? null, runId: r.runId ?? null, wireBytes: r.transfer?.wireBytes ?? null, payloadBytes: r.transfer?.bytes ?? null, files: r.transfer?.files ?? null, transferSeconds: r.transfer?.seconds ?? null, steps, nextSteps: r.nextSteps ?? null}
    process.stdout.write(JSON.stringify(out))
  ' "$1"
}

# ------------------------------------------------------------------------------------- methods
# Each run_<method> <rep> does the whole move (timed) and calls record.

run_ocvm() {
  local rep="$1" runs="$WORK/runs-$rep" t0 t1 rc=0 extra
  rm -rf "$runs"; mkdir -p "$runs"
  t0=$(now_ns); ocvm_migrate "$runs" "ocvm-$rep" --force || rc=$?; t1=$(now_ns)
  extra=$(ocvm_extra "$WORK/ocvm-$rep.json")
  record ocvm "$rep" "$rc" "$(secs "$t0" "$t1")" "$(node -e 'process.stdout.write(String(JSON.parse(process.argv[1]).wireBytes))' "$extra")" "$(rss_of "$WORK/ocvm-$rep.rss")" "$extra"
  ((rc == 0)) || { log "  ocvm failed: $(tail -n 5 "$WORK/ocvm-$rep.err")"; return 0; }

  # e. the same command again, same runs dir, no --force: ocvm lists the source again, finds it
  # unchanged since the run, and must report a no-op.
  t0=$(now_ns); rc=0; ocvm_migrate "$runs" "delta-$rep" || rc=$?; t1=$(now_ns)
  extra=$(ocvm_extra "$WORK/delta-$rep.json")
  if ((rc == 0)) && ! grep -q 'Nothing changed' "$WORK/delta-$rep.json"; then
    log "  delta #$rep did not report a no-op"; rc=99
  fi
  record delta "$rep" "$rc" "$(secs "$t0" "$t1")" null "$(rss_of "$WORK/delta-$rep.rss")" "$extra"

  # f. a small change on the source (a line appended to one transcript and to one note), then the
  # same command with --force: staging starts from the copy on the target and only what differs
  # travels. The two files are restored (content and mtime) afterwards for the other methods.
  local orig="$WORK/change-orig-$rep" files=() f
  files=("agents/main/archive/$(cd "$src_state/agents/main/archive" && ls -S | tail -n 1)" "workspace/notes/$(cd "$src_state/workspace/notes" && ls | sort | tail -n 1)")
  mkdir -p "$orig"
  for f in "${files[@]}"; do cp -p "$src_state/$f" "$orig/$(basename "$f")"; printf '%s\n' '{"bench":"a change after the first migration"}' >>"$src_state/$f"; done
  t0=$(now_ns); rc=0; ocvm_migrate "$runs" "change-$rep" --force || rc=$?; t1=$(now_ns)
  extra=$(ocvm_extra "$WORK/change-$rep.json")
  for f in "${files[@]}"; do
    cmp -s "$src_state/$f" "$DST_HOME/.openclaw/$f" || { log "  change #$rep: $f did not arrive"; rc=98; }
    cp -p "$orig/$(basename "$f")" "$src_state/$f"
  done
  record change "$rep" "$rc" "$(secs "$t0" "$t1")" "$(node -e 'process.stdout.write(String(JSON.parse(process.argv[1]).wireBytes))' "$extra")" "$(rss_of "$WORK/change-$rep.rss")" "$extra"
}

# b. migration-guide.md Steps 1 and 3: tar czf on the source, scp, tar xzf + chown -R + sed on the
# target. scp -3 relays through this machine, like ocvm (the hosts have no keys for each other).
run_guide() {
  local rep="$1" t0 t1 t2 t3 rc=0 tgz="$SRC_TMP/openclaw-backup.tar.gz"
  t0=$(now_ns); t1=$t0; t2=$t0
  {
    sshh ocvm-src "tar czf $tgz -C /home/alice .openclaw" && t1=$(now_ns) &&
      scp -F "$CFG" -3 -q "ocvm-src:$tgz" "ocvm-dst:$DST_TMP/" && t2=$(now_ns) &&
      sshh ocvm-dst "chmod 600 $DST_TMP/openclaw-backup.tar.gz && mkdir -p /home/bob/.openclaw &&
        tar xzf $DST_TMP/openclaw-backup.tar.gz -C /home/bob/ && chown -R bob:bob /home/bob/.openclaw &&
        sed -i 's|/home/alice|/home/bob|g' /home/bob/.openclaw/openclaw.json"
  } >"$WORK/guide-$rep.log" 2>&1 || rc=$?
  t3=$(now_ns)
  record guide "$rep" "$rc" "$(secs "$t0" "$t3")" "$(stat -c %s "$tgz" 2>/dev/null || echo null)" null \
    "{\"phases\":{\"pack\":$(secs "$t0" "$t1"),\"copy\":$(secs "$t1" "$t2"),\"unpack\":$(secs "$t2" "$t3")}}"
}

# c. rsync -a straight from ocvm-src to ocvm-dst. One rsync cannot relay through this machine, so
# it runs ON the source and ssh-es to the target with the infra client key (the filesystem holding
# the key and ssh_config is shared with the hosts; nothing is written to /root/.ssh). That is one
# hop instead of ocvm's two; see BENCHMARKS.md.
run_rsync() {
  local rep="$1" t0 t1 rc=0 wire
  t0=$(now_ns)
  {
    sshh ocvm-src "rsync -a --delete --stats --chown=bob:bob -e 'ssh -F $CFG' /home/alice/.openclaw/ ocvm-dst:/home/bob/.openclaw/" &&
      sshh ocvm-dst "sed -i 's|/home/alice|/home/bob|g' /home/bob/.openclaw/openclaw.json"
  } >"$WORK/rsync-$rep.log" 2>&1 || rc=$?
  t1=$(now_ns)
  wire=$(awk -F': ' '/^Total bytes (sent|received)/ { gsub(/,/, "", $2); n += $2 } END { if (n) printf "%.0f\n", n; else print "null" }' "$WORK/rsync-$rep.log")
  record rsync "$rep" "$rc" "$(secs "$t0" "$t1")" "$wire" null null
}

# d. OpenClaw's own recipe (docs/install/migrating.md): backup create --verify as alice, copy,
# backup restore into a fresh dir as bob, move the state asset into place (+ the same sed).
run_backup() {
  local rep="$1" t0 t1 t2 t3 rc=0 arc="$SRC_TMP/bench-backup.tar.gz"
  t0=$(now_ns); t1=$t0; t2=$t0
  {
    sshh alice@ocvm-src "openclaw backup create --output $arc --verify --json" >"$WORK/backup-create-$rep.json" && t1=$(now_ns) &&
      scp -F "$CFG" -3 -q "alice@ocvm-src:$arc" "bob@ocvm-dst:/home/bob/bench-backup.tar.gz" && t2=$(now_ns) &&
      sshh bob@ocvm-dst 'openclaw backup restore /home/bob/bench-backup.tar.gz --target /home/bob/openclaw-restored --json >/dev/null &&
        s=$(find /home/bob/openclaw-restored -type d -path "*/payload/posix/home/alice/.openclaw" -prune -print | head -n 1) &&
        [ -n "$s" ] && mv "$s" /home/bob/.openclaw &&
        sed -i "s|/home/alice|/home/bob|g" /home/bob/.openclaw/openclaw.json'
  } >"$WORK/backup-$rep.log" 2>&1 || rc=$?
  t3=$(now_ns)
  local extra
  extra=$(node -e '
    let r = {}
    try { r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")) } catch {}
    const [pack, copy, unpack] = process.argv.slice(2).map(Number)
    process.stdout.write(JSON.stringify({phases: {pack, copy, unpack}, skipped: r.skipped ?? null, skippedVolatileCount: r.skippedVolatileCount ?? null}))
  ' "$WORK/backup-create-$rep.json" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")")
  record backup "$rep" "$rc" "$(secs "$t0" "$t3")" "$(stat -c %s "$arc" 2>/dev/null || echo null)" null "$extra"
}

# f. the floor: one uncompressed tar stream relayed through this machine, no checks, no chown.
# (Unpacked straight into /home/bob rather than a scratch dir so the same check applies.)
run_raw() {
  local rep="$1" t0 t1 rc=0 wire
  t0=$(now_ns)
  sshh ocvm-src 'tar cf - --totals -C /home/alice .openclaw' 2>"$WORK/raw-$rep.err" |
    sshh ocvm-dst 'tar xf - -C /home/bob' 2>>"$WORK/raw-$rep.err" || rc=$?
  t1=$(now_ns)
  wire=$(sed -n 's/^Total bytes written: \([0-9]*\).*/\1/p' "$WORK/raw-$rep.err" | head -n 1)
  record raw "$rep" "$rc" "$(secs "$t0" "$t1")" "${wire:-null}" null null
}

# ---------------------------------------------------------------------------------------- run
versions() {
  printf '{"node":"%s","openclaw":"%s","openssh":"%s","tar":"%s","gzip":"%s","zstd":"%s","rsync":"%s"}' \
    "$(node --version)" "$(sshh alice@ocvm-src 'openclaw --version' 2>/dev/null | head -n 1)" \
    "$(ssh -V 2>&1)" "$(tar --version | head -n 1)" "$(gzip --version | head -n 1)" \
    "$(zstd --version | sed 's/^\*\*\* //; s/ \*\*\*$//')" "$(rsync --version | head -n 1)"
}
# dist/ is what gets measured; note when src/ has moved on since it was built.
commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=false; [[ -n "$(git -C "$REPO" status --porcelain -- src 2>/dev/null)" ]] && dirty=true
stale=false; [[ -n "$(find "$REPO/src" -newer "$REPO/dist/commands/migrate.js" -type f -print -quit)" ]] && stale=true
[[ $stale == false ]] || log "WARNING: src/ has files newer than dist/: measuring an older build (run npm run build)"
cat >"$WORK/meta.json" <<EOF
{"stamp":"$STAMP","date":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","quick":${BENCH_QUICK:-0},"files":$FILES,"sessionMB":$SESSION_MB,"seed":$SEED,"repeat":$REPEAT,
 "methods":"${METHODS[*]}","generateSeconds":$gen_seconds,
 "source":{"files":$SRC_FILES,"bytes":$SRC_BYTES,"whatsappFiles":$SRC_WA,"transcripts":$SRC_AR,"workspaceFiles":$SRC_MD},
 "machine":{"cpus":$(nproc),"memKb":$(awk '/MemTotal/ {print $2}' /proc/meminfo),"kernel":"$(uname -r)","cpu":"$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"},
 "versions":$(versions),
 "ocvm":{"headCommit":"$commit","srcDirty":$dirty,"srcNewerThanDist":$stale,"distBuilt":"$(date -u -r "$REPO/dist/commands/migrate.js" +%Y-%m-%dT%H:%M:%SZ)"}}
EOF

: >"$RESULTS"
for ((rep = 1; rep <= REPEAT; rep++)); do
  for m in "${METHODS[@]}"; do
    log "rep $rep/$REPEAT: $m"
    reset_target
    "run_$m" "$rep"
  done
done
reset_target
rm -rf "$SCRATCH"

# The source must be untouched by every method.
if [[ $(count_files "$src_state") != "$SRC_FILES" ]]; then log "WARNING: the source changed during the run"; fi

node "$BENCH/report.mjs" "$WORK/meta.json" "$RESULTS" "$OUT_DIR/file-migration-$STAMP.json" | tee "$OUT_DIR/file-migration-$STAMP.md"
log "results: $OUT_DIR/file-migration-$STAMP.json (logs in $WORK)"

if [[ "${BENCH_KEEP_INFRA:-1}" == 0 ]]; then
  log "tearing the hosts down"
  bash "$REPO/test/infra/hosts.sh" down >/dev/null 2>&1 || true
fi
