#!/usr/bin/env bash
# A test host that runs a REAL systemd as PID 1: a Debian 12 container booted by systemd-nspawn,
# attached to the hosts' bridge (ocvm-br0, see hosts.sh) with its own IP and sshd, reachable like
# the other test hosts with `ssh -F $OCVM_INFRA_ROOT/ssh/ssh_config NAME` (as root, alice or bob).
# The test machine itself does not run systemd (systemctl exists there but says "System has not
# been booted with systemd"); inside the container, /run/systemd/system exists and enabled units
# come back after a reboot. The real openclaw CLI is there as /usr/local/bin/openclaw (the
# provision.sh cache is bind-mounted read-only at the same path).
#
#   nspawn.sh build               debootstrap the cached root ($CACHE/nspawn-root-bookworm) if
#                                 missing or stale; ~1 min once (provision.sh runs it)
#   nspawn.sh up NAME [--ip IP]   boot host NAME from a fresh copy of that root; waits until
#                                 `systemctl is-system-running` is running/degraded and ssh works.
#                                 Idempotent: a healthy running NAME is left alone. IP defaults to
#                                 $OCVM_NSPAWN_IP, else the first of 10.250.0.20-49 no other
#                                 container uses
#   nspawn.sh reboot NAME         `systemctl reboot` inside; waits for the old nspawn process to
#                                 exit, the new one to boot, and ssh. Disk state survives
#   nspawn.sh down NAME           power off (SIGKILL by pid after a timeout), remove its state
#   nspawn.sh down-all            down every container recorded under $OCVM_INFRA_ROOT/nspawn
#                                 (hosts.sh down runs it before it deletes the bridge)
#   nspawn.sh status NAME         one line of state; exit 0 only if booted and ssh works
#   nspawn.sh exec NAME CMD...    run CMD in the container's namespaces (nsenter), no ssh needed
#
# How it runs: `up` starts a supervisor (`nspawn.sh __supervise NAME`, in its own session) that
# runs systemd-nspawn in the foreground and boots it again when it exits with 133, which is what
# nspawn does when the container reboots; so `reboot` inside the container (over ssh, as a test
# would) works like on a real host, and `poweroff` ends the supervisor. The pids of the supervisor
# and of nspawn are recorded in $OCVM_INFRA_ROOT/nspawn/NAME; only processes whose command line
# matches are ever signalled.
#
# Per container ($OCVM_INFRA_ROOT/nspawn/NAME): root/ (a `cp -a` of the cached root, <1 s; kept
# across reboots, deleted by down), ip, the pids, console.log (boot messages and supervisor log),
# its ssh host key and known_hosts, info.json. Its ssh_config block is
# $OCVM_INFRA_ROOT/ssh/nspawn.d/NAME.conf, which the ssh_config of hosts.sh includes.
#
# Times on a 2-vCPU Debian 12 VM: build 65-75 s (once), up 2.5-6 s (most of the spread is the
# copy of the root), reboot 2-3.5 s, down ~2.5 s. Each verb logs its own time.
#
# Env knobs:
#   OCVM_INFRA_ROOT      state dir, default /var/lib/ocvm-test (shared with hosts.sh)
#   OCVM_TEST_CACHE      cache dir, default /var/cache/ocvm-test (root is built there; bind-mounted
#                        read-only into every container for the openclaw CLI and its Node)
#   OCVM_NSPAWN_IP       IP for `up` when --ip is not given
#   OCVM_TEST_USERS      login users created in the container, default "alice bob"
#   OCVM_DEBIAN_MIRROR   default http://deb.debian.org/debian
#   OCVM_SKIP_APT=1      don't install systemd-container/debootstrap when missing
#
# Needs root, and the bridge and client key of `hosts.sh up` (it does not create the bridge).
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
ROOT="${OCVM_INFRA_ROOT:-/var/lib/ocvm-test}"
CACHE="${OCVM_TEST_CACHE:-/var/cache/ocvm-test}"
MIRROR="${OCVM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
read -r -a USERS <<<"${OCVM_TEST_USERS-alice bob}"
PATH="$PATH:/usr/sbin:/sbin"

SUITE=bookworm
BASE="$CACHE/nspawn-root-$SUITE"
# Packages in the root: systemd as init, sshd, and what ocvm runs over ssh.
INCLUDE=systemd,systemd-sysv,dbus,openssh-server,iproute2,tar,zstd,rsync,python3,sudo,procps,cron,curl
# Bump when the recipe below changes: a cached root with another stamp is rebuilt.
RECIPE="ocvm-nspawn-root v1 $SUITE $INCLUDE"
STAMP=etc/ocvm-nspawn-root

BRIDGE=ocvm-br0
SUBNET_PREFIX=10.250.0
AUTO_IPS=$(seq 20 49)
SSH_DIR="$ROOT/ssh"
CLIENT_KEY="$SSH_DIR/id_ed25519"
NSPAWN_DIR="$ROOT/nspawn"
SSH_CONF_DIR="$SSH_DIR/nspawn.d"

BOOT_TIMEOUT=${OCVM_NSPAWN_BOOT_TIMEOUT:-120}
STOP_TIMEOUT=${OCVM_NSPAWN_STOP_TIMEOUT:-30}

log() { printf '[nspawn] %s\n' "$*" >&2; }
die() { printf '[nspawn] ERROR: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

state_dir() { echo "$NSPAWN_DIR/$1"; }
ssh_conf() { echo "$SSH_CONF_DIR/$1.conf"; }

check_name() {
  [[ "${1:-}" =~ ^[a-z][a-z0-9-]{0,30}$ ]] || die "bad container name '${1:-}' (lowercase letters, digits, '-')"
}

require_root() { [[ $EUID -eq 0 ]] || die "must run as root"; }

# --- processes ----------------------------------------------------------------------------------

cmdline_of() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

# Prints the recorded pid in file $2 of container $1 if that process is alive and is what we
# started (its command line names this container), else nothing.
live_pid() {
  local name="$1" file pid cmd
  file="$(state_dir "$name")/$2"
  pid="$(cat "$file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  cmd="$(cmdline_of "$pid")"
  case "$2" in
    supervisor.pid) [[ "$cmd" == *"$SELF __supervise $name "* || "$cmd" == *"$SELF __supervise $name" ]] || return 0 ;;
    nspawn.pid) [[ "$cmd" == *systemd-nspawn*" --machine=$name "* ]] || return 0 ;;
  esac
  echo "$pid"
}

# The container's PID 1 (systemd) as seen from here: the child of the nspawn process.
init_pid() {
  local npid child
  npid="$(live_pid "$1" nspawn.pid)"
  [[ -n "$npid" ]] || return 0
  for child in $(pgrep -P "$npid" 2>/dev/null || true); do
    if [[ "$(cat "/proc/$child/comm" 2>/dev/null)" == systemd ]]; then
      echo "$child"
      return 0
    fi
  done
}

wait_pid_gone() { # pid timeout_s
  local pid="$1" deadline
  deadline=$(($(date +%s) + $2))
  while kill -0 "$pid" 2>/dev/null; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.1
  done
}

# --- build --------------------------------------------------------------------------------------

ensure_packages() {
  command -v systemd-nspawn >/dev/null 2>&1 && command -v debootstrap >/dev/null 2>&1 && return 0
  [[ "${OCVM_SKIP_APT:-}" == 1 ]] && die "systemd-nspawn or debootstrap missing (OCVM_SKIP_APT=1)"
  log "installing systemd-container and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends systemd-container debootstrap >/dev/null
}

base_is_current() { [[ -f "$BASE/$STAMP" && "$(cat "$BASE/$STAMP")" == "$RECIPE" ]]; }

# Things every container shares; per-container settings are in prepare_root.
customize_base() {
  local r="$1"
  # Addresses come from systemd-networkd (the .network file is per container).
  chroot "$r" systemctl enable systemd-networkd.service >/dev/null 2>&1
  # Nothing waits for a network that has no default route.
  chroot "$r" systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1
  # Every container gets its own host key (prepare_root); sshd uses only that one.
  rm -f "$r"/etc/ssh/ssh_host_*
  cat >"$r/etc/ssh/sshd_config.d/ocvm-test.conf" <<'EOF'
# Written by ocvm's test/infra/nspawn.sh
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
# ocvm runs many parallel sessions (ControlMaster, rsync, probes).
MaxSessions 50
MaxStartups 50:30:100
PrintMotd no
EOF
  # Every boot would otherwise try to read a missing clock or hardware.
  : >"$r/etc/machine-id"
  chroot "$r" apt-get clean
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin
  printf '%s\n' "$RECIPE" >"$r/$STAMP"
}

cmd_build() {
  require_root
  ensure_packages
  mkdir -p "$CACHE"
  chmod 0755 "$CACHE"
  exec 8>"$CACHE/.nspawn-root.lock"
  flock 8
  base_is_current && return 0
  local tmp="$BASE.tmp.$$" t0 d
  # Half-built roots of killed builds (we hold the lock, so none is being built now).
  for d in "$BASE".tmp.*; do [[ -e "$d" ]] && rm -rf --one-file-system "$d"; done
  t0="$(now)"
  log "building $BASE (debootstrap $SUITE minbase from $MIRROR; ~1 min)"
  if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$MIRROR" >"$CACHE/nspawn-debootstrap.log" 2>&1; then
    tail -n 30 "$CACHE/nspawn-debootstrap.log" >&2 || true
    rm -rf --one-file-system "$tmp"
    die "debootstrap failed (log: $CACHE/nspawn-debootstrap.log)"
  fi
  customize_base "$tmp"
  # Replace a stale root only once the new one is complete.
  if [[ -e "$BASE" ]]; then
    mv "$BASE" "$BASE.old.$$"
    rm -rf --one-file-system "$BASE.old.$$"
  fi
  mv "$tmp" "$BASE"
  log "built $BASE in $(since "$t0") s ($(du -sh "$BASE" | cut -f1))"
}

# --- up -----------------------------------------------------------------------------------------

ip_in_use_by_other() { # ip name
  local f
  for f in "$NSPAWN_DIR"/*/ip; do
    [[ -f "$f" ]] || continue
    [[ "$(basename "$(dirname "$f")")" == "$2" ]] && continue
    [[ "$(cat "$f")" == "$1" ]] && return 0
  done
  return 1
}

choose_ip() { # name requested
  local name="$1" want="$2" n
  if [[ -n "$want" ]]; then
    [[ "$want" =~ ^10\.250\.0\.([0-9]+)$ ]] && ((BASH_REMATCH[1] >= 2 && BASH_REMATCH[1] <= 254)) ||
      die "IP $want is not a host address in $SUBNET_PREFIX.0/24"
    ip_in_use_by_other "$want" "$name" && die "IP $want is used by another container"
    echo "$want"
    return 0
  fi
  for n in $AUTO_IPS; do
    ip_in_use_by_other "$SUBNET_PREFIX.$n" "$name" || { echo "$SUBNET_PREFIX.$n"; return 0; }
  done
  die "no free IP in $SUBNET_PREFIX.20-49"
}

# Per-container settings, written into the container's copy of the root before it boots.
prepare_root() {
  local name="$1" ip="$2" d r u home
  d="$(state_dir "$name")"
  r="$d/root"
  echo "$name" >"$r/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$name" >"$r/etc/hosts"
  tr -d '-' </proc/sys/kernel/random/uuid >"$r/etc/machine-id"
  cat >"$r/etc/systemd/network/10-ocvm-host0.network" <<EOF
# Written by ocvm's test/infra/nspawn.sh: a fixed address on the hosts' bridge, no default route.
[Match]
Name=host0

[Network]
Address=$ip/24
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
  ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$d/ssh_host_ed25519_key"
  install -m 0600 "$d/ssh_host_ed25519_key" "$r/etc/ssh/ssh_host_ed25519_key"
  install -m 0644 "$d/ssh_host_ed25519_key.pub" "$r/etc/ssh/ssh_host_ed25519_key.pub"
  install -d -m 0700 "$r/root/.ssh"
  install -m 0600 "$CLIENT_KEY.pub" "$r/root/.ssh/authorized_keys"
  for u in "${USERS[@]}"; do
    chroot "$r" useradd -m -U -s /bin/bash "$u"
    # useradd locks the account ('!'); '*' is "no password" without being locked.
    chroot "$r" usermod -p '*' "$u"
    home="/home/$u"
    chroot "$r" install -d -m 0700 -o "$u" -g "$u" "$home/.ssh"
    chroot "$r" install -m 0600 -o "$u" -g "$u" /dev/null "$home/.ssh/authorized_keys"
    cat "$CLIENT_KEY.pub" >"$r$home/.ssh/authorized_keys"
  done
  # The cache is bind-mounted read-only at the same path, so the wrapper provision.sh wrote works.
  ln -sfn "$CACHE/bin/openclaw" "$r/usr/local/bin/openclaw"
}

write_ssh_conf() {
  local name="$1" ip="$2" d tmp
  d="$(state_dir "$name")"
  echo "$name,$ip $(cut -d' ' -f1,2 <"$d/ssh_host_ed25519_key.pub")" >"$d/known_hosts"
  chmod 0644 "$d/known_hosts"
  mkdir -p "$SSH_CONF_DIR"
  chmod 0755 "$SSH_CONF_DIR"
  tmp="$(ssh_conf "$name").tmp"
  cat >"$tmp" <<EOF
# Written by test/infra/nspawn.sh for the systemd-nspawn host $name (included by ../ssh_config)
Host $name $ip
  HostName $ip
  User root
  IdentityFile $CLIENT_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $d/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
EOF
  chmod 0644 "$tmp"
  mv -f "$tmp" "$(ssh_conf "$name")"
}

write_info() {
  local name="$1" ip="$2" d
  d="$(state_dir "$name")"
  printf '{"name": "%s", "ip": "%s", "sshConfig": "%s", "stateDir": "%s", "root": "%s"}\n' \
    "$name" "$ip" "$(ssh_conf "$name")" "$d" "$d/root" >"$d/info.json.tmp"
  mv -f "$d/info.json.tmp" "$d/info.json"
}

nspawn_ssh() { # name [user] -- cmd...
  local name="$1" target="$1"
  shift
  if [[ "${1:-}" != -- ]]; then target="$1@$name"; shift; fi
  shift
  ssh -F "$(ssh_conf "$name")" -o ConnectTimeout=2 "$target" "$@" </dev/null
}

# Booted = systemd inside says running or degraded (after `--wait` for the boot to finish), and
# every login user gets in over ssh.
wait_ready() {
  local name="$1" deadline state u out
  deadline=$(($(date +%s) + BOOT_TIMEOUT))
  while :; do
    if [[ -z "$(live_pid "$name" supervisor.pid)" ]]; then
      die "$name: the container exited while booting; console:"$'\n'"$(tail -n 40 "$(state_dir "$name")/console.log" 2>/dev/null)"
    fi
    state="$(timeout 60 ssh -F "$(ssh_conf "$name")" -o ConnectTimeout=2 "$name" systemctl is-system-running --wait </dev/null 2>/dev/null || true)"
    [[ "$state" == running || "$state" == degraded ]] && break
    (($(date +%s) < deadline)) ||
      die "$name: not booted after ${BOOT_TIMEOUT}s (state '$state'); console:"$'\n'"$(tail -n 40 "$(state_dir "$name")/console.log" 2>/dev/null)"
    sleep 0.2
  done
  if [[ "$state" == degraded ]]; then
    log "warning: $name is degraded: $(nspawn_ssh "$name" -- systemctl --failed --no-legend --plain 2>&1 | tr '\n' ';')"
  fi
  for u in "${USERS[@]}"; do
    out="$(nspawn_ssh "$name" "$u" -- id -un 2>&1 || true)"
    [[ "$out" == "$u" ]] || die "$name: ssh as $u fails: $out"
  done
}

start_supervisor() {
  local name="$1" d i
  d="$(state_dir "$name")"
  rm -f "$d/stopping" "$d/nspawn.pid"
  # setsid + closed stdio: nothing may hold the caller's pipes open (vitest waits for them).
  setsid bash "$SELF" __supervise "$name" </dev/null >>"$d/console.log" 2>&1 &
  echo $! >"$d/supervisor.pid"
  for i in $(seq 1 100); do
    [[ -n "$(live_pid "$name" nspawn.pid)" ]] && return 0
    [[ -n "$(live_pid "$name" supervisor.pid)" ]] || break
    sleep 0.05
  done
  die "$name: systemd-nspawn did not start; console:"$'\n'"$(tail -n 40 "$d/console.log")"
}

cmd_up() {
  local name="$1" want_ip="$2" d ip t0 tcopy
  require_root
  d="$(state_dir "$name")"
  [[ -d "$ROOT/hosts/$name" ]] && die "$name is a hosts.sh host; pick another name"
  ip link show "$BRIDGE" >/dev/null 2>&1 || die "bridge $BRIDGE missing: run test/infra/hosts.sh up first"
  [[ -f "$CLIENT_KEY.pub" ]] || die "$CLIENT_KEY.pub missing: run test/infra/hosts.sh up first"
  mkdir -p "$NSPAWN_DIR"
  exec 9>"$NSPAWN_DIR/.lock"
  flock 9
  if [[ -n "$(live_pid "$name" supervisor.pid)" ]]; then
    ip="$(cat "$d/ip" 2>/dev/null || true)"
    if [[ -z "$want_ip" || "$want_ip" == "$ip" ]] && cmd_status "$name" >/dev/null 2>&1; then
      log "$name is already up ($ip)"
      return 0
    fi
    log "$name is running but unhealthy or has another IP; restarting it"
  fi
  stop_container "$name"
  cmd_build
  t0="$(now)"
  ip="$(choose_ip "$name" "$want_ip")"
  mkdir -p "$d"
  chmod 0755 "$d"
  echo "$ip" >"$d/ip"
  : >"$d/console.log"
  rm -rf --one-file-system "$d/root.tmp"
  cp -a --reflink=auto "$BASE" "$d/root.tmp"
  mv "$d/root.tmp" "$d/root"
  prepare_root "$name" "$ip"
  tcopy="$(since "$t0")"
  write_ssh_conf "$name" "$ip"
  write_info "$name" "$ip"
  trap 'rc=$?; if ((rc)); then log "up failed; stopping $name"; stop_container "$name" keep-log || true; fi' EXIT
  start_supervisor "$name"
  wait_ready "$name"
  trap - EXIT
  log "$name up at $ip in $(since "$t0") s (root copy ${tcopy} s); ssh -F $SSH_DIR/ssh_config $name"
}

# --- supervisor ---------------------------------------------------------------------------------

# Runs systemd-nspawn in the foreground; boots it again when the container rebooted (exit 133).
# SIGTERM (down) powers the container off cleanly: nspawn turns its own SIGTERM into SIGRTMIN+3
# for the container's systemd.
supervise() {
  local name="$1" d ip rc child="" fd
  d="$(state_dir "$name")"
  ip="$(cat "$d/ip")"
  # Inherited descriptors (the caller's locks, e.g. flock /tmp/ocvm-integration.lock and ours, and
  # pipes) must not live as long as the container. 255 is bash's own handle on this script.
  for fd in /proc/$$/fd/*; do
    fd="${fd##*/}"
    if ((fd > 2 && fd != 255)); then eval "exec $fd>&-"; fi
  done
  trap 'touch "$d/stopping"; [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null' TERM INT
  while :; do
    echo "[nspawn-supervisor] $(date -Is) booting $name ($ip)"
    # --register=no --keep-unit: there is no systemd/machined on the test machine to register with.
    systemd-nspawn --quiet --boot --register=no --keep-unit --machine="$name" \
      --directory="$d/root" --network-bridge="$BRIDGE" --bind-ro="$CACHE" \
      --console=read-only --resolv-conf=off --timezone=off --link-journal=no &
    child=$!
    echo "$child" >"$d/nspawn.pid"
    rc=0
    # wait returns early (>128) when a trapped signal arrives; wait again for the real status.
    while :; do
      wait "$child" && rc=0 || rc=$?
      kill -0 "$child" 2>/dev/null || break
    done
    child=""
    echo "[nspawn-supervisor] $(date -Is) systemd-nspawn exited $rc"
    if ((rc == 133)) && [[ ! -e "$d/stopping" ]]; then
      continue
    fi
    break
  done
  rm -f "$d/nspawn.pid"
}

# --- down / reboot / status ---------------------------------------------------------------------

# Stops the container (if it runs) and removes its state; with keep-log, console.log stays.
stop_container() {
  local name="$1" keep="${2:-}" d spid npid ipid
  d="$(state_dir "$name")"
  spid="$(live_pid "$name" supervisor.pid)"
  npid="$(live_pid "$name" nspawn.pid)"
  if [[ -n "$spid$npid" ]]; then
    touch "$d/stopping"
    ipid="$(init_pid "$name")"
    # The supervisor passes SIGTERM on to nspawn, which powers the container off cleanly.
    if [[ -n "$spid" ]]; then kill -TERM "$spid" 2>/dev/null || true; else kill -TERM "$npid" 2>/dev/null || true; fi
    if ! wait_pid_gone "${npid:-$spid}" "$STOP_TIMEOUT"; then
      log "warning: $name did not power off within ${STOP_TIMEOUT}s; killing it"
      # Killing the container's PID 1 ends its whole pid namespace.
      [[ -n "$ipid" ]] && kill -KILL "$ipid" 2>/dev/null
      [[ -n "$npid" ]] && kill -KILL "$npid" 2>/dev/null
      wait_pid_gone "$npid" 10 || log "warning: nspawn $npid of $name survived SIGKILL"
    fi
    if [[ -n "$spid" ]] && ! wait_pid_gone "$spid" 10; then
      kill -KILL "$spid" 2>/dev/null || true
    fi
  fi
  rm -f "$(ssh_conf "$name")"
  [[ -d "$d" ]] || return 0
  if [[ "$keep" == keep-log ]]; then
    find "$d" -mindepth 1 -maxdepth 1 ! -name console.log -exec rm -rf --one-file-system {} +
  else
    rm -rf --one-file-system "$d"
  fi
}

cmd_down() {
  local name="$1" t0
  require_root
  t0="$(now)"
  mkdir -p "$NSPAWN_DIR"
  exec 9>"$NSPAWN_DIR/.lock"
  flock 9
  [[ -d "$(state_dir "$name")" ]] || { rm -f "$(ssh_conf "$name")"; return 0; }
  stop_container "$name"
  log "$name down in $(since "$t0") s"
}

cmd_down_all() {
  local d
  [[ -d "$NSPAWN_DIR" ]] || return 0
  for d in "$NSPAWN_DIR"/*/; do
    [[ -d "$d" ]] || continue
    cmd_down "$(basename "$d")"
  done
}

cmd_reboot() {
  local name="$1" old ipid t0 i new
  require_root
  old="$(live_pid "$name" nspawn.pid)"
  [[ -n "$old" ]] || die "$name is not running"
  ipid="$(init_pid "$name")"
  [[ -n "$ipid" ]] || die "$name: no systemd inside nspawn $old"
  t0="$(now)"
  nsenter -t "$ipid" -a systemctl reboot
  wait_pid_gone "$old" "$STOP_TIMEOUT" || die "$name: nspawn $old still running ${STOP_TIMEOUT}s after systemctl reboot"
  for i in $(seq 1 200); do
    new="$(live_pid "$name" nspawn.pid)"
    [[ -n "$new" && "$new" != "$old" ]] && break
    [[ -n "$(live_pid "$name" supervisor.pid)" ]] || die "$name did not come back from the reboot; console:"$'\n'"$(tail -n 40 "$(state_dir "$name")/console.log")"
    sleep 0.05
  done
  wait_ready "$name"
  log "$name rebooted in $(since "$t0") s (nspawn pid $old -> $new)"
}

cmd_status() {
  local name="$1" d spid npid ipid state="-" sshok=fail
  d="$(state_dir "$name")"
  spid="$(live_pid "$name" supervisor.pid)"
  npid="$(live_pid "$name" nspawn.pid)"
  ipid="$(init_pid "$name")"
  if [[ -n "$ipid" ]]; then
    state="$(nsenter -t "$ipid" -a systemctl is-system-running 2>/dev/null || true)"
  fi
  if [[ -n "$npid" && -f "$(ssh_conf "$name")" ]] && nspawn_ssh "$name" -- true >/dev/null 2>&1; then
    sshok=ok
  fi
  printf '%-12s %-12s supervisor:%s nspawn:%s init:%s system:%s ssh:%s\n' "$name" "$(cat "$d/ip" 2>/dev/null || echo -)" \
    "${spid:-no}" "${npid:-no}" "${ipid:-no}" "${state:--}" "$sshok"
  [[ -n "$npid" && "$sshok" == ok && ("$state" == running || "$state" == degraded) ]]
}

cmd_exec() {
  local name="$1" ipid
  shift
  ipid="$(init_pid "$name")"
  [[ -n "$ipid" ]] || die "$name is not running"
  exec nsenter -t "$ipid" -a "$@"
}

usage() {
  echo "usage: $0 build | up NAME [--ip IP] | reboot NAME | down NAME | down-all | status NAME | exec NAME CMD..." >&2
  exit 2
}

main() {
  local cmd="${1:-}" name ip
  case "$cmd" in
    build) cmd_build ;;
    up)
      name="${2:-}"
      check_name "$name"
      ip="${OCVM_NSPAWN_IP:-}"
      if [[ "${3:-}" == --ip ]]; then ip="${4:-}"; [[ -n "$ip" ]] || usage; fi
      cmd_up "$name" "$ip"
      ;;
    down) check_name "${2:-}"; cmd_down "$2" ;;
    down-all) require_root; cmd_down_all ;;
    reboot) check_name "${2:-}"; cmd_reboot "$2" ;;
    status) check_name "${2:-}"; cmd_status "$2" ;;
    exec) check_name "${2:-}"; [[ $# -ge 3 ]] || usage; name="$2"; shift 2; cmd_exec "$name" "$@" ;;
    __supervise) supervise "$2" ;;
    *) usage ;;
  esac
}

# On one line with main: the supervisor's bash runs for the container's lifetime and must not read
# whatever an edit of this file put after that point.
main "$@"; exit $?
