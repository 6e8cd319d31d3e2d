# Shared by the bench scripts (sourced, not run): logging, the checks every bench makes before it
# starts, its output dir, and the namespace test hosts it measures on.
# Needs REPO and BENCH set by the caller.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

# bench_start NAME ALLOWED_METHODS METHOD...: root, a built dist/, known methods; sets STAMP, OUT_DIR,
# WORK (bench/out/NAME-<stamp>, created) and RESULTS.
bench_start() {
  local name="$1" allowed="$2" m; shift 2
  [[ $EUID -eq 0 ]] || die "run as root (the test hosts need it)"
  [[ -f "$REPO/dist/commands/migrate.js" ]] || die "dist/ is missing: run npm run build first"
  for m in "$@"; do [[ " $allowed " == *" $m "* ]] || die "unknown method '$m' in BENCH_METHODS"; done
  STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
  OUT_DIR="$BENCH/out"
  WORK="$OUT_DIR/$name-$STAMP"
  RESULTS="$WORK/results.jsonl"
  mkdir -p "$WORK"
}

# bench_hosts: GNU time (for peak RSS), the test packages, the namespace hosts up; sources their
# env.sh (OCVM_INFRA_ROOT, OCVM_SSH_CONFIG) and sets CFG.
bench_hosts() {
  if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (for peak RSS)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  fi
  log "provisioning (idempotent)"
  bash "$REPO/test/infra/provision.sh" >"$WORK/provision.log" 2>&1 || { cat "$WORK/provision.log" >&2; die "provision.sh failed"; }
  if ! bash "$REPO/test/infra/hosts.sh" status >/dev/null 2>&1; then
    log "starting the test hosts"
    bash "$REPO/test/infra/hosts.sh" up >"$WORK/hosts-up.log" 2>&1 || { cat "$WORK/hosts-up.log" >&2; die "hosts.sh up failed"; }
  fi
  # shellcheck disable=SC1091
  . "${OCVM_INFRA_ROOT:-/var/lib/ocvm-test}/env.sh"
  export OCVM_SSH_CONFIG
  CFG="$OCVM_SSH_CONFIG"
}

sshh() { ssh -F "$CFG" "$@"; }
