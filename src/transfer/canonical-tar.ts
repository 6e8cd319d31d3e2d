import {WIDER_PIPE_PY} from './python.js'

/**
 * GNU tar's canonical archive of one disk image (CANONICAL_TAR with --sparse: the old GNU sparse
 * format, one member, 1 MiB records), written by Python: the same bytes, byte for byte, as GNU tar
 * 1.34 makes of the same file (test/unit/transfer/canonical-tar.test.ts compares them), read in 1 MiB
 * calls where GNU tar reads a sparse file's data 512 bytes per read(). It finds the data with
 * SEEK_DATA/SEEK_HOLE as GNU tar does, and calls a file sparse as GNU tar does (fewer 512-byte
 * blocks allocated than whole 512-byte blocks in its size).
 *
 * `sum ROOT NAME` prints the archive's SHA-256 (the `tar-sparse` digest, one read of the data and
 * no pipe); `cat ROOT LIST EVERY` writes the archive of the one file LIST names (NUL-terminated) to
 * stdout, `OCVM-PROGRESS:<bytes>` to stderr every EVERY bytes, and at the end its SHA-256 and size
 * (`OCVM-DIGEST:<hex>`, `OCVM-WIRE:<bytes>`). Exit 3, before any output: GNU tar must do it (a name
 * of 100 bytes or more, no SEEK_DATA, not one regular file), and gives the same bytes. Exit 4: an
 * I/O error.
 */
export const CANONICAL_TAR_PY = String.raw`
import hashlib, os, stat, sys

BLOCK = 512
RECORD = 2048 * BLOCK
CHUNK = 1 << 20


class Unsupported(Exception):
    pass


def num(value, width):
    if value < 8 ** (width - 1):
        return b'%0*o\0' % (width - 1, value)
    return b'\x80' + value.to_bytes(width - 1, 'big')


def data_map(fd, size):
    regions, offset = [], 0
    while offset < size:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError as error:
            if error.errno == 6:  # ENXIO: no data after offset
                break
            raise Unsupported('SEEK_DATA: %s' % error)
        end = os.lseek(fd, start, os.SEEK_HOLE)
        regions.append((start, end - start))
        offset = end
    regions.append((size, 0))
    return regions


def header(name, typeflag, size, regions, realsize):
    h = bytearray(BLOCK)
    h[0:len(name)] = name
    h[100:108] = num(0o600, 8)
    h[108:116] = num(0, 8)
    h[116:124] = num(0, 8)
    h[124:136] = num(size, 12)
    h[136:148] = num(0, 12)
    h[148:156] = b' ' * 8
    h[156:157] = typeflag
    h[257:265] = b'ustar  \0'
    if typeflag == b'S':
        for i, (off, n) in enumerate(regions[:4]):
            h[386 + 24 * i:398 + 24 * i] = num(off, 12)
            h[398 + 24 * i:410 + 24 * i] = num(n, 12)
        h[482] = 1 if len(regions) > 4 else 0
        h[483:495] = num(realsize, 12)
    h[148:156] = b'%06o\0 ' % sum(h)
    blocks = [bytes(h)]
    rest = regions[4:]
    while rest:
        e = bytearray(BLOCK)
        for i, (off, n) in enumerate(rest[:21]):
            e[24 * i:24 * i + 12] = num(off, 12)
            e[24 * i + 12:24 * i + 24] = num(n, 12)
        rest = rest[21:]
        e[504] = 1 if rest else 0
        blocks.append(bytes(e))
    return b''.join(blocks)


def archive(path, name):
    """Yields the bytes of GNU tar's canonical sparse archive of one file (CANONICAL_TAR --sparse)."""
    if len(name) >= 100:
        raise Unsupported('long name')
    fd = os.open(path, os.O_RDONLY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unsupported('not a regular file')
        size = st.st_size
        sparse = st.st_blocks < size // BLOCK
        regions = data_map(fd, size) if sparse else [(0, size)]
        data = sum(n for _, n in regions)
        head = header(name, b'S' if sparse else b'0', data, regions, size)
        yield head
        total = len(head)
        for off, n in regions:
            os.lseek(fd, off, os.SEEK_SET)
            left = n
            while left:
                chunk = os.read(fd, min(left, CHUNK))
                if not chunk:
                    raise OSError('%s shrank while it was read' % path)
                yield chunk
                left -= len(chunk)
            pad = -n % BLOCK
            if pad:
                yield bytes(pad)
            total += n + pad
        total += 2 * BLOCK
        yield bytes(2 * BLOCK + (-total % RECORD))
    finally:
        os.close(fd)


${WIDER_PIPE_PY}

def main():
    mode, root = sys.argv[1], sys.argv[2]
    os.chdir(root)
    try:
        if mode == 'sum':
            digest = hashlib.sha256()
            for chunk in archive(sys.argv[3], os.fsencode(sys.argv[3])):
                digest.update(chunk)
            print(digest.hexdigest())
            return
        with open(sys.argv[3], 'rb') as listed:
            names = [n for n in listed.read().split(b'\0') if n]
        if len(names) != 1:
            raise Unsupported('%d files in one stream' % len(names))
        every, done, told = int(sys.argv[4]), 0, 0
        digest = hashlib.sha256()
        out = sys.stdout.buffer
        wider_pipe(1)
        for chunk in archive(names[0], names[0]):
            digest.update(chunk)
            out.write(chunk)
            done += len(chunk)
            if done - told >= every:
                told = done
                sys.stderr.write('OCVM-PROGRESS:%d\n' % done)
                sys.stderr.flush()
        out.flush()
        sys.stderr.write('OCVM-DIGEST:%s\nOCVM-WIRE:%d\n' % (digest.hexdigest(), done))
    except Unsupported as why:
        sys.stderr.write('ocvm canonical tar: %s\n' % why)
        sys.exit(3)
    except OSError as error:
        sys.stderr.write('ocvm canonical tar: %s\n' % error)
        sys.exit(4)


main()
`
