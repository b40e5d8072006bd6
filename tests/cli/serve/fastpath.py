"""Checks of tlcpack serve's fast path (src/http/serve_fast.c) on raw
sockets.

usage:
  fastpath.py same PORT PATH...   each read, as the fast path answers it
                  and as libmicrohttpd does (an "X-Via: mhd" field, which
                  the fast path does not know, sends it there): the same
                  status, fields (but Date) and body, for GET, HEAD,
                  If-None-Match, If-Modified-Since and Connection: close
  fastpath.py session PORT FILE PAGE  one keep-alive connection: two
                  pipelined GETs, a head sent in two pieces, a 404 (MHD's)
                  between reads
  fastpath.py per-ip PORT FILE N  N connections are taken, held by the
                  fast path and by MHD; the next is closed unanswered;
                  closing one makes room
  fastpath.py idle PORT FILE SECONDS  a connection idle after a read is
                  closed by the server within SECONDS (+2)
Prints one line per check; exits 1 if one failed.
"""
import socket
import sys
import time

failed = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    if not ok:
        failed.append(what)


class Conn:
    """A keep-alive connection with a buffer, so that pipelined responses
    are read one by one."""

    def __init__(self, port, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.settimeout(timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        b = self.s.recv(1 << 20)
        if not b:
            raise EOFError
        self.buf += b

    def response(self, head_request=False):
        """(status, fields without Date, body); EOFError if closed first"""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = []
        for l in lines[1:]:
            k, _, v = l.partition(":")
            fields.append((k.strip().lower(), v.strip()))
        length = 0
        for k, v in fields:
            if k == "content-length" and not head_request and status != 304:
                length = int(v)
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        # the order of distinct fields means nothing (RFC 9110 5.3);
        # MHD 0.9.75 sends "Content-Length: 0" on a 304, which RFC 9110
        # 8.6 forbids (it must be the length a 200 would have), and the
        # fast path does not
        fields = sorted(f for f in fields if f[0] != "date" and
                        not (status == 304 and f[0] == "content-length"))
        return status, fields, body

    def closed(self, wait=5.0):
        """True when the server closes (EOF or reset) within @wait s."""
        self.s.settimeout(wait)
        try:
            return self.s.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.s.close()


def get(path, method="GET", fields=(), mhd=False):
    req = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n" % (method, path)
    for f in fields:
        req += f + "\r\n"
    if mhd:
        req += "X-Via: mhd\r\n"
    return (req + "\r\n").encode()


def cmd_same(argv):
    port, paths = int(argv[0]), argv[1:]
    for path in paths:
        c = Conn(port)
        c.send(get(path))
        st, fields, body = c.response()
        c.close()
        etag = dict(fields).get("etag", "")
        lastmod = dict(fields).get("last-modified", "")
        check("%s: 200" % path, st == 200, str(st))
        shapes = [
            ("GET", ()),
            ("HEAD", ()),
            ("GET", ("Accept: application/vnd.pypi.simple.v1+json",)),
            ("GET", ("User-Agent: pip/23.0.1", "Accept-Encoding: gzip",
                     "Accept: */*", "Connection: keep-alive")),
            ("GET", ("If-None-Match: " + etag,)),
            ("GET", ("If-None-Match: \"other\", " + etag,)),
            ("HEAD", ("If-None-Match: " + etag,)),
            ("GET", ("If-None-Match: \"other\"",)),
            ("GET", ("If-Modified-Since: " + lastmod,)),
            ("GET", ("If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",)),
            ("GET", ("Connection: close",)),
        ]
        for method, extra in shapes:
            got = []
            for mhd in (False, True):
                c = Conn(port)
                c.send(get(path, method, extra, mhd))
                r = c.response(method == "HEAD")
                closes = "Connection: close" in extra
                got.append((r, c.closed(2.0) if closes else None))
                c.close()
            what = "%s %s %s" % (method, path, " | ".join(extra))
            check(what + ": as MHD answers it", got[0] == got[1],
                  "fast %r\n      mhd  %r" % (
                      (got[0][0][0], got[0][0][1], len(got[0][0][2]),
                       got[0][1]),
                      (got[1][0][0], got[1][0][1], len(got[1][0][2]),
                       got[1][1])))
            if "Connection: close" in extra:
                check(what + ": closed after", got[0][1] is True)
            if extra and extra[0].startswith("If-None-Match: \"other\", "):
                check(what + ": 304", got[0][0][0] == 304)


def cmd_session(argv):
    port, path, page = int(argv[0]), argv[1], argv[2]
    c = Conn(port)
    c.send(get(path))
    st, fields, whole = c.response()
    check("first read", st == 200 and len(whole) > 0, str(st))
    # two requests in one segment: two answers, in order
    c.send(get(path) + get(page))
    a, b = c.response(), c.response()
    check("pipelined: the file", a[0] == 200 and a[2] == whole, str(a[0]))
    check("pipelined: then the page", b[0] == 200 and b[2] != whole,
          str(b[0]))
    # a head in two pieces (MHD reads it), then a fast one again
    c.send(get(path)[:10])
    time.sleep(0.3)
    c.send(get(path)[10:])
    st, _, body = c.response()
    check("a head in two pieces", st == 200 and body == whole, str(st))
    # an answer of MHD's on the same connection, then reads go on
    c.send(get("/files/no/such.whl"))
    st, _, _ = c.response()
    check("a missing file: 404", st == 404, str(st))
    c.send(get(path, "HEAD") + get(path))
    h, g = c.response(True), c.response()
    check("after it, HEAD and GET", h[0] == 200 and h[2] == b"" and
          g[0] == 200 and g[2] == whole, "%d %d" % (h[0], g[0]))
    c.close()


def cmd_per_ip(argv):
    port, path, n = int(argv[0]), argv[1], int(argv[2])
    held = []
    for i in range(n):
        c = Conn(port)
        # half of them read through MHD and stay there
        c.send(get(path, mhd=(i % 2 == 1)))
        st, _, _ = c.response()
        check("connection %d of %d answered" % (i + 1, n), st == 200, str(st))
        held.append(c)
    extra = Conn(port)
    try:
        extra.send(get(path))
        refused = extra.closed(5.0)
    except (BrokenPipeError, ConnectionResetError):
        refused = True
    check("connection %d closed unanswered" % (n + 1), refused)
    extra.close()
    for freed in (0, 1):	# one of the fast path's, one of MHD's
        held[freed].close()
        time.sleep(0.5)
        c = Conn(port)
        c.send(get(path))
        try:
            st, _, _ = c.response()
        except (EOFError, ConnectionResetError):
            st = 0
        check("room again after closing connection %d" % (freed + 1),
              st == 200, str(st))
        held[freed] = c
    for c in held:
        c.close()


def cmd_idle(argv):
    port, path, secs = int(argv[0]), argv[1], float(argv[2])
    c = Conn(port)
    c.send(get(path))
    st, _, _ = c.response()
    check("a read", st == 200, str(st))
    t = time.monotonic()
    closed = c.closed(secs + 2)
    took = time.monotonic() - t
    check("closed when idle", closed and secs - 1 <= took <= secs + 2,
          "%s after %.1f s" % (closed, took))
    c.close()


if __name__ == "__main__":
    {"same": cmd_same, "session": cmd_session, "per-ip": cmd_per_ip,
     "idle": cmd_idle}[sys.argv[1]](sys.argv[2:])
    sys.exit(1 if failed else 0)
