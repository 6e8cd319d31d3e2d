#!/usr/bin/env bash
# Benchmark: `ocvm migrate --driver libvirt` of a domain whose disk is large but mostly empty,
# against the migration guide's recipe (`virsh vol-download` + `scp` + `virsh vol-upload`, not
# sparse) and against a raw `ssh cat | ssh cat` pipe of just the disk's data (the floor), all in the
# same run, between the libvirtd of the two namespace test hosts (test/infra/libvirt.sh).
#
#   flock /tmp/ocvm-integration.lock bash bench/libvirt-migration.sh                # quick: 5 GiB disk, 512 MiB data, 3 reps (~7 min)
#   BENCH_FULL=1 flock /tmp/ocvm-integration.lock bash bench/libvirt-migration.sh   # the issue's size: 20 GiB, 2 GiB data, 1 rep (needs ~45 GB free disk)
#
# Env knobs:
#   BENCH_DISK_GB    virtual size of the disk (default 5; full 20)
#   BENCH_DATA_MB    MiB of (random, incompressible) data in it, in BENCH_EXTENTS runs spread over the
#                    disk (default 512; full 2048; BENCH_EXTENTS default 64)
#   BENCH_FORMAT     raw (default) or qcow2 (created with metadata preallocation, as virt-manager does,
#                    so its file is as large as the disk; a plain qcow2 file only holds its data)
#   BENCH_REPEAT     repetitions of every method, the median is reported (default 3; full 1)
#   BENCH_METHODS    subset/order of: ocvm guide raw raw-aes (default all). raw-aes is the raw pipe with
#                    the ssh ciphers ocvm asks for (AES-GCM first, src/hosts/ssh-ciphers.ts), raw with
#                    ssh's defaults (ChaCha20-Poly1305 first), as a user's plain `ssh cat` gets.
#
# Needs root, the namespace test hosts (started if they are not up), the packages of
# test/infra/provision.sh, free disk for the guide's two non-sparse copies (2 x the disk size), and a
# built ocvm (`npm run build`; it measures whatever dist/ holds). It restarts libvirtd on the test
# hosts (libvirt.sh up) and stops them at the end: run it under the integration lock.
# Results: bench/out/libvirt-migration-<stamp>.json and .md, logs in bench/out/libvirt-migration-<stamp>/.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$REPO/bench"

if [[ "${BENCH_FULL:-0}" == 1 ]]; then
  DISK_GB="${BENCH_DISK_GB:-20}"; DATA_MB="${BENCH_DATA_MB:-2048}"; REPEAT="${BENCH_REPEAT:-1}"
else
  DISK_GB="${BENCH_DISK_GB:-5}"; DATA_MB="${BENCH_DATA_MB:-512}"; REPEAT="${BENCH_REPEAT:-3}"
fi
EXTENTS="${BENCH_EXTENTS:-64}"
FORMAT="${BENCH_FORMAT:-raw}"
read -r -a METHODS <<<"${BENCH_METHODS:-ocvm guide raw raw-aes}"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
[[ $FORMAT == raw || $FORMAT == qcow2 ]] || die "BENCH_FORMAT must be raw or qcow2"
(( DATA_MB % EXTENTS == 0 )) || die "BENCH_DATA_MB ($DATA_MB) must be a multiple of BENCH_EXTENTS ($EXTENTS)"
(( DATA_MB < DISK_GB * 1024 )) || die "the data must fit in the disk"
bench_start libvirt-migration "ocvm guide raw raw-aes" "${METHODS[@]}"

# ------------------------------------------------------------------------------------------ infra
bench_hosts
vsh() { local h="$1"; shift; sshh "$h" "virsh -q -c qemu:///system $*"; }

log "starting libvirtd on the test hosts (fresh state)"
bash "$REPO/test/infra/libvirt.sh" up >"$WORK/libvirt-up.log" 2>&1 || { cat "$WORK/libvirt-up.log" >&2; die "libvirt.sh up failed"; }
trap 'bash "$REPO/test/infra/libvirt.sh" down >/dev/null 2>&1 || true; rm -rf "$SCRATCH"' EXIT

# A host's /var/lib/libvirt as seen from here, and scratch dirs (/var/tmp is shared by the hosts, so
# the two ends need different dirs).
images() { echo "$OCVM_INFRA_ROOT/hosts/$1/libvirt/lib/images"; }
SCRATCH=/var/tmp/ocvm-bench-libvirt
SRC_TMP="$SCRATCH/src"
DST_TMP="$SCRATCH/dst"
rm -rf "$SCRATCH"; mkdir -p "$SRC_TMP" "$DST_TMP"
need_kb=$(( DISK_GB * 1024 * 1024 * 2 + DATA_MB * 1024 * 4 + 2 * 1024 * 1024 ))
free_kb=$(df -Pk "$SCRATCH" | awk 'NR==2 {print $4}')
(( free_kb > need_kb )) || die "not enough free disk: the guide's non-sparse copies need about $((need_kb / 1024 / 1024)) GiB, $((free_kb / 1024 / 1024)) GiB free"

# ------------------------------------------------------------------------------------------- disk
VM=bench-vm
VOL="$VM.$FORMAT"
DISK_BYTES=$(( DISK_GB * 1024 * 1024 * 1024 ))
CHUNK_MB=$(( DATA_MB / EXTENTS ))
STRIDE_MB=$(( DISK_GB * 1024 / EXTENTS ))
log "generating $DATA_MB MiB of random data in $EXTENTS runs over a $DISK_GB GiB $FORMAT disk on ocvm-src"
t0=$(date +%s%N)
head -c $(( DATA_MB * 1024 * 1024 )) /dev/urandom >"$SRC_TMP/data.bin"
if [[ $FORMAT == raw ]]; then
  vsh ocvm-src vol-create-as --pool default --name "$VOL" --capacity "$DISK_BYTES" --allocation 0 --format raw >/dev/null
  for ((i = 0; i < EXTENTS; i++)); do
    dd if="$SRC_TMP/data.bin" of="$(images ocvm-src)/$VOL" bs=1M skip=$(( i * CHUNK_MB )) seek=$(( i * STRIDE_MB )) count="$CHUNK_MB" conv=notrunc status=none
  done
else
  vsh ocvm-src vol-create-as --pool default --name "$VOL" --capacity "$DISK_BYTES" --allocation 0 --format qcow2 --prealloc-metadata >/dev/null
  cmds=()
  for ((i = 0; i < EXTENTS; i++)); do
    dd if="$SRC_TMP/data.bin" of="$SRC_TMP/chunk-$i" bs=1M skip=$(( i * CHUNK_MB )) count="$CHUNK_MB" status=none
    cmds+=(-c "write -s $SRC_TMP/chunk-$i $(( i * STRIDE_MB ))M ${CHUNK_MB}M")
  done
  qemu-io -f qcow2 "${cmds[@]}" "$(images ocvm-src)/$VOL" >/dev/null
  rm -f "$SRC_TMP"/chunk-*
fi
vsh ocvm-src pool-refresh default >/dev/null
sync
cat >"$(images ocvm-src)/../$VM.xml" <<EOF
<domain type='qemu'>
  <name>$VM</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>/var/lib/libvirt/boot/vmlinuz</kernel><initrd>/var/lib/libvirt/boot/initrd.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <disk type='volume' device='disk'><driver name='qemu' type='$FORMAT'/><source pool='default' volume='$VOL'/><target dev='vda' bus='virtio'/></disk>
    <serial type='file'><source path='/var/log/libvirt/qemu/$VM-console.log'/><target port='0'/></serial>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
  </devices>
</domain>
EOF
vsh ocvm-src define --file "/var/lib/libvirt/$VM.xml" >/dev/null
SRC_VOL="$(images ocvm-src)/$VOL"
DST_VOL="$(images ocvm-dst)/$VOL"
SRC_ALLOC=$(( $(stat -c %b "$SRC_VOL") * 512 ))
SRC_APPARENT=$(stat -c %s "$SRC_VOL")
gen_seconds=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
log "source volume: $SRC_APPARENT bytes apparent, $SRC_ALLOC allocated (generated in ${gen_seconds}s)"

# ------------------------------------------------------------------------------------- helpers
now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
rss_of() { local v; v=$(tail -n 1 "$1" 2>/dev/null || true); [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo null; }

reset_target() {
  vsh ocvm-dst destroy "$VM" >/dev/null 2>&1 || true
  vsh ocvm-dst undefine "$VM" >/dev/null 2>&1 || true
  vsh ocvm-dst vol-delete --pool default "$VOL" >/dev/null 2>&1 || true
  rm -f "$DST_VOL" "$DST_TMP"/* "$SRC_TMP/$VOL"
  rm -rf /var/tmp/ocvm-staging-* "$(images ocvm-dst)"/../ocvm-staging-*
  # Flush the previous method's writes so they are not billed to the next one.
  sync
}

# The target volume holds the source's disk (what the guest would read), and how much it allocates.
check_volume() {
  local cmp status=ok alloc=null
  if [[ -f "$DST_VOL" ]]; then
    alloc=$(( $(stat -c %b "$DST_VOL") * 512 ))
    cmp=$(qemu-img compare -U -f "$FORMAT" -F "$FORMAT" "$SRC_VOL" "$DST_VOL" 2>&1 || true)
    [[ $cmp == *"Images are identical"* ]] || status=failed
  else
    status=failed
  fi
  printf '{"status":"%s","targetAllocated":%s}' "$status" "$alloc"
}

# record <method> <rep> <rc> <seconds> <wireBytes|null> <peakRssKb|null> <check-json> <extra-json|null>
record() {
  printf '{"method":"%s","rep":%s,"exitCode":%s,"seconds":%s,"wireBytes":%s,"peakRssKb":%s,"check":%s,"extra":%s}\n' "$@" >>"$RESULTS"
  log "  $1 #$2: ${4}s rc=$3 wire=$5 rssKb=$6 check=$7"
}

# ------------------------------------------------------------------------------------- methods
# a. ocvm: the whole command (shut off source: nothing to stop), and its time until the domain is
# defined on the target (import done), which is what the other two methods achieve (or less).
run_ocvm() { ocvm_method ocvm "$1"; }

ocvm_method() { # <method> <rep> [extra flags]
  local name="$1" rep="$2" t0 t1 rc=0 extra state
  shift 2
  local runs="$WORK/runs-$name-$rep" tag="$name-$rep"
  rm -rf "$runs"; mkdir -p "$runs"
  t0=$(now_ns)
  OCVM_RUNS_DIR="$runs" /usr/bin/time -f %M -o "$WORK/$tag.rss" \
    node "$REPO/bin/run.js" migrate --driver libvirt --vm "$VM" --from root@ocvm-src --to root@ocvm-dst \
    --target-pool default --yes --json "$@" >"$WORK/$tag.json" 2>"$WORK/$tag.err" || rc=$?
  t1=$(now_ns)
  extra=$(node -e '
    const fs = require("fs")
    let r = {}
    try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")) } catch {}
    const t0 = Number(BigInt(process.argv[2]) / 1000000n)
    const steps = {}
    for (const s of r.steps ?? []) if (s.startedAt && s.finishedAt) steps[s.name] = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000
    const imp = (r.steps ?? []).find((s) => s.name === "import")
    const toImport = imp?.finishedAt ? (Date.parse(imp.finishedAt) - t0) / 1000 : null
    process.stdout.write(JSON.stringify({status: r.status ?? null, runId: r.runId ?? null, toImportSeconds: toImport, transfer: r.transfer ?? null, steps}))
  ' "$WORK/$tag.json" "$t0")
  state=$(vsh ocvm-dst domstate "$VM" 2>/dev/null || true)
  if [[ $state != running ]]; then log "  $name: the domain is '$state' on the target"; ((rc != 0)) || rc=98; fi
  ((rc == 0)) || log "  $name failed: $(tail -n 5 "$WORK/$tag.err")"
  record "$name" "$rep" "$rc" "$(secs "$t0" "$t1")" \
    "$(node -e 'process.stdout.write(String(JSON.parse(process.argv[1]).transfer?.wireBytes ?? null))' "$extra")" \
    "$(rss_of "$WORK/$tag.rss")" "$(check_volume)" "$extra"
}

# b. the guide (reference/migration-guide.md, KVM/libvirt): vol-download to a file on the source,
# copy it to the target (scp -3: relayed through this machine, like ocvm; the hosts have no keys for
# each other), create a volume and vol-upload the file into it. None of it is sparse.
run_guide() {
  local rep="$1" t0 t1 t2 t3 t2r="" rc=0 file="$VOL" size=null
  t0=$(now_ns); t1=$t0; t2=$t0
  # The copy on the source is removed once it has been sent (not timed), so the disk holds at most
  # two non-sparse copies at a time.
  {
    vsh ocvm-src vol-download --pool default "$VOL" "$SRC_TMP/$file" && t1=$(now_ns) &&
      scp -F "$CFG" -3 -q "ocvm-src:$SRC_TMP/$file" "ocvm-dst:$DST_TMP/$file" && t2=$(now_ns) &&
      size=$(stat -c %s "$SRC_TMP/$file") && rm -f "$SRC_TMP/$file" && t2r=$(now_ns) &&
      vsh ocvm-dst vol-create-as --pool default --name "$VOL" --capacity "$DISK_BYTES" --allocation 0 --format "$FORMAT" &&
      vsh ocvm-dst vol-upload --pool default "$VOL" "$DST_TMP/$file"
  } >"$WORK/guide-$rep.log" 2>&1 || rc=$?
  t3=$(now_ns)
  # Take the (untimed) removal out again.
  [[ -n $t2r ]] && t3=$(( t3 - (t2r - t2) ))
  record guide "$rep" "$rc" "$(secs "$t0" "$t3")" "$size" null "$(check_volume)" \
    "{\"phases\":{\"download\":$(secs "$t0" "$t1"),\"copy\":$(secs "$t1" "$t2"),\"upload\":$(secs "$t2" "$t3")}}"
}

# c. the floor: the disk's data alone (no holes, no disk format, no checks) through the same two
# ssh hops, written to a file on the target; raw-aes with the ciphers ocvm prefers (same set as
# OpenSSH's defaults, AES-GCM first).
run_raw() { raw_pipe raw "$1"; }
run_raw-aes() { raw_pipe raw-aes "$1" -o Ciphers=aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr; }

raw_pipe() { # <method> <rep> [ssh options]
  local name="$1" rep="$2" t0 t1 rc=0 status=ok
  shift 2
  rm -f "$DST_TMP/data.bin"
  t0=$(now_ns)
  sshh "$@" ocvm-src "cat $SRC_TMP/data.bin" | sshh "$@" ocvm-dst "cat > $DST_TMP/data.bin" || rc=$?
  t1=$(now_ns)
  cmp -s "$SRC_TMP/data.bin" "$DST_TMP/data.bin" || status=failed
  record "$name" "$rep" "$rc" "$(secs "$t0" "$t1")" "$(stat -c %s "$SRC_TMP/data.bin")" null "{\"status\":\"$status\",\"targetAllocated\":null}" null
}

# ---------------------------------------------------------------------------------------- run
commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
stale=false; [[ -n "$(find "$REPO/src" -newer "$REPO/dist/commands/migrate.js" -type f -print -quit)" ]] && stale=true
[[ $stale == false ]] || log "WARNING: src/ has files newer than dist/: measuring an older build (run npm run build)"
cat >"$WORK/meta.json" <<EOF
{"stamp":"$STAMP","date":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","full":${BENCH_FULL:-0},"diskGB":$DISK_GB,"dataMB":$DATA_MB,"extents":$EXTENTS,"format":"$FORMAT","repeat":$REPEAT,
 "methods":"${METHODS[*]}","generateSeconds":$gen_seconds,"source":{"apparentBytes":$SRC_APPARENT,"allocatedBytes":$SRC_ALLOC},
 "machine":{"cpus":$(nproc),"memKb":$(awk '/MemTotal/ {print $2}' /proc/meminfo),"kernel":"$(uname -r)","cpu":"$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"},
 "versions":{"node":"$(node --version)","libvirt":"$(virsh --version)","qemu":"$(qemu-img --version | head -n 1)","openssh":"$(ssh -V 2>&1)","tar":"$(tar --version | head -n 1)","zstd":"$(zstd --version | sed 's/^\*\*\* //; s/ \*\*\*$//')"},
 "ocvm":{"headCommit":"$commit","srcNewerThanDist":$stale,"distBuilt":"$(date -u -r "$REPO/dist/commands/migrate.js" +%Y-%m-%dT%H:%M:%SZ)"}}
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

node "$BENCH/libvirt-report.mjs" "$WORK/meta.json" "$RESULTS" "$OUT_DIR/libvirt-migration-$STAMP.json" | tee "$OUT_DIR/libvirt-migration-$STAMP.md"
log "results: $OUT_DIR/libvirt-migration-$STAMP.json (logs in $WORK)"
