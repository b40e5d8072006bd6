"""A tiny test server for a tlcpack repository (tests/index/pip.sh,
tests/cli/publish/pip.sh), until `tlcpack serve` exists: it serves DIR on
127.0.0.1, answers a project URL
(/simple/<project>/) with index.json when the Accept header asks for
PEP 691 JSON (application/vnd.pypi.simple.v1+json, as pip sends it) and
with index.html otherwise, and logs "METHOD PATH CONTENT-TYPE" per request
(the path unquoted) to LOG.  Writes the port it listens on to PORTFILE, then serves until
killed.

usage: server.py DIR PORTFILE LOG
"""
import http.server
import os
import sys
import urllib.parse

JSON = "application/vnd.pypi.simple.v1+json"


def wants_json(accept):
    # PEP 691: the client lists types with q-values; JSON wins when it is
    # listed with a q above every HTML type's.
    best, best_q = None, -1.0
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                q = float(f[2:])
        if q > best_q:
            best, best_q = fields[0], q
    return best == JSON


class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        path = urllib.parse.unquote(self.path.split("?", 1)[0])
        if path.startswith("/simple/") and path.endswith("/"):
            if wants_json(self.headers.get("Accept", "")):
                return self.send_file(path + "index.json", JSON)
            return self.send_file(path + "index.html", "text/html")
        ctype = self.guess_type(path)
        self.log(path, ctype)
        return super().send_head()

    def send_file(self, rel, ctype):
        full = self.translate_path(rel)
        if not os.path.isfile(full):
            self.send_error(404)
            return None
        f = open(full, "rb")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
        self.end_headers()
        self.log(rel, ctype)
        return f

    def log(self, path, ctype):
        with open(LOG, "a") as f:
            f.write("%s %s %s\n" % (self.command, path, ctype))

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    root, portfile, LOG = [os.path.abspath(a) for a in sys.argv[1:4]]
    os.chdir(root)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()
