"""Metadata lines: publication type, citation, authors, dates, keywords, DOI/PMID, disclosure.

Each detector looks at one unit's text and returns a :class:`MetaMatch` (label and reason) or
None. The conflict-of-interest lexicon also drives the disclosure region in the classifier
(a "Conflict of interest statement" heading and the paragraphs that follow it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import is_date_line
from .features import STOPWORDS, Features


@dataclass(frozen=True, slots=True)
class MetaMatch:
    label: str
    reason: str
    opens_coi: bool = False     # a disclosure heading: following disclosure text is metadata


PUBLICATION_TYPES = frozenset("""
    journal article|review|systematic review|meta-analysis|randomized controlled trial|
    controlled clinical trial|clinical trial|clinical trial, phase ii|clinical trial, phase iii|
    case reports|case report|comparative study|observational study|multicenter study|editorial|
    letter|comment|practice guideline|guideline|english abstract|review article|
    original article|research article|original research|brief report|short communication|
    research support, non-u.s. gov't|research support, n.i.h., extramural|consensus development
    conference|validation study|evaluation study|preprint
""".replace("\n", " ").split("|"))
_PUBLICATION_TYPES = frozenset(" ".join(t.split()) for t in PUBLICATION_TYPES)

_CITATION_RE = re.compile(
    r"\b\d{1,4}\s*\(\s*[\w-]{1,12}\s*\)\s*[:,]\s*[A-Za-z]?\d+(?:\s*[-–]\s*[A-Za-z]?\d+)?"
    r"|\b(?:19|20)\d\d(?:\s+\w{3}(?:\s+\d{1,2})?)?\s*;\s*\d+\s*(?:\(\s*[\w-]+\s*\))?\s*:\s*\w+"
)
_DOI_RE = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+", re.I)
_PMID_RE = re.compile(r"\b(?:PMID|PMCID)\s*:?\s*(?:PMC)?\d{5,9}\b", re.I)
_KEYWORDS_RE = re.compile(r"^\s*(?P<field>key ?words?|index terms|mesh terms|subjects?|tags?|"
                          r"topics?)\s*:\s*\S", re.I)
_ET_AL_RE = re.compile(r"^[\w'’. -]{2,60}\bet al\b\.?", re.I | re.UNICODE)
_AUTHOR_LIST_RE = re.compile(r"^(?:[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)? [A-Z]{1,3}(?:, |\.?$))+\.?$")
_AUTHORS_FIELD_RE = re.compile(r"^\s*(?:authors?|written by|reviewed by|medically reviewed by)"
                               r"\s*:?\s+\S", re.I)
_BYLINE_RE = re.compile(r"^\s*by\s+(?P<rest>.+)$", re.I)
_PUBTYPE_FIELD_RE = re.compile(r"^\s*(?:publication|article|study) types?\s*:\s*\S", re.I)
_FUNDING_RE = re.compile(r"^\s*(?:funding(?: information| sources?)?|financial support|"
                         r"grants? (?:and|&) funding)\s*(?::|$)", re.I)

_COI_HEADING_RE = re.compile(
    r"^\s*(?:conflicts? of interests?(?: statement| disclosures?)?|competing interests?|"
    r"declarations? of (?:competing )?interests?|(?:financial )?disclosures?(?: statement)?|"
    r"duality of interest|potential conflicts of interest)\s*(?::|$)", re.I)
_COI_TERMS_RE = re.compile(
    r"\bconsult(?:ed|ant|ancy|ing)\b|\badvisory boards?\b|\bhonorari(?:a|um)\b|\bspeakers?'? "
    r"bureau\b|\bgrant (?:funding|support)\b|\bresearch support\b|\breceived (?:\w+ )?(?:funding|"
    r"grants?|fees|payments?|support)\b|\bstock(?:holder)?s?\b|\bshareholder\b|\bemployee of\b"
    r"|\bdisclos(?:e|ed|ure|ures)\b|\bconflicts? of interest\b|\bcompeting interests?\b"
    r"|\bauthor forms\b|\bdeclares?\b|\bno (?:financial )?relationships?\b|\broyalties\b",
    re.I)

#: Headings of metadata sections whose items follow on the next lines.
_SECTION_HEADING_RE = re.compile(
    r"^\s*(?P<name>mesh terms|substances|publication types?|keywords|grants? and funding|"
    r"related information|linkout - more resources|chemicals)\s*:?\s*$", re.I)
_SECTION_LABELS = {"mesh terms": "mesh_terms", "substances": "substances",
                   "publication type": "publication_type", "publication types": "publication_type",
                   "keywords": "keywords", "chemicals": "substances"}

_NAME_TOKEN_RE = re.compile(r"[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?|[A-Z]\.(?:[A-Z]\.)*|[A-Z]{1,2}")
_NAME_PARTICLES = frozenset({
    "de", "van", "von", "der", "den", "da", "del", "della", "di", "du", "la", "le", "bin",
    "ibn", "al", "el",
})
#: Degrees after a name (", MD"). A match starts at a comma or where a run of spaces
#: starts (``,?\s+`` would be tried again at every space of a long run; one starting inside
#: the run matches only when the one at its start does).
_CREDENTIALS_RE = re.compile(r"(?:,|(?<![\s,]))\s+(?:MD|PhD|DO|RN|PharmD|MPH|MSc|BSc|NP|PA-C|DNP|"
                             r"FACP)\b\.?",
                             re.UNICODE)


#: Words that title-case menus, headings and institutions use and person names do not
#: ("Department Chair", "Health Topics", "Journal Article", "Degree Type", "Hi Friends").
_NOT_NAME_WORDS = frozenset("""
    about account action advice all alerts answers app apply archive article articles ask
    blog blogs board book browse care career careers categories category center centre chair
    change chapter children clinic clinical clinics college community conditions contact
    contents cookies data date days degree department departments diet directory disease
    diseases doctor doctors donate download drug drugs education email events evidence
    explore faculty family faq feedback find follow for forum forums friends get give guide
    guides health healthy help hi history home hospital hospitals how index information
    institute issue issues journal journals language latest learn library life link links
    living login main media medical medicine member members menu more name national network
    new news newsletter next nursing office online open our overview page pages patient
    patients pharmacy policy popular portal press previous print privacy program programs
    public publications quick read recent related report reports research resources review
    reviews school science search section see services share sign site sitemap skip social
    society staff stories store subscribe support supplements symptoms terms tests the tips
    today tools topic topics treatment treatments type university update updates us video
    videos view visit visitors volume welcome wellness what who women work world your
""".split())


def is_name_like(text: str) -> bool:
    """A person's name and nothing else: 2-4 capitalised tokens ("Adrienne Dellwo", "J. Smith")."""
    core = _CREDENTIALS_RE.sub("", text.strip()).strip(" ,;")
    tokens = core.split()
    if not 2 <= len(tokens) <= 4 or core.isupper():
        return False
    named = 0
    for tok in tokens:
        if tok.lower() in _NAME_PARTICLES:
            continue
        if (tok.lower() in STOPWORDS or tok.lower().strip(".") in _NOT_NAME_WORDS
                or not _NAME_TOKEN_RE.fullmatch(tok)):
            return False
        named += 1
    return named >= 2


_BY_LABEL_RE = re.compile(r"^\s*(?:(?:written|reviewed|medically reviewed|fact[- ]checked|edited|"
                          r"posted|published|reported|updated)\s+by|by|authors?|reviewers?|"
                          r"contributors?|editors?)\s*:?\s*$", re.I)
_AFFILIATION_RE = re.compile(r"^\s*(?:author\s+)?affiliations?\s*:?\s*$", re.I)


def has_credentials(text: str) -> bool:
    """The line carries a professional credential after a name (", MD", " PhD")."""
    return bool(_CREDENTIALS_RE.search(text))


def byline_context(texts: list[str], i: int) -> bool:
    """A name-shaped line at ``i`` sits where a byline sits: it carries credentials, or a "By" /
    "Written by" / "Reviewed by" label line, a date line or another name is next to it."""
    if has_credentials(texts[i]):
        return True
    for j in (i - 1, i + 1):
        if not 0 <= j < len(texts):
            continue
        t = " ".join(texts[j].split())
        if (j < i and _BY_LABEL_RE.match(t)) or is_date_line(t) or _AFFILIATION_RE.match(t) or (
                len(t.split()) <= 12 and (is_name_like(t) or _BYLINE_RE.match(t)
                                          or _AUTHORS_FIELD_RE.match(t))):
            return True
    return False


def coi_terms(text: str) -> int:
    """How many distinct disclosure phrases ``text`` contains."""
    return len({m.group(0).lower() for m in _COI_TERMS_RE.finditer(text)})


def section_heading(text: str) -> str | None:
    """The metadata label of a bare section heading ("MeSH terms" -> mesh_terms), or None."""
    m = _SECTION_HEADING_RE.match(text)
    if not m:
        return None
    name = " ".join(m.group("name").lower().split())
    return _SECTION_LABELS.get(name, name.replace(" ", "_"))


def detect(text: str, feats: Features) -> MetaMatch | None:
    """The metadata field a unit is, judged from its text and shape alone."""
    t = " ".join(text.split())
    if not t:
        return None
    short = feats.words <= 15
    if t.lower().rstrip(".") in _PUBLICATION_TYPES and feats.all_caps:
        return MetaMatch("publication_type", f"publication type '{t}'")
    if _PUBTYPE_FIELD_RE.match(t) and feats.words <= 12:
        return MetaMatch("publication_type", "'Publication type:' field")
    if _COI_HEADING_RE.match(t):
        return MetaMatch("conflict_of_interest", f"disclosure heading '{t[:40]}'",
                         opens_coi=not feats.terminal and feats.words <= 6)
    if (not feats.prose and coi_terms(t) >= 2) or (feats.prose and coi_terms(t) >= 3):
        return MetaMatch("conflict_of_interest", "disclosure phrases "
                         f"({coi_terms(t)} distinct)")
    m = _KEYWORDS_RE.match(t)
    if m:
        label = "mesh_terms" if m.group("field").lower().startswith("mesh") else "keywords"
        return MetaMatch(label, f"'{m.group('field')}:' field")
    if _FUNDING_RE.match(t):
        return MetaMatch("funding", "funding statement")
    if short and _PMID_RE.search(t):
        return MetaMatch("pmid", "PubMed identifier")
    if short and _CITATION_RE.search(t):
        return MetaMatch("citation", "volume (issue), pages shape")
    if short and _DOI_RE.search(t) and not t.lower().startswith(("source", "http")):
        return MetaMatch("doi", "DOI")
    if feats.words <= 12 and _ET_AL_RE.match(t):
        return MetaMatch("authors", "'et al.' author line")
    if feats.words <= 30 and _AUTHOR_LIST_RE.match(t):
        return MetaMatch("authors", "author list 'Surname Initials, ...'")
    names = [n for n in re.split(r",\s*|;\s*|\s+and\s+|\s*&\s*", t.rstrip(".")) if n]
    if len(names) >= 2 and feats.words <= 40 and all(is_name_like(n) for n in names):
        return MetaMatch("authors", "list of person names")
    if feats.words <= 15 and _AUTHORS_FIELD_RE.match(t):
        return MetaMatch("authors", "author field")
    by = _BYLINE_RE.match(t)
    if by and feats.words <= 12:
        rest = by.group("rest")
        if is_date_line(rest):
            return MetaMatch("date", "byline date")
        name = rest.split(",")[0].split(" on ")[0].split("|")[0]
        if is_name_like(name) or (" and " in name and all(
                is_name_like(n) for n in name.split(" and "))):
            return MetaMatch("authors", "byline 'By ...'")
    if short and is_date_line(t):
        return MetaMatch("date", "date line")
    return None
