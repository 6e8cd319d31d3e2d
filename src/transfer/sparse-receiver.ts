import {WIDER_PIPE_PY} from './python.js'

/**
 * The target's end of a disk stream, when the host has Python 3: it unpacks the canonical GNU tar
 * (CANONICAL_TAR, one or more regular files, sparse or not) writing each data region in 1 MiB
 * writes. GNU tar writes a sparse member's data 512 bytes per write() call: 4 M system calls per
 * 2 GiB, the largest single CPU cost of a disk move. What lands on disk is the same (holes where
 * the archive's map has none, the archive's mode and mtime, no owner from the archive), and the
 * verify step checks it the same way. Only regular files and dirs with relative names inside the
 * current dir are accepted; anything else fails the stream, as GNU tar's defaults refuse `..` and
 * absolute names.
 */

export const SPARSE_RECEIVER_PY = String.raw`
import os, sys, tarfile

BLOCK = 512
CHUNK = 1 << 20


def fail(message):
    sys.stderr.write('ocvm receive: %s\n' % message)
    sys.exit(2)


def copy(src, dst, n):
    while n:
        data = src.read(min(n, CHUNK))
        if not data:
            fail('the stream ended inside a file (connection lost?)')
        view = memoryview(data)
        while view:
            view = view[dst.write(view):]
        n -= len(data)


def unpack(member, stream):
    name = member.name
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, 'wb', buffering=0) as out:
        stream.seek(member.offset_data)
        if member.sparse is None:
            copy(stream, out, member.size)
        else:
            for offset, size in member.sparse:
                out.seek(offset)
                copy(stream, out, size)
                # GNU tar pads each region of a sparse member to a whole block.
                if size % BLOCK:
                    stream.read(BLOCK - size % BLOCK)
        out.truncate(member.size)
        os.fchmod(out.fileno(), member.mode & 0o777)
    os.utime(name, (member.mtime, member.mtime))


${WIDER_PIPE_PY}


def main():
    source = sys.stdin.buffer
    wider_pipe(0)
    archive = tarfile.open(fileobj=source, mode='r|', bufsize=CHUNK)
    for member in archive:
        name = os.path.normpath(member.name)
        if os.path.isabs(name) or name in ('.', '..') or name.startswith('../'):
            fail('refusing the member %r: outside the target dir' % member.name)
        member.name = name
        if member.isdir():
            os.makedirs(name, 0o700, exist_ok=True)
            continue
        if not member.isreg():
            fail('refusing the member %r: not a regular file' % member.name)
        parent = os.path.dirname(name)
        if parent:
            os.makedirs(parent, 0o700, exist_ok=True)
        unpack(member, archive.fileobj)
    # The rest of the last record, so the sender never sees a broken pipe.
    while source.read(CHUNK):
        pass


try:
    main()
except (OSError, tarfile.TarError, EOFError) as error:
    fail(str(error))
`
