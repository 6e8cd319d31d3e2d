#!/usr/bin/env bash
# Test "hosts" for ocvm's integration tests: each host is a Linux network namespace with its own
# sshd, its own IP on a private bridge, and a private mount namespace in which a few directories
# (/home, /etc/openclaw, ...) are per-host. Everything else (binaries, /etc/passwd, /root) is shared
# with the machine, so the hosts are cheap but not fully isolated.
#
#   hosts.sh up       (re)create all hosts from scratch and wait until ssh works; idempotent
#   hosts.sh down     stop everything we started, remove users we created; keeps keys
#   hosts.sh status   print the state of each host; exit 1 unless all are reachable
#
# Env knobs:
#   OCVM_HOSTS           host names, default "ocvm-src ocvm-dst" (IPs 10.250.0.2, .3, ...)
#   OCVM_INFRA_ROOT      state dir, default /var/lib/ocvm-test
#   OCVM_TEST_CACHE      provision.sh's cache (openclaw wrapper), default /var/cache/ocvm-test
#   OCVM_HOST_OPENCLAW   hosts that get `openclaw` in /usr/local/bin; default all, "" for none
#   OCVM_TEST_USERS      non-root login users on every host, default "alice bob"
#   OCVM_TEST_MAC_USERS  users laid out like macOS accounts (home /Users/<name>, primary group
#                        staff), for hosts that play a Mac; default "carol"
#   OCVM_PURGE=1         with down: also delete OCVM_INFRA_ROOT (keys included)
#
# Needs root. Run test/infra/provision.sh first (packages, openclaw).
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
ROOT="${OCVM_INFRA_ROOT:-/var/lib/ocvm-test}"
CACHE="${OCVM_TEST_CACHE:-/var/cache/ocvm-test}"
read -r -a HOSTS <<<"${OCVM_HOSTS:-ocvm-src ocvm-dst}"
# "-" (not ":-"): an explicitly empty OCVM_HOST_OPENCLAW means "no host gets openclaw".
read -r -a OPENCLAW_HOSTS <<<"${OCVM_HOST_OPENCLAW-${HOSTS[*]}}"
read -r -a USERS <<<"${OCVM_TEST_USERS-alice bob}"
read -r -a MAC_USERS <<<"${OCVM_TEST_MAC_USERS-carol}"
ALL_USERS=("${USERS[@]}" "${MAC_USERS[@]}")

BRIDGE=ocvm-br0
SUBNET_PREFIX=10.250.0
BRIDGE_IP="$SUBNET_PREFIX.1"
# Directories that each host sees as its own (bind mounts inside the host's mount namespace).
# /Users, /Library and /etc/newsyslog.d let a host play a Mac (test/integration/fake-macos.ts):
# macOS homes, LaunchDaemons and newsyslog config; on the other hosts they just stay empty.
PRIVATE_DIRS=(/home /etc/openclaw /etc/systemd/system /etc/logrotate.d /var/spool/cron/crontabs /usr/local/bin /Users /Library /etc/newsyslog.d)

SSH_DIR="$ROOT/ssh"
SSH_CONFIG="$SSH_DIR/ssh_config"
CLIENT_KEY="$SSH_DIR/id_ed25519"
KNOWN_HOSTS="$SSH_DIR/known_hosts"
CREATED_USERS="$ROOT/created-users"
CREATED_DIRS="$ROOT/created-dirs"
PATH="$PATH:/usr/sbin:/sbin"

log() { printf '[hosts] %s\n' "$*" >&2; }
die() { printf '[hosts] ERROR: %s\n' "$*" >&2; exit 1; }

host_dir() { echo "$ROOT/hosts/$1"; }
host_ip() { echo "$SUBNET_PREFIX.$(($2 + 2))"; }  # args: name index
# Interface names are limited to 15 chars, so they are numbered rather than named after the host.
bridge_port() { echo "ocvm-h$1"; }
inner_if() { echo "ocvm-t$1"; }

contains() {
  local needle="$1" x
  shift
  for x in "$@"; do [[ "$x" == "$needle" ]] && return 0; done
  return 1
}

check_host_names() {
  local h
  ((${#HOSTS[@]} > 0)) || die "OCVM_HOSTS is empty"
  ((${#HOSTS[@]} <= 200)) || die "too many hosts"
  for h in "${HOSTS[@]}"; do
    [[ "$h" =~ ^[a-z][a-z0-9-]{0,30}$ ]] || die "bad host name '$h' (lowercase letters, digits, '-')"
  done
}

require_tools() {
  [[ $EUID -eq 0 ]] || die "must run as root"
  local t
  for t in ip sshd ssh ssh-keygen unshare setsid useradd userdel usermod mount; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found; run test/infra/provision.sh first"
  done
}

# ----------------------------------------------------------------------------------------------
# down: everything here tolerates missing pieces, because it also cleans up after crashed runs.

# Every host we may have started: the configured ones plus any left in $ROOT/hosts by a run that
# used a different OCVM_HOSTS.
known_hosts_for_cleanup() {
  local h d
  for h in "${HOSTS[@]}"; do echo "$h"; done
  if [[ -d "$ROOT/hosts" ]]; then
    for d in "$ROOT/hosts"/*/; do
      [[ -d "$d" ]] || continue
      h="$(basename "$d")"
      contains "$h" "${HOSTS[@]}" || echo "$h"
    done
  fi
}

# The process may vanish at any moment; that just means "not ours".
cmdline_of() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

# Stop the listener sshd named in the pid file, but only if it really is ours: a stale pid file
# may point at a recycled pid.
stop_sshd_by_pidfile() {
  local h="$1" pidfile pid cmd
  pidfile="$(host_dir "$h")/sshd.pid"
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  rm -f "$pidfile"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  cmd="$(cmdline_of "$pid")"
  if [[ "$cmd" == *sshd* && "$cmd" == *"$(host_dir "$h")/sshd_config"* ]]; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
}

netns_exists() {
  local line
  while read -r line; do
    [[ "${line%% *}" == "$1" ]] && return 0
  done < <(ip netns list 2>/dev/null)
  return 1
}

# The listener's children (ssh sessions, and anything tests started there, e.g. an OpenClaw
# gateway) keep running after the listener dies. Everything inside our netns is ours, so stop it
# all; otherwise the namespace and its mounts would outlive `down`.
kill_netns_processes() {
  local h="$1" pids i
  for i in $(seq 1 50); do
    pids="$(ip netns pids "$h" 2>/dev/null | tr '\n' ' ' || true)"
    [[ -n "${pids// /}" ]] || return 0
    if ((i < 30)); then
      # shellcheck disable=SC2086
      kill -TERM $pids 2>/dev/null || true
    else
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
    sleep 0.1
  done
  log "warning: processes still running in netns $h: $pids"
}

# ssh client processes in the root namespace (e.g. ControlMaster/ControlPersist muxes started by
# ocvm) would otherwise linger after the hosts are gone. Match them by our ssh_config path on the
# command line, or, because a persisted mux master rewrites its command line to "ssh: <path>
# [mux]", by a TCP connection to one of our host addresses.
kill_client_masters() {
  local pid cmd comm
  local -A pids=()
  for pid in /proc/[0-9]*; do
    pid="${pid#/proc/}"
    cmd="$(cmdline_of "$pid")"
    if [[ "$cmd" == *"$SSH_CONFIG"* ]]; then pids[$pid]=1; fi
  done
  if command -v ss >/dev/null 2>&1; then
    while read -r pid; do
      pids[$pid]=1
    done < <(ss -Htnp dst "$SUBNET_PREFIX.0/24" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 || true)
  fi
  for pid in "${!pids[@]}"; do
    [[ "$pid" == "$$" ]] && continue
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    if [[ "$comm" == ssh ]]; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}

delete_links() {
  local name
  # Bridge ports follow our naming scheme ocvm-h<N>; their peers vanish with the netns anyway.
  while read -r name; do
    name="${name%%@*}"
    if [[ "$name" =~ ^ocvm-h[0-9]+$ ]]; then ip link del "$name" 2>/dev/null || true; fi
  done < <(ip -o link show 2>/dev/null | awk -F': ' '{print $2}')
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE" 2>/dev/null || true
  fi
}

remove_created_users() {
  [[ -f "$CREATED_USERS" ]] || return 0
  local u
  while read -r u; do
    [[ -n "$u" ]] || continue
    if id -u "$u" >/dev/null 2>&1; then
      userdel "$u" 2>/dev/null || log "warning: userdel $u failed"
    fi
    # useradd -U made a group of the same name; userdel normally removes it, but not always.
    if getent group "$u" >/dev/null 2>&1; then
      groupdel "$u" 2>/dev/null || true
    fi
  done <"$CREATED_USERS"
  rm -f "$CREATED_USERS"
}

# Mount points we had to create in the shared filesystem (e.g. /etc/openclaw); removed only if
# they are still empty, so nothing anyone else put there is lost.
remove_created_dirs() {
  [[ -f "$CREATED_DIRS" ]] || return 0
  local d
  while read -r d; do
    [[ "$d" == /?* && -d "$d" ]] || continue
    find "$d" -depth -type d -empty -delete 2>/dev/null || true
  done <"$CREATED_DIRS"
  rm -f "$CREATED_DIRS"
}

cmd_down() {
  local h
  local -a all
  # systemd-nspawn hosts (nspawn.sh) hang off our bridge: stop them (by their recorded pids) first.
  bash "$(dirname "$SELF")/nspawn.sh" down-all || log "warning: nspawn.sh down-all failed"
  mapfile -t all < <(known_hosts_for_cleanup)
  for h in "${all[@]}"; do stop_sshd_by_pidfile "$h"; done
  for h in "${all[@]}"; do
    if netns_exists "$h"; then
      kill_netns_processes "$h"
      ip netns del "$h" 2>/dev/null || log "warning: could not delete netns $h"
    fi
  done
  kill_client_masters
  delete_links
  remove_created_users
  remove_created_dirs
  # Per-host files are test state: start each run from empty hosts. Keys stay for speed.
  for h in "${all[@]}"; do rm -rf "$(host_dir "$h")/fs"; done
  rm -f "$ROOT/env.sh" "$ROOT/infra.json"
  if [[ "${OCVM_PURGE:-}" == 1 ]]; then
    rm -rf "$ROOT"
  fi
}

# ----------------------------------------------------------------------------------------------
# up

ensure_state_dirs() {
  # Non-root users must be able to read $SSH_DIR/authorized_keys and their homes below $ROOT.
  mkdir -p "$ROOT/hosts" "$SSH_DIR" /run/sshd
  chmod 0755 "$ROOT" "$ROOT/hosts" "$SSH_DIR"
  if [[ ! -f "$CLIENT_KEY" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C ocvm-test-client -f "$CLIENT_KEY"
  fi
  install -m 0644 "$CLIENT_KEY.pub" "$SSH_DIR/authorized_keys"
}

# The private dirs are bind-mounted over real directories, which must exist. Create missing ones,
# remembering the topmost directory created so that down can remove it again.
ensure_mount_points() {
  local dir top
  for dir in "${PRIVATE_DIRS[@]}"; do
    [[ -d "$dir" ]] && continue
    top="$dir"
    while [[ ! -d "$(dirname "$top")" ]]; do top="$(dirname "$top")"; done
    echo "$top" >>"$CREATED_DIRS"
    mkdir -p "$dir"
  done
}

setup_bridge() {
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# args: name index. No default route inside: traffic can only reach the bridge subnet.
setup_netns() {
  local h="$1" i="$2" port inner
  port="$(bridge_port "$i")"
  inner="$(inner_if "$i")"
  ip netns add "$h"
  ip link add "$port" type veth peer name "$inner"
  ip link set "$port" master "$BRIDGE"
  ip link set "$port" up
  ip link set "$inner" netns "$h"
  ip -n "$h" link set lo up
  ip -n "$h" addr add "$(host_ip "$h" "$i")/24" dev "$inner"
  ip -n "$h" link set "$inner" up
}

# Fresh per-host copies of the private directories. Modes mimic a stock Debian system.
setup_host_fs() {
  local h="$1" fs dir
  fs="$(host_dir "$h")/fs"
  rm -rf "$fs"
  for dir in "${PRIVATE_DIRS[@]}"; do
    mkdir -p "$fs$dir"
    chmod 0755 "$fs$dir"
  done
  if getent group crontab >/dev/null 2>&1; then
    chgrp crontab "$fs/var/spool/cron/crontabs"
  fi
  chmod 1730 "$fs/var/spool/cron/crontabs"
  if contains "$h" "${OPENCLAW_HOSTS[@]}"; then
    [[ -x "$CACHE/bin/openclaw" ]] || log "warning: $CACHE/bin/openclaw missing; run provision.sh"
    ln -sfn "$CACHE/bin/openclaw" "$fs/usr/local/bin/openclaw"
  fi
}

ensure_host_key() {
  local key
  key="$(host_dir "$1")/ssh_host_ed25519_key"
  if [[ ! -f "$key" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$key"
  fi
}

write_sshd_config() {
  local h="$1" ip="$2" d
  d="$(host_dir "$h")"
  cat >"$d/sshd_config" <<EOF
# Generated by test/infra/hosts.sh
ListenAddress $ip
Port 22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
# Without PAM, sshd itself refuses locked accounts; hosts.sh sets the test users' password to '*'.
UsePAM no
# Homes live below $ROOT, whose ownership StrictModes would object to.
StrictModes no
AuthorizedKeysFile .ssh/authorized_keys $SSH_DIR/authorized_keys
# ocvm runs many parallel sessions (ControlMaster, rsync, probes).
MaxSessions 50
MaxStartups 50:30:100
PrintMotd no
PrintLastLog no
X11Forwarding no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
}

# Runs inside the host's network namespace AND a fresh private mount namespace (see start_sshd):
# bind the per-host directories over the real ones, then become that host's sshd.
in_ns_main() {
  local h="$1" d dir
  d="$(host_dir "$h")"
  # The mount points exist already (ensure_mount_points); mount fails loudly if one doesn't.
  for dir in "${PRIVATE_DIRS[@]}"; do
    mount --bind "$d/fs$dir" "$dir"
  done
  exec /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log"
}

start_sshd() {
  local h="$1" d i
  d="$(host_dir "$h")"
  : >"$d/sshd.log"
  # setsid + closed stdio: the daemon must not hold the caller's pipes open (vitest's globalSetup
  # waits for them to close). ip netns exec, unshare and in_ns_main all exec, so the background
  # pid ends up being sshd itself.
  setsid ip netns exec "$h" unshare --mount --propagation private \
    bash "$SELF" __in-ns "$h" </dev/null >>"$d/sshd.log" 2>&1 &
  for i in $(seq 1 100); do
    [[ -s "$d/sshd.pid" ]] && return 0
    kill -0 $! 2>/dev/null || break
    sleep 0.05
  done
  die "sshd for $h did not start; log:"$'\n'"$(cat "$d/sshd.log")"
}

# useradd locks new accounts ('!'); with UsePAM no, sshd refuses locked accounts even for key
# logins. '*' means "no password" without being locked. Only accounts that have no password at
# all are touched, so a real password is never discarded.
unlock_if_passwordless() {
  local hash
  hash="$(getent shadow "$1" | cut -d: -f2)"
  case "$hash" in
    '!' | '!*' | '!!')
      usermod -p '*' "$1"
      ;;
    '!'*)
      log "warning: account $1 is locked and has a password; ssh logins as $1 will fail"
      ;;
  esac
}

# A macOS account lives in /Users and has the primary group staff (Debian has a staff group too).
is_mac_user() { contains "$1" "${MAC_USERS[@]}"; }
user_home() { if is_mac_user "$1"; then echo "/Users/$1"; else echo "/home/$1"; fi; }

# Creates missing test users (recorded so that down removes only those) and gives each one a home
# with our client key in every host's private /home (/Users for the macOS-like users).
setup_users() {
  local u h home
  for u in "${ALL_USERS[@]}"; do
    if ! id -u "$u" >/dev/null 2>&1; then
      if is_mac_user "$u" && getent group staff >/dev/null 2>&1; then
        useradd -M -d "$(user_home "$u")" -s /bin/sh -g staff "$u"
      elif getent group "$u" >/dev/null 2>&1; then
        useradd -M -d "$(user_home "$u")" -s /bin/sh -g "$u" "$u"
      else
        useradd -M -d "$(user_home "$u")" -s /bin/sh -U "$u"
      fi
      echo "$u" >>"$CREATED_USERS"
    fi
    if [[ "$(getent passwd "$u" | cut -d: -f6)" != "$(user_home "$u")" ]]; then
      log "warning: user $u already exists with another home than $(user_home "$u"); ssh logins as $u may fail"
    fi
    unlock_if_passwordless "$u"
    for h in "${HOSTS[@]}"; do
      home="$(host_dir "$h")/fs$(user_home "$u")"
      install -d -m 0755 -o "$u" -g "$(id -gn "$u")" "$home"
      install -d -m 0700 -o "$u" -g "$(id -gn "$u")" "$home/.ssh"
      install -m 0600 -o "$u" -g "$(id -gn "$u")" "$CLIENT_KEY.pub" "$home/.ssh/authorized_keys"
    done
  done
}

write_client_config() {
  local i h ip pub tmp
  tmp="$SSH_CONFIG.tmp"
  {
    echo "# Generated by test/infra/hosts.sh; use with ssh -F $SSH_CONFIG"
    echo "# The systemd-nspawn hosts (test/infra/nspawn.sh) add their own blocks there:"
    echo "Include $SSH_DIR/nspawn.d/*.conf"
    for i in "${!HOSTS[@]}"; do
      h="${HOSTS[$i]}"
      ip="$(host_ip "$h" "$i")"
      cat <<EOF

Host $h $ip
  HostName $ip
  User root
  IdentityFile $CLIENT_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $KNOWN_HOSTS
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
EOF
    done
  } >"$tmp"
  mv -f "$tmp" "$SSH_CONFIG"
  : >"$KNOWN_HOSTS.tmp"
  for i in "${!HOSTS[@]}"; do
    h="${HOSTS[$i]}"
    pub="$(cut -d' ' -f1,2 <"$(host_dir "$h")/ssh_host_ed25519_key.pub")"
    echo "$h,$(host_ip "$h" "$i") $pub" >>"$KNOWN_HOSTS.tmp"
  done
  mv -f "$KNOWN_HOSTS.tmp" "$KNOWN_HOSTS"
  chmod 0644 "$SSH_CONFIG" "$KNOWN_HOSTS"
  printf '#!/bin/sh\nexec ssh -F %q "$@"\n' "$SSH_CONFIG" >"$SSH_DIR/ssh-wrap"
  chmod 0755 "$SSH_DIR/ssh-wrap"
}

ssh_ok() { ssh -F "$SSH_CONFIG" -o ConnectTimeout=2 "$@" true </dev/null >/dev/null 2>&1; }

# sshd writes its pid file before it accepts, so retry briefly rather than assume.
wait_ready() {
  local h target i last
  for h in "${HOSTS[@]}"; do
    for target in "$h" "${ALL_USERS[@]/%/@$h}"; do
      for i in $(seq 1 50); do
        ssh_ok "$target" && continue 2
        sleep 0.2
      done
      last="$(ssh -F "$SSH_CONFIG" -o ConnectTimeout=2 "$target" true </dev/null 2>&1 || true)"
      die "ssh $target never worked: $last"$'\n'"sshd log:"$'\n'"$(cat "$(host_dir "$h")/sshd.log")"
    done
  done
}

json_str_array() {
  local first=1 x
  printf '['
  for x in "$@"; do
    ((first)) || printf ', '
    first=0
    printf '"%s"' "$x"
  done
  printf ']'
}

# env.sh for shells; infra.json for the tests (vitest's globalSetup runs in another process than
# the tests, so the files, not its environment, are the contract).
# (Values are paths and validated host names, so they need no JSON escaping.)
write_env_files() {
  local i h has_openclaw sep
  cat >"$ROOT/env.sh.tmp" <<EOF
# Generated by test/infra/hosts.sh
export OCVM_SSH_CONFIG=$(printf %q "$SSH_CONFIG")
export OCVM_INFRA_ROOT=$(printf %q "$ROOT")
export OCVM_HOSTS=$(printf %q "${HOSTS[*]}")
export OCVM_TEST_CACHE=$(printf %q "$CACHE")
EOF
  mv -f "$ROOT/env.sh.tmp" "$ROOT/env.sh"
  {
    printf '{\n'
    printf '  "root": "%s",\n' "$ROOT"
    printf '  "sshConfig": "%s",\n' "$SSH_CONFIG"
    printf '  "sshWrap": "%s",\n' "$SSH_DIR/ssh-wrap"
    printf '  "clientKey": "%s",\n' "$CLIENT_KEY"
    printf '  "cacheDir": "%s",\n' "$CACHE"
    printf '  "openclaw": "%s",\n' "$CACHE/bin/openclaw"
    printf '  "users": %s,\n' "$(json_str_array "${ALL_USERS[@]}")"
    printf '  "macUsers": %s,\n' "$(json_str_array "${MAC_USERS[@]}")"
    printf '  "privateDirs": %s,\n' "$(json_str_array "${PRIVATE_DIRS[@]}")"
    printf '  "hosts": [\n'
    for i in "${!HOSTS[@]}"; do
      h="${HOSTS[$i]}"
      has_openclaw=false
      if contains "$h" "${OPENCLAW_HOSTS[@]}"; then has_openclaw=true; fi
      sep=,
      if ((i + 1 == ${#HOSTS[@]})); then sep=''; fi
      printf '    {"name": "%s", "ip": "%s", "fsRoot": "%s", "openclaw": %s}%s\n' \
        "$h" "$(host_ip "$h" "$i")" "$(host_dir "$h")/fs" "$has_openclaw" "$sep"
    done
    printf '  ]\n}\n'
  } >"$ROOT/infra.json.tmp"
  mv -f "$ROOT/infra.json.tmp" "$ROOT/infra.json"
}

# A failed up must not leave daemons and namespaces behind (vitest skips the teardown when the
# setup fails). Logs and keys survive down, so the error stays debuggable.
cleanup_failed_up() {
  local rc=$?
  ((rc == 0)) && return 0
  if [[ "${OCVM_KEEP_INFRA:-}" == 1 ]]; then
    log "up failed; leaving everything in place (OCVM_KEEP_INFRA=1)"
  else
    log "up failed; cleaning up (logs in $ROOT/hosts/*/sshd.log)"
    cmd_down || true
  fi
  return "$rc"
}

cmd_up() {
  local i h
  trap cleanup_failed_up EXIT
  # Start from nothing: this also clears whatever a crashed run left behind.
  cmd_down
  ensure_state_dirs
  ensure_mount_points
  setup_bridge
  for i in "${!HOSTS[@]}"; do
    h="${HOSTS[$i]}"
    mkdir -p "$(host_dir "$h")"
    chmod 0755 "$(host_dir "$h")"
    setup_netns "$h" "$i"
    setup_host_fs "$h"
    ensure_host_key "$h"
    write_sshd_config "$h" "$(host_ip "$h" "$i")"
  done
  setup_users
  write_client_config
  for h in "${HOSTS[@]}"; do start_sshd "$h"; done
  wait_ready
  write_env_files
  log "up: ${HOSTS[*]}; ssh -F $SSH_CONFIG <host>; env in $ROOT/env.sh"
}

cmd_status() {
  local i h pid state ok=0
  for i in "${!HOSTS[@]}"; do
    h="${HOSTS[$i]}"
    state="netns:no"
    netns_exists "$h" && state="netns:yes"
    pid="$(cat "$(host_dir "$h")/sshd.pid" 2>/dev/null || true)"
    if [[ -n "$pid" && "$(cmdline_of "$pid")" == *"$(host_dir "$h")/sshd_config"* ]]; then
      state+=" sshd:$pid"
    else
      state+=" sshd:no"
    fi
    if [[ -f "$SSH_CONFIG" ]] && ssh_ok "$h"; then
      state+=" ssh:ok"
    else
      state+=" ssh:fail"
      ok=1
    fi
    printf '%-12s %-12s %s\n' "$h" "$(host_ip "$h" "$i")" "$state"
  done
  return "$ok"
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    up) check_host_names; require_tools; cmd_up ;;
    down) require_tools; cmd_down ;;
    status) cmd_status ;;
    __in-ns) in_ns_main "$2" ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
  esac
}

main "$@"
