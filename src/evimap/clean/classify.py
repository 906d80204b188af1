"""The classifier: from units to decisions (kind, label, reason), in three passes.

1. *Local evidence* per unit: shape features, cue lexicons, metadata detectors, cited-source
   lines and, for HTML, the reader's hint (nav, footer, aside, share, comment, ...).
2. *Scan* in document order with a small state machine, jusText-style regions: a comment
   header opens a comment (everything up to the next header is its body); a region-opening
   cue ("Related posts", "Leave a Comment", "As seen on", "Similar articles") makes what
   follows chrome until strong prose or, in HTML, until the opener's container ends; a
   disclosure heading makes the disclosure that follows metadata; "References" opens a
   reference list.
3. *Zone*: the main content runs from the title to the last prose paragraph. Undecided units
   inside it are content (headings included); before it they are chrome (or a byline);
   after it, short content-like lines that follow the content directly are kept.

Structured formats (PubMed, JATS, PubTator, JSONL) carry definitive hints that are mapped
straight to decisions; only text between their blocks goes through the passes above.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .blocks import Unit
from .comments import CommentHeader, parse_header
from .cues import Cue, CueAssessment, assess, cues_present
from .dates import parse_date
from .features import STOPWORDS, Features, compute, normalised, words_of
from .linemodel import (
    droppable,
    find_terms,
    host_words,
    label_of,
    shipped_model,
    site_words,
    vectors,
)
from .mainmarks import apply_main_marks
from .metadata import MetaMatch, byline_context, coi_terms, detect, is_name_like, section_heading

STRUCTURED_FORMATS = frozenset({"pubmed", "jats", "pubtator", "jsonl", "bioc"})

#: Definitive hints of structured formats -> (kind, label; None takes the block's label).
_DEFINITIVE: dict[str, tuple[str, str | None]] = {
    "title": ("title", ""), "abstract": ("abstract", None), "body": ("body", None),
    "heading": ("body", "heading"), "references": ("references", None),
    "reference": ("references", None), "metadata": ("metadata", None),
    "comment": ("comment", ""), "cited_source": ("cited_source", ""),
}
#: HTML hints that lean to chrome, with the label used when no cue names a better one.
_CHROME_HINTS = {"nav": "navigation", "share": "share", "footer": "footer",
                 "header": "header", "aside": "aside", "hidden": "hidden"}
#: Metadata that marks a scholarly record (its prose is then an abstract).
_SCHOLARLY = frozenset({"publication_type", "citation", "keywords", "mesh_terms", "doi", "pmid",
                        "conflict_of_interest", "journal"})
_ABSTRACT_MAX_WORDS = 800
_REGION_CLOSING_WORDS = 40      # prose this long (and cue-free) ends a chrome region

_SOURCE_RE = re.compile(
    r"^\s*(?:sources?|references?|via|citations?|original (?:study|article|source|research)"
    r"|read the (?:full )?(?:study|paper|article)|adapted from|study)\s*:\s*(?P<rest>\S.*)$",
    re.I | re.S)
_NUMBERED_RE = re.compile(r"^\s*\d{1,2}[.)]\s+[^\n]*[^\s.!?]$")   # "1. About.com" (breadcrumbs)
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_REFS_HEADING_RE = re.compile(r"^\s*(?:references|bibliography|works cited|literature cited|"
                              r"sources|further reading|citations)\s*:?\s*$", re.I)
#: A reference line: a year, then later on its line an author list, volume(issue), DOI,
#: page range or "Name AB," (see :func:`_reference_like`).
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
_REFERENCE_TAIL_RE = re.compile(r"\bet al\b|(?<!\d)\d+\s*\(\s*\d+\s*\)|\bdoi\b|"
                                r"(?<!\d)\d+\s*[-–]\s*\d+|(?<![A-Z])[A-Z][a-z]+ [A-Z]{1,2}[,.]",
                                re.I)


def _reference_like(text: str) -> bool:
    r"""Whether ``\b(?:19|20)\d\d\b.*(?:TAIL)`` (case-insensitive) matches in ``text``, in
    time linear in its length, where the regex went from every year to the end of its line
    and tried every start in a long run of digits or letters: only a line's first year is
    looked after, the leftmost TAIL found is kept until a year lies beyond it, and each
    alternative of TAIL starts only where its run of digits or letters starts."""
    tail: re.Match[str] | None = None
    searched = False
    line_done = -1                  # the end of the last line looked at
    for year in _YEAR_RE.finditer(text):
        if year.start() < line_done:
            continue
        eol = text.find("\n", year.end())
        line_done = eol = len(text) if eol == -1 else eol
        if not searched or (tail is not None and tail.start() < year.end()):
            tail, searched = _REFERENCE_TAIL_RE.search(text, year.end()), True
        if tail is None:
            return False
        if tail.start() <= eol:
            return True
    return False


@dataclass(slots=True)
class Decision:
    """What the cleaner decided about one unit."""

    kind: str
    label: str = ""
    reason: str = ""
    group: int | None = None        # comment number: a comment's units form one segment
    author: str | None = None
    date: str | None = None


@dataclass(slots=True)
class _Local:
    feats: Features
    cues: CueAssessment
    meta: MetaMatch | None
    cited: str | None               # reason, when the unit names a cited source
    chrome: tuple[str, str] | None  # (label, reason) when the unit is chrome on its own
    opens: str | None               # the region label a heading-like opener starts


def _cited(text: str, feats: Features) -> str | None:
    m = _SOURCE_RE.match(text)
    if m and feats.words <= 60 and (_URL_RE.search(m.group("rest"))
                                    or len(words_of(m.group("rest"))) >= 2):
        return "'Source:' line"
    if feats.url_only:
        return "bare URL"
    return None


def _analyse(unit: Unit, feats: Features, present: Sequence[Cue]) -> _Local:
    """Everything one unit says about itself (``present``: the cues its document may hold)."""
    cues = assess(unit.text, present)
    meta = detect(unit.text, feats)
    if unit.hint == "metadata":
        meta = MetaMatch(unit.label or (meta.label if meta else "metadata"),
                         "reader hint 'metadata'")
    chrome: tuple[str, str] | None = None
    strong = feats.prose and feats.link_density < 0.2 and not cues.hits
    hint = unit.hint or ""
    if cues.says_boilerplate(feats.words):
        label = _CHROME_HINTS[hint] if hint in _CHROME_HINTS and cues.score < 1.0 else cues.label
        chrome = (label, f"cue '{cues.evidence}'")
    elif hint in _CHROME_HINTS and not (strong and (hint == "aside" or feats.words >= 40)):
        chrome = (_CHROME_HINTS[hint], f"reader hint '{hint}'")
    elif feats.link_density >= 0.5 and feats.words <= 40 and hint != "reference":
        chrome = ("navigation", f"link density {feats.link_density:.2f}")
    opens = cues.opens if chrome and feats.words <= 8 and not feats.terminal else None
    return _Local(feats, cues, meta, _cited(unit.text, feats), chrome, opens)


def _line_model(units: list[Unit], local: list[_Local], url: str | None) -> None:
    """Plain text: units the rules leave open that the line model calls chrome become chrome."""
    model = shipped_model()
    if model is None:
        return
    x = vectors([u.text for u in units], [lo.feats for lo in local],
                [lo.cues for lo in local], [lo.meta is not None for lo in local], url)
    for i, p in enumerate(model.probabilities(x)):
        lo = local[i]
        if (p >= model.threshold and lo.chrome is None and lo.meta is None and lo.cited is None
                and droppable(units[i].text, lo.feats, lo.cues)):
            label, evidence = label_of(units[i].text)
            lo.chrome = (label, f"line model p={p:.2f}" + (f", '{evidence}'" if evidence else ""))


def _date_attr(value: Any) -> str | None:
    """A reader's date attribute in ISO form when it parses, else as given."""
    if not value:
        return None
    return parse_date(str(value)) or str(value)


def _parent(unit: Unit) -> str | None:
    """The HTML element path holding a unit (its parent), when the reader gave a path.

    Paths are XPath-like ("/html/body/aside/h3") or CSS-like ("html>body>aside>h3"); the
    parent keeps its trailing separator so that a prefix test cannot match a sibling's name.
    """
    path = unit.attrs.get("path")
    if not isinstance(path, str):
        return None
    cut = max(path.rfind("/"), path.rfind(">"))
    return path[:cut + 1] if cut > 0 else None


class _Scan:
    """Pass 2: regions, comments, disclosures and reference lists, in document order."""

    def __init__(self, units: list[Unit], local: list[_Local],
                 decisions: list[Decision | None]) -> None:
        self.units, self.local, self.decisions = units, local, decisions
        self.mode = "main"
        self.region: tuple[str, str, str | None] = ("", "", None)   # label, opener, container
        self.comment = Decision("comment")
        self.comment_key: tuple[Any, ...] | None = None    # HTML comment block identity
        self.comments = 0
        firsts = (i for i, lo in enumerate(local) if lo.feats.prose and lo.chrome is None
                  and lo.meta is None and units[i].hint != "comment")
        self.first_prose = next(firsts, len(units))

    def run(self) -> None:
        i = 0
        while i < len(self.units):
            if self.decisions[i] is not None:       # locked by a definitive hint
                self.mode = "main"
                i += 1
                continue
            i += self._step(i)

    def _set(self, i: int, kind: str, label: str = "", reason: str = "",
             like: Decision | None = None) -> None:
        if like is not None:
            self.decisions[i] = Decision(kind, label, reason, like.group, like.author, like.date)
        else:
            self.decisions[i] = Decision(kind, label, reason)

    def _step(self, i: int) -> int:
        """Decide unit ``i`` (and any it takes with it); return how many units were decided."""
        unit, loc = self.units[i], self.local[i]
        if unit.hint == "comment" and (unit.attrs.get("author") or unit.attrs.get("date")):
            return self._html_comment(i)
        if unit.hint == "metadata" and unit.label == "comment_header":
            return self._open_comment(i, CommentHeader(
                1, str(unit.attrs.get("author") or ""), _date_attr(unit.attrs.get("date")),
                "reader hint 'metadata'"))
        if unit.hint in (None, "paragraph", "metadata", "header", "list_item", "comment"):
            header = parse_header(self.units, i, after_content=i > self.first_prose)
            if header is not None:
                return self._open_comment(i, header)
        if self.mode == "comments":
            ends = loc.opens or (loc.chrome and loc.cues.score >= 1.0 and loc.feats.words <= 12)
            if not ends:
                if loc.chrome and loc.feats.words <= 3:     # "Reply", "Like" under a comment
                    self._set(i, "boilerplate", *loc.chrome)
                else:
                    self._set(i, "comment", "", "", self.comment)
                return 1
            self.mode = "main"
        elif self.mode == "region":
            if not self._closes_region(i):
                self._in_region(i)
                return 1
            self.mode = "main"
        elif self.mode == "coi":
            if coi_terms(unit.text) or (loc.meta and loc.meta.label == "conflict_of_interest"):
                self._set(i, "metadata", "conflict_of_interest", "in the disclosure section")
                return 1
            self.mode = "main"
        elif self.mode == "refs":
            if loc.feats.list_item or _reference_like(unit.text) or loc.feats.url_only:
                self._set(i, "references", "", "in the reference list")
                return 1
            self.mode = "main"
        self._main(i)
        return 1

    def _open_comment(self, i: int, header: CommentHeader) -> int:
        """A comment header at ``i``: a new comment starts; its header units are metadata."""
        self.comments += 1
        self.comment = Decision("comment", "", header.reason, self.comments,
                                header.author or None, header.date)
        self.comment_key = ("header", header.author or None)
        self.mode = "comments"
        for j in range(i, i + header.units):
            self._set(j, "metadata", "comment_header", header.reason, self.comment)
        return header.units

    def _html_comment(self, i: int) -> int:
        """A block the HTML reader marked as a comment, with attrs author and date."""
        unit = self.units[i]
        author = unit.attrs.get("author") or None
        date = _date_attr(unit.attrs.get("date"))
        header = parse_header(self.units, i, after_content=True)
        if header is not None:
            return self._open_comment(i, CommentHeader(
                header.units, author or header.author, date or header.date, header.reason))
        key = (unit.attrs.get("comment_id"), author, date)
        after_header = self.comment_key is not None and self.comment_key[0] == "header" and (
            author is None or self.comment_key[1] in (None, author))
        if self.mode != "comments" or (key != self.comment_key and not after_header):
            self.comments += 1
            self.comment = Decision("comment", "", "reader hint 'comment'", self.comments,
                                    author, date)
            self.mode = "comments"
        elif after_header:
            self.comment.author = self.comment.author or author
            self.comment.date = self.comment.date or date
        self.comment_key = key
        chrome = self.local[i].chrome
        if chrome and self.local[i].feats.words <= 3:
            self._set(i, "boilerplate", *chrome)
        else:
            self._set(i, "comment", "", "reader hint 'comment'", self.comment)
        return 1

    def _closes_region(self, i: int) -> bool:
        unit, f = self.units[i], self.local[i].feats
        container = self.region[2]
        path = unit.attrs.get("path")
        if container and isinstance(path, str) and not path.startswith(container):
            return True
        return (f.prose and f.words >= _REGION_CLOSING_WORDS and not self.local[i].cues.hits
                and f.duplicate_of is None and self.local[i].chrome is None)

    def _in_region(self, i: int) -> None:
        loc = self.local[i]
        if loc.meta and loc.meta.label in ("keywords", "mesh_terms", "doi", "pmid"):
            self._set(i, "metadata", loc.meta.label, loc.meta.reason)
            return
        if loc.opens and loc.chrome:        # a new region inside this one ("Related posts")
            self.region = (loc.opens, self.units[i].text.strip(), self.region[2])
        label, opener = self.region[0], self.region[1]
        if loc.chrome and not loc.chrome[1].startswith("reader hint"):
            self._set(i, "boilerplate", *loc.chrome)
        elif section_heading(self.units[i].text) and not self._items_follow(i):
            self._set(i, "boilerplate", "empty_section",
                      f"section heading '{self.units[i].text.strip()}' with nothing under it")
        elif _NUMBERED_RE.match(self.units[i].text) and loc.feats.words <= 4:
            self._set(i, "boilerplate", "navigation", f"menu entry after '{opener}'")
        else:
            self._set(i, "boilerplate", label, f"in the region opened by '{opener}'")

    def _items_follow(self, i: int) -> bool:
        nxt = i + 1
        return nxt < len(self.units) and self.local[nxt].feats.words <= 8 and not (
            self.local[nxt].chrome or section_heading(self.units[nxt].text))

    def _main(self, i: int) -> None:
        unit, loc = self.units[i], self.local[i]
        text = unit.text.strip()
        if loc.opens and loc.chrome:
            self._set(i, "boilerplate", *loc.chrome)
            self.mode = "region"
            self.region = (loc.opens, text, _parent(unit))
        elif loc.meta:
            self._set(i, "metadata", loc.meta.label, loc.meta.reason)
            if loc.meta.opens_coi:
                self.mode = "coi"
        elif section_heading(text):
            label = section_heading(text) or ""
            if self._items_follow(i):
                self._set(i, "metadata", label, f"'{text}' section")
            else:
                self._set(i, "boilerplate", "empty_section",
                          f"section heading '{text}' with nothing under it")
        elif loc.cited:
            self._set(i, "cited_source", "source", loc.cited)
        elif unit.hint == "reference":
            self._set(i, "references", "", "reader hint 'reference'")
        elif _REFS_HEADING_RE.match(text):
            self._set(i, "references", "heading", f"reference list heading '{text}'")
            self.mode = "refs"
        elif loc.chrome:
            self._set(i, "boilerplate", *loc.chrome)


def _title_words(text: str) -> list[str]:
    return [w.lower() for w in words_of(text) if len(w) > 3 and w.lower() not in STOPWORDS]


#: A scientific title can be long ("... : a randomised, double-blind, placebo-controlled trial").
_TITLE_MAX_WORDS = 45
#: A line that only labels the next one as the title.
_TITLE_LABEL = re.compile(r"\s*(?:article |document |page )?title\s*:?\s*$", re.I)


def _names_site(text: str, host: frozenset[str], body_words: set[str]) -> bool:
    """The line names the site with words the text's first paragraphs do not use as topics."""
    found = site_words(text, host)
    return bool(found) and not found & body_words


def _choose_title(units: list[Unit], local: list[_Local], pending: list[int], first: int,
                  body_words: set[str], title_hint: str | None,
                  host: frozenset[str] = frozenset()) -> tuple[int | None, int | None]:
    """The unit that is the page's title: repeated, topical, title-cased, before the text,
    and not the site's name; and the unit after a site name that would have been the title
    without its penalty (the content may start there), or None."""
    hint_key = normalised(title_hint) if title_hint else ""
    repeated = {lo.feats.duplicate_of for lo in local} - {None}
    best: tuple[float, int] | None = None
    after_site: int | None = None
    candidates = 0
    for i in pending:
        if i > first:
            break
        f, unit = local[i].feats, units[i]
        if unit.hint == "title" or (i > 0 and _TITLE_LABEL.match(units[i - 1].text)
                                    and 1 <= f.words <= 2 * _TITLE_MAX_WORDS):
            return i, None  # marked as the title by the reader, or by a "Title:" line above
        if not 1 <= f.words <= _TITLE_MAX_WORDS or f.truncated or (
                f.list_item and unit.hint is None):
            continue
        key = normalised(unit.text)
        words = _title_words(unit.text)
        topical = sum(w in body_words for w in words)
        score = min(topical, 3) + (1.0 if words and topical / len(words) >= 0.3 else 0.0)
        score += 2.0 if i in repeated else 0.0
        score += 1.0 if f.titlecase_ratio >= 0.5 else 0.0
        score -= 0.5 * candidates   # the title comes first: later headings are sections
        score += 1.0 if unit.hint == "heading" else 0.0
        score += 4.0 if hint_key and (key == hint_key or (f.words >= 3 and key in hint_key)) else 0
        score -= 2.0 if is_name_like(unit.text) else 0.0
        score -= 1.0 if f.words < 3 else 0.0
        if _names_site(unit.text, host, body_words):
            if score >= 1.5 and (best is None or score > best[0]):
                after_site = i + 1
            score -= 3.0
        if score >= 1.5 and (best is None or score > best[0]):
            best = (score, i)
        candidates += 1
    return (best[1] if best else None), after_site


def _content_like(units: list[Unit], local: list[_Local], i: int) -> bool:
    """Text that reads as content after the main text: a list item, a sentence, a table, or
    plain running text whose sentence end is missing (an excerpt cut mid-sentence, a paragraph
    ending in a citation marker such as "...disability.Citation4")."""
    f = local[i].feats
    running = (units[i].hint is None and f.words >= 12 and f.stopword_ratio >= 0.2
               and not f.truncated and local[i].cues.score < 1.0)
    return (f.list_item or units[i].hint in ("table", "blockquote") or running
            or (f.terminal and f.words >= 4 and f.stopword_ratio >= 0.15))


def _body_label(unit: Unit, f: Features) -> str:
    if unit.hint in ("table", "blockquote"):
        return "table" if unit.hint == "table" else "quote"
    if f.list_item:
        return "list_item"
    return "heading" if f.heading_like or unit.hint == "heading" else ""


def _zone(units: list[Unit], local: list[_Local], decisions: list[Decision | None],
          title_hint: str | None, url: str | None = None) -> None:
    """Pass 3: title, byline, and the main content zone for every undecided unit."""
    n = len(units)
    pending = [i for i in range(n) if decisions[i] is None]
    anchors = [i for i in pending if local[i].feats.prose and local[i].feats.duplicate_of is None]
    anchors += [i for i, d in enumerate(decisions) if d and d.kind in ("abstract", "body")]
    anchors.sort()
    first = anchors[0] if anchors else min(n - 1, (pending or [0])[0] + 10)
    body_words = {w for a in anchors[:6] for w in _title_words(units[a].text)}
    title, after_site = _choose_title(units, local, pending, first, body_words, title_hint,
                                      host_words(url))
    if title is not None:
        decisions[title] = Decision("title", "", "title: topical heading before the text")
        key = normalised(units[title].text)
        for j in range(n):
            d = decisions[j]
            if j != title and normalised(units[j].text) == key and (
                    d is None or d.kind == "boilerplate"):
                decisions[j] = Decision("boilerplate", "duplicate_title",
                                        "second copy of the title")
    starts = [i for i in (title, anchors[0] if anchors else None, after_site) if i is not None]
    start = min(starts) if starts else 0
    end = anchors[-1] if anchors else n - 1

    homes = {_parent(units[a]) for a in anchors} - {None}
    texts = [u.text for u in units]
    keep = True
    for i in range(n):
        d = decisions[i]
        if d is not None:
            if i > end and d.kind == "boilerplate":
                keep = False
            continue
        unit, f = units[i], local[i].feats
        byline = (is_name_like(unit.text) and i < first
                  and not set(_title_words(unit.text)) & body_words
                  and (byline_context(texts, i) or (title is not None and abs(i - title) == 1))
                  and not find_terms(unit.text).counts)
        if byline:
            decisions[i] = Decision("metadata", "authors", "person name before the text")
        elif i < start:
            decisions[i] = Decision("boilerplate", "navigation" if f.heading_like else "header",
                                    "short text before the main content")
        elif i <= end:
            decisions[i] = Decision("body", _body_label(unit, f))
        elif (keep or _parent(unit) in homes) and (_content_like(units, local, i) or (
                f.heading_like and i + 1 < n and decisions[i + 1] is None
                and _content_like(units, local, i + 1))):
            decisions[i] = Decision("body", _body_label(unit, f), "follows the main content")
        else:
            keep = False
            decisions[i] = Decision("boilerplate", "footer", "after the main content")


def _abstracts(units: list[Unit], decisions: list[Decision], local: list[_Local],
               metadata: Mapping[str, Any]) -> None:
    """Body text of a scholarly record is its abstract ("Abstract" heading, or short + metadata)."""
    body = [i for i, d in enumerate(decisions) if d.kind == "body"]
    heads = [i for i in body if decisions[i].label == "heading"
             and normalised(units[i].text) == "abstract"]
    if heads:
        for i in body:
            if i < heads[0]:
                continue
            if decisions[i].label == "heading" and i != heads[0]:
                break
            decisions[i].kind = "abstract"
        return
    scholarly = any(d.kind == "metadata" and d.label in _SCHOLARLY for d in decisions) or any(
        metadata.get(k) for k in ("doi", "pmid", "journal"))
    words = sum(local[i].feats.words for i in body)
    if scholarly and body and words <= _ABSTRACT_MAX_WORDS:
        for i in body:
            decisions[i].kind = "abstract"
            decisions[i].reason = decisions[i].reason or "prose of a scholarly record"


def classify(units: list[Unit], fmt: str, doc_length: int, title: str | None = None,
             metadata: Mapping[str, Any] | None = None) -> list[Decision]:
    """A decision for every unit of a document, in order."""
    feats = compute(units, doc_length)
    present = cues_present([u.text for u in units])
    local = [_analyse(u, f, present) for u, f in zip(units, feats, strict=True)]
    address = (metadata or {}).get("url")
    url = address if isinstance(address, str) else None
    if fmt not in STRUCTURED_FORMATS and not any(u.hint for u in units):
        _line_model(units, local, url)
    decisions: list[Decision | None] = [None] * len(units)
    if fmt in STRUCTURED_FORMATS:
        for i, unit in enumerate(units):
            if unit.hint in _DEFINITIVE:
                kind, label = _DEFINITIVE[unit.hint]
                decisions[i] = Decision(kind, unit.label if label is None else label,
                                        f"{fmt} field '{unit.hint}'",
                                        author=unit.attrs.get("author"),
                                        date=unit.attrs.get("date"))
    _Scan(units, local, decisions).run()
    _zone(units, local, decisions, title, url)
    final = [d if d is not None else Decision("body") for d in decisions]
    apply_main_marks(units, final)      # HTML: trafilatura's main content, when it found one
    if fmt not in STRUCTURED_FORMATS:
        _abstracts(units, final, local, metadata or {})
    return final
