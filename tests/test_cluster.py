"""Batches on a Dask cluster: a real scheduler and two worker processes on 127.0.0.1, the
real command line as the client, outputs compared byte for byte with the local batch."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from typeset.cli import main
from typeset.errors import ManuscriptError
from typeset.run import remote

from .conftest import ROOT, run_cli
from .helpers_manuscript import BODY, tiny_png, write_manuscript

distributed = pytest.importorskip("distributed")

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
DASK = Path(sys.executable).parent / "dask"
FIGURE_BODY = BODY + """
A figure, @fig:dot, with its reference.

![A small figure](figures/dot.png){#fig:dot width=30%}
"""
GOOD = ("alpha", "beta", "gamma")
BROKEN_LINE = "affiliations[0].country: 'XX' is not an ISO 3166-1 country code"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(*args: str, log: Path) -> subprocess.Popen:
    with open(log, "wb") as output:
        return subprocess.Popen([str(DASK), *args], cwd=ROOT, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two `dask worker` processes (one thread each, with their nanny),
    as a user starts them; yields (address, a client of the test's own), torn down at
    the end."""
    folder = tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = [start("scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":")[-1],
                       "--no-dashboard", log=folder / "scheduler.log")]
    for number in (1, 2):
        processes.append(start("worker", address, "--nworkers", "1", "--nthreads", "1",
                               "--host", "127.0.0.1", "--no-dashboard",
                               "--local-directory", str(folder / f"worker{number}"),
                               log=folder / f"worker{number}.log"))
    client = None
    try:
        client = distributed.Client(address, timeout=60)
        client.wait_for_workers(2, timeout=90)
        yield address, client
    finally:
        if client is not None:
            client.close()
        for process in processes:
            with _quietly():
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class _quietly:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is ProcessLookupError


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """Three good articles (one with a figure and a cross-reference) and a broken one."""
    folder = tmp_path_factory.mktemp("batch")
    for name in GOOD:
        write_manuscript(folder / name, {"A Study of Alliances": f"A Study of {name.title()}"},
                         body=FIGURE_BODY if name == "alpha" else BODY)
    (folder / "alpha" / "figures").mkdir()
    (folder / "alpha" / "figures" / "dot.png").write_bytes(tiny_png())
    write_manuscript(folder / "broken", {"country: TR": "country: XX"})
    return folder


def build(batch: Path, out: Path, *extra: str, env: dict | None = None):
    return run_cli("build", str(batch), "--to", "jats,html", "--out", str(out), *extra,
                   env={**EPOCH, **(env or {})})


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "broken/article.md" in line]


@pytest.fixture(scope="module")
def local_batch(batch, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "out"
    result = build(batch, out, "--jobs", "2")
    assert result.returncode == 1, result.stderr
    return out, result


@pytest.fixture(scope="module")
def cluster_batch(batch, cluster, tmp_path_factory):
    address, _ = cluster
    out = tmp_path_factory.mktemp("on-cluster") / "out"
    return out, build(batch, out, "--cluster", address)


def articles_built(client) -> int:
    """How many articles the workers built since the last run registered its plugin."""
    counts = client.run(lambda dask_worker: dask_worker.plugins[remote.PLUGIN_NAME].articles)
    return sum(counts.values())


# -- the batch ---------------------------------------------------------------------------

def test_the_cluster_builds_the_local_batch_byte_for_byte(local_batch, cluster_batch):
    (local_out, _), (cluster_out, on_cluster) = local_batch, cluster_batch
    assert on_cluster.returncode == 1, on_cluster.stderr
    assert "Traceback" not in on_cluster.stderr
    assert sorted(p.name for p in cluster_out.iterdir()) == sorted(GOOD)
    assert "alpha/figures/dot.png" in tree(cluster_out)
    assert "alpha/article_files/screen.css" in tree(cluster_out)
    # Every output, and the build cache's record of it, is what the local batch wrote.
    assert tree(cluster_out) == tree(local_out)


def test_a_broken_article_is_reported_located_and_the_others_go_on(batch, local_batch,
                                                                   cluster_batch):
    (_, local), (_, on_cluster) = local_batch, cluster_batch
    reported = problem_lines(on_cluster.stderr)
    assert reported == problem_lines(local.stderr)
    assert any(line.startswith(f"{batch / 'broken' / 'article.md'}:14:14: {BROKEN_LINE}")
               for line in reported), on_cluster.stderr
    assert on_cluster.stderr.splitlines()[-1] == "3 built, 1 failed, 0 unchanged"


def test_unchanged_articles_are_not_sent_again(batch, cluster, cluster_batch):
    _, client = cluster
    out, _ = cluster_batch
    again = build(batch, out, "--cluster", cluster[0])
    assert again.returncode == 1, again.stderr
    assert again.stderr.splitlines()[-1] == "0 built, 1 failed, 3 unchanged"
    assert articles_built(client) == 1  # the broken one only: it has no outputs to keep


def test_the_pdf_built_on_a_worker_is_the_local_pdf(batch, cluster, tmp_path):
    manuscript = str(batch / "alpha" / "article.md")
    local = run_cli("build", manuscript, "--to", "pdf", "--out", str(tmp_path / "local"),
                    env=EPOCH)
    on_cluster = run_cli("build", manuscript, "--to", "pdf", "--out",
                         str(tmp_path / "cluster"), "--cluster", cluster[0], env=EPOCH)
    assert local.returncode == 0 and on_cluster.returncode == 0, on_cluster.stderr
    pdf = (tmp_path / "cluster" / "article.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" in pdf
    assert pdf == (tmp_path / "local" / "article.pdf").read_bytes()


# -- faults ------------------------------------------------------------------------------

def worker_pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def test_a_worker_killed_mid_run_loses_no_article(batch, cluster, local_batch, tmp_path):
    address, client = cluster
    good = tmp_path / "good"
    for name in GOOD:
        shutil.copytree(batch / name, good / name)
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "build.py"), "build", str(good), "--to", "jats,html",
               "--out", str(out), "--cluster", address]
    run = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **EPOCH},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and run.poll() is None:
        busy = client.run(lambda dask_worker: [str(key) for key in dask_worker.state.executing
                                               if "build_remotely" in str(key)])
        victim = next((worker for worker, keys in busy.items() if keys), None)
        if victim:
            pid = worker_pids(client)[victim]
            os.kill(pid, signal.SIGKILL)
            killed = pid
        else:
            time.sleep(0.02)
    _, stderr = run.communicate(timeout=240)
    assert killed is not None, "no worker was caught building"
    assert run.returncode == 0, stderr
    assert stderr.splitlines()[-1] == "3 built, 0 failed, 0 unchanged"
    local = {name: data for name, data in tree(local_batch[0]).items()
             if not name.endswith(".typeset-cache.json")}
    assert {n: d for n, d in tree(out).items() if not n.endswith(".typeset-cache.json")} \
        == local
    assert not [p for p in out.rglob(".typeset-*") if p.name != ".typeset-cache.json"]
    client.wait_for_workers(2, timeout=90)  # the nanny started a new one
    assert killed not in worker_pids(client).values()


def test_workers_are_recycled_after_their_articles(batch, cluster, tmp_path):
    address, client = cluster
    two = tmp_path / "two"
    for name in ("beta", "gamma"):
        shutil.copytree(batch / name, two / name)
    before = set(worker_pids(client).values())
    result = build(two, tmp_path / "out", "--cluster", address, "--worker-articles", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "2 built, 0 failed, 0 unchanged"
    # A worker takes one article and is restarted by its nanny (the second article, if
    # sent to the same worker, is handed on): none of the processes there at the start
    # is left.
    deadline = time.monotonic() + 60
    while before & set(worker_pids(client).values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not before & set(worker_pids(client).values())
    client.wait_for_workers(2, timeout=90)


def test_stage_time_limits_hold_inside_workers(batch, cluster, tmp_path):
    result = run_cli("build", str(batch / "beta" / "article.md"), "--to", "jats", "--out",
                     str(tmp_path / "out"), "--cluster", cluster[0],
                     env={"TYPESET_STAGE_TIMEOUT": "0.01"})
    assert result.returncode == 1, result.stderr
    assert "the read stage took more than 0.01 s and was stopped" in result.stderr
    assert str(batch / "beta" / "article.md") in result.stderr  # the client's path
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_address_without_a_scheduler_is_a_usage_error(batch, tmp_path):
    result = build(batch, tmp_path / "out", "--cluster", f"127.0.0.1:{free_port()}",
                   env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert result.returncode == 2
    assert "no Dask scheduler answers there" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, message", [
    (["--worker-articles", "5"], "--worker-articles and --worker-memory go with --cluster"),
    (["--cluster", "local", "--worker-memory", "lots"], "--worker-memory: 'lots' is no size"),
    (["--cluster", "local", "--worker-articles", "0"], "--worker-articles: give a number"),
])
def test_cluster_options_are_checked(batch, tmp_path, capsys, args, message):
    assert main(["build", str(batch), "--out", str(tmp_path / "out"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# -- what is sent ------------------------------------------------------------------------

def test_the_manuscripts_folder_is_sent_without_other_manuscripts_or_outputs(tmp_path):
    manuscript = write_manuscript(tmp_path / "paper", body=FIGURE_BODY)
    (tmp_path / "paper" / "figures").mkdir()
    (tmp_path / "paper" / "figures" / "dot.png").write_bytes(tiny_png())
    write_manuscript(tmp_path / "paper" / "translation")  # another manuscript
    (tmp_path / "paper" / "build").mkdir()
    (tmp_path / "paper" / "build" / "article.pdf").write_bytes(b"%PDF-")
    (tmp_path / "paper" / ".git").mkdir()
    (tmp_path / "paper" / ".git" / "HEAD").write_text("ref: x\n")
    (tmp_path / "secret.txt").write_text("outside\n")
    (tmp_path / "paper" / "link.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "paper" / "figs").symlink_to(tmp_path / "paper" / "figures")
    (tmp_path / "paper" / "figures" / "loop").symlink_to(tmp_path / "paper")
    sent = remote.pack(manuscript, leave_out=[tmp_path / "paper" / "build"])
    # A link to a folder inside is sent under the link's name, as the build would read
    # it; a link out of the folder is not sent (a build refuses it), nor a loop followed.
    assert sorted(sent.files) == ["article.md", "figs/dot.png", "figures/dot.png",
                                  "references.bib"]
    assert sent.folder_name == "paper" and sent.manuscript == "article.md"
    assert sent.files["figures/dot.png"] == tiny_png()


def test_a_crowded_folder_is_refused_with_its_manuscript_named(tmp_path, monkeypatch):
    manuscript = write_manuscript(tmp_path / "paper")
    monkeypatch.setattr(remote, "MAX_FOLDER_BYTES", 1000)
    (tmp_path / "paper" / "data.csv").write_bytes(b"x" * 2000)
    with pytest.raises(ManuscriptError) as raised:
        remote.pack(manuscript)
    [problem] = raised.value.problems
    assert problem.path.endswith("article.md")
    assert "which a cluster build would send whole to a worker" in problem.message


def test_a_worker_with_other_styles_is_named():
    ours = {"pipeline": "1", "styles/pesa/print.css": "a", "styles/pesa/journal.yaml": "b"}
    assert remote.environment_differences(ours, dict(ours)) == []
    theirs = {**ours, "styles/pesa/print.css": "c"}
    assert remote.environment_differences(ours, theirs) == [
        "other style files (styles/pesa/print.css)"]
    assert "another version of typeset" in remote.environment_differences(
        ours, {**ours, "pipeline": "2"})[0]


def test_a_worker_above_its_memory_size_takes_no_new_article():
    """The recycling decision, on a stand-in worker: after an article, a process holding
    more than its size is due; its next article is handed back and the worker closed, to
    be restarted by its nanny."""
    callbacks = []
    worker = types.SimpleNamespace(
        address="tcp://127.0.0.1:1", state=types.SimpleNamespace(tasks={}),
        loop=types.SimpleNamespace(add_callback=lambda *a, **k: callbacks.append((a, k))),
        close_gracefully=object())
    plugin = remote.TypesetWorker(max_articles=1000, max_memory=1024 * 1024)
    plugin.worker = worker
    plugin.before_article()  # not due yet: the article is built here
    plugin.after_article()
    assert plugin.due.startswith("holds ") and "MB after" in plugin.due
    with pytest.raises(distributed.Reschedule):
        plugin.before_article()
    closing = [(args, kwargs) for args, kwargs in callbacks
               if args and args[0] is worker.close_gracefully]
    assert closing == [((worker.close_gracefully,), {
        "restart": True, "reason": f"typeset recycling: {plugin.due}"})]


# -- an issue ----------------------------------------------------------------------------

ISSUE_YAML = """\
journal: pesa
issue: Test
published: 2026-12-01
first-page: 5
title: {tr: "Deneme sayısı", en: "A test issue"}
sections:
  - title: {tr: Makaleler, en: Articles}
    articles: [alpha, beta]
"""


def test_an_issue_laid_out_on_the_cluster_is_the_local_issue(batch, cluster, tmp_path):
    """The articles are laid out on the workers (counted there: a first round for the
    page counts, a second with the numbers in), the pagination and the issue's PDF and
    pages made on the client: every file as the local build writes it."""
    address, client = cluster
    issue = tmp_path / "issue"
    for name in ("alpha", "beta"):
        shutil.copytree(batch / name, issue / name)
    (issue / "issue.yaml").write_text(ISSUE_YAML, encoding="utf-8")
    local = run_cli("build", str(issue), "--out", str(tmp_path / "local"), "--jobs", "2",
                    env=EPOCH)
    assert local.returncode == 0, local.stderr
    on_cluster = run_cli("build", str(issue), "--out", str(tmp_path / "cluster"),
                         "--cluster", address, env=EPOCH)
    assert on_cluster.returncode == 0, on_cluster.stderr
    assert articles_built(client) == 4
    built = tree(tmp_path / "cluster")
    assert {"issue.pdf", "alpha/article.pdf", "beta/article.pdf"} <= set(built)
    assert built == tree(tmp_path / "local")
