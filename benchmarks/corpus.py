"""Seeded synthetic Arabic news corpus for the benchmarks.

The generator learns word statistics from the real corpora (``/work/shared/corpora/news/*.txt``,
resolved relative to the repository, and the repository's ``seeds/*.txt``): word unigram
frequencies, sentence lengths (words per sentence) and paragraph lengths (sentences per
paragraph). Articles are 300-1,000 words (log-normal, median ~550), with a title line, paragraphs,
sentences ending in punctuation, commas, and quoted passages introduced by a speech cue and an actor
(``قال وزير الخارجية ...: «...»``).

Two outputs:

* ``texts``: N article ``.txt`` files (UTF-8) in a folder.
* ``jsonl``: a native JSONL file (DESIGN section 4) of N documents, one annotation set each, with
  spans on whole words: quote (attribute ``kind``), actor, location, cue; relations ``said_by``
  (quote -> actor) and ``cue`` (quote -> cue). Spans mostly do not overlap; some locations and actors
  are nested inside quotes. Every line has ``sha256`` = hex SHA-256 of the UTF-8 text and
  ``text[start:end] == span["text"]``.

Everything is deterministic for a seed; document ``i`` depends only on (seed, i), so a smaller
corpus is a prefix of a bigger one with the same seed.

    python benchmarks/corpus.py texts OUTDIR --n 10000 --seed 1
    python benchmarks/corpus.py jsonl OUT.jsonl --docs 10000 --spans 300000 --seed 1
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import math
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
NEWS = CORPORA / "news"
SEEDS = REPO / "seeds"

# A word: Arabic letters (with harakat/tatweel), Latin letters or digits.
_WORD = re.compile(r"[\u0621-\u064a\u0660-\u0669\u0671-\u06d3\u064b-\u0652\u0640A-Za-z0-9%]+")
_SENTENCE_END = re.compile(r"[.!?؟]+")

CUES = ("قال", "أضاف", "أوضح", "أكد", "صرح", "ذكر", "أشار", "اعتبر", "شدد", "قالت", "أضافت",
        "أكدت", "أوضحت", "رأى", "لفت")
ACTOR_HEADS = ("وزير الخارجية", "وزير الدفاع", "رئيس الوزراء", "المتحدث باسم الحكومة",
               "الرئيس", "مدير عام", "رئيس الاتحاد", "مصدر مسؤول في", "الأمين العام لجامعة الدول العربية",
               "المتحدث الرسمي باسم الشرطة", "رئيس مجلس النواب", "السفير", "مسؤول أمني",
               "وكالة الأنباء", "المجلس العسكري", "الأمم المتحدة", "البنك الدولي", "الحكومة")
ACTOR_NAMES = ("جان إيف لودريان", "محمد بن سلمان", "عبد الفتاح السيسي", "أليكسيس تسيبراس",
               "سيرغي لافروف", "بان كي مون", "خالد الفيصل", "أحمد أبو الغيط", "عادل الجبير",
               "نبيه بري", "جون كيري", "فيصل المقداد", "سعد الحريري", "هادي العامري")
QUOTE_KINDS = ("direct", "indirect", "partial")
QUOTE_KIND_WEIGHTS = (0.6, 0.25, 0.15)
OWNERS = ("gold", "mona", "omar", "salma")
STATUSES = ("done", "in_progress", "done", "todo")
FALLBACK_LOCATIONS = ("موسكو", "القاهرة", "الرياض", "أثينا", "بيروت", "دمشق", "باريس", "بغداد")


class CorpusMissing(SystemExit):
    """../shared/corpora is absent: the generator learns its statistics there."""


# -- statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    words: tuple[str, ...]
    cum_weights: tuple[float, ...]
    sentence_lengths: tuple[int, ...]   # observed words per sentence
    paragraph_sentences: tuple[int, ...]  # observed sentences per paragraph
    locations: tuple[str, ...]
    sources: tuple[str, ...] = field(default=())


def _source_files() -> list[Path]:
    if not NEWS.is_dir():
        raise CorpusMissing(
            f"benchmarks/corpus.py: the real corpus folder {NEWS} is missing; it is expected at "
            "<repo>/../shared/corpora/news/*.txt (the word statistics are learned from it)")
    files = sorted(NEWS.glob("*.txt"))
    files += sorted(p for p in SEEDS.glob("*.txt") if p.name != "gazetteer.lst")
    if not files:
        raise CorpusMissing(f"benchmarks/corpus.py: no .txt files in {NEWS} or {SEEDS}")
    return files


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return [ln for ln in text.split("\n") if not ln.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def load_stats() -> Stats:
    """Word unigram frequencies and sentence/paragraph length distributions of the real corpora."""
    counts: Counter[str] = Counter()
    sentence_lengths: list[int] = []
    paragraph_sentences: list[int] = []
    files = _source_files()
    for path in files:
        for paragraph in _lines(path):
            if not paragraph.strip():
                continue
            sentences = [s for s in _SENTENCE_END.split(paragraph) if _WORD.search(s)]
            paragraph_sentences.append(max(1, len(sentences)))
            for sentence in sentences:
                words = _WORD.findall(sentence)
                counts.update(words)
                if len(words) >= 3:
                    sentence_lengths.append(len(words))
    if not counts:
        raise CorpusMissing("benchmarks/corpus.py: the real corpora have no words")
    words, freqs = zip(*sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    cum = tuple(itertools.accumulate(float(f) for f in freqs))
    locations: list[str] = []
    gazetteer = SEEDS / "gazetteer.lst"
    if gazetteer.is_file():
        locations = [ln.strip() for ln in _lines(gazetteer) if ln.strip()]
    # Very long sentences in scraped news are usually missing punctuation; cap them.
    sentence_lengths = [min(n, 45) for n in sentence_lengths] or [18]
    return Stats(words=tuple(words), cum_weights=cum, sentence_lengths=tuple(sentence_lengths),
                 paragraph_sentences=tuple(min(n, 6) for n in paragraph_sentences) or (3,),
                 locations=tuple(locations) or FALLBACK_LOCATIONS,
                 sources=tuple(str(p) for p in files))


# -- one article ---------------------------------------------------------------------------------


@dataclass
class SpanDraft:
    start: int
    end: int
    label: str
    attributes: dict[str, str]


@dataclass
class Article:
    title: str
    text: str
    spans: list[SpanDraft]
    relations: list[tuple[str, int, int]]  # (type, head index, tail index) into spans


class _Builder:
    """Appends words and punctuation to a text, keeping code-point offsets for spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.at_line_start = True

    def raw(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)
        self.at_line_start = s.endswith("\n")

    def word(self, w: str) -> tuple[int, int]:
        """Append a word (with a separating space unless at line start); returns its offsets."""
        if not self.at_line_start:
            self.raw(" ")
        start = self.pos
        self.raw(w)
        return start, self.pos

    def phrase(self, words: list[str]) -> tuple[int, int]:
        first = self.word(words[0])
        last = first
        for w in words[1:]:
            last = self.word(w)
        return first[0], last[1]

    def text(self) -> str:
        return "".join(self.parts)


class ArticleGenerator:
    def __init__(self, stats: Stats | None = None) -> None:
        self.stats = stats or load_stats()
        self._total = self.stats.cum_weights[-1]

    def _words(self, rng: random.Random, k: int) -> list[str]:
        words, cum, total = self.stats.words, self.stats.cum_weights, self._total
        return [words[bisect.bisect(cum, rng.random() * total)] for _ in range(k)]

    def _sentence_length(self, rng: random.Random) -> int:
        return rng.choice(self.stats.sentence_lengths)

    def article(self, seed: int, index: int, *, target_spans: int = 0) -> Article:
        """Article ``index`` of corpus ``seed``, with about ``target_spans`` spans planned."""
        rng = random.Random(f"annotator-bench:{seed}:{index}")
        n_words = int(min(1000, max(300, rng.lognormvariate(math.log(550), 0.35))))
        # Of the spans, ~55% come in attribution blocks (quote + cue + actor), the rest are
        # standalone actors/locations, some of them nested inside quotes.
        blocks = round(target_spans * 0.55 / 3) if target_spans else rng.randint(2, 5)
        loose = max(0, target_spans - 3 * blocks) if target_spans else 0
        b = _Builder()
        spans: list[SpanDraft] = []
        relations: list[tuple[str, int, int]] = []

        title_len = rng.randint(6, 12)
        b.phrase(self._words(rng, title_len))
        b.raw("\n\n")
        written = title_len

        # Decide, per sentence, what it carries. Sentence plans are made lazily until the
        # article reaches its length and all its blocks have been placed.
        sentences_left_in_par = rng.choice(self.stats.paragraph_sentences)
        loose_left = loose
        blocks_left = blocks
        while written < n_words or blocks_left > 0 or loose_left > 0:
            length = self._sentence_length(rng)
            remaining_sentences = max(1, (n_words - written) // 20)
            if blocks_left > 0 and (rng.random() < blocks_left / remaining_sentences
                                    or written >= n_words):
                n, placed = self._attribution(rng, b, spans, relations, length,
                                              nested=loose_left > 0 and rng.random() < 0.35)
                written += n
                loose_left -= placed
                blocks_left -= 1
            else:
                k = 0
                if loose_left > 0:
                    k = min(loose_left, max(1, round(loose_left / remaining_sentences
                                                     + rng.random() - 0.3)))
                n, placed = self._plain(rng, b, spans, max(length, k + 2), k)
                written += n
                loose_left -= placed
            b.raw(rng.choice((".", ".", ".", ".", "؟")) if rng.random() < 0.05 else ".")
            sentences_left_in_par -= 1
            if sentences_left_in_par <= 0:
                b.raw("\n")
                sentences_left_in_par = rng.choice(self.stats.paragraph_sentences)
        text = b.text().rstrip("\n") + "\n"
        title = text.split("\n", 1)[0]
        return Article(title=title, text=text, spans=spans, relations=relations)

    def _plain(self, rng: random.Random, b: _Builder, spans: list[SpanDraft], length: int,
               k: int) -> tuple[int, int]:
        """A plain sentence of ``length`` words with ``k`` actor/location spans in it;
        returns (words written, spans placed)."""
        words = self._words(rng, length)
        slots = sorted(rng.sample(range(length), min(k, length)))
        placed = len(slots)
        written = 0
        for i, w in enumerate(words):
            if i and rng.random() < 0.07:
                b.raw("،")
            if slots and i == slots[0]:
                slots.pop(0)
                if rng.random() < 0.55:
                    name = rng.choice(self.stats.locations).split()
                    start, end = b.phrase(name)
                    spans.append(SpanDraft(start, end, "location", {}))
                else:
                    name = self._actor(rng)
                    start, end = b.phrase(name)
                    spans.append(SpanDraft(start, end, "actor", {}))
                written += len(name)
            else:
                b.word(w)
                written += 1
        return written, placed

    def _actor(self, rng: random.Random) -> list[str]:
        r = rng.random()
        if r < 0.45:
            return rng.choice(ACTOR_HEADS).split() + rng.choice(ACTOR_NAMES).split()
        if r < 0.75:
            return rng.choice(ACTOR_NAMES).split()
        return rng.choice(ACTOR_HEADS).split()

    def _attribution(self, rng: random.Random, b: _Builder, spans: list[SpanDraft],
                     relations: list[tuple[str, int, int]], length: int, *,
                     nested: bool) -> tuple[int, int]:
        """``<cue> <actor> ...: «<quote>»`` (direct/partial) or ``<cue> <actor> إن <quote>``;
        returns (words written, nested spans placed)."""
        kind = rng.choices(QUOTE_KINDS, QUOTE_KIND_WEIGHTS)[0]
        written = 0
        if rng.random() < 0.3:
            lead = self._words(rng, rng.randint(2, 6))
            b.phrase(lead)
            written += len(lead)
            b.raw("،")
        cue_start, cue_end = b.word(rng.choice(CUES))
        cue_i = len(spans)
        spans.append(SpanDraft(cue_start, cue_end, "cue", {}))
        actor = self._actor(rng)
        a_start, a_end = b.phrase(actor)
        actor_i = len(spans)
        spans.append(SpanDraft(a_start, a_end, "actor", {}))
        written += 1 + len(actor)
        qlen = max(4, length - written)
        quote_words = self._words(rng, qlen)
        if kind == "indirect":
            b.word("إن")
            b.raw(" ")
            b.at_line_start = True
        else:
            if kind == "partial":
                pre = self._words(rng, rng.randint(2, 5))
                b.phrase(pre)
                written += len(pre)
            b.raw(": " if kind == "direct" else " ")
            b.raw(rng.choice(("«", "«", "\"")))
            b.at_line_start = True
        close = "»" if b.parts[-1] == "«" else ("\"" if b.parts[-1] == "\"" else "")
        q_start = b.pos
        nest_at = rng.randrange(1, qlen - 1) if nested and qlen > 3 else -1
        nested_span: SpanDraft | None = None
        for i, w in enumerate(quote_words):
            if i == nest_at:
                if rng.random() < 0.6:
                    name, label = rng.choice(self.stats.locations).split(), "location"
                else:
                    name, label = self._actor(rng), "actor"
                s, e = b.phrase(name)
                nested_span = SpanDraft(s, e, label, {})
                written += len(name)
            else:
                if i and rng.random() < 0.06:
                    b.raw("،")
                b.word(w)
                written += 1
        q_end = b.pos
        b.raw(close)
        quote_i = len(spans)
        spans.append(SpanDraft(q_start, q_end, "quote", {"kind": kind}))
        if nested_span is not None:
            spans.append(nested_span)
        if rng.random() < 0.92:
            relations.append(("said_by", quote_i, actor_i))
        if rng.random() < 0.85:
            relations.append(("cue", quote_i, cue_i))
        return written, int(nested_span is not None)


# -- outputs -------------------------------------------------------------------------------------


def _distribute(total: int, n: int, rng: random.Random) -> list[int]:
    """``n`` per-document span counts that sum to ``total`` (varying +-50% around the mean)."""
    if n <= 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    short = total - sum(counts)
    for i in sorted(range(n), key=lambda i: raw[i] - counts[i], reverse=True)[:short]:
        counts[i] += 1
    return counts


def write_texts(outdir: Path, n: int, *, seed: int = 1) -> list[Path]:
    """Write ``n`` article files ``article-00000.txt`` ... into ``outdir``; returns their paths."""
    gen = ArticleGenerator()
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        art = gen.article(seed, i)
        path = outdir / f"article-{i:05d}.txt"
        path.write_text(art.text, encoding="utf-8")
        paths.append(path)
    return paths


def jsonl_record(art: Article, index: int, *, seed: int) -> dict:
    text = art.text
    order = sorted(range(len(art.spans)),
                   key=lambda i: (art.spans[i].start, art.spans[i].end, art.spans[i].label))
    key = {old: f"s{new + 1}" for new, old in enumerate(order)}
    spans = []
    for old in order:
        sp = art.spans[old]
        spans.append({"id": key[old], "start": sp.start, "end": sp.end, "label": sp.label,
                      "text": text[sp.start:sp.end], "attributes": sp.attributes})
    # Ordered like the exporter writes them (type, head, tail), so a round trip is byte-identical.
    relations = sorted(({"type": t, "head": key[h], "tail": key[tl]} for t, h, tl in art.relations),
                       key=lambda r: (r["type"], int(r["head"][1:]), int(r["tail"][1:])))
    rng = random.Random(f"annotator-bench-owner:{seed}:{index}")
    return {
        "doc_id": f"bench-{seed}-{index:06d}", "title": art.title, "text": text,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "annotator": rng.choice(OWNERS), "status": rng.choice(STATUSES),
        "spans": spans, "relations": relations, "meta": {"generator": "benchmarks/corpus.py",
                                                         "seed": seed},
    }


def write_jsonl(out: Path, docs: int, spans: int, *, seed: int = 1) -> dict[str, int]:
    """Write a native JSONL file of ``docs`` documents with ``spans`` spans in all (spread
    +-50% around the mean per document); returns counts."""
    gen = ArticleGenerator()
    counts = _distribute(spans, docs, random.Random(f"annotator-bench-spans:{seed}"))
    out.parent.mkdir(parents=True, exist_ok=True)
    totals = Counter()
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(docs):
            art = gen.article(seed, i, target_spans=counts[i])
            rec = jsonl_record(art, i, seed=seed)
            fh.write(json.dumps(rec, ensure_ascii=False))
            fh.write("\n")
            totals["documents"] += 1
            totals["spans"] += len(rec["spans"])
            totals["relations"] += len(rec["relations"])
            totals["words"] += len(art.text.split())
            for sp in rec["spans"]:
                totals[f"label:{sp['label']}"] += 1
    tmp.replace(out)
    return dict(totals)


def check_jsonl(path: Path) -> int:
    """Verify every line (sha256, span texts, relation ends); returns the number of lines."""
    n = 0
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            rec = json.loads(line)
            text = rec["text"]
            assert rec["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest(), n
            ids = set()
            for sp in rec["spans"]:
                assert 0 <= sp["start"] < sp["end"] <= len(text), (n, sp)
                assert text[sp["start"]:sp["end"]] == sp["text"], (n, sp)
                assert sp["text"] == sp["text"].strip(), (n, sp)
                ids.add(sp["id"])
            for rel in rec["relations"]:
                assert rel["head"] in ids and rel["tail"] in ids, (n, rel)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_texts = sub.add_parser("texts", help="write N article .txt files into OUTDIR")
    p_texts.add_argument("outdir", type=Path)
    p_texts.add_argument("--n", type=int, default=10_000)
    p_texts.add_argument("--seed", type=int, default=1)
    p_jsonl = sub.add_parser("jsonl", help="write a native JSONL file of annotated documents")
    p_jsonl.add_argument("out", type=Path)
    p_jsonl.add_argument("--docs", type=int, default=10_000)
    p_jsonl.add_argument("--spans", type=int, default=300_000, help="spans in all")
    p_jsonl.add_argument("--seed", type=int, default=1)
    p_jsonl.add_argument("--check", action="store_true", help="verify the file after writing it")
    sub.add_parser("stats", help="show what was learned from the real corpora")
    args = parser.parse_args(argv)
    if args.command == "texts":
        paths = write_texts(args.outdir, args.n, seed=args.seed)
        print(f"wrote {len(paths)} articles to {args.outdir}")
    elif args.command == "jsonl":
        totals = write_jsonl(args.out, args.docs, args.spans, seed=args.seed)
        print(f"wrote {args.out}: " + ", ".join(f"{k}={v}" for k, v in sorted(totals.items())))
        if args.check:
            print(f"checked {check_jsonl(args.out)} lines")
    else:
        st = load_stats()
        sl = sorted(st.sentence_lengths)
        print(f"sources: {len(st.sources)} files; vocabulary {len(st.words)} words, "
              f"{int(st.cum_weights[-1])} tokens; sentence length median {sl[len(sl) // 2]} "
              f"(n={len(sl)}); locations {len(st.locations)}")
        print("top words:", " ".join(st.words[:20]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
