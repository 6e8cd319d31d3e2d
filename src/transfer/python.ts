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
