"""The benchmark of issue "speed and scale": the pipeline against the floor and the peers.

    .venv/bin/python bench/benchmark.py [--runs 3] [--batch 24] [--only deposits|issue]
    .venv/bin/python bench/benchmark.py --scaling [SIZE_KB ...]

Each figure is the median of --runs fresh processes (the batch figures: one run each),
with the peak memory (RSS, summed over a command's whole process tree) beside it. The
floor is what no pipeline on these tools can beat: WeasyPrint alone rendering our print
HTML, plus Pandoc alone reading the same Markdown. The last figures are in
docs/performance.md.

--scaling measures time and peak memory of full builds against the size of the input, in
three shapes (the sample's body repeated, footnotes, one long paragraph): the figures the
limits in run/memory.py, run/timeouts.py and read/source.py are set from.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
SAMPLE = ROOT / "manuscript" / "article.md"
PY = sys.executable
BUILD = [PY, str(ROOT / "build.py")]


def pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def tree_rss_kb(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += own_rss_kb(current)
        stack += children(current)
    return total


def run(command: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one command in a fresh process."""
    # stderr into a file, not a pipe: a build that says much (thousands of warnings) would
    # fill a pipe nobody reads before the command ends, and wait for ever.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})},
                                   stdout=subprocess.DEVNULL, stderr=errors)
        peak = [0]
        done = threading.Event()

        def sample():
            # Not process.poll(): it would reap the child before wait4 below can.
            while not done.is_set():
                peak[0] = max(peak[0], tree_rss_kb(process.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        done.set()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{stderr}")
    return seconds, max(peak[0], usage.ru_maxrss) / 1024


def run_cluster(command: list[str]) -> dict:
    """A --cluster local build: its seconds, the peak of its whole process tree, of the
    client process alone and of the largest worker (a spawned process with its Pandoc
    child), in MB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peaks = {"tree": 0, "client": 0, "worker": 0}
    cpu = [0.0]

    def sample():
        while process.poll() is None:
            peaks["tree"] = max(peaks["tree"], tree_rss_kb(process.pid))
            peaks["client"] = max(peaks["client"], own_rss_kb(process.pid))
            cpu[0] = max(cpu[0], own_cpu_seconds(process.pid))
            for child in children(process.pid):
                if "spawn_main" in cmdline(child):
                    peaks["worker"] = max(peaks["worker"], tree_rss_kb(child))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{stderr.decode()}")
    return {"seconds": seconds, "client_cpu": cpu[0],
            **{name: kb / 1024 for name, kb in peaks.items()}}


def own_cpu_seconds(pid: int) -> float:
    """The CPU time of `pid`'s own threads so far (not its children's)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def own_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def children(pid: int) -> list[int]:
    """The child processes of `pid`, started from any of its threads (a Dask nanny starts
    its worker from its event loop's thread)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:  # the process, or one of its threads, has just ended
        pass
    return found


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as found:
            return found.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def on_started_cluster(issue: Path, scratch: Path, workers: int) -> dict:
    """The batch on a scheduler and `workers` `dask worker` processes started apart, as
    on a real cluster (here all on 127.0.0.1): the client's own CPU time and the
    scheduler's, per article, and each worker's peak (with its Pandoc child)."""
    import socket

    from distributed import Client

    dask = Path(PY).parent / "dask"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
             "start_new_session": True, "cwd": ROOT}
    started = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                                 str(port), "--no-dashboard"], **quiet)]
    started += [subprocess.Popen([str(dask), "worker", address, "--nworkers", "1",
                                  "--nthreads", "1", "--no-dashboard",
                                  "--local-directory", str(scratch / f"dask-worker{n}")],
                                 **quiet) for n in range(workers)]
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        batch = sorted(issue.iterdir())
        whole = _client_on(address, issue, scratch / "apart", started)
        one = _client_on(address, batch[0] / "article.md", scratch / "apart-one", started)
        marginal = {key: (whole[key] - one[key]) / (len(batch) - 1)
                    for key in ("client_cpu", "scheduler_cpu")}
        return {"seconds": whole["seconds"], "worker_peak": whole["worker_peak"],
                **{f"{key}_per_article": value for key, value in marginal.items()}}
    finally:
        for process in started:
            os.killpg(process.pid, 15)
        for process in started:
            process.wait(timeout=30)


def _client_on(address: str, target: Path, out: Path, started: list) -> dict:
    """One client run on the started cluster: its seconds, its own CPU time, the
    scheduler's CPU time meanwhile, the workers' peak."""
    scheduler_cpu = own_cpu_seconds(started[0].pid)
    peaks = {process.pid: 0 for process in started[1:]}
    client_cpu = [0.0]
    command = subprocess.Popen([*BUILD, "build", str(target), "--out", str(out),
                                "--cluster", address],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    begun = time.perf_counter()

    def sample():
        while command.poll() is None:
            client_cpu[0] = max(client_cpu[0], own_cpu_seconds(command.pid))
            for nanny in peaks:
                for worker in children(nanny):
                    peaks[nanny] = max(peaks[nanny], tree_rss_kb(worker))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = command.communicate()
    seconds = time.perf_counter() - begun
    sampler.join()
    if command.returncode != 0:
        raise SystemExit(f"failed on the started cluster:\n{stderr.decode()}")
    return {"seconds": seconds, "client_cpu": client_cpu[0],
            "scheduler_cpu": own_cpu_seconds(started[0].pid) - scheduler_cpu,
            "worker_peak": max(peaks.values()) / 1024}


def cluster_against_local(scratch: Path, batch: int, jobs: int, runs: int) -> list[tuple]:
    """Issue #16: the same batch on a local Dask cluster of `jobs` worker processes and
    with `--jobs`, in alternation (the machine is noisy), and what docs/scaling.md
    extrapolates from: one article alone on the cluster (the fixed cost), the workers'
    throughput, the peak memory of a worker and of the client."""
    issue = scratch / "cluster-issue"
    for n in range(batch):
        shutil.copytree(SAMPLE.parent, issue / f"article{n + 1:02d}",
                        ignore=shutil.ignore_patterns("turkish"))
    local, cluster = [], []
    for i in range(runs):
        local.append(run([*BUILD, "build", str(issue), "--out", str(scratch / f"local{i}"),
                          "--jobs", str(jobs)]))
        cluster.append(run_cluster([*BUILD, "build", str(issue), "--out",
                                    str(scratch / f"cluster{i}"), "--cluster", "local",
                                    "--jobs", str(jobs)]))
    one = [run_cluster([*BUILD, "build", str(issue / "article01" / "article.md"), "--out",
                        str(scratch / f"cluster-one{i}"), "--cluster", "local",
                        "--jobs", str(jobs)]) for i in range(runs)]
    apart = on_started_cluster(issue, scratch, jobs)
    local_seconds = statistics.median(r[0] for r in local)
    cluster_seconds = statistics.median(r["seconds"] for r in cluster)
    one_seconds = statistics.median(r["seconds"] for r in one)
    # The workers' steady rate: the batch's time less one article's (start-up, warm-up,
    # the first article), over the remaining articles.
    per_article = (cluster_seconds - one_seconds) / (batch - 1) * jobs
    client_cpu = (statistics.median(r["client_cpu"] for r in cluster)
                  - statistics.median(r["client_cpu"] for r in one)) / (batch - 1)
    print(f"cluster: {cluster_seconds:.2f} s against --jobs {jobs}: {local_seconds:.2f} s "
          f"(ratio {cluster_seconds / local_seconds:.2f}); one article alone "
          f"{one_seconds:.2f} s; {per_article:.2f} s per article per worker core "
          f"({3600 / per_article:.0f} articles an hour per core); peak per worker "
          f"{max(r['worker'] for r in cluster):.0f} MB, client "
          f"{max(r['client'] for r in cluster):.0f} MB (with the local scheduler), "
          f"client CPU {client_cpu:.3f} s per article")
    print(f"on a scheduler and {jobs} workers started apart: {apart['seconds']:.2f} s; each "
          f"article more costs the client {apart['client_cpu_per_article']:.3f} s of CPU "
          f"and the scheduler {apart['scheduler_cpu_per_article']:.3f} s; peak per "
          f"worker {apart['worker_peak']:.0f} MB")
    return [
        (f"6a. batch of {batch}, one command, --jobs {jobs}", local_seconds,
         max(r[1] for r in local)),
        (f"6c. the same {batch} on a local Dask cluster of {jobs} worker processes",
         cluster_seconds, max(r["tree"] for r in cluster)),
        ("6d. one article alone on that local cluster (start-up included)", one_seconds,
         max(r["tree"] for r in one)),
        (f"6e. the same {batch} on a scheduler and {jobs} `dask worker` processes started "
         "apart", apart["seconds"], apart["worker_peak"]),
    ]


def median(runs: int, make_command) -> tuple[float, float]:
    results = [run(*make_command(i)) for i in range(runs)]
    return (statistics.median(r[0] for r in results), max(r[1] for r in results))


def prepare(scratch: Path) -> dict[str, Path]:
    """The inputs the floor and the peers read: the same article, as each tool takes it."""
    manuscript = scratch / "manuscript"
    shutil.copytree(SAMPLE.parent, manuscript, ignore=shutil.ignore_patterns("turkish"))
    script = (
        "import sys; from pathlib import Path\n"
        "from typeset.run.builder import Builder\n"
        "from typeset.render.pdf import layout as pdf\n"
        "article = Builder(validate_jats=False).read(Path(sys.argv[1]))\n"
        "Path(sys.argv[2]).write_text(pdf.render_print_html(article), encoding='utf-8')\n")
    print_html = manuscript / "print.html"
    subprocess.run([PY, "-c", script, str(manuscript / "article.md"), str(print_html)],
                   check=True, cwd=ROOT)
    text = (manuscript / "article.md").read_text(encoding="utf-8")
    body = manuscript / "body.md"
    body.write_text("\n" * text.split("\n---\n", 1)[0].count("\n") +
                    text.split("\n---\n", 1)[1], encoding="utf-8")
    return {"manuscript": manuscript, "print_html": print_html, "body": body}


def weasyprint_warm(print_html: Path, manuscript: Path) -> float:
    """WeasyPrint's own time for our print page once imported: the median of 3 renders."""
    script = r'''
import sys, time, statistics, weasyprint
html, base, css = sys.argv[1:4]
stylesheet = weasyprint.CSS(filename=css)
times = []
for _ in range(4):
    started = time.perf_counter()
    weasyprint.HTML(filename=html, base_url=base).write_pdf(
        stylesheets=[stylesheet], pdf_variant="pdf/ua-1", pdf_tags=True)
    times.append(time.perf_counter() - started)
print(statistics.median(times[1:]))
'''
    result = subprocess.run([PY, "-c", script, str(print_html), str(manuscript) + "/",
                             str(ROOT / "styles/pesa/print.css")], capture_output=True,
                            text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def make_large(scratch: Path) -> dict[str, Path]:
    """The bounded-memory inputs: the sample's body repeated to some 300 pages, and the
    sample with 5,000 more (uncited) entries in its bibliography."""
    text = SAMPLE.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    copies = []
    for n in range(35):
        copy = re.sub(r"\{#sec:[^}]*\}", "", body) if n else body
        copies.append(copy.replace("[^1]", f"[^n{n}]"))
    long_folder = scratch / "long"
    shutil.copytree(SAMPLE.parent, long_folder, ignore=shutil.ignore_patterns("turkish"))
    (long_folder / "article.md").write_text(front + "\n---\n" + "\n\n".join(copies),
                                            encoding="utf-8")
    bib_folder = scratch / "bigbib"
    shutil.copytree(SAMPLE.parent, bib_folder, ignore=shutil.ignore_patterns("turkish"))
    extra = "".join(
        f"@article{{bench{n},\n  author = {{Author{n}, Given and Other, Second}},\n"
        f"  title = {{A generated title number {n}}},\n  journal = {{Journal of Tests}},\n"
        f"  year = {{{1950 + n % 70}}},\n  volume = {{{n % 40 + 1}}},\n"
        f"  pages = {{{n % 300 + 1}--{n % 300 + 20}}}\n}}\n\n" for n in range(5000))
    with open(bib_folder / "references.bib", "a", encoding="utf-8") as bib:
        bib.write("\n" + extra)
    return {"long": long_folder / "article.md", "bigbib": bib_folder / "article.md"}


LAYOUT_COUNT = r'''
import json, sys
from pathlib import Path
from typeset.render.pdf import layout
from typeset.run.builder import Builder
layout._weasyprint()
from weasyprint.layout import page
made, make_page = [], page.make_page
def counted(*args, **kwargs):
    made.append(1)
    return make_page(*args, **kwargs)
page.make_page = counted
result = Builder().build(Path(sys.argv[1]), Path(sys.argv[2]))
from pypdf import PdfReader
print(json.dumps([len(made), len(PdfReader(Path(sys.argv[2]) / "article.pdf").pages)]))
'''


def layouts(manuscript: Path, out: Path) -> tuple[int, int]:
    """(pages WeasyPrint laid out, pages in the PDF) for one full build: the pages laid
    out are counted where WeasyPrint makes a page (layout.page.make_page)."""
    result = subprocess.run([PY, "-c", LAYOUT_COUNT, str(manuscript), str(out)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    made, pages = json.loads(result.stdout.strip().splitlines()[-1])
    return made, pages


def with_first_page(manuscript: Path, folder: Path, first_page: int = 37) -> Path:
    """A copy of a manuscript folder whose front matter sets volume, issue and first page."""
    shutil.copytree(manuscript.parent, folder, ignore=shutil.ignore_patterns("turkish"))
    text = (folder / "article.md").read_text(encoding="utf-8")
    (folder / "article.md").write_text(text.replace(
        "\nbibliography:", f"\nvolume: 9\nissue: 1\nfirst-page: {first_page}\nbibliography:", 1),
        encoding="utf-8")
    return folder / "article.md"


def side_by_side(runs: int, make_ours, make_peer) -> tuple[tuple, tuple, float]:
    """Median seconds and peak MB of two commands run in turn, `runs` rounds, and the
    median of the rounds' ratios (ours over the peer's, each taken a few seconds apart:
    the steadier figure on a machine whose speed drifts over minutes)."""
    ours, peers = [], []
    for i in range(runs):
        ours.append(run(*make_ours(i)))
        peers.append(run(*make_peer(i)))
    ratio = statistics.median(o[0] / p[0] for o, p in zip(ours, peers, strict=True))
    return ((statistics.median(r[0] for r in ours), max(r[1] for r in ours)),
            (statistics.median(r[0] for r in peers), max(r[1] for r in peers)), ratio)


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


LAID_OUT_MEMORY = r'''
import gc, json, sys
from pathlib import Path
from typeset.render.pdf import layout
from typeset.run.builder import Builder

def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS:")) / 1024

layout._weasyprint()
article = Builder(validate_jats=False).read(Path(sys.argv[1]))
layout.render_print_html(article)  # math rendered and memoized before the count
gc.collect()
before = rss()
laid_out = layout.PdfLayout(article)
laid_out.write()
gc.collect()
print(json.dumps([laid_out.page_count, rss() - before]))
'''


def laid_out_memory(manuscript: Path) -> tuple[int, float]:
    """(pages, MB) that keeping an article's PdfLayout costs once its PDF is written: what
    an issue build pays per article it keeps laid out in a worker."""
    result = subprocess.run([PY, "-c", LAID_OUT_MEMORY, str(manuscript)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    pages, megabytes = json.loads(result.stdout.strip().splitlines()[-1])
    return pages, megabytes


STAGES = r'''
import time
started = time.perf_counter()
import functools, importlib.abc, json, sys

def mark(name, start):
    # Appended as a line: the PDF's stages run in WeasyPrint's own process, forked from
    # this one (the same clock; O_APPEND keeps the lines whole).
    with open(sys.argv[3], "a", encoding="utf-8") as marks:
        marks.write(json.dumps([name, start - started, time.perf_counter() - started]) + "\n")

def timed(function, name):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            mark(name, start)
    return wrapper

def timed_cached(function, name):  # a functools.cache'd function, timed on its first call
    return functools.cache(timed(function.__wrapped__, name))

# What is timed, wrapped when its module is imported (where and when the build imports
# it: importing it here first would move the imports, and the fork, in the timeline).
WRAPPED = {
    "typeset.render.pdf.layout": [
        (None, "_load_weasyprint", "WeasyPrint's process: import WeasyPrint, its fonts",
         timed_cached),
        ("PdfLayout", "__init__", "WeasyPrint's process: PDF layout (11 pages)", timed),
        ("PdfLayout", "write", "WeasyPrint's process: PDF write (margins, paint, tags)", timed)],
    "typeset.render.pdf.process": [
        (None, "_warm_up", "WeasyPrint's process: the style sheet, a few lines (warm-up)", timed),
        ("RemoteLayout", "write", "waiting for the PDF", timed)],
    "typeset.run.builder": [
        ("Builder", "read", "read: front matter, bibliography, Pandoc, document", timed),
        (None, "write_outputs", "outputs written", timed)],
    "typeset.render.jats.article": [
        (None, "render_output", "JATS and its validation (DTD, JATS4R), meanwhile", timed)],
    "typeset.render.html.page": [(None, "render_output", "HTML reading page, meanwhile", timed)],
}

class WrapOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in WRAPPED:
            return None
        for finder in sys.meta_path:
            spec = None if finder is self else finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        exec_module = spec.loader.exec_module
        def exec_and_wrap(module):
            exec_module(module)
            for owner, attribute, label, wrap in WRAPPED.pop(name):
                holder = getattr(module, owner) if owner else module
                setattr(holder, attribute, wrap(getattr(holder, attribute), label))
        spec.loader.exec_module = exec_and_wrap
        return spec

sys.meta_path.insert(0, WrapOnImport())
from typeset import cli
mark("Python start-up, the command line's modules", started)
cli.collect_garbage_less_often()  # as cli.run does
status = cli.main(["build", sys.argv[1], "--out", sys.argv[2], "--no-cache"])
mark("the whole build (the interpreter's teardown is skipped)", started)
'''


def cold_build_stages(manuscript: Path, out: Path) -> list[tuple[str, float, float]]:
    """When each stage of one cold build starts and ends (seconds from the start), in
    the build's process and in WeasyPrint's."""
    marks = out.with_name(out.name + "-marks.jsonl")
    marks.unlink(missing_ok=True)
    subprocess.run([PY, "-c", STAGES, str(manuscript), str(out), str(marks)], cwd=ROOT,
                   capture_output=True, text=True, check=True)
    return sorted((tuple(json.loads(line)) for line in marks.read_text().splitlines()),
                  key=lambda mark: (mark[1], mark[2]))


def warm_rebuild(manuscript: Path) -> dict:
    """In one long-lived process, as in the preview: a one-word edit, then fresh HTML and
    fresh PDF."""
    script = r'''
import json, sys, time
from pathlib import Path
from typeset.preview.state import Preview
path = Path(sys.argv[1])
preview = Preview(path, pdf=True)
preview.start()  # the first build, the watcher, the PDF worker
preview.current_pdf(timeout=120)
version = preview.snapshot.version
original = path.read_text(encoding="utf-8")
html, pdfs = [], []
for word in ("lasting", "notable", "remarkable", "durable", "striking"):
    time.sleep(0.3)
    path.write_text(original.replace("remarkable durability", f"{word} durability", 1),
                    encoding="utf-8")
    started = time.perf_counter()  # from the save, as the editor sees it
    version = preview.wait_for_version(version, 30)
    html.append(time.perf_counter() - started)
    preview.current_pdf(timeout=120)
    pdfs.append(time.perf_counter() - started)
preview.stop()
print(json.dumps({"html": sorted(html)[2], "pdf": sorted(pdfs)[2]}))
'''
    result = subprocess.run([PY, "-c", script, str(manuscript / "article.md")], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def scaled_manuscript(folder: Path, shape: str, size: int) -> Path:
    """A manuscript of `size` KB (for "notes": `size` footnotes) in `folder`."""
    text = SAMPLE.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    shutil.copytree(SAMPLE.parent, folder, ignore=shutil.ignore_patterns("turkish"))
    if shape == "article":
        copies, n = [], 0
        while sum(len(c) for c in copies) < size * 1024:
            copy = re.sub(r"\{#sec:[^}]*\}", "", body) if n else body
            copies.append(copy.replace("[^1]", f"[^n{n}]"))
            n += 1
        body = "\n\n".join(copies)
    elif shape == "notes":
        body = body + "\n\n# Notes test {.unnumbered}\n\n" + "".join(
            f"Sentence {n} of the notes test.[^t{n}]\n\n[^t{n}]: Note {n}, with a few "
            "words of its own.\n\n" for n in range(size))
    elif shape == "paragraph":
        words = ["alliance", "interest", "region", "policy", "history", "state", "power", "order"]
        body = body + "\n\n" + " ".join(words[n % len(words)] for n in range(size * 128))
    (folder / "article.md").write_text(front + "\n---\n" + body, encoding="utf-8")
    return folder / "article.md"


def scaling(sizes: list[int]) -> None:
    """Seconds and peak MB of full builds against input size; one row per build."""
    cases = [("article", size) for size in sizes] + \
        [("notes", count) for count in (1000, 3000, 10000)] + \
        [("paragraph", size) for size in sizes[:2]]
    print(f"{'shape':<10} {'size':>8} {'input KB':>9} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="typeset-scaling-") as scratch_name:
        scratch = Path(scratch_name)
        for shape, size in cases:
            manuscript = scaled_manuscript(scratch / f"{shape}{size}", shape, size)
            kb = manuscript.stat().st_size / 1024
            env = {"TYPESET_BUILD_TIMEOUT": "0", "TYPESET_STAGE_TIMEOUT": "0",
                   "TYPESET_MEMORY_LIMIT": "0"}
            try:
                seconds, peak = run([*BUILD, "build", str(manuscript), "--out",
                                     str(scratch / f"out-{shape}{size}"), "--no-cache"],
                                    env=env)
            except SystemExit as failure:
                print(f"{shape:<10} {size:>8} {kb:9.0f} failed: {str(failure)[-200:]}")
                continue
            print(f"{shape:<10} {size:>8} {kb:9.0f} {seconds:8.1f} {peak:8.0f}", flush=True)


def deposit_times(runs: int) -> dict[str, float]:
    """The issue's deposits for 8 articles (the two samples under the test journal, four
    times each with their own DOIs), in fresh processes: compiling each schema (once per
    process), rendering and validating each deposit. Medians of `runs`."""
    script = r'''
import datetime as dt, json, shutil, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
from typeset.export import crossref, doaj, validation
from typeset.model.article import LangMap
from typeset.model.issue import Issue, IssueArticle, IssueSection
from typeset.run.builder import Builder
root = Path(sys.argv[1])
scratch = Path(tempfile.mkdtemp())
articles = []
for name, folder in (("en", root / "manuscript"), ("tr", root / "manuscript" / "turkish")):
    copy = scratch / name
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("turkish"))
    text = (copy / "article.md").read_text(encoding="utf-8")
    (copy / "article.md").write_text(text.replace("journal: pesa", "journal: issn-test"),
                                     encoding="utf-8")
    articles.append(Builder(validate_jats=False, styles=root / "tests/data/styles").read(
        copy / "article.md"))
items = []
for n in range(8):
    article = articles[n % 2]
    article = replace(article, metadata=replace(article.metadata, doi=f"10.5555/bench.{n}"))
    items.append(IssueArticle(article, 0, f"a{n}", 1 + 20 * n, 20 + 20 * n))
issue = Issue(scratch, articles[0].journal, "9", "1", dt.date(2023, 3, 31), 1,
              (IssueSection(LangMap((("en", "Articles"),)), tuple(i.folder for i in items)),))
times = {}
def timed(name, call):
    started = time.perf_counter()
    value = call()
    times[name] = time.perf_counter() - started
    return value
timed("crossref_compile", validation.CROSSREF.compile)
deposit = timed("crossref_render", lambda: crossref.render_crossref(issue, items))
timed("crossref_validate", lambda: validation.validate_crossref(deposit.xml))
timed("doaj_compile", validation.DOAJ.compile)
upload = timed("doaj_render", lambda: doaj.render_doaj(issue, items))
timed("doaj_validate", lambda: validation.validate_doaj(upload.xml))
times["crossref_kb"] = len(deposit.xml) / 1024
shutil.rmtree(scratch)
print(json.dumps(times))
'''
    results = []
    for _ in range(runs):
        result = subprocess.run([PY, "-c", script, str(ROOT)], cwd=ROOT, capture_output=True,
                                text=True, check=True)
        results.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def deposit_rows(runs: int) -> list[tuple[str, float, float]]:
    times = deposit_times(runs)
    nan = float("nan")
    return [
        ("11a. Crossref schema 5.3.1 compiled (once per process)", times["crossref_compile"],
         nan),
        (f"11b. Crossref deposit of 8 articles ({times['crossref_kb']:.0f} KB): render",
         times["crossref_render"], nan),
        ("11c. the same deposit: validate (schema compiled)", times["crossref_validate"], nan),
        ("11d. DOAJ schema compiled", times["doaj_compile"], nan),
        ("11e. DOAJ upload of 8 articles: render + validate",
         times["doaj_render"] + times["doaj_validate"], nan),
    ]


ISSUE_SAMPLE = ROOT / "issues" / "sample"
ISSUE_ARTICLES = 8


def make_issue(scratch: Path) -> tuple[Path, Path]:
    """An issue of eight articles (the sample issue's three, in turn), and the same eight
    article folders as a plain batch (no issue.yaml: no page numbers)."""
    issue, batch = scratch / "issue8", scratch / "batch8"
    names = []
    kinds = ("al-basre", "ornekci", "taslakci")
    for n in range(ISSUE_ARTICLES):
        kind = kinds[n % len(kinds)]
        name = f"{n + 1:02d}-{kind}"
        names.append(name)
        for target in (issue, batch):
            shutil.copytree(ISSUE_SAMPLE / kind, target / name,
                            ignore=shutil.ignore_patterns("turkish", "NOTES.md"))
    (issue / "issue.yaml").write_text(
        "journal: pesa\nvolume: 1\nissue: 1\npublished: 2026-12-01\nsections:\n"
        "  - title: {tr: Makaleler, en: Articles}\n"
        f"    articles: [{', '.join(names)}]\n", encoding="utf-8")
    return issue, batch


def written(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("article.pdf")}


def issue_rows(scratch: Path, jobs: int) -> list[tuple[str, float, float]]:
    """The issue build against the same articles built as a batch; the issue again,
    unchanged; the issue after its first article grew by a page or more."""
    issue, batch = make_issue(scratch)
    rows = []
    as_batch = run([*BUILD, "build", str(batch), "--out", str(scratch / "batch8-out"),
                    "--jobs", str(jobs), "--no-cache"])
    rows.append((f"12a. {ISSUE_ARTICLES} articles as a batch, --jobs {jobs}", *as_batch))
    out = scratch / "issue8-out"
    as_issue = run([*BUILD, "build", str(issue), "--out", str(out), "--jobs", str(jobs),
                    "--no-cache"])
    rows.append((f"12b. the same {ISSUE_ARTICLES} as an issue (front, issue.pdf, pages), "
                 f"--jobs {jobs}", *as_issue))
    rows.append(("12c. ratio 12b / 12a (target ≤ 1.3)", as_issue[0] / as_batch[0],
                 float("nan")))
    rows.append(("13. the issue again, nothing changed (target < 1 s)",
                 *run([*BUILD, "build", str(issue), "--out", str(out), "--jobs", str(jobs)])))
    before = written(out)
    first = sorted(p for p in issue.iterdir() if p.is_dir())[0] / "article.md"
    text = first.read_text(encoding="utf-8")
    cut = text.index("# Conclusion")
    paragraphs = [p for p in text[text.index("# Introduction"):cut].split("\n\n")[1:]
                  if p.strip() and not p.startswith(("#", "[^"))]
    extra = "\n\n".join(paragraphs[:4] * 2)
    first.write_text(text[:cut] + "# Afterword {.unnumbered}\n\n" + extra + "\n\n"
                     + text[cut:], encoding="utf-8")
    moved = run([*BUILD, "build", str(issue), "--out", str(out), "--jobs", str(jobs)])
    after = written(out)
    relaid = sum(after[name] != before.get(name) for name in after)
    rows.append((f"14. first article lengthened: {relaid} of {ISSUE_ARTICLES} laid out again",
                 *moved))
    review = sorted(issue.glob("*-taslakci"))[-1] / "article.md"
    review.write_text(review.read_text(encoding="utf-8").replace("Few handbooks",
                                                                 "Few other handbooks"),
                      encoding="utf-8")
    before = written(out)
    in_place = run([*BUILD, "build", str(issue), "--out", str(out), "--jobs", str(jobs)])
    after = written(out)
    relaid = sum(after[name] != before.get(name) for name in after)
    rows.append((f"15. a review edited in place: {relaid} of {ISSUE_ARTICLES} laid out again",
                 *in_place))
    return rows


def print_cold(cold: tuple, peer: tuple, ratio: float, runs: int, stages: list) -> None:
    print(f"\nfull cold build against the naive peer, side by side ({runs} rounds): "
          f"{cold[0]:.2f} s against {peer[0]:.2f} s ({cold[0] / peer[0]:.2f} ×; the median "
          f"of the rounds' ratios {ratio:.2f} ×)")
    print(f"\n{'where a cold build of the sample spends its time (one run)':<64} "
          f"{'from':>8} {'to':>8} {'seconds':>8}")
    for name, start, end in stages:
        print(f"{name:<64} {start:8.2f} {end:8.2f} {end - start:8.2f}")


def print_rows(rows, floor: float | None) -> None:
    print(f"{'measurement':<72} {'seconds':>8} {'× floor':>8} {'peak MB':>8}")
    for name, seconds, peak in rows:
        ratio = seconds / floor if floor and seconds == seconds else float("nan")
        peak_text = f"{peak:8.0f}" if peak == peak and peak else "       -"
        print(f"{name:<72} {seconds:8.2f} {ratio:8.2f} {peak_text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", choices=("cold", "deposits", "issue", "cluster"),
                        help="run one part: the cold build against the naive peer (rows 1 "
                             "and 3, and where the time goes), the issue's Crossref and "
                             "DOAJ deposits, the issue build, or the batch on a Dask "
                             "cluster (6a, 6c-6e)")
    parser.add_argument("--scaling", type=int, nargs="*", metavar="SIZE_KB",
                        help="measure builds of growing inputs instead (default sizes: "
                             "250 500 1000 2000 4000 KB)")
    args = parser.parse_args()
    if args.scaling is not None:
        scaling(args.scaling or [250, 500, 1000, 2000, 4000])
        return
    if args.only == "deposits":
        for name, seconds, _peak in deposit_rows(args.runs):
            print(f"{name:<64} {seconds:8.3f}")
        return
    if args.only == "issue":
        with tempfile.TemporaryDirectory(prefix="typeset-bench-") as scratch_name:
            print_rows(issue_rows(Path(scratch_name), args.jobs), None)
        return
    rows: list[tuple[str, float, float]] = []
    if args.only == "cluster":
        with tempfile.TemporaryDirectory(prefix="typeset-bench-") as scratch_name:
            rows = cluster_against_local(Path(scratch_name), args.batch, args.jobs, args.runs)
        print(f"{'measurement':<72} {'seconds':>8} {'peak MB':>8}")
        for name, seconds, peak in rows:
            print(f"{name:<72} {seconds:8.2f} {peak:8.0f}")
        return
    with tempfile.TemporaryDirectory(prefix="typeset-bench-") as scratch_name:
        scratch = Path(scratch_name)
        inputs = prepare(scratch)
        manuscript, print_html = inputs["manuscript"], inputs["print_html"]
        bib = manuscript / "references.bib"
        from typeset.paths import CSL_STYLES

        csl = CSL_STYLES / "apa-6th-edition.csl"

        def ours(i):
            return ([*BUILD, "build", str(manuscript / "article.md"), "--out",
                     str(scratch / f"cold{i}"), "--no-cache"],)

        def naive(i):
            html = scratch / f"naive{i}.html"
            return [sys.executable, "-c", (
                "import subprocess, sys\n"
                f"subprocess.run([{pandoc()!r}, {str(manuscript / 'article.md')!r}, "
                f"'--citeproc', '-o', {str(html)!r}], check=True, "
                f"cwd={str(manuscript)!r})\n"
                f"subprocess.run([sys.executable, '-m', 'weasyprint', {str(html)!r}, "
                f"{str(scratch / f'naive{i}.pdf')!r}], check=True)\n")],
        # Side by side: each round runs our build, then the peer, so that both meet the
        # same machine (it is shared, and its load drifts over minutes).
        cold, peer, ratio = side_by_side(args.runs, ours, naive)
        rows.append(("1. full build, cold process, no cache", *cold))
        if args.only == "cold":
            print_cold(cold, peer, ratio, args.runs,
                       cold_build_stages(manuscript / "article.md", scratch / "stages"))
            return

        weasy = median(args.runs, lambda i: ([
            PY, "-m", "weasyprint", "--base-url", str(manuscript) + "/",
            "-s", str(ROOT / "styles/pesa/print.css"), "--pdf-variant", "pdf/ua-1",
            "--pdf-tags", str(print_html), str(scratch / f"floor{i}.pdf")],))
        pandoc_alone = median(args.runs, lambda i: ([
            pandoc(), str(inputs["body"]), "--citeproc", "--bibliography", str(bib),
            "--csl", str(csl), "-t", "json", "-o", str(scratch / f"floor{i}.json")],))
        floor = (weasy[0] + pandoc_alone[0], max(weasy[1], pandoc_alone[1]))
        rows.append(("2a. floor: WeasyPrint alone (print HTML to PDF)", *weasy))
        rows.append(("2b. floor: Pandoc alone (Markdown to AST, citeproc)", *pandoc_alone))
        rows.append(("2. floor: 2a + 2b", *floor))

        rows.append(("3. naive peer: pandoc --citeproc to HTML, then weasyprint", *peer))

        def typst_peer(i):
            typ = scratch / f"peer{i}.typ"
            return [sys.executable, "-c", (
                "import subprocess\nimport typst\n"
                f"subprocess.run([{pandoc()!r}, {str(manuscript / 'article.md')!r}, "
                f"'--citeproc', '-t', 'typst', '-o', {str(typ)!r}], check=True, "
                f"cwd={str(manuscript)!r})\n"
                f"typst.compile({str(typ)!r}, output={str(scratch / f'peer{i}.pdf')!r})\n")],
        try:
            import typst  # noqa: F401

            rows.append(("4. peer: pandoc to Typst, typst compile",
                         *median(args.runs, typst_peer)))
        except ImportError:
            rows.append(("4. peer: pandoc to Typst (typst not installed)", float("nan"), 0))

        warm_weasyprint = weasyprint_warm(print_html, manuscript)
        rows.append(("2c. WeasyPrint's own render time, warm process (layout + write)",
                     warm_weasyprint, float("nan")))
        warm = warm_rebuild(manuscript)
        rows.append(("5a. warm rebuild in preview: fresh HTML after a one-word edit",
                     warm["html"], float("nan")))
        rows.append(("5b. warm rebuild in preview: fresh PDF", warm["pdf"], float("nan")))

        large = make_large(scratch)
        rows.append(("9. a 300-page manuscript, full build",
                     *run([*BUILD, "build", str(large["long"]), "--out",
                           str(scratch / "long-out"), "--no-cache"])))
        rows.append(("10. the sample with a 5,000-entry bibliography, full build",
                     *run([*BUILD, "build", str(large["bigbib"]), "--out",
                           str(scratch / "bigbib-out"), "--no-cache"])))

        from long_article import write_long_article

        long_article = write_long_article(scratch / "long200")
        long_run = run([*BUILD, "build", str(long_article), "--out",
                        str(scratch / "long200-out"), "--no-cache"])
        long_pages = pdf_pages(scratch / "long200-out" / "article.pdf")
        rows.append((f"8. a {long_pages}-page article (figures, tables, math, 150 notes), "
                     "full build", *long_run))
        sample_pages = pdf_pages(scratch / "cold0" / "article.pdf")
        per_page = [("the sample, full cold build (row 1)", cold[0], sample_pages),
                    ("the long article, full cold build (row 8)", long_run[0], long_pages)]
        memory = [("the sample", *laid_out_memory(manuscript / "article.md")),
                  (f"the {long_pages}-page article", *laid_out_memory(long_article))]
        stages = cold_build_stages(manuscript / "article.md", scratch / "stages")
        counted = [
            ("the sample", manuscript / "article.md"),
            ("the sample with volume, issue and first-page", with_first_page(
                manuscript / "article.md", scratch / "first-page")),
            ("a 200-page article, 150 footnotes, first-page", with_first_page(
                long_article, scratch / "long200-first-page")),
        ]
        layout_counts = [(name, *layouts(path, scratch / f"layouts{n}"))
                         for n, (name, path) in enumerate(counted)]

        issue = scratch / "issue"
        for n in range(args.batch):
            shutil.copytree(SAMPLE.parent, issue / f"article{n + 1:02d}",
                            ignore=shutil.ignore_patterns("turkish"))
        batch = run([*BUILD, "build", str(issue), "--out", str(scratch / "batch"),
                     "--jobs", str(args.jobs)])
        rows.append((f"6a. batch of {args.batch}, one command, --jobs {args.jobs}", *batch))
        separate_seconds, separate_peak = 0.0, 0.0
        for folder in sorted(issue.iterdir()):
            seconds, peak = run([*BUILD, "build", str(folder / "article.md"), "--out",
                                 str(scratch / "separate" / folder.name), "--no-cache"])
            separate_seconds += seconds
            separate_peak = max(separate_peak, peak)
        rows.append((f"6b. {args.batch} separate runs", separate_seconds, separate_peak))
        again = run([*BUILD, "build", str(issue), "--out", str(scratch / "batch"),
                     "--jobs", str(args.jobs)])
        rows.append(("7. the batch again, nothing changed", *again))
        rows += deposit_rows(args.runs)
        rows += issue_rows(scratch, args.jobs)
        rows += cluster_against_local(scratch, args.batch, args.jobs, args.runs)[1:]

    print_rows(rows, floor[0])
    print_cold(cold, peer, ratio, args.runs, stages)
    print(f"\n{'time per page':<64} {'seconds':>8} {'pages':>8} {'s/page':>8}")
    for name, seconds, pages in per_page:
        print(f"{name:<64} {seconds:8.2f} {pages:8d} {seconds / pages:8.3f}")
    ratio = (per_page[1][1] / per_page[1][2]) / (per_page[0][1] / per_page[0][2])
    print(f"{'the long article per page, over the sample per page':<64} {ratio:26.2f}")
    print(f"\n{'WeasyPrint layouts per article (pages laid out / pages)':<64} "
          f"{'pages':>8} {'laid out':>8} {'layouts':>8}")
    for name, made, pages in layout_counts:
        print(f"{name:<64} {pages:8d} {made:8d} {made / pages:8.2f}")
    print(f"\n{'a laid-out article kept in memory (PdfLayout, after write)':<64} "
          f"{'pages':>8} {'MB':>8} {'MB/page':>8}")
    for name, pages, megabytes in memory:
        print(f"{name:<64} {pages:8d} {megabytes:8.0f} {megabytes / pages:8.2f}")


if __name__ == "__main__":
    main()
