"""HTTP clients for the serve cases, on raw sockets so that every byte is
ours to get wrong.

usage:
  client.py upload PORT WHEEL [--auth USER:PW] [--field K=V]... [--no-digest]
                   [--bad-sha256] [--slow SECONDS] [--path /legacy/]
      a legacy-API upload, fields first as twine sends them; prints
      "STATUS BODY-LINE"
  client.py hostile PORT USER:PW  the hostile shapes; prints one line per
                   check, exits 1 if one failed
  client.py upload-many PORT USER:PW WHEEL...  upload each in turn; exits 1
                   unless every answer is 200
  client.py readers PORT N STOPFILE  N threads GET pages (keep-alive) until
                   STOPFILE exists; exits 1 on any 5xx or failed request
"""
import os
import threading
import base64
import hashlib
import socket
import sys
import time


def conn(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    return s


def read_response(s):
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                cl = [l for l in head.split(b"\r\n")
                      if l.lower().startswith(b"content-length:")]
                if cl and len(body) >= int(cl[0].split(b":")[1]):
                    break
    except (socket.timeout, ConnectionResetError):
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines[0] else 0
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    return status, headers, body


def multipart(fields, filename, content, boundary="xYzZY-boundary"):
    out = []
    for k, v in fields:
        out.append(b"--%s\r\nContent-Disposition: form-data; name=\"%s\""
                   b"\r\n\r\n%s\r\n" % (boundary.encode(), k.encode(),
                                         v.encode()))
    if content is not None:
        out.append(b"--%s\r\nContent-Disposition: form-data; name=\"content\""
                   b"; filename=\"%s\"\r\nContent-Type: application/"
                   b"octet-stream\r\n\r\n" % (boundary.encode(),
                                              filename.encode()))
        out.append(content + b"\r\n")
    out.append(b"--%s--\r\n" % boundary.encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def post(port, path, body, ctype, auth=None, slow=0.0, extra=b""):
    s = conn(port, timeout=60)
    head = (b"POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\n"
            b"Content-Length: %d\r\n" % (path.encode(), ctype.encode(),
                                         len(body)))
    if auth:
        head += b"Authorization: Basic %s\r\n" % base64.b64encode(
            auth.encode())
    s.sendall(head + extra + b"\r\n")
    if slow:
        step = max(1, len(body) // 20)
        for i in range(0, len(body), step):
            s.sendall(body[i:i + step])
            time.sleep(slow / 20)
    else:
        s.sendall(body)
    r = read_response(s)
    s.close()
    return r


def cmd_upload(argv):
    port, wheel = int(argv[0]), argv[1]
    auth, fields, slow, path = None, [], 0.0, "/"
    digest, bad = True, False
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "--auth":
            auth = argv[i + 1]; i += 1
        elif a == "--field":
            fields.append(tuple(argv[i + 1].split("=", 1))); i += 1
        elif a == "--slow":
            slow = float(argv[i + 1]); i += 1
        elif a == "--path":
            path = argv[i + 1]; i += 1
        elif a == "--no-digest":
            digest = False
        elif a == "--bad-sha256":
            bad = True
        i += 1
    content = open(wheel, "rb").read()
    name = wheel.rsplit("/", 1)[-1]
    base = [(":action", "file_upload"), ("protocol_version", "1"),
            ("filetype", "bdist_wheel")]
    if digest:
        h = hashlib.sha256(content).hexdigest()
        if bad:
            h = "0" * 64
        base += [("sha256_digest", h),
                 ("blake2_256_digest",
                  hashlib.blake2b(content, digest_size=32).hexdigest()),
                 ("md5_digest", hashlib.md5(content).hexdigest())]
    keys = {k for k, _ in fields}
    body, ctype = multipart([f for f in base if f[0] not in keys] + fields,
                            name, content)
    status, _, rbody = post(port, path, body, ctype, auth, slow)
    print(status, rbody.decode(errors="replace").strip())


def cmd_hostile(argv):
    port = int(argv[0])
    auth = argv[1] if len(argv) > 1 else "u:p"
    fails = 0

    def check(what, got, want):
        nonlocal fails
        ok = got in want if isinstance(want, list) else got == want
        print(("ok   " if ok else "FAIL ") + what + ": " + str(got))
        if not ok:
            fails += 1

    def raw(data, timeout=5):
        s = conn(port, timeout)
        s.sendall(data)
        r = read_response(s)
        s.close()
        return r

    check("CL+TE", raw(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")[0], 400)
    check("duplicate CL", raw(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length"
                              b": 5\r\nContent-Length: 6\r\n\r\nhello!")[0],
          400)
    check("oversize URI", raw(b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n"
                              b"Host: t\r\n\r\n")[0], 414)
    check("long segment", raw(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n"
                              b"Host: t\r\n\r\n")[0], 414)
    check("oversize header", raw(b"GET / HTTP/1.1\r\nHost: t\r\nX-A: " +
                                 b"a" * 70000 + b"\r\n\r\n")[0], 431)
    check("many headers", raw(b"GET / HTTP/1.1\r\nHost: t\r\n" + b"".join(
        b"X-%d: %s\r\n" % (i, b"b" * 100) for i in range(700)) +
        b"\r\n")[0], 431)
    body, ctype = multipart([], "x.whl", b"")
    check("oversize body (Content-Length)",
          raw(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Type: " +
              ctype.encode() + b"\r\nContent-Length: 99999999999\r\n\r\n")[0],
          413)
    for what, b in [("no close delimiter", b"--B\r\nContent-Disposition: "
                     b"form-data; name=\"a\"\r\n\r\nx\r\n"),
                    ("no boundary at all", b"garbage"),
                    ("part without Content-Disposition",
                     b"--B\r\nX: y\r\n\r\nx\r\n--B--\r\n")]:
        check("malformed multipart: " + what,
              post(port, "/", b, "multipart/form-data; boundary=B",
                   auth)[0], 400)
    check("not multipart", post(port, "/", b"a=b", "text/plain", auth)[0],
          400)
    for what, h in [("Basic no space", b"Basic"),
                    ("Basic bad base64", b"Basic !!!!"),
                    ("Basic no colon", b"Basic " + base64.b64encode(b"user")),
                    ("Basic two words", b"Basic YTpi YTpi"),
                    ("Bearer empty", b"Bearer "),
                    ("Bearer unknown", b"Bearer tlc_nope"),
                    ("Digest", b"Digest username=\"a\""),
                    ("huge", b"Basic " + b"A" * 8000)]:
        st, hd, _ = raw(b"POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue"
                        b"\r\nContent-Type: multipart/form-data; boundary=B"
                        b"\r\nContent-Length: 6\r\nAuthorization: " + h +
                        b"\r\n\r\n")
        check("auth " + what, (st, "www-authenticate" in hd), (401, True))
    for t in [b"/../x", b"/%2e%2e/x", b"/%252e/x", b"/.tlcpack/lock",
              b"/a\\..\\x", b"/files/%00", b"/files/%c0%ae%c0%ae/x",
              b"http://evil/x", b"*"]:
        st = raw(b"GET " + t + b" HTTP/1.1\r\nHost: t\r\nConnection: close"
                 b"\r\n\r\n")[0]
        check("traversal " + t.decode(), st, [400, 404])
    # slowloris: half a request, then silence; the server closes it
    s = conn(port, 20)
    s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
    t0 = time.time()
    try:
        closed = s.recv(100) == b""
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        closed = False
    check("slowloris closed by the timeout", (closed, time.time() - t0 < 15),
          (True, True))
    check("others still served", raw(b"GET /simple/ HTTP/1.1\r\nHost: t\r\n"
                                     b"Connection: close\r\n\r\n")[0], 200)
    sys.exit(1 if fails else 0)


def cmd_upload_many(argv):
    port, auth = int(argv[0]), argv[1]
    for wheel in argv[2:]:
        content = open(wheel, "rb").read()
        body, ctype = multipart(
            [(":action", "file_upload"), ("protocol_version", "1"),
             ("sha256_digest", hashlib.sha256(content).hexdigest())],
            wheel.rsplit("/", 1)[-1], content)
        status, _, rbody = post(port, "/", body, ctype, auth)
        if status != 200:
            print(wheel, status, rbody.decode(errors="replace"))
            sys.exit(1)


def cmd_readers(argv):
    import http.client
    port, n, stop = int(argv[0]), int(argv[1]), argv[2]
    paths = ["/simple/", "/wheels.html", "/", "/simple/seed/"]
    bad, count = [], [0]
    lock = threading.Lock()

    def reader(k):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while not os.path.exists(stop):
            path = paths[i % len(paths)]
            i += 1
            try:
                c.request("GET", path, headers={
                    "Accept": "application/vnd.pypi.simple.v1+json"
                    if i % 2 else "text/html"})
                r = c.getresponse()
                r.read()
                st = r.status
            except Exception as e:
                st = repr(e)
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port,
                                               timeout=30)
            with lock:
                count[0] += 1
                if not isinstance(st, int) or st >= 500:
                    bad.append((path, st))
    ts = [threading.Thread(target=reader, args=(k,)) for k in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("requests", count[0], "bad", len(bad), bad[:5])
    sys.exit(1 if bad or count[0] == 0 else 0)


if __name__ == "__main__":
    {"upload": cmd_upload, "hostile": cmd_hostile,
     "upload-many": cmd_upload_many,
     "readers": cmd_readers}[sys.argv[1]](sys.argv[2:])
