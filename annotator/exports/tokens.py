"""Tokens and tags for the token formats (CoNLL, Hugging Face): pure logic, no store, no files.

A document becomes sentences of tokens with code-point offsets, under a token policy:

``whole``
    the tokens of :func:`annotator.core.arabic.tokenize`: a word keeps its clitics, as ANERcorp
    writes it (``وإسرائيل B-LOC``); punctuation, numbers and emoji are tokens of their own.
``clitics``
    the same, with leading proclitics split off a word token, one token per clitic letter (with
    its harakat). The rule: take the candidates of :func:`annotator.core.arabic.split_proclitics`
    (و ف ب ل ك and conjunction + preposition pairs such as وب، فل) and cut at the longest one whose
    remainder starts with the article ال and two more letters (:func:`has_article`), so
    ``وبالقاهرة`` -> ``و ب القاهرة``; and, whatever the article, cut where a span of the exported
    set starts right after a candidate prefix, so a span that left the clitic out, as the schema's
    clitic rule does for actor and location (``و|إسرائيل``), gets tokens of its own. No other word
    is cut: a root letter like the و of وزير or the ف of فرنسا is never taken for a clitic, and
    ``لل`` (ل + ال with the alef dropped) is left whole.
a document imported from CoNLL (``meta["tokenized"] == "conll"``)
    whatever the policy, exactly its own tokens: its text is the tokens joined by single spaces
    and the sentences by newlines, so each line split at spaces gives them back.

Sentences come from :func:`annotator.core.arabic.sentences` (lines for a CoNLL document); where a
span crosses a sentence boundary, the two sentences are written as one (counted in the report as
``sentences-joined``), so no span is ever cut in two.

Spans become tags (:func:`tag_document`) under a scheme, ``iob2`` (B- I- O), ``bioes``
(B- I- E- S- O) or ``bilou`` (B- I- L- U- O), and a nesting policy: ``outer`` (outermost spans
only), ``inner`` (innermost only) or ``layers`` (one tag column per nesting depth, outermost
first, as Wojood writes ``فلسطين I-ORG I-ORG B-GPE``; a line has as many columns as its token's
depth, at least one). Spans of the same extent nest in the order they were created (span id),
which is the column order of an imported CoNLL file. Nothing is changed or dropped silently; each
case is one ``ExportReport.problem`` naming the document and the span id:

- ``expanded``: a span that starts or ends inside a token is expanded to the whole tokens
  (ANERcorp's convention: ``إسرائيل`` in ``وإسرائيل`` is tagged on ``وإسرائيل``);
- ``no-token``: a span over whitespace only (no token) is left out;
- ``duplicate``: a span that, once expanded, covers the same tokens with the same label as
  another is left out;
- ``crossing``: a span that overlaps another without nesting in it (or around it) cannot be
  tagged, and is left out;
- ``nested``: a span left out by ``--nested outer`` (it is inside another) or ``inner`` (it has
  another inside it).

Reading tag columns back into spans is :mod:`annotator.exports.tag_decode`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from operator import itemgetter

from annotator.core.arabic import (
    CLITIC_LETTERS,
    has_article,
    sentences,
    split_proclitics,
    tokenize,
)
from annotator.core.model import AnnotationSet, Document, Span
from annotator.exports.base import NESTED_POLICIES, SCHEMES, TOKEN_POLICIES, ExportReport

#: meta["tokenized"] of a document whose text is CoNLL tokens (see annotator/exports/conll.py)
CONLL_TOKENIZED = "conll"

#: prefixes each scheme writes (besides O): begin, inside, last, single
SCHEME_PREFIXES: dict[str, tuple[str, str, str, str]] = {
    "iob2": ("B", "I", "I", "B"),
    "bioes": ("B", "I", "E", "S"),
    "bilou": ("B", "I", "L", "U"),
}
ALLOWED_PREFIXES: dict[str, frozenset[str]] = {
    name: frozenset(prefixes) for name, prefixes in SCHEME_PREFIXES.items()
}
ANY_PREFIX = frozenset("BIESLU")
#: what a label must look like (the schema's label names: annotator/core/schema.py)
LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)*$")

Offsets = tuple[int, int]


# -- tokens -------------------------------------------------------------------------------------

# Fast path for the common tokens: a whitespace chunk that is an Arabic word (a letter, not a
# tatweel, then letters and harakat) with at most one opening mark before it and two closing marks
# after it gives one match per token, as core.arabic.tokenize would cut it (checked against
# tokenize in the tests). Any other chunk is matched whole (group ``other``) and goes through
# tokenize. A match starts inside a chunk only after the simple tokens before it in that chunk.
_OPEN = "[«(\"\\[]"
_CLOSE = "[.,،:؛!؟?»)\"\\]]"
_WORD = "[\u0621-\u063f\u0641-\u064a][\u0621-\u065f\u0670]*"
_FAST = re.compile(
    f"(?<!\\S){_OPEN}(?={_WORD}{_CLOSE}{{0,2}}(?!\\S))"
    f"|(?<![^\\s«(\"\\[]){_WORD}(?={_CLOSE}{{0,2}}(?!\\S))"
    f"|(?<=[\u0621-\u065f\u0670]){_CLOSE}(?={_CLOSE}?(?!\\S))"
    f"|(?<={_CLOSE}){_CLOSE}(?!\\S)"
    "|(?P<other>\\S+)")


def whole_tokens(text: str, start: int = 0, end: int | None = None) -> list[Offsets]:
    """Offsets of the tokens :func:`annotator.core.arabic.tokenize` gives for ``text[start:end]``
    (shifted to ``text``; ``start`` and ``end`` must not cut a whitespace-delimited chunk),
    computed faster: plain Arabic words and the marks around them are matched directly.

    One comprehension takes every match's offsets; the few chunks of another kind (about 1% of
    the matches in news text) are kept aside as they go by and replaced by their ``tokenize``
    tokens afterwards, in one pass."""
    others: list[re.Match[str]] = []
    aside = others.append
    found = [m.span() if m.lastgroup is None else aside(m) or m.span()
             for m in _FAST.finditer(text, start, len(text) if end is None else end)]
    if not others:
        return found
    out: list[Offsets] = []
    done = 0
    for m in others:
        i = bisect_left(found, (m.start(),), done)   # the chunk's own entry, (start, end)
        out.extend(found[done:i])
        s = m.start()
        out.extend((s + t.start, s + t.end) for t in tokenize(m.group()))
        done = i + 1
    out.extend(found[done:])
    return out


def clitic_cuts(word: str, span_starts: Iterable[int] = ()) -> list[int]:
    """Where to cut ``word`` into proclitic tokens (offsets inside the word; see the module
    docstring): up to the longest candidate whose remainder has the article, and up to any
    candidate at which a span starts (``span_starts`` are offsets inside the word)."""
    candidates = split_proclitics(word)
    if not candidates:
        return []
    cuts = [len(prefix) for prefix, _ in candidates]
    wanted = set(span_starts)
    last = -1
    for n, (prefix, rest) in enumerate(candidates):
        if has_article(rest) or len(prefix) in wanted:
            last = n
    return cuts[:last + 1]


# one or two clitic letters (with any harakat) then the article: the only words the article rule
# can cut (a quick test before split_proclitics)
_ARTICLE_AFTER_CLITIC = re.compile(
    "[\u0648\u0641\u0628\u0644\u0643][\u064b-\u0652\u0640]*"
    "(?:[\u0628\u0644\u0643][\u064b-\u0652\u0640]*)?\u0627[\u064b-\u0652]*\u0644")


def clitic_tokens(text: str, tokens: Sequence[Offsets], span_starts: Sequence[int]
                  ) -> list[Offsets]:
    """``tokens`` with proclitics cut off their words (``span_starts`` sorted, text offsets)."""
    out: list[Offsets] = []
    for s, e in tokens:
        # only a word that starts with a clitic letter and has the article after it, or a span
        # starting inside it, can be cut
        if e - s < 3 or text[s] not in CLITIC_LETTERS:
            out.append((s, e))
            continue
        lo, hi = bisect_right(span_starts, s), bisect_left(span_starts, e)
        word = text[s:e]
        if lo == hi and not _ARTICLE_AFTER_CLITIC.match(word):
            out.append((s, e))
            continue
        cuts = clitic_cuts(word, (x - s for x in span_starts[lo:hi]))
        prev = s
        for cut in cuts:
            out.append((prev, s + cut))
            prev = s + cut
        out.append((prev, e))
    return out


def conll_sentences(text: str) -> list[list[Offsets]]:
    """The tokens of a document imported from CoNLL: each line split at single spaces."""
    result: list[list[Offsets]] = []
    pos = 0
    for line in text.split("\n"):
        tokens: list[Offsets] = []
        for tok in line.split(" "):
            if tok:
                tokens.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        if tokens:
            result.append(tokens)
    return result


def document_tokens(document: Document, policy: str, span_starts: Sequence[int] = ()
                    ) -> tuple[list[Offsets], list[int]]:
    """The tokens of ``document`` under ``policy`` (``whole`` or ``clitics``), in text order, and
    the index of each sentence's first token followed by the number of tokens (so sentence ``k``
    is ``tokens[bounds[k]:bounds[k + 1]]``); ``span_starts`` (sorted) are the exported spans'
    starts, used by the clitic policy.

    The whole text is tokenized at once: sentences start and end at whitespace (or a line end),
    which no token crosses, so these are the tokens of each sentence tokenized on its own."""
    _check_policy(policy)
    text = document.text
    if is_conll_tokenized(document.meta):
        return _flatten(conll_sentences(text))
    tokens = token_offsets(document, policy, span_starts)
    bounds: list[int] = []
    at = 0
    for s, e in sentences(text):
        first = bisect_left(tokens, (s,), at)
        at = bisect_left(tokens, (e,), first)
        if at > first:
            bounds.append(first)
    bounds.append(len(tokens))
    return tokens, bounds


def token_offsets(document: Document, policy: str, span_starts: Sequence[int] = ()
                  ) -> list[Offsets]:
    """The tokens of :func:`document_tokens`, without the sentences."""
    _check_policy(policy)
    text = document.text
    if is_conll_tokenized(document.meta):
        return [tok for sent in conll_sentences(text) for tok in sent]
    tokens = _whole_tokens_of(text)
    return clitic_tokens(text, tokens, span_starts) if policy == "clitics" else list(tokens)


#: the last text tokenized and its whole tokens: an export gives a document's sets one after
#: the other, with the same text object, and each set's tokens start from the same whole tokens
_last_tokenized: tuple[str, list[Offsets]] = ("", [])


def _whole_tokens_of(text: str) -> list[Offsets]:
    """:func:`whole_tokens` of ``text``, computed once for consecutive calls with the same
    text object (the caller copies the list before changing it)."""
    global _last_tokenized
    last_text, tokens = _last_tokenized
    if last_text is not text:
        tokens = whole_tokens(text)
        _last_tokenized = (text, tokens)
    return tokens


def _check_policy(policy: str) -> None:
    if policy not in TOKEN_POLICIES:
        raise ValueError(f"unknown token policy {policy!r}; policies: {', '.join(TOKEN_POLICIES)}")


def _flatten(sents: list[list[Offsets]]) -> tuple[list[Offsets], list[int]]:
    tokens: list[Offsets] = []
    bounds: list[int] = []
    for sent in sents:
        bounds.append(len(tokens))
        tokens.extend(sent)
    bounds.append(len(tokens))
    return tokens, bounds


def document_sentences(document: Document, policy: str, span_starts: Sequence[int] = ()
                       ) -> list[list[Offsets]]:
    """Sentences of token offsets of ``document`` under ``policy`` (``whole`` or ``clitics``);
    ``span_starts`` (sorted) are the exported spans' starts, used by the clitic policy."""
    tokens, bounds = document_tokens(document, policy, span_starts)
    return [tokens[a:b] for a, b in pairwise(bounds)]


def is_conll_tokenized(meta: Mapping[str, object]) -> bool:
    return meta.get("tokenized") == CONLL_TOKENIZED


# -- spans -> tags ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence to write: its tokens and, per token, its tag columns (at least one)."""

    tokens: tuple[str, ...]
    tags: tuple[tuple[str, ...], ...]


@dataclass(slots=True)
class _Placed:
    first: int        # token indexes, inclusive
    last: int
    label: str
    order: int        # creation order (span id): ties of equal extent nest in this order
    span: Span
    number: int       # place in span order, for a span with no id

    @property
    def ref(self) -> str:
        """How messages name the span: ``span 12 (actor 40-52 'وزير الدفاع')``."""
        s = self.span
        key = s.id if s.id is not None else f"s{self.number}"
        return f"span {key} ({s.label} {s.start}-{s.end} {s.text!r})"


def tag_sequence(length: int, label: str, scheme: str) -> list[str]:
    """The tags of one span over ``length`` tokens: ``B-X I-X`` (iob2), ``B-X E-X`` (bioes) ..."""
    begin, inside, last, single = SCHEME_PREFIXES[scheme]
    if length == 1:
        return [f"{single}-{label}"]
    return [f"{begin}-{label}"] + [f"{inside}-{label}"] * (length - 2) + [f"{last}-{label}"]


@dataclass(frozen=True, slots=True)
class TaggedTokens:
    """A document's tokens and tags, flat: ``words[i]``'s tags are ``columns[d][i]`` for each
    depth ``d`` (``O`` where nothing is at that depth: a line writes its tags up to its last
    one that is not ``O``, at least one); sentence ``k`` is tokens ``cut[k]`` to ``cut[k + 1]``."""

    words: list[str]
    columns: list[list[str]]
    cut: list[int]

    def sentences(self) -> list[Sentence]:
        words, columns = self.words, self.columns
        if len(columns) == 1:
            per_token: list[tuple[str, ...]] = list(zip(columns[0]))
        else:
            per_token = []
            for tags in zip(*columns):
                width = len(tags)
                while width > 1 and tags[width - 1] == "O":
                    width -= 1
                per_token.append(tags[:width])
        return [Sentence(tuple(words[a:b]), tuple(per_token[a:b])) for a, b in pairwise(self.cut)]


def tag_document(document: Document, aset: AnnotationSet | None, *, scheme: str, tokens: str,
                 nested: str, report: ExportReport) -> list[Sentence]:
    """The sentences of ``document`` with the tags of ``aset``'s spans (see the module
    docstring); every span that cannot be written as it is goes to ``report``."""
    return tag_tokens(document, aset, scheme=scheme, tokens=tokens, nested=nested,
                      report=report).sentences()


def tag_tokens(document: Document, aset: AnnotationSet | None, *, scheme: str, tokens: str,
               nested: str, report: ExportReport) -> TaggedTokens:
    """:func:`tag_document`'s tokens and tags, flat (what the writers use: no tuple per
    token)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r}; schemes: {', '.join(SCHEMES)}")
    if nested not in NESTED_POLICIES:
        raise ValueError(f"unknown nesting policy {nested!r}; policies: "
                         f"{', '.join(NESTED_POLICIES)}")
    text = document.text
    spans = sorted(aset.spans, key=lambda s: (s.start, s.end, s.label)) if aset else []
    where = f"document {document.external_id}" + (f" (set {aset.owner})" if aset else "")
    flat, bounds = document_tokens(document, tokens, sorted({s.start for s in spans}))
    starts = list(map(itemgetter(0), flat))
    ends = list(map(itemgetter(1), flat))
    placed: list[_Placed] = []
    seen: dict[tuple[int, int, str], _Placed] = {}
    for n, span in enumerate(spans, start=1):
        first = bisect_right(ends, span.start)
        last = bisect_left(starts, span.end) - 1
        p = _Placed(first, last, span.label, span.id if span.id is not None else n, span, n)
        if first > last:
            report.problem("no-token", f"{where}: {p.ref} covers no token; left out")
            continue
        if starts[first] != span.start or ends[last] != span.end:
            report.problem("expanded", f"{where}: {p.ref} does not align with token boundaries; "
                                       f"expanded to {text[starts[first]:ends[last]]!r}")
        key = (first, last, span.label)
        if key in seen:
            report.problem("duplicate", f"{where}: {p.ref} covers the same tokens as "
                                        f"{seen[key].ref}; left out")
            continue
        seen[key] = p
        placed.append(p)
    kept = _nest(placed, nested, where, report)
    return _tagged(text, flat, bounds, kept, scheme, report)


def _nest(placed: list[_Placed], policy: str, where: str, report: ExportReport
          ) -> list[tuple[_Placed, int]]:
    """(span, depth) of the spans ``policy`` keeps; crossing spans are left out (reported)."""
    ordered = sorted(placed, key=lambda p: (p.first, -p.last, p.order))
    stack: list[_Placed] = []
    depth_of: list[tuple[_Placed, int]] = []
    parent: dict[int, _Placed] = {}
    has_child: set[int] = set()
    for p in ordered:
        while stack and stack[-1].last < p.first:
            stack.pop()
        if stack and stack[-1].last < p.last:
            report.problem("crossing", f"{where}: {p.ref} overlaps {stack[-1].ref} without "
                                       "nesting in it; left out")
            continue
        if stack:
            parent[id(p)] = stack[-1]
            has_child.add(id(stack[-1]))
        depth_of.append((p, len(stack)))
        stack.append(p)
    if policy == "layers":
        return depth_of
    kept: list[tuple[_Placed, int]] = []
    for p, depth in depth_of:
        if policy == "outer" and depth > 0:
            report.problem("nested", f"{where}: {p.ref} is inside {parent[id(p)].ref}; "
                                     "--nested outer writes the outermost spans only")
        elif policy == "inner" and id(p) in has_child:
            report.problem("nested", f"{where}: {p.ref} has another span inside it; "
                                     "--nested inner writes the innermost spans only")
        else:
            kept.append((p, 0))
    return kept


def _tagged(text: str, flat: list[Offsets], bounds: list[int], kept: list[tuple[_Placed, int]],
            scheme: str, report: ExportReport) -> TaggedTokens:
    n = len(flat)
    depth = max((d for _, d in kept), default=0) + 1
    columns = [["O"] * n for _ in range(depth)]
    joins: list[tuple[int, int]] = []   # token ranges a sentence boundary must not cut
    for p, d in kept:
        columns[d][p.first:p.last + 1] = tag_sequence(p.last - p.first + 1, p.label, scheme)
        if p.last > p.first:
            joins.append((p.first, p.last))
    cut = _sentence_starts(bounds, joins, report)
    return TaggedTokens([text[s:e] for s, e in flat], columns, cut)


def _sentence_starts(bounds: list[int], joins: list[tuple[int, int]], report: ExportReport
                     ) -> list[int]:
    """Token indexes where the written sentences start (and the token count at the end): the
    given sentences' starts (``bounds``, which ends with the count), less those inside a span."""
    starts, index = bounds[:-1], bounds[-1]
    if joins:
        inside = [0] * (index + 1)
        for first, last in joins:
            inside[first + 1] += 1
            inside[last + 1] -= 1
        cover = list(accumulate(inside))
        kept = [start for k, start in enumerate(starts) if k == 0 or cover[start] <= 0]
        if len(kept) < len(starts):
            report.counts["sentences-joined"] = report.counts.get("sentences-joined", 0) + \
                len(starts) - len(kept)
        starts = kept
    return starts + [index]
