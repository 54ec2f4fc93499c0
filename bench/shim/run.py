#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Whole-program malloc comparison: `make bench-shim`.

Runs each program (bench/shim/*.c, python3 on test/shim/workload.py, and a
gcc -O2 compile of a kmem source file) under each allocator: glibc (no
preload), kmem (LD_PRELOAD=libkmem-malloc.so), jemalloc, mimalloc and
tcmalloc (their shared libraries preloaded the same way).  runstat.c times each
run (wall clock, fork to wait4) and reads its peak RSS from wait4's rusage,
which covers the process and every child it waited for (gcc's cc1 and as).
Every run repeats REPS times, interleaved across allocators, and
the median counts.

A run fails when it exits non-zero or its output differs from glibc's
(programs print checksums; for gcc the object file's digest is compared).
Prints a table with ratios against glibc and mimalloc and the geometric
means, writes it to BUILD/bench-shim/results.txt and draws a gnuplot bar
chart of the ratios (SVG).  Exit status 1 if any run failed.
"""
import argparse
import hashlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

LIBDIR = "/usr/lib/x86_64-linux-gnu"
PEERS = [
    ("jemalloc", LIBDIR + "/libjemalloc.so.2"),
    ("mimalloc", LIBDIR + "/libmimalloc.so.2"),
    ("tcmalloc", LIBDIR + "/libtcmalloc_minimal.so.4"),
]
TIMEOUT_S = 120


def programs(build, tmp):
    """(name, argv, file whose digest is part of the output or None)."""
    shim_bin = os.path.join(build, "bench", "shim")
    obj = os.path.join(tmp, "slub.o")
    progs = [(name, [os.path.join(shim_bin, name)], None)
             for name in ("larson", "xmalloc", "sizes", "thread_churn")]
    progs.append(("python3", ["python3", "test/shim/workload.py"], None))
    progs.append(("gcc", ["gcc", "-O2", "-g", "-std=gnu11", "-D_GNU_SOURCE", "-Iinclude",
                          "-I.", "-c", "slab/slub.c", "-o", obj], obj))
    return progs


def run_once(runstat, argv, preload, tmp, digest_path):
    """Run argv once under runstat; return (seconds, peak RSS KiB, exit code, output, errors)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "KMEM_STATS")}
    result = os.path.join(tmp, "result")
    try:
        proc = subprocess.run([runstat, result, preload or "-"] + argv, env=env,
                              capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return 0, 0, -1, b"", "timed out after %d s" % TIMEOUT_S
    if proc.returncode:
        return 0, 0, proc.returncode, b"", proc.stderr.decode(errors="replace")
    with open(result) as f:
        ns, kib, code = (int(x) for x in f.read().split())
    output = proc.stdout
    if digest_path and os.path.exists(digest_path):
        with open(digest_path, "rb") as f:
            output += hashlib.sha256(f.read()).hexdigest().encode()
        os.unlink(digest_path)
    return ns / 1e9, kib, code, output, proc.stderr.decode(errors="replace")


def check_interposes(shim, tmp):
    """Fail unless a preloaded process really allocates from kmem.

    A shim whose symbols carry a version the program does not ask for loads
    without error and serves nothing; its KMEM_STATS would show no memory.
    """
    stats = os.path.join(tmp, "stats")
    env = dict(os.environ, LD_PRELOAD=shim, KMEM_STATS=stats)
    subprocess.run(["python3", "-c", "x = [bytes(100) for _ in range(10000)]"], env=env,
                   check=True)
    with open(stats) as f:
        peak = [line.split()[1] for line in f if line.startswith("MemPeakMapped:")]
    if not peak or peak[0] == "0":
        sys.exit("%s did not serve python3's allocations: is it interposing malloc?" % shim)


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if len(values) % 2 else \
        (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def draw_chart(path, progs, allocs, time_ratio, rss_ratio, tmp):
    if not shutil.which("gnuplot"):
        print("gnuplot not found: no chart drawn", file=sys.stderr)
        return
    data = {}
    for what, ratio in (("time", time_ratio), ("rss", rss_ratio)):
        data[what] = os.path.join(tmp, what + ".dat")
        with open(data[what], "w") as f:
            f.write("# program " + " ".join(allocs) + "\n")
            for p in progs:
                f.write(p + " " + " ".join("%.4f" % ratio.get((p, a), float("nan"))
                                           for a in allocs) + "\n")
    columns = ", ".join("'%s' using %d%s title '%s'" % (
        "{data}" if i == 0 else "", i + 2, ":xtic(1)" if i == 0 else "", a)
        for i, a in enumerate(allocs))
    script = """
set terminal svg size 960,720 dynamic noenhanced font "sans,12" background "white"
set output '{out}'
set multiplot layout 2,1 title "Whole programs under each malloc (median of runs; below 1 beats glibc)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key outside right top
set logscale y 2
set xtics nomirror
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lw 1.5
set ylabel "wall time / glibc's (log scale)"
set yrange [0.25:*]
plot {time_cols}
set ylabel "peak RSS / glibc's (log scale)"
set yrange [0.5:*]
plot {rss_cols}
unset multiplot
""".format(out=path, time_cols=columns.format(data=data["time"]),
           rss_cols=columns.format(data=data["rss"]))
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    print("chart: " + path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/default")
    ap.add_argument("--shim", default=None, help="libkmem-malloc.so (default BUILD/...)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--chart", default=None, help="SVG file for the bar chart")
    ap.add_argument("--only", default=None, help="comma-separated program names")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    shim = os.path.abspath(args.shim or os.path.join(build, "libkmem-malloc.so"))
    allocs = [("glibc", None), ("kmem", shim)]
    for name, lib in PEERS:
        if os.path.exists(lib):
            allocs.append((name, lib))
        else:
            print("%s: %s not installed, skipped" % (name, lib), file=sys.stderr)
    names = [a for a, _ in allocs]
    tmp = tempfile.mkdtemp(prefix="kmem-bench-shim-")
    progs = programs(build, tmp)
    runstat = os.path.join(build, "bench", "shim", "runstat")
    check_interposes(shim, tmp)
    if args.only:
        progs = [p for p in progs if p[0] in args.only.split(",")]

    times, rss, failed, expected = {}, {}, {}, {}
    started = time.perf_counter()
    for rep in range(args.reps):
        for prog, argv, digest in progs:
            for alloc, preload in allocs:
                key = (prog, alloc)
                if key in failed:
                    continue
                print("\r[%d/%d] %-12s %-9s" % (rep + 1, args.reps, prog, alloc),
                      end="", file=sys.stderr, flush=True)
                s, kib, code, output, errors = run_once(runstat, argv, preload, tmp, digest)
                if code != 0:
                    failed[key] = "exit %d: %s" % (code, errors.strip()[-300:])
                    continue
                expected.setdefault(prog, output)
                if output != expected[prog]:
                    failed[key] = "output differs from glibc's: %r" % output[-200:]
                    continue
                times.setdefault(key, []).append(s)
                rss.setdefault(key, []).append(kib)
    print("\r%60s\r" % "", end="", file=sys.stderr)

    med_t = {k: median(v) for k, v in times.items()}
    med_r = {k: median(v) for k, v in rss.items()}
    time_glibc, time_mi, rss_glibc = {}, {}, {}
    for prog, _, _ in progs:
        for alloc in names:
            k = (prog, alloc)
            if k not in med_t:
                continue
            if (prog, "glibc") in med_t:
                time_glibc[k] = med_t[k] / med_t[(prog, "glibc")]
                rss_glibc[k] = med_r[k] / med_r[(prog, "glibc")]
            if (prog, "mimalloc") in med_t:
                time_mi[k] = med_t[k] / med_t[(prog, "mimalloc")]

    lines = ["bench-shim: median of %d runs; wall time and peak RSS (wait4 rusage)" % args.reps,
             "%-13s %-9s %8s %9s %11s %14s %10s" % ("program", "allocator", "time s",
                                                   "RSS MiB", "time/glibc", "time/mimalloc",
                                                   "RSS/glibc")]
    na = lambda d, k: "%.2f" % d[k] if k in d else "-"
    for prog, _, _ in progs:
        for alloc in names:
            k = (prog, alloc)
            if k in failed:
                lines.append("%-13s %-9s FAILED: %s" % (prog, alloc, failed[k]))
                continue
            lines.append("%-13s %-9s %8.3f %9.1f %11s %14s %10s" % (
                prog, alloc, med_t[k], med_r[k] / 1024, na(time_glibc, k), na(time_mi, k),
                na(rss_glibc, k)))
    lines.append("geometric mean of time ratios over %d programs:" % len(progs))
    lines.append("%-23s %8s %11s" % ("", "vs glibc", "vs mimalloc"))
    for alloc in names:
        g = [v for (p, a), v in time_glibc.items() if a == alloc]
        m = [v for (p, a), v in time_mi.items() if a == alloc]
        lines.append("%-23s %8.2f %11.2f%s" % (alloc, geomean(g), geomean(m),
                                                "" if len(g) == len(progs) else
                                                "  (over %d programs)" % len(g)))
    g = geomean([v for (p, a), v in time_glibc.items() if a == "kmem"])
    m = geomean([v for (p, a), v in time_mi.items() if a == "kmem"])
    rss_kmem = [(p, rss_glibc[(p, "kmem")]) for p, _, _ in progs if (p, "kmem") in rss_glibc]
    lines.append("kmem against the targets:")
    lines.append("  geomean time vs glibc    %.2f  (target < 0.8: %s)" % (
        g, "met" if g < 0.8 else "NOT met"))
    lines.append("  geomean time vs mimalloc %.2f  (target < 1.2: %s)" % (
        m, "met" if m < 1.2 else "NOT met"))
    lines.append("  peak RSS <= glibc's: met on %s; NOT met on %s" % (
        ", ".join(p for p, r in rss_kmem if r <= 1.0) or "none",
        ", ".join("%s (x%.3f)" % (p, r) for p, r in rss_kmem if r > 1.0) or "none"))
    for prog, alloc in sorted(failed):
        if alloc == "kmem":
            lines.append("  %s FAILED under kmem" % prog)
    lines.append("total %.0f s" % (time.perf_counter() - started))
    text = "\n".join(lines)
    print(text)
    out_dir = os.path.join(build, "bench-shim")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.txt"), "w") as f:
        f.write(text + "\n")
    if args.chart:
        draw_chart(args.chart, [p for p, _, _ in progs], names, time_glibc, rss_glibc, tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
