"""What an HTML element is for, from its tag, role, class and id: the regions behind hints.

A region is one of ``nav``, ``header``, ``footer``, ``aside``, ``share``, ``reference``,
``metadata`` (with a label: authors, date, keywords), ``comment`` and ``form``. Reader comments
are found as *units*: the smallest element around one comment's author that also holds text
outside its header (author, date, reply link), one unit per comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from lxml import etree

from .xmlsafe import text_of

_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_REFERENCE_HEADINGS = re.compile(
    r"^(references?|bibliography|sources|citations|works cited|literature cited|further "
    r"reading)\W*$", re.IGNORECASE)
_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True, slots=True)
class Words:
    """The class and id of an element, lower-cased, whole and split into words."""

    raw: str
    parts: frozenset[str]

    @classmethod
    def of(cls, element: etree._Element) -> Words:
        return _words(element.get("class", ""), element.get("id", ""))

    def any_word(self, words: frozenset[str]) -> bool:
        """A whole word of the class/id is one of ``words`` ("ad" matches "ad-slot", not "head")."""
        return not self.parts.isdisjoint(words)

    def any_part(self, fragments: tuple[str, ...]) -> bool:
        """A fragment occurs anywhere in the class/id ("nav" matches "navbar")."""
        return bool(self.parts) and any(f in self.raw for f in fragments)


@lru_cache(maxsize=4096)
def _words(classes: str, ident: str) -> Words:
    """The words of one class/id pair (a page repeats a few hundred pairs on every element)."""
    raw = f"{classes} {ident}".lower()
    return Words(raw, frozenset(p for p in _WORD_SPLIT.split(raw) if p))


# --- regions ---------------------------------------------------------------------------------

_NAV_PARTS = ("nav", "menu", "breadcrumb", "pagination", "pager", "skip-link")
_SHARE_PARTS = ("share", "social", "follow", "subscribe", "newsletter", "cookie", "consent",
                "login", "signup", "sign-up", "signin", "sign-in", "register", "promo",
                "advert", "sponsor", "paywall", "donate")
_SHARE_WORDS = frozenset({"ad", "ads", "adsense", "banner-ad", "cta", "like", "likes",
                          "gdpr", "modal", "popup", "tweet"})
_ASIDE_PARTS = ("sidebar", "widget", "related", "recommended", "more-stories", "trending",
                "popular", "teaser", "also-read")
_ASIDE_WORDS = frozenset({"aside", "rail", "sidebar"})
_FOOTER_PARTS = ("footer", "copyright", "colophon", "site-info")
_HEADER_PARTS = ("masthead", "site-header", "page-header", "topbar", "top-bar")
_HEADER_WORDS = frozenset({"header", "banner"})
_REFERENCE_PARTS = ("reference", "bibliograph", "citation-list", "ref-list", "footnotes",
                    "works-cited")
_METADATA_LABELS: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...] = (
    ("authors", ("byline", "author", "vcard", "contributor"), frozenset({"by", "writer"})),
    ("date", ("posted-on", "published", "pubdate", "timestamp", "dateline", "entry-date",
              "post-date", "updated"), frozenset({"date", "time"})),
    ("keywords", ("keyword", "post-tags", "tag-links", "tags-links", "entry-tags"),
     frozenset({"tags"})),
)
_ROLES = {"navigation": "nav", "menubar": "nav", "banner": "header", "contentinfo": "footer",
          "complementary": "aside", "search": "share"}
_TAG_REGIONS = {"nav": "nav", "menu": "nav", "aside": "aside", "footer": "footer",
                "form": "form", "address": "metadata"}
_LISTS = frozenset({"ol", "ul", "dl"})


def is_comment_marked(element: etree._Element, words: Words | None = None) -> bool:
    """Whether the class or id names a comment or a reply."""
    words = words or Words.of(element)
    return "comment" in words.raw or "reply" in words.raw or "replies" in words.raw


def classify(element: etree._Element, in_article: bool) -> tuple[str, str] | None:
    """The region an element opens, with its label, or None.

    ``in_article``: the element is inside ``<article>``/``<main>``, where a ``<header>`` is the
    article's own header, not the page banner.
    """
    tag = element.tag
    if tag in ("html", "body"):
        return None
    attrib = element.attrib
    if attrib:
        found = _classify_attrs(tag, attrib.get("class", ""), attrib.get("id", ""),
                                attrib.get("role", ""), attrib.get("rel"),
                                attrib.get("itemprop"), in_article)
    else:                                               # the common case: a bare element
        found = _classify_attrs(tag, "", "", "", None, None, in_article)
    if tag in _LISTS and (found is None or found[0] == "metadata") \
            and _follows_reference_heading(element):
        return "reference", ""
    return found


@lru_cache(maxsize=8192)
def _classify_attrs(tag: str, classes: str, ident: str, role_name: str, rel: str | None,
                    itemprop: str | None, in_article: bool) -> tuple[str, str] | None:
    """:func:`classify` from the attributes it reads (the reference-list check aside)."""
    words = _words(classes, ident)
    role = _ROLES.get(role_name.lower())
    if "comment" in words.raw or "reply" in words.raw or "replies" in words.raw:
        return "comment", ""
    if tag in ("nav", "menu") or role == "nav" or words.any_part(_NAV_PARTS):
        return "nav", ""
    if words.any_part(_SHARE_PARTS) or words.any_word(_SHARE_WORDS) or role == "share":
        return "share", ""
    if tag == "aside" or role == "aside" or words.any_part(_ASIDE_PARTS) \
            or words.any_word(_ASIDE_WORDS):
        return "aside", ""
    if tag == "footer" or role == "footer" or words.any_part(_FOOTER_PARTS):
        return "footer", ""
    if not in_article and (tag == "header" or role == "header"
                           or words.any_part(_HEADER_PARTS) or words.any_word(_HEADER_WORDS)):
        return "header", ""
    if words.any_part(_REFERENCE_PARTS):
        return "reference", ""
    label = _metadata_label(words, rel, itemprop)
    if label:
        return "metadata", label
    if tag in _TAG_REGIONS:
        region = _TAG_REGIONS[tag]
        return region, "authors" if region == "metadata" else ""
    return None


def metadata_label(element: etree._Element, words: Words | None = None) -> str:
    """``authors``, ``date`` or ``keywords`` for a byline, dateline or tag list; else ""."""
    return _metadata_label(words or Words.of(element), element.get("rel"),
                           element.get("itemprop"))


def _metadata_label(words: Words, rel: str | None, itemprop: str | None) -> str:
    if rel == "author" or itemprop in ("author", "creator"):
        return "authors"
    if itemprop in ("datePublished", "dateModified", "dateCreated"):
        return "date"
    if itemprop == "keywords":
        return "keywords"
    for label, fragments, whole_words in _METADATA_LABELS:
        if words.any_part(fragments) or words.any_word(whole_words):
            return label
    return ""


def _follows_reference_heading(element: etree._Element) -> bool:
    """A list right after a heading such as "References" or "Sources"."""
    if element.tag not in _LISTS:
        return False
    previous = element.getprevious()
    return (previous is not None and previous.tag in _HEADINGS
            and bool(_REFERENCE_HEADINGS.match(" ".join(text_of(previous).split()))))


# --- comments --------------------------------------------------------------------------------

_COMMENT_HEADER_PARTS = ("author", "username", "user-name", "nickname", "avatar", "meta",
                         "timestamp", "byline", "permalink", "posted", "vote", "rating")
_COMMENT_HEADER_WORDS = frozenset({"fn", "vcard", "user", "date", "time", "says", "header",
                                   "actions", "toolbar", "like", "likes", "edit", "flag"})
_AUTHOR_PARTS = ("author", "username", "user-name", "nickname", "commenter")
_AUTHOR_WORDS = frozenset({"fn", "user", "name"})
_DATE_PARTS = ("date", "timestamp", "posted", "published")
_CONTROL_MAX_WORDS = 3


@dataclass(frozen=True, slots=True)
class CommentInfo:
    """Who wrote one comment and when, as the page shows it."""

    id: str = ""            # the element's id, else "comment-N" in page order
    author: str = ""
    date: str = ""
    datetime: str = ""


def is_comment_header(element: etree._Element) -> bool:
    """Part of a comment's header rather than its body: author, date, avatar, reply link."""
    if element.tag in ("time", "header", "footer"):
        return True
    words = Words.of(element)
    if words.any_part(_COMMENT_HEADER_PARTS) or words.any_word(_COMMENT_HEADER_WORDS):
        return True
    return "reply" in words.raw and len(text_of(element).split()) <= _CONTROL_MAX_WORDS


def _is_author(element: etree._Element) -> bool:
    if element.get("itemprop") in ("author", "name") or element.get("rel") == "author":
        return True
    words = Words.of(element)
    return words.any_part(_AUTHOR_PARTS) or words.any_word(_AUTHOR_WORDS)


def find_comment_units(body: etree._Element) -> dict[etree._Element, CommentInfo]:
    """One entry per reader comment: the element holding it, with its author and date."""
    units: dict[etree._Element, CommentInfo] = {}
    position: dict[etree._Element, int] = {}
    for region in _comment_regions(body):
        found = _units_in(region)
        if found:
            offset = len(position)
            position.update((e, offset + i) for i, e in enumerate(region.iter()))
            units.update((unit, CommentInfo()) for unit in found)
    ordered = sorted(units, key=position.__getitem__)
    for number, unit in enumerate(ordered, start=1):
        units[unit] = _comment_info(unit, units, unit.get("id") or f"comment-{number}")
    return units


#: Elements with a class or an id, the only ones that can be comment-marked.
_WITH_CLASS_OR_ID = etree.XPath(".//*[@class or @id]")


def _comment_regions(body: etree._Element) -> Iterator[etree._Element]:
    """The outermost comment-marked elements, in document order."""
    last: etree._Element | None = None
    for element in cast("list[etree._Element]", _WITH_CLASS_OR_ID(body)):
        if is_comment_marked(element) and (last is None or not _is_inside(element, last)):
            last = element
            yield element


def _units_in(region: etree._Element) -> list[etree._Element]:
    """Comment units of one region, innermost first, each holding one unclaimed author."""
    authors = _outermost(e for e in region.iterdescendants() if isinstance(e.tag, str)
                         and _is_author(e))
    unclaimed: dict[etree._Element, int] = {}
    for author in authors:
        for ancestor in _ancestors_within(author, region):
            unclaimed[ancestor] = unclaimed.get(ancestor, 0) + 1
    units: list[etree._Element] = []
    claimed: set[etree._Element] = set()
    for author in sorted(authors, key=_depth, reverse=True):
        if author in claimed:
            continue
        for ancestor in _ancestors_within(author, region):
            if unclaimed.get(ancestor, 0) > 1:
                break
            if is_comment_header(ancestor) or not _has_body_text(ancestor, set(units)):
                continue
            units.append(ancestor)
            for inner in authors:
                if inner not in claimed and _is_inside(inner, ancestor):
                    claimed.add(inner)
                    for up in _ancestors_within(inner, region):
                        unclaimed[up] -= 1
            break
    return units


def _outermost(elements: Iterator[etree._Element]) -> list[etree._Element]:
    """Drop elements nested in an earlier one (document order)."""
    kept: list[etree._Element] = []
    for element in elements:
        if not kept or not _is_inside(element, kept[-1]):
            kept.append(element)
    return kept


def _ancestors_within(element: etree._Element, region: etree._Element) -> Iterator[
        etree._Element]:
    """Ancestors of ``element`` up to and including ``region``."""
    for ancestor in element.iterancestors():
        yield ancestor
        if ancestor is region:
            return


def _is_inside(element: etree._Element, container: etree._Element) -> bool:
    return any(a is container for a in element.iterancestors())


def _depth(element: etree._Element) -> int:
    return sum(1 for _ in element.iterancestors())


def _has_body_text(element: etree._Element, units: set[etree._Element]) -> bool:
    """Text outside comment headers and outside comments already found inside it."""
    if (element.text or "").strip():
        return True
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if (child.tail or "").strip():
            return True
        if child in units or is_comment_header(child):
            continue
        if _has_body_text(child, units):
            return True
    return False


def _comment_info(unit: etree._Element, units: dict[etree._Element, CommentInfo],
                  ident: str) -> CommentInfo:
    """Author and date of one comment, from its own elements (not its replies')."""
    own = list(_own_elements(unit, units))
    author = ""
    for element in sorted((e for e in own if _is_author(e)), key=_author_rank):
        author = _clean_author(text_of(element))
        if author:
            break
    date, stamp = "", ""
    times = [e for e in own if e.tag == "time"]
    dated = times or [e for e in own if Words.of(e).any_part(_DATE_PARTS)] or [
        e for e in own if is_comment_header(e) and _YEAR.search(text_of(e))]
    for element in dated:
        date = " ".join(text_of(element).split())
        stamp = element.get("datetime", "")
        if date or stamp:
            break
    return CommentInfo(ident, author, date or stamp, stamp)


def _author_rank(element: etree._Element) -> int:
    """Prefer the name itself (``cite.fn``, ``itemprop=name``) over its wrapper."""
    words = Words.of(element)
    precise = (element.tag == "cite" or element.get("itemprop") == "name"
               or words.any_word(frozenset({"fn", "name", "username", "nickname"})))
    return 0 if precise else 1


def _clean_author(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"\s*(says|said|wrote|writes)\s*:?\s*$", "", text, flags=re.IGNORECASE)


def _own_elements(unit: etree._Element,
                  units: dict[etree._Element, CommentInfo]) -> Iterator[etree._Element]:
    """Descendants of ``unit`` outside the comments nested in it."""
    for child in unit:
        if not isinstance(child.tag, str) or child in units:
            continue
        yield child
        yield from _own_elements(child, units)
