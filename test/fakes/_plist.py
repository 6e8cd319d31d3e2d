# Shared helpers of ocvm's FAKE macOS plist tools (test/fakes/plutil, PlistBuddy, launchctl).
# Test doubles only: they read and write real property lists with Python's plistlib (XML and
# binary, the formats of plist(5)), so what they accept is what a real plist parser accepts.
import os
import plistlib
import sys


class PlistFail(Exception):
    """An error the real tool reports on stderr (the message), with its exit status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def load(path):
    """Parses a plist file (XML or binary). Raises PlistFail with plutil-like wording."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise PlistFail(f'{path}: file does not exist or is not readable or is not a regular file (Error Domain=NSCocoaErrorDomain Code=260 "The file couldn\'t be opened because there is no such file.")')
    except PermissionError:
        raise PlistFail(f'{path}: file does not exist or is not readable or is not a regular file (Error Domain=NSCocoaErrorDomain Code=257 "The file couldn\'t be opened because you don\'t have permission to view it.")')
    try:
        return plistlib.loads(data)
    except Exception as e:  # plistlib raises InvalidFileException, ExpatError, ValueError...
        raise PlistFail(f'{path}: Property List error: {e} / JSON error: JSON text did not start with array or object')


def dump_xml(value):
    return plistlib.dumps(value, fmt=plistlib.FMT_XML, sort_keys=False)


def save(path, value, like=None):
    """Writes `value` in the format of `like` (a path whose format to keep), else XML, atomically."""
    fmt = plistlib.FMT_XML
    if like and os.path.exists(like):
        with open(like, 'rb') as f:
            if f.read(8) == b'bplist00':
                fmt = plistlib.FMT_BINARY
    tmp = f'{path}.fake-tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(plistlib.dumps(value, fmt=fmt, sort_keys=False))
    os.replace(tmp, path)


def type_name(value):
    """plist(5) type names, as PlistBuddy and plutil -type call them."""
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, int):
        return 'integer'
    if isinstance(value, float):
        return 'real'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, dict):
        return 'dict'
    if isinstance(value, list):
        return 'array'
    if isinstance(value, bytes):
        return 'data'
    return 'date'


def walk(root, parts):
    """Follows dict keys / array indexes; returns (found, value)."""
    node = root
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def err(message):
    sys.stderr.write(message + '\n')
