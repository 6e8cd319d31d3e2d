#!/usr/bin/env bash
# A real libvirt 9 + QEMU (TCG) "hypervisor" on each test host started by hosts.sh, plus a tiny
# bootable guest (kernel + initrd built from Debian packages, nothing installed).
#
#   libvirt.sh up      start virtlogd + libvirtd on every host (fresh state); idempotent
#   libvirt.sh down    destroy the guests we started, stop the daemons (by pid file, cmdline checked)
#   libvirt.sh guest   only build the tiny guest (cached in $OCVM_TEST_CACHE/guest)
#
# Each host's libvirtd runs inside that host's network namespace AND the private mount namespace
# of its sshd (entered with nsenter), with per-host copies of /run/libvirt, /etc/libvirt,
# /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt bound over the real ones. So
# `ssh ocvm-dst virsh -c qemu:///system ...` talks to ocvm-dst's own libvirtd, both hosts can use
# the same pool path, and the test process sees a host's files at
# $OCVM_INFRA_ROOT/hosts/<host>/libvirt/<lib|log|...>.
# Every host gets a distinct host_uuid (libvirt refuses to migrate "to the same host" otherwise)
# and a running dir pool `default` at /var/lib/libvirt/images (as Debian sets it up).
#
# The guest (/init in a busybox initrd): loads virtio + ACPI button modules, prints
# `OCVM-GUEST: up`, then for each /dev/vd? a line `OCVM-GUEST: vda <first 16 bytes hex>
# <sha256 of the first 8 MiB>`, runs the QEMU guest agent on its virtio-serial port (guest-exec
# works), and powers off on the ACPI power button (`virsh shutdown`). Domains use type='qemu'.
#
# Needs root, hosts.sh up first, and the packages from provision.sh.
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
ROOT="${OCVM_INFRA_ROOT:-/var/lib/ocvm-test}"
CACHE="${OCVM_TEST_CACHE:-/var/cache/ocvm-test}"
GUEST_DIR="$CACHE/guest"
PATH="$PATH:/usr/sbin:/sbin"

# Directories each host's libvirtd sees as its own (name in the host dir : real path).
LIBVIRT_DIRS=(run:/run/libvirt etc:/etc/libvirt lib:/var/lib/libvirt log:/var/log/libvirt cache:/var/cache/libvirt)
POOL=default
POOL_PATH=/var/lib/libvirt/images
# Kernel modules the guest loads, in dependency order (no depmod/modprobe in the initrd).
GUEST_MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk virtio_console button evdev)

log() { printf '[libvirt] %s\n' "$*" >&2; }
die() { printf '[libvirt] ERROR: %s\n' "$*" >&2; exit 1; }

host_dir() { echo "$ROOT/hosts/$1"; }
lv_dir() { echo "$ROOT/hosts/$1/libvirt"; }
cmdline_of() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

# Hosts that hosts.sh started (a host dir with an sshd pid file).
hosts_up() {
  local d
  for d in "$ROOT/hosts"/*/; do
    [[ -f "$d/sshd.pid" ]] && basename "$d"
  done
  return 0
}

# All hosts we may have touched, also ones whose sshd is gone already.
hosts_known() {
  local d
  for d in "$ROOT/hosts"/*/; do
    [[ -d "$d/libvirt" ]] && basename "$d"
  done
  return 0
}

sshd_pid() {
  local pid
  pid="$(cat "$(host_dir "$1")/sshd.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ && "$(cmdline_of "$pid")" == *"$(host_dir "$1")/sshd_config"* ]] || return 1
  echo "$pid"
}

# kill_pidfile FILE PATTERN: TERM the pid in FILE if its cmdline contains PATTERN (a stale pid
# file may point at a recycled pid), wait up to 10 s, then KILL.
kill_pidfile() {
  local file="$1" pattern="$2" pid i
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file" 2>/dev/null || true)"
  rm -f "$file"
  [[ "$pid" =~ ^[0-9]+$ && "$(cmdline_of "$pid")" == *"$pattern"* ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_host() {
  local h="$1" d f
  d="$(lv_dir "$h")"
  [[ -d "$d" ]] || return 0
  # QEMU first (libvirtd keeps one pid file per running domain), then the daemons.
  for f in "$d"/run/qemu/*.pid; do
    [[ -e "$f" ]] && kill_pidfile "$f" qemu-system
  done
  kill_pidfile "$d/libvirtd.pid" libvirtd &
  kill_pidfile "$d/virtlogd.pid" virtlogd &
  wait
}

cmd_down() {
  local h
  for h in $(hosts_known); do
    stop_host "$h"
    # Disk images can be large; logs stay for debugging (the next up starts from empty dirs).
    rm -rf "$(lv_dir "$h")/lib/images"
  done
}

# ----------------------------------------------------------------------------------------------
# The tiny guest.

guest_ready() { [[ -s "$GUEST_DIR/vmlinuz" && -s "$GUEST_DIR/initrd.gz" && -f "$GUEST_DIR/.built-v6" ]]; }

write_guest_init() {
  cat >"$1" <<'EOF'
#!/bin/busybox sh
# Tiny ocvm test guest (built by test/infra/libvirt.sh).
/bin/busybox --install -s /bin
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mkdir -p /proc /sys /dev /tmp /run /var/run /sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do insmod "/lib/modules/$m.ko" || echo "OCVM-GUEST: insmod $m failed"; done
echo "OCVM-GUEST: up"
# Wait for the block devices to appear.
i=0; while [ ! -e /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
for d in /dev/vd?; do
  [ -e "$d" ] || continue
  head16=$(dd if="$d" bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
  sum=$(head -c 8388608 "$d" | sha256sum | cut -d' ' -f1)
  echo "OCVM-GUEST: ${d#/dev/} $head16 $sum"
done
# ACPI power button (virsh shutdown) -> power off.
for e in /dev/input/event*; do
  [ -e "$e" ] && (head -c 1 "$e" >/dev/null && echo "OCVM-GUEST: poweroff" && poweroff -f) &
done
# QEMU guest agent on its virtio-serial port, so guest-exec works.
for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] || continue
  /usr/sbin/qemu-ga -m virtio-serial -p "/dev/${p##*/}" -t /run >/dev/null 2>&1 &
  echo "OCVM-GUEST: agent"
done
echo "OCVM-GUEST: ready"
while true; do sleep 3600; done
EOF
  chmod 0755 "$1"
}

cmd_guest() {
  guest_ready && return 0
  local work kver ko m lib
  command -v apt-get >/dev/null || die "apt-get not found (the guest is built from Debian packages)"
  work="$(mktemp -d)"
  chmod 0755 "$work"  # apt-get download drops to the _apt user
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  kver="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')"
  if [[ -z "$kver" ]]; then
    apt-get update -qq
    kver="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')"
  fi
  [[ -n "$kver" ]] || die "cannot find the current linux-image-*-cloud-amd64 (apt-get update?)"
  log "building the tiny guest from $kver, busybox-static, qemu-guest-agent"
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$kver" busybox-static qemu-guest-agent >/dev/null) || die "apt-get download failed"
  for f in "$work"/*.deb; do dpkg-deb -x "$f" "$work/x"; done
  mkdir -p "$work/initrd"/{bin,sbin,usr/sbin,lib/modules,lib64,lib/x86_64-linux-gnu,proc,sys,dev,tmp,run,etc}
  cp "$work/x/bin/busybox" "$work/initrd/bin/busybox"
  for m in "${GUEST_MODULES[@]}"; do
    ko="$(find "$work/x/lib/modules" -name "$m.ko" | head -n 1)"
    [[ -n "$ko" ]] || die "kernel module $m.ko not found in $kver"
    cp "$ko" "$work/initrd/lib/modules/"
  done
  printf '%s\n' "${GUEST_MODULES[@]}" >"$work/initrd/lib/modules/order"
  # qemu-ga is dynamically linked: take its libraries from this machine (same Debian release).
  cp "$work/x/usr/sbin/qemu-ga" "$work/initrd/usr/sbin/qemu-ga"
  for lib in $(ldd "$work/x/usr/sbin/qemu-ga" | grep -o '/[^ ]*'); do
    cp -L "$lib" "$work/initrd$lib" 2>/dev/null || { mkdir -p "$work/initrd$(dirname "$lib")"; cp -L "$lib" "$work/initrd$lib"; }
  done
  # qemu-ga's guest-shutdown runs /sbin/shutdown.
  printf '#!/bin/sh\npoweroff -f\n' >"$work/initrd/sbin/shutdown"
  chmod 0755 "$work/initrd/sbin/shutdown"
  write_guest_init "$work/initrd/init"
  mkdir -p "$GUEST_DIR"
  (cd "$work/initrd" && find . | "$work/initrd/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$GUEST_DIR/initrd.gz.tmp"
  cp "$(find "$work/x/boot" -name 'vmlinuz-*' | head -n 1)" "$GUEST_DIR/vmlinuz.tmp"
  mv -f "$GUEST_DIR/initrd.gz.tmp" "$GUEST_DIR/initrd.gz"
  mv -f "$GUEST_DIR/vmlinuz.tmp" "$GUEST_DIR/vmlinuz"
  chmod 0644 "$GUEST_DIR/initrd.gz" "$GUEST_DIR/vmlinuz"
  touch "$GUEST_DIR/.built-v6"
}

# ----------------------------------------------------------------------------------------------
# The daemons.

# libvirt resolves its compiled-in user before reading qemu.conf, so it must exist even though
# qemu.conf makes QEMU run as root (libvirt-daemon-system would create it; we install less).
ensure_qemu_user() {
  id -u libvirt-qemu >/dev/null 2>&1 && return 0
  useradd -r -U -M -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
}

prepare_host_dirs() {
  local h="$1" d pair
  d="$(lv_dir "$h")"
  rm -rf "$d"
  for pair in "${LIBVIRT_DIRS[@]}"; do
    mkdir -p "$d/${pair%%:*}" "${pair#*:}"
  done
  mkdir -p "$d/log/qemu" "$d/lib/qemu" "$d/lib/images" "$d/lib/boot"
  chmod 0711 "$d/lib"
  cat >"$d/etc/libvirtd.conf" <<EOF
# Generated by test/infra/libvirt.sh for host $h
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
unix_sock_group = "root"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat >"$d/etc/qemu.conf" <<'EOF'
# Generated by test/infra/libvirt.sh: no libvirt-qemu user, no SELinux/AppArmor here.
user = "root"
group = "root"
security_driver = "none"
remember_owner = 0
EOF
  : >"$d/etc/virtlogd.conf"
  # The guest's kernel and initrd, at a path that is the same on every host.
  cp "$GUEST_DIR/vmlinuz" "$GUEST_DIR/initrd.gz" "$d/lib/boot/"
}

# Runs inside the host's network + mount namespaces (see start_host).
in_ns_main() {
  local h="$1" d pair fd
  d="$(lv_dir "$h")"
  # Daemons must not inherit the caller's other fds: an inherited flock on the integration lock
  # would keep the lock held for as long as libvirtd lives.
  for fd in /proc/$$/fd/*; do
    fd="${fd##*/}"
    ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null || true
  done
  for pair in "${LIBVIRT_DIRS[@]}"; do
    # A previous up in this namespace left its bind mount: replace it.
    while mountpoint -q "${pair#*:}"; do umount -l "${pair#*:}"; done
    mount --bind "$d/${pair%%:*}" "${pair#*:}"
  done
  virtlogd -d -f /etc/libvirt/virtlogd.conf -p "$d/virtlogd.pid"
  libvirtd -d -f /etc/libvirt/libvirtd.conf --pid-file "$d/libvirtd.pid"
}

virsh_in() {
  local h="$1"
  shift
  nsenter -t "$(sshd_pid "$h")" -n -m -- timeout 60 virsh -q -c qemu:///system "$@"
}

start_host() {
  local h="$1" pid i
  pid="$(sshd_pid "$h")" || die "host $h is not up (run test/infra/hosts.sh up first)"
  stop_host "$h"
  prepare_host_dirs "$h"
  nsenter -t "$pid" -n -m -- setsid bash "$SELF" __in-ns "$h" </dev/null >>"$(lv_dir "$h")/start.log" 2>&1 ||
    die "could not start libvirt on $h: $(cat "$(lv_dir "$h")/start.log")"
  for i in $(seq 1 100); do
    [[ -S "$(lv_dir "$h")/run/libvirt-sock" ]] && break
    sleep 0.1
  done
  [[ -S "$(lv_dir "$h")/run/libvirt-sock" ]] ||
    die "libvirtd on $h did not open its socket; log: $(tail -n 20 "$(lv_dir "$h")/log/libvirtd.log" 2>/dev/null)"
  virsh_in "$h" pool-define-as "$POOL" dir --target "$POOL_PATH" >/dev/null
  virsh_in "$h" pool-start "$POOL" >/dev/null
}

cmd_up() {
  local h started=0
  ensure_qemu_user
  cmd_guest
  for h in $(hosts_up); do
    start_host "$h" &
    started=$((started + 1))
  done
  ((started > 0)) || die "no test hosts are up (run test/infra/hosts.sh up first)"
  local rc=0
  wait || rc=$?
  # `wait` without ids returns the last job's status only: check every host.
  for h in $(hosts_up); do
    [[ -S "$(lv_dir "$h")/run/libvirt-sock" ]] || rc=1
  done
  ((rc == 0)) || { cmd_down; die "libvirt did not come up on every host"; }
  # The first call that needs QEMU capabilities takes seconds; pay it here, in parallel.
  for h in $(hosts_up); do virsh_in "$h" capabilities >/dev/null & done
  wait
  log "up: $(hosts_up | tr '\n' ' ')(pool $POOL at $POOL_PATH, guest in $GUEST_DIR)"
}

main() {
  [[ $EUID -eq 0 ]] || die "must run as root"
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    guest) cmd_guest ;;
    __in-ns) in_ns_main "$2" ;;
    *) echo "usage: $0 up|down|guest" >&2; exit 2 ;;
  esac
}

main "$@"
