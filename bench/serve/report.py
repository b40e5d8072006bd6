"""bench/serve's arithmetic: wrk's output to figures, and the final table.

usage: report.py wrk FILE BYTES TICKS HZ
                                   one line: "REQ/S P99-MS MB/S CPU-US":
                                   the requests per second, the 99th
                                   percentile of the latency in ms, REQ/S x
                                   BYTES (the body's size) in MB/s (10^6
                                   bytes), and the server's CPU time per
                                   request in microseconds (TICKS of CPU at
                                   HZ ticks a second over the requests);
                                   fails if wrk saw an error or a status
                                   other than 2xx or 3xx
       report.py table DIR         the table of the medians of DIR's
                                   page-{t,n}.txt, file-{t,n}.txt,
                                   upload.txt, with the goals
"""
import re
import statistics
import sys

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def wrk(path, size, ticks, hz):
    text = open(path).read()
    count = re.search(r"^\s*([0-9]+) requests in ", text, re.M)
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s|m|h)\s*$", text, re.M)
    if not rps or not p99 or not count:
        sys.exit("report.py: no Requests/sec or 99%% line in %s" % path)
    for bad in ("Non-2xx or 3xx responses", "Socket errors"):
        if bad in text:
            sys.exit("report.py: wrk says '%s' in %s:\n%s" % (bad, path,
                                                               text))
    rps = float(rps.group(1))
    ms = float(p99.group(1)) * UNITS[p99.group(2)]
    cpu = ticks / hz * 1e6 / int(count.group(1))
    print("%.1f %.3f %.1f %.2f" % (rps, ms, rps * size / 1e6, cpu))


def column(path, k):
    rows = [l.split() for l in open(path) if l.strip()]
    return [float(r[k]) for r in rows]


def verdict(ok):
    return "MET" if ok else "NOT MET"


def table(d):
    med = statistics.median
    pt, pn = "%s/page-t.txt" % d, "%s/page-n.txt" % d
    ft, fn = "%s/file-t.txt" % d, "%s/file-n.txt" % d
    up = "%s/upload.txt" % d
    page_t, page_n = med(column(pt, 0)), med(column(pn, 0))
    p99_t, p99_n = med(column(pt, 1)), med(column(pn, 1))
    file_t, file_n = med(column(ft, 2)), med(column(fn, 2))
    fp99_t, fp99_n = med(column(ft, 1)), med(column(fn, 1))
    pcpu_t, pcpu_n = med(column(pt, 3)), med(column(pn, 3))
    fcpu_t, fcpu_n = med(column(ft, 3)), med(column(fn, 3))
    up_mbs = [float(r[0]) / float(r[1]) / 1e6
              for r in (l.split() for l in open(up) if l.strip())]
    up_s = med(column(up, 1))
    up_rate = med(up_mbs)
    up_rss = med(column(up, 2)) / 1024
    up_rss_max = max(column(up, 2)) / 1024
    size = column(up, 0)[0]
    n = len(column(pt, 0))

    print("medians of %d runs (MB = 10^6 bytes, MiB = 2^20)" % n)
    print("%-30s %12s %12s %8s" % ("", "tlcpack", "nginx", "ratio"))
    print("%-30s %12.0f %12.0f %7.2fx" % ("page: requests/s", page_t, page_n,
                                          page_t / page_n))
    print("%-30s %12.2f %12.2f %7.2fx" % ("page: p99 latency, ms", p99_t,
                                          p99_n, p99_t / p99_n))
    print("%-30s %12.1f %12.1f %7.2fx" % ("page: server CPU us/request",
                                          pcpu_t, pcpu_n, pcpu_t / pcpu_n))
    print("%-30s %12.0f %12.0f %7.2fx" % ("file: MB/s", file_t, file_n,
                                          file_t / file_n))
    print("%-30s %12.2f %12.2f %7.2fx" % ("file: p99 latency, ms", fp99_t,
                                          fp99_n, fp99_t / fp99_n))
    print("%-30s %12.0f %12.0f %7.2fx" % ("file: server CPU us/request",
                                          fcpu_t, fcpu_n, fcpu_t / fcpu_n))
    print("%-30s %12.0f" % ("upload: MB/s (%.0f MB)" % (size / 1e6),
                            up_rate))
    print("%-30s %12.2f" % ("upload: seconds to the 200", up_s))
    print("%-30s %12.1f   (highest %.1f)" % ("upload: server peak RSS, MiB",
                                            up_rss, up_rss_max))
    print("%-30s %12.2f" % ("upload: server CPU, s", med(column(up, 3))))
    print()
    print("goals:")
    ok = page_t >= 0.8 * page_n and p99_t < 5
    print("  pages >= 0.8x nginx requests/s, p99 < 5 ms: %.2fx, %.2f ms: %s"
          % (page_t / page_n, p99_t, verdict(ok)))
    ok = file_t >= 0.9 * file_n
    print("  files >= 0.9x nginx MB/s: %.2fx: %s"
          % (file_t / file_n, verdict(ok)))
    ok = up_rate >= 400 and up_rss < 64
    print("  upload >= 400 MB/s, RSS < 64 MiB: %.0f MB/s, %.1f MiB: %s"
          % (up_rate, up_rss, verdict(ok)))


def main(argv):
    if len(argv) == 6 and argv[1] == "wrk":
        wrk(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif len(argv) == 3 and argv[1] == "table":
        table(argv[2])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
