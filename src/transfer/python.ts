/**
 * sh: `find_python` prints the path of a system Python 3 with tarfile on a Linux host (/usr/local/bin
 * first, as in the default PATH), never a login shell's version-manager shims. Python is optional:
 * where it is missing, the disk scripts do the same work with GNU tar, only slower. Not on macOS,
 * where /usr/bin/python3 may only be a stub that asks the console user to install developer tools.
 */
export const FIND_PYTHON = String.raw`find_python() {
  [ "$(uname -s)" = Linux ] || return 1
  for p in /usr/local/bin/python3 /usr/bin/python3 /usr/libexec/platform-python; do
    [ -x "$p" ] && "$p" -c 'import tarfile' </dev/null 2>/dev/null && { printf '%s' "$p"; return 0; }
  done
  return 1
}`

/**
 * Python: `wider_pipe(fd)` makes the pipe on fd hold 1 MiB (Linux' F_SETPIPE_SZ), so a 1 MiB read
 * or write is one system call and sshd and Python switch less often. Where that cannot be had (not
 * a pipe, not Linux, over the user's pipe quota) the pipe stays as it is.
 */
export const WIDER_PIPE_PY = String.raw`
def wider_pipe(fd):
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, 'F_SETPIPE_SZ', 1031), 1 << 20)
    except (ImportError, OSError):
        pass`
