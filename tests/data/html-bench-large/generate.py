"""Write html-bench-large: ten invented web pages of real size (50-300 KB), with gold bodies.

Usage: ``python generate.py [OUT]`` (default: this folder) writes ``html/<id>.html.gz`` and
``ground-truth.json`` in the layout of the Zyte article-extraction benchmark. The output is
the same on every run (seeded); tests check the stored files against it.

Every word is made here: article sentences come from templates filled with invented
institutions, people and numbers; the chrome around them imitates the markup of real CMSs
(WordPress, Drupal, Next.js, Arc, a 2000s portal, ...): mega menus with hundreds of links,
inline scripts, JSON-LD and hydration JSON holding the article again, ad slots, cookie banners,
newsletter boxes, related and "most read" lists with one-sentence summaries, threaded reader
comments. The gold ``articleBody`` is what the benchmark counts: the article's paragraphs,
subheadings, list items, quotes and table rows (cells joined by spaces), without the title,
standfirst, byline, captions, "Read more" links, bios, tags and comments.
"""

from __future__ import annotations

import gzip
import html
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# --- words ------------------------------------------------------------------------------------

_PLACES = ["Northfield", "Easton", "Kelsby", "Marrow Bay", "Ashgrove", "Tillbury", "Oakhurst",
           "Redmere", "Southgate", "Brindle", "Carrow", "Westlake", "Fennick", "Halloway"]
_INSTITUTES = [f"the University of {p}" for p in _PLACES[:8]] + [
    f"{p} General Hospital" for p in _PLACES[8:]] + [
    "the Institute for Population Health", "the National Centre for Ageing Research",
    "St Brendan's Medical School", "the Lindqvist Research Foundation"]
_FIRST = ["Amira", "Jonas", "Helen", "Tomasz", "Grace", "Ravi", "Lucia", "Owen", "Mei",
          "Daniel", "Sofia", "Kwame", "Ingrid", "Patrick", "Noor", "Elliot", "Hana", "Marco"]
_LAST = ["Okafor", "Lindgren", "Marsh", "Kowalczyk", "Whitfield", "Iyer", "Moreno", "Bright",
         "Tanaka", "Feld", "Castellano", "Mensah", "Berg", "Doyle", "Haddad", "Price"]
_ROLES = ["a professor of epidemiology", "a cardiologist", "a senior lecturer in nutrition",
          "the lead author of the study", "a consultant neurologist", "a public health doctor",
          "a research fellow", "a professor of medicine", "a clinical pharmacist"]


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    exposure: str          # what people did ("drank three cups of coffee a day")
    agent: str             # the thing studied ("coffee")
    outcome: str           # "heart failure"
    group: str             # "adults over 60"
    section: str


TOPICS = [
    Topic("coffee-heart", "Three cups of coffee a day linked to lower heart failure risk",
          "drank three or more cups of coffee a day", "coffee", "heart failure",
          "adults over 50", "Health"),
    Topic("walking-dementia", "Brisk walking tied to slower memory decline in older adults",
          "walked briskly for half an hour most days", "brisk walking", "memory decline",
          "people over 65", "Science"),
    Topic("vitamin-d-fractures", "Vitamin D pills do not prevent fractures, large trial finds",
          "took a daily vitamin D supplement", "vitamin D", "bone fractures",
          "healthy adults", "Health"),
    Topic("screen-sleep", "Evening screen time and teenage sleep: what the new study shows",
          "used phones or tablets in the hour before bed", "screen use", "short sleep",
          "teenagers", "Family"),
    Topic("statins-muscle", "Statins rarely cause muscle pain, analysis of trials concludes",
          "took a statin", "statin treatment", "muscle pain", "patients with high cholesterol",
          "Medicine"),
    Topic("fasting-diabetes", "Intermittent fasting helped some people with type 2 diabetes",
          "ate only within an eight-hour window", "time-restricted eating",
          "high blood sugar", "adults with type 2 diabetes", "Wellbeing"),
    Topic("air-asthma", "Cleaner air zone cut asthma admissions among city children",
          "lived inside the low-emission zone", "cleaner air", "asthma attacks",
          "children under 12", "Environment"),
    Topic("aspirin-cancer", "Daily aspirin and bowel cancer: benefits weighed against bleeding",
          "took low-dose aspirin every day", "aspirin", "bowel cancer",
          "people with Lynch syndrome", "Health"),
    Topic("loneliness-stroke", "Loneliness raises stroke risk, ten-year study suggests",
          "reported feeling lonely most of the time", "loneliness", "stroke",
          "middle-aged adults", "Society"),
    Topic("sugar-tax-teeth", "Tooth extractions in children fell after the sugar levy",
          "grew up after the soft drinks levy", "the sugar levy", "tooth decay",
          "children aged 4 to 10", "Policy"),
]

_STUDY_SENTENCES = [
    "Researchers at {inst} followed {n:,} {group} for {k} years and found that those who "
    "{exposure} were {pct} percent less likely to develop {outcome} than those who did not.",
    "The team adjusted for age, smoking, weight, income and physical activity, and the link "
    "between {agent} and {outcome} held in every subgroup they examined.",
    "Over the course of the study, {m:,} participants developed {outcome}, a rate of roughly "
    "{r} cases per thousand people each year.",
    "The findings, published in the journal {journal}, add to a growing body of evidence on "
    "{agent} but cannot on their own show cause and effect.",
    "Because the study was observational, people who {exposure} may have differed in other "
    "ways that the researchers could not measure, such as diet or sleep.",
    "In a smaller randomised trial run alongside the main study, {n2} volunteers were assigned "
    "at random and the difference in {outcome} was {pct2} percent after {w} weeks.",
    "The researchers said the effect was strongest in {group} who had no history of {outcome} "
    "when the study began, and weaker in those who already had symptoms.",
    "Data came from health records, questionnaires filled in every {q} years and blood samples "
    "taken at the start of the study and again at its midpoint.",
    "When the analysis was limited to people who reported the same habits at every visit, the "
    "estimated reduction in {outcome} rose to {pct3} percent.",
    "Previous studies of {agent} have produced mixed results, partly because they relied on "
    "people remembering what they had done years earlier.",
    "The authors estimate that if the association is causal, about {nnt} people would need to "
    "change their habits for one case of {outcome} to be prevented over a decade.",
    "Around {share} percent of {group} in the country are thought to have {outcome} or to be "
    "at high risk of it, according to figures from the health ministry.",
    "Funding for the work came from {funder}, which had no role in the design of the study or "
    "the interpretation of its results.",
    "The trial was not large enough to detect rare side effects, and the participants were "
    "mostly white and well educated, which limits how far the results can be generalised.",
    "Independent experts said the size of the study and the length of follow-up were its main "
    "strengths, while the reliance on self-reported habits was its main weakness.",
    "A second analysis using genetic variants linked to {agent} pointed in the same direction, "
    "although its confidence intervals were wide.",
    "Doctors already advise {group} to keep active, eat well and stop smoking, and nothing in "
    "the new research changes that advice.",
    "For people who already {exposure}, the study offers some reassurance that the habit is "
    "not harmful, the authors wrote in their conclusion.",
    "The researchers now plan a longer trial in {place}, where {n3} volunteers will be "
    "followed for five years with regular check-ups and blood tests.",
    "Participants who dropped out of the study early tended to be older and in poorer health, "
    "which could have made the association look stronger than it really is.",
    "Rates of {outcome} have risen in {place} over the past decade, and the cost of treating it "
    "now runs to an estimated {cost} million a year.",
    "Nobody in the study was told to change what they did, so the results describe ordinary "
    "behaviour rather than the effect of an intervention.",
]
_QUOTES = [
    "This is one of the largest studies of its kind, and the pattern we saw was remarkably "
    "consistent across different groups of people.",
    "I would not tell anyone to start {exposure_short} because of this paper, but people who "
    "already do can carry on without worrying.",
    "What we still do not know is why the link exists, and that is the question our next "
    "trial is designed to answer.",
    "The results are encouraging, but observational studies have misled us before, so we need "
    "a proper randomised trial before changing any guidance.",
    "For patients, the message is a simple one: small, sustainable habits matter more than "
    "dramatic changes that are abandoned after a few weeks.",
    "We were surprised by how large the difference was, and we checked the analysis many times "
    "before we were confident enough to publish it.",
]
_JOURNALS = ["Heart and Circulation", "the Journal of Population Medicine", "Clinical Ageing",
             "Annals of Preventive Health", "the European Review of Epidemiology"]
_FUNDERS = ["the National Health Research Council", "the Halloway Trust",
            "a government research grant", "the Heart and Lung Foundation"]
_SUBHEADS = ["What the researchers found", "How the study was done", "What the experts say",
             "Limitations", "What this means for you", "The bigger picture", "What happens next",
             "Who took part"]
_TIPS = ["Talk to your doctor before starting or stopping any medicine",
         "Keep a simple diary of your habits for two weeks",
         "Aim for small changes you can keep up for months",
         "Check your blood pressure at least once a year",
         "Ask whether a test or treatment is backed by randomised trials",
         "Remember that a lower relative risk may be a small absolute change"]
_COMMENTS = [
    "I have {exposure_short} for years and never thought about {outcome}. Interesting read, "
    "thanks for explaining the limitations so clearly.",
    "Another study, another headline. Last year we were told the exact opposite about "
    "{agent}. I will wait for the randomised trial.",
    "My father had {outcome} at 58 and nobody ever mentioned {agent} to him. Wish this had "
    "been known earlier.",
    "Who funded this? Always the first question to ask with nutrition research.",
    "The absolute numbers matter more than the percentages. A {pct} percent drop in a rare "
    "outcome is not much for one person.",
    "As a nurse I see the other side of this every week. Prevention is so much cheaper than "
    "treatment, we should be investing more in it.",
    "Does anyone know if the study looked at people who started later in life?",
    "Great article, shared it with my running club.",
    "Correlation is not causation. People who {exposure_short} are probably healthier in lots "
    "of other ways too.",
    "I tried this for six months and felt much better, but that is just one person of course.",
    "The sample was mostly well educated people, so how does this apply to the rest of us?",
    "Thank you for linking to the actual paper instead of just the press release.",
]
_HEADLINE_PARTS = [
    ("Night shifts", "linked to", "weight gain"), ("Gum disease", "may raise", "dementia risk"),
    ("Green spaces", "tied to", "lower stress in cities"), ("Ultra-processed food",
                                                            "linked to", "depression"),
    ("Hearing aids", "could slow", "cognitive decline"), ("Daily flossing", "shows no effect on",
                                                          "heart attacks"),
    ("Cold water swimming", "may ease", "menopause symptoms"), ("Pet ownership", "tied to",
                                                                 "longer life after stroke"),
    ("Low-salt diet", "cuts", "blood pressure within a week"), ("Noise from traffic",
                                                                 "linked to", "poor sleep"),
    ("Fibre-rich breakfast", "may protect against", "bowel cancer"), ("Tai chi", "helps",
                                                                      "balance in older adults"),
    ("Shorter commutes", "linked to", "better mental health"), ("Weight-loss jabs", "may cut",
                                                                  "alcohol cravings"),
    ("Standing desks", "show little benefit for", "back pain"), ("Mediterranean diet",
                                                                 "linked to", "fewer falls"),
]
_SUMMARIES = [
    "New figures suggest {subject} {verb} {object}, according to a study of {n:,} people in "
    "{place}.",
    "Experts in {place} say the link between {subject} and {object} needs a proper trial.",
    "A review of {k} trials suggests {subject} {verb} {object}, but the effect is small.",
    "{person}, who led the work, says more research is needed before advice on {subject} "
    "changes.",
    "The report, out this week, looked at {subject} in {k} countries over two decades.",
    "Doctors in {place} are divided over whether {subject} really {verb} {object}.",
]
_SECTIONS = ["News", "Health", "Science", "Politics", "Business", "Technology", "Sport",
             "Culture", "Opinion", "Lifestyle", "Travel", "Money", "Environment", "Education"]
_SUBSECTIONS = ["Latest", "Analysis", "Explainers", "Features", "Interviews", "Video",
                "Podcasts", "Newsletters", "Data", "Investigations", "Local", "World",
                "Live", "Guides", "Reviews", "Archive", "Photos", "Events", "Columns",
                "Letters", "Weather", "Puzzles", "Obituaries", "Corrections"]
_FOOTER_LINKS = ["About us", "Contact us", "Careers", "Advertise with us", "Terms of use",
                 "Privacy policy", "Cookie settings", "Accessibility", "Complaints",
                 "Editorial standards", "Sitemap", "Help", "Subscriptions", "Archive",
                 "RSS feeds", "Newsletters", "Apps", "Corrections", "Syndication", "Press"]


class Words:
    """Seeded filling of the templates for one page."""

    def __init__(self, topic: Topic, seed: int) -> None:
        self.topic = topic
        self.rng = random.Random(seed)

    def person(self) -> str:
        return f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"

    def fill(self, template: str) -> str:
        r, t = self.rng, self.topic
        return template.format(
            inst=r.choice(_INSTITUTES), n=r.randrange(2000, 90000), n2=r.randrange(80, 900),
            n3=r.randrange(300, 3000), m=r.randrange(200, 4000), k=r.randrange(5, 25),
            pct=r.randrange(8, 40), pct2=r.randrange(5, 30), pct3=r.randrange(10, 45),
            r=r.randrange(2, 19), w=r.randrange(8, 52), q=r.randrange(2, 6),
            nnt=r.randrange(40, 600), share=r.randrange(3, 30), cost=r.randrange(40, 900),
            journal=r.choice(_JOURNALS), funder=r.choice(_FUNDERS), place=r.choice(_PLACES),
            group=t.group, exposure=t.exposure, agent=t.agent, outcome=t.outcome,
            exposure_short=t.exposure.split(" ", 1)[1] if " " in t.exposure else t.exposure)

    def sentence(self) -> str:
        return self.fill(self.rng.choice(_STUDY_SENTENCES))

    def paragraph(self, lo: int = 2, hi: int = 4) -> str:
        picked = self.rng.sample(_STUDY_SENTENCES, self.rng.randint(lo, hi))
        return " ".join(self.fill(s) for s in picked)

    def headline(self) -> str:
        a, b, c = self.rng.choice(_HEADLINE_PARTS)
        tail = self.rng.choice(["", ", study finds", ", researchers say", ", review suggests",
                                " in new trial", ""])
        return f"{a} {b} {c}{tail}"

    def summary(self) -> str:
        """A teaser's one-sentence summary of another story."""
        a, b, c = self.rng.choice(_HEADLINE_PARTS)
        return self.rng.choice(_SUMMARIES).format(
            subject=a.lower(), verb=b, object=c, n=self.rng.randrange(300, 50000),
            place=self.rng.choice(_PLACES), k=self.rng.randrange(4, 40), person=self.person())

    def comment(self) -> str:
        return self.fill(self.rng.choice(_COMMENTS))

    def date(self, year: int = 2024) -> tuple[str, str]:
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        hour, minute = self.rng.randint(0, 23), self.rng.randint(0, 59)
        months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]
        return (f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}",
                f"{months[month - 1]} {day}, {year} at {hour % 12 or 12}:{minute:02d} "
                f"{'am' if hour < 12 else 'pm'}")


# --- the article ------------------------------------------------------------------------------

@dataclass
class Article:
    """The article body as items: ("p" | "h2" | "quote", text), ("ul", items), ("table", rows)."""

    topic: Topic
    author: str
    date: str
    standfirst: str
    items: list[tuple[str, object]] = field(default_factory=list)

    def gold(self) -> str:
        lines: list[str] = []
        for kind, value in self.items:
            if kind in ("ul", "ol"):
                lines.extend(value)  # type: ignore[arg-type]
            elif kind == "table":
                lines.extend(" ".join(row) for row in value)  # type: ignore[attr-defined]
            else:
                lines.append(str(value))
        return "\n".join(lines)

    def plain(self) -> str:
        return self.gold().replace("\n", " ")


def make_article(words: Words, paragraphs: int, table: bool = False) -> Article:
    r = words.rng
    article = Article(words.topic, words.person(), words.date()[0][:10],
                      f"{words.sentence().split(',')[0]}, according to new research.")
    heads = r.sample(_SUBHEADS, len(_SUBHEADS))
    for i in range(paragraphs):
        if i and i % 4 == 0 and heads:
            article.items.append(("h2", heads.pop()))
        if i == 5:
            quote = words.fill(r.choice(_QUOTES))
            article.items.append(("p", f"“{quote}” said {words.person()}, "
                                       f"{r.choice(_ROLES)} at {r.choice(_INSTITUTES)}."))
            continue
        if i == 9:
            article.items.append(("quote", words.fill(r.choice(_QUOTES))))
            continue
        article.items.append(("p", words.paragraph()))
        if i == 7:
            article.items.append(("ul", r.sample(_TIPS, 4)))
        if i == 11 and table:
            rows = [["Group", "Participants", "Cases", "Rate per 1,000"]]
            for name in ("Lowest", "Middle", "Highest"):
                n, c = r.randrange(3000, 9000), r.randrange(60, 400)
                rows.append([f"{name} {words.topic.agent}", f"{n:,}", str(c),
                             f"{1000 * c / n:.1f}"])
            article.items.append(("table", rows))
    return article


def e(text: str) -> str:
    return html.escape(text, quote=False)


def a(text: str) -> str:
    return html.escape(text, quote=True)


def link_words(words: Words, text: str) -> str:
    """A paragraph's markup: a link or emphasis on some words, as editors add them."""
    parts = text.split(" ")
    if len(parts) > 12 and words.rng.random() < 0.5:
        i = words.rng.randrange(2, len(parts) - 6)
        tag = words.rng.choice(["a", "strong", "em"])
        attrs = ' href="https://example.org/study"' if tag == "a" else ""
        parts[i] = f"<{tag}{attrs}>{e(parts[i])}"
        parts[i + 2] = f"{e(parts[i + 2])}</{tag}>"
        return " ".join(p if p.startswith("<") or p.endswith(f"</{tag}>") else e(p)
                        for p in parts)
    return e(text)


def render_items(words: Words, article: Article, p_open: str = "<p>",
                 between: Callable[[int], str] | None = None) -> str:
    out = []
    for i, (kind, value) in enumerate(article.items):
        if kind == "p":
            out.append(f"{p_open}{link_words(words, str(value))}</p>")
        elif kind == "h2":
            out.append(f"<h2>{e(str(value))}</h2>")
        elif kind == "quote":
            out.append(f"<blockquote><p>{e(str(value))}</p></blockquote>")
        elif kind in ("ul", "ol"):
            out.append(f"<{kind}>" + "".join(f"<li>{e(x)}</li>" for x in value)  # type: ignore[attr-defined]
                       + f"</{kind}>")
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            head = "".join(f"<th>{e(c)}</th>" for c in rows[0])  # type: ignore[index]
            body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
                           for row in rows[1:])  # type: ignore[index]
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        if between is not None:
            out.append(between(i))
    return "\n".join(out)


# --- chrome -----------------------------------------------------------------------------------

def js_blob(rng: random.Random, kb: int) -> str:
    """Minified-looking JavaScript of about ``kb`` kilobytes."""
    chunks, size = [], 0
    names = ["e", "t", "n", "r", "o", "i", "a", "s", "c", "u", "l", "d", "f", "p"]
    while size < kb * 1024:
        f, x, y = rng.choice(names), rng.choice(names), rng.randrange(1000, 99999)
        chunk = (f"{y}:function({f},{x},n){{\"use strict\";var r=n({y % 977}),o=n.n(r),"
                 f"i=function(e){{return e&&e.__esModule?e:{{default:e}}}};{x}.exports="
                 f"function(t){{if(!t||\"object\"!=typeof t)return[];for(var a=[],s=0;"
                 f"s<t.length;s++)a.push(o()(t[s],\"data-{rng.randrange(99)}\"));return a}}}},")
        chunks.append(chunk)
        size += len(chunk)
    return "(self.webpackChunk=self.webpackChunk||[]).push([[" + str(rng.randrange(900)) + \
        "],{" + "".join(chunks) + "}]);"


def css_blob(rng: random.Random, kb: int) -> str:
    chunks, size = [], 0
    while size < kb * 1024:
        h = f"{rng.getrandbits(24):06x}"
        chunk = (f".c-{h}{{display:flex;margin:0 {rng.randrange(24)}px;color:#{h};"
                 f"font:400 {rng.randrange(12, 20)}px/1.4 Georgia,serif}}"
                 f"@media (min-width:{rng.randrange(600, 1400)}px){{.c-{h}{{padding:4px}}}}")
        chunks.append(chunk)
        size += len(chunk)
    return "".join(chunks)


def mega_menu(words: Words, per_section: int, cls: str = "menu") -> str:
    """A navigation bar with a drop-down of ``per_section`` links under every section."""
    r = words.rng
    out = [f'<ul class="{cls}">']
    for section in _SECTIONS:
        subs = [f"{section} {s}" for s in r.sample(_SUBSECTIONS, min(per_section,
                                                                       len(_SUBSECTIONS)))]
        subs += [words.headline() for _ in range(max(0, per_section - len(_SUBSECTIONS)))]
        out.append(f'<li class="{cls}-item has-children"><a href="/{section.lower()}">'
                   f'{section}</a><ul class="sub-{cls}">')
        out.extend(f'<li class="{cls}-item"><a href="/{section.lower()}/{i}">{e(s)}</a></li>'
                   for i, s in enumerate(subs))
        out.append("</ul></li>")
    out.append("</ul>")
    return "".join(out)


def teaser_list(words: Words, n: int, item_cls: str, summary: bool = True,
                tag: str = "article") -> str:
    """Related / most-read teasers: headline link, a one-sentence summary, a date."""
    out = []
    for i in range(n):
        head = words.headline()
        summ = f'<p class="{item_cls}__summary">{e(words.summary())}</p>' if summary else ""
        out.append(f'<{tag} class="{item_cls}"><a class="{item_cls}__link" href="/story/{i}'
                   f'-{words.rng.randrange(10**6)}"><h3 class="{item_cls}__title">{e(head)}'
                   f'</h3></a>{summ}<span class="{item_cls}__meta">{words.rng.randint(2, 59)} '
                   f'min ago</span></{tag}>')
    return "".join(out)


def footer_links(words: Words, columns: int) -> str:
    out = []
    for c in range(columns):
        links = words.rng.sample(_FOOTER_LINKS, 8) + words.rng.sample(_SECTIONS, 6)
        out.append(f'<div class="footer-col"><h4>{e(_SECTIONS[c % len(_SECTIONS)])}</h4><ul>'
                   + "".join(f'<li><a href="/f/{c}/{i}">{e(x)}</a></li>'
                             for i, x in enumerate(links)) + "</ul></div>")
    return "".join(out)


COOKIE = ('<div id="onetrust-banner-sdk" class="cookie-consent" role="dialog"><div '
          'class="ot-sdk-container"><p id="onetrust-policy-text">We and our 143 partners '
          'store and access information on your device, such as cookies, and process personal '
          'data such as unique identifiers for personalised advertising, content measurement '
          'and audience research. You can accept or manage your choices at any time.</p>'
          '<button id="onetrust-accept-btn-handler">Accept all</button><button>Manage '
          'preferences</button></div></div>')
NEWSLETTER = ('<div class="newsletter-signup"><h3>Get the Health Check newsletter</h3><p>'
              'The week in health research, explained by our science desk and delivered to '
              'your inbox every Friday morning.</p><form><input type="email" placeholder='
              '"Your email"><button>Sign up</button></form><p class="small">By signing up you '
              'agree to our privacy policy. You can unsubscribe at any time.</p></div>')


def ad_slot(rng: random.Random, i: int) -> str:
    return (f'<div class="ad-slot ad-slot--mpu" id="div-gpt-ad-{rng.randrange(10**9)}-{i}">'
            f'<span class="ad-label">Advertisement</span><script>googletag.cmd.push('
            f'function(){{googletag.display("div-gpt-ad-{i}")}});</script></div>')


def json_ld(article: Article, url: str, body: bool = True) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article.topic.title, "datePublished": article.date + "T08:00:00Z",
        "author": [{"@type": "Person", "name": article.author}],
        "mainEntityOfPage": url, "description": article.standfirst}
    if body:
        data["articleBody"] = article.plain()
    return ('<script type="application/ld+json">' + json.dumps(data, ensure_ascii=False)
            + "</script>")


def comments_wp(words: Words, n: int) -> str:
    """WordPress's threaded comment list (replies nested in ``ol.children``)."""
    def one(i: int, depth: int) -> str:
        stamp, shown = words.date()
        reply = ""
        if depth < 2 and words.rng.random() < 0.3:
            reply = f'<ol class="children">{one(i * 10 + 1, depth + 1)}</ol>'
        return (f'<li id="comment-{1000 + i}" class="comment depth-{depth + 1}"><article '
                f'id="div-comment-{1000 + i}" class="comment-body"><footer class="comment-meta">'
                f'<div class="comment-author vcard"><img class="avatar" src="/a.png" alt="">'
                f'<b class="fn">{e(words.person())}</b> <span class="says">says:</span></div>'
                f'<div class="comment-metadata"><a href="#comment-{1000 + i}"><time datetime="'
                f'{stamp}">{shown}</time></a></div></footer><div class="comment-content"><p>'
                f'{e(words.comment())}</p></div><div class="reply"><a class="comment-reply-link"'
                f' href="#respond">Reply</a></div></article>{reply}</li>')
    return ('<div id="comments" class="comments-area"><h2 class="comments-title">'
            f'{n} thoughts on this article</h2><ol class="comment-list">'
            + "".join(one(i, 0) for i in range(n)) + '</ol><div id="respond" class="comment-'
            'respond"><h3>Leave a Reply</h3><form class="comment-form"><p>Your email address '
            'will not be published.</p><textarea></textarea><button>Post Comment</button>'
            '</form></div></div>')


def comments_custom(words: Words, n: int) -> str:
    """A news site's own comment widget (div soup, username and timestamp classes)."""
    out = ['<section class="comments-section" id="user-comments"><h2>Comments (' + str(n)
           + ')</h2><div class="comments-sort">Sort by: <a href="#">Newest</a> <a href="#">'
           'Oldest</a> <a href="#">Most liked</a></div>']
    for i in range(n):
        stamp, _ = words.date()
        out.append(f'<div class="comment-item" id="c{i}"><div class="comment-header"><span '
                   f'class="username">{e(words.person().replace(" ", "_").lower())}</span>'
                   f'<time datetime="{stamp}">{stamp[:10]}</time></div><div class="comment-'
                   f'text"><p>{e(words.comment())}</p></div><div class="comment-actions"><a '
                   f'href="#">Reply</a> <a href="#">Like</a> <a href="#">Report</a></div></div>')
    out.append("</section>")
    return "".join(out)


# --- pages ------------------------------------------------------------------------------------

def head(article: Article, site: str, url: str, extra: str = "") -> str:
    t = article.topic
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(t.title)} | '
            f'{e(site)}</title><meta name="viewport" content="width=device-width">'
            f'<meta property="og:title" content="{a(t.title)}"><meta property="og:site_name" '
            f'content="{a(site)}"><meta name="description" content="{a(article.standfirst)}">'
            f'<link rel="canonical" href="{url}">{extra}</head>')


def page_wordpress(words: Words) -> tuple[str, Article]:
    """WordPress news theme (Newspaper/Jnews-like): mega menu, sidebar, related, comments."""
    r, art = words.rng, make_article(words, 16)
    url = f"https://healthdesk.example/{art.topic.slug}/"
    def between(i: int) -> str:
        if i in (3, 10):
            return ad_slot(r, i)
        return (f'<p class="jp-relatedposts-i2"><strong>Read more:</strong> <a href="/x">'
                f'{e(words.headline())}</a></p>' if i == 6 else "")
    body = (f'<body class="post-template-default single single-post"><div id="page" class='
            f'"site">{COOKIE}<header id="masthead" class="site-header"><div class="td-header-'
            f'top-menu"><span class="td-date">Friday, March 8, 2024</span></div><div class='
            f'"site-branding"><p class="site-title"><a href="/">Health Desk</a></p></div><nav '
            f'id="site-navigation" class="main-navigation">{mega_menu(words, 30)}</nav></header>'
            f'<div id="content" class="site-content"><div id="primary" class="content-area">'
            f'<main id="main" class="site-main"><article id="post-4412" class="post-4412 post '
            f'type-post status-publish"><header class="entry-header"><div class="td-category">'
            f'<a href="/c/health">{art.topic.section}</a></div><h1 class="entry-title">'
            f'{e(art.topic.title)}</h1><div class="entry-meta"><span class="byline">By <span '
            f'class="author vcard"><a class="url fn n" href="/author/x">{e(art.author)}</a>'
            f'</span></span> <span class="posted-on"><time class="entry-date published" '
            f'datetime="{art.date}T08:00:00+00:00">{art.date}</time></span></div></header>'
            f'<div class="td-post-sharing-top sharedaddy"><a href="#">Facebook</a> <a href="#">'
            f'Twitter</a> <a href="#">WhatsApp</a> <a href="#">Email</a></div><figure class="wp-'
            f'block-image"><img src="/i.jpg" alt=""><figcaption>Photo: a volunteer at a study '
            f'clinic in {r.choice(_PLACES)}. (Stock image)</figcaption></figure><div class='
            f'"entry-content">{render_items(words, art, between=between)}</div><footer class='
            f'"entry-footer"><span class="tags-links">Tagged <a href="/t/1">{art.topic.agent}'
            f'</a>, <a href="/t/2">{art.topic.outcome}</a></span></footer></article><div class='
            f'"author-bio"><h4>About {e(art.author)}</h4><p>{e(art.author)} has covered health '
            f'and science for the site since 2015 and previously worked as a hospital doctor in '
            f'{r.choice(_PLACES)}.</p></div><nav class="post-navigation"><a href="/p">Previous: '
            f'{e(words.headline())}</a> <a href="/n">Next: {e(words.headline())}</a></nav>'
            f'<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-'
            f'headline">Related</h3>{teaser_list(words, 6, "jp-relatedposts-post")}</div>'
            f'{comments_wp(words, 14)}</main></div><aside id="secondary" class="widget-area">'
            f'<section class="widget widget_recent_entries"><h2 class="widget-title">Recent '
            f'Posts</h2>{teaser_list(words, 10, "recent-post", summary=False, tag="div")}'
            f'</section><section class="widget">{NEWSLETTER}</section><section class="widget '
            f'popular-posts"><h2 class="widget-title">Most popular</h2>'
            f'{teaser_list(words, 10, "pop-post")}</section></aside></div><footer id="colophon" '
            f'class="site-footer"><div class="footer-widgets">{footer_links(words, 6)}</div>'
            f'<div class="site-info">© 2024 Health Desk. All rights reserved.</div></footer>'
            f'</div><script>{js_blob(r, 40)}</script></body></html>')
    extra = (json_ld(art, url) + f"<style>{css_blob(r, 30)}</style>"
             + f"<script>{js_blob(r, 20)}</script>")
    return head(art, "Health Desk", url, extra) + body, art


def page_drupal(words: Words) -> tuple[str, Article]:
    """Drupal 9 (Olivero-like): field wrappers, views blocks, huge footer menus."""
    r, art = words.rng, make_article(words, 14, table=True)
    url = f"https://news.northfield.example/news/{art.topic.slug}"
    paragraphs = render_items(words, art)
    body = (f'<body class="path-node page-node-type-article"><a href="#main-content" class='
            f'"visually-hidden focusable skip-link">Skip to main content</a><div class="dialog-'
            f'off-canvas-main-canvas"><div class="region region-alert"><div class="alert-banner">'
            f'<p>Campus services are running a reduced timetable this week. Check the status '
            f'page before you travel.</p></div></div><header class="site-header"><div class='
            f'"region-header"><div id="block-sitebranding"><a href="/">Northfield University '
            f'News</a></div><nav role="navigation" id="block-mainnavigation">'
            f'{mega_menu(words, 24, "menu")}</nav></div></header><div class="region-breadcrumb">'
            f'<nav class="breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/news">News'
            f'</a></li><li>{e(art.topic.section)}</li></ol></nav></div><main role="main">'
            f'<a id="main-content" tabindex="-1"></a><div class="region region-content">'
            f'<div data-drupal-messages-fallback class="hidden"></div><article role="article" '
            f'class="node node--type-article node--view-mode-full"><div class="node__content">'
            f'<h1 class="page-title"><span class="field field--name-title">{e(art.topic.title)}'
            f'</span></h1><div class="field field--name-field-subtitle"><p>{e(art.standfirst)}'
            f'</p></div><div class="field field--name-field-date"><time datetime="{art.date}">'
            f'{art.date}</time></div><div class="field field--name-body field--type-text-with-'
            f'summary field--label-hidden field__item">{paragraphs}</div><div class="field '
            f'field--name-field-media-contact"><h3>Media contact</h3><p>{e(words.person())}, '
            f'press office, telephone 01234 567 890</p></div><div class="field field--name-field-'
            f'tags field__items"><div class="field__label">Tags</div><div class="field__item"><a '
            f'href="/t/1">{e(art.topic.agent)}</a></div><div class="field__item"><a href="/t/2">'
            f'Research</a></div></div><div class="addtoany_list"><a class="a2a_button_facebook">'
            f'Facebook</a><a class="a2a_button_x">X</a><a class="a2a_button_email">Email</a>'
            f'</div></div></article><div class="views-element-container block-views-block-'
            f'related-news"><h2>Related news</h2><div class="view-content">'
            f'{teaser_list(words, 8, "views-row")}</div></div><div class="views-element-'
            f'container block-views-block-events"><h2>Upcoming events</h2>'
            f'{teaser_list(words, 6, "event-row")}</div></div></main><footer class="site-footer">'
            f'<div class="region-footer-top">{footer_links(words, 10)}</div><div class="region-'
            f'footer-bottom"><p>Northfield University is a registered charity. © 2024</p></div>'
            f'</footer></div><script type="application/json" data-drupal-selector="drupal-'
            f'settings-json">{json.dumps({"path": {"baseUrl": "/"}, "ajaxPageState": {"libraries": js_blob(r, 8)}})}'  # noqa: E501
            f'</script><script>{js_blob(r, 60)}</script></body></html>')
    extra = f"<style>{css_blob(r, 25)}</style>"
    return head(art, "Northfield University News", url, extra) + body, art


def page_nextjs(words: Words) -> tuple[str, Article]:
    """A React/Next.js news site: hashed classes, ad slots, __NEXT_DATA__ with everything."""
    r, art = words.rng, make_article(words, 18)
    url = f"https://www.dailyledger.example/health/{art.topic.slug}-{r.randrange(10**7)}"

    def cls(name: str) -> str:
        return f"{name}_{r.getrandbits(20):05x} css-{r.getrandbits(24):06x}"

    def between(i: int) -> str:
        if i in (2, 8, 14):
            return ad_slot(r, i)
        if i == 5:
            return (f'<div class="{cls("InlineRelated")}" data-component="inline-related"><span>'
                    f'Read more</span><a href="/x"><p>{e(words.headline())}</p></a></div>')
        if i == 11:
            return f'<div class="{cls("Newsletter")}">{NEWSLETTER}</div>'
        return ""
    items = render_items(words, art, p_open=f'<p class="{cls("Paragraph")}">',
                         between=between)
    related = teaser_list(words, 12, "RelatedStory")
    most = teaser_list(words, 10, "MostRead")
    state = {"props": {"pageProps": {"article": {
        "headline": art.topic.title, "body": [{"type": k, "content": v} for k, v in art.items],
        "related": [{"headline": words.headline(), "summary": words.summary()}
                    for _ in range(40)]}, "nav": [[s, _SUBSECTIONS] for s in _SECTIONS]}},
        "buildId": f"{r.getrandbits(64):x}", "chunks": js_blob(r, 20)}
    body = (f'<body><div id="__next"><div class="{cls("Layout")}">{COOKIE}<header class='
            f'"{cls("Header")}"><div class="{cls("TopBar")}"><a href="/subscribe">Subscribe</a>'
            f' <a href="/login">Sign in</a></div><nav class="{cls("Nav")}">'
            f'{mega_menu(words, 40, "nav")}</nav><div class="{cls("Ticker")}"><span>Breaking'
            f'</span><a href="/b">{e(words.headline())}</a></div></header><main class="'
            f'{cls("Main")}"><article class="{cls("Article")}"><div class="{cls("Kicker")}">'
            f'{art.topic.section}</div><h1 class="{cls("Headline")}">{e(art.topic.title)}</h1>'
            f'<p class="{cls("Standfirst")}">{e(art.standfirst)}</p><div class="{cls("Byline")}'
            f'"><span>By <a href="/au">{e(art.author)}</a></span><time datetime="{art.date}">'
            f'{art.date}</time></div><div class="{cls("ShareBar")}"><button>Share</button>'
            f'<button>Save</button></div><figure class="{cls("Figure")}"><img src="/i.jpg" '
            f'alt=""><figcaption>Researchers tracked participants for more than a decade. '
            f'Photograph: Agency</figcaption></figure><div class="{cls("ArticleBody")}">{items}'
            f'</div><div class="{cls("AuthorBio")}"><p>{e(art.author)} is health correspondent '
            f'at the Daily Ledger.</p></div></article><section class="{cls("Related")}"><h2>'
            f'More on this story</h2>{related}</section><section class="{cls("MostRead")}"><h2>'
            f'Most read</h2>{most}</section></main><footer class="{cls("Footer")}">'
            f'{footer_links(words, 8)}<p>© 2024 The Daily Ledger Ltd</p></footer></div></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'
            f'<script>{js_blob(r, 50)}</script></body></html>')
    extra = json_ld(art, url) + f"<style>{css_blob(r, 20)}</style>"
    return head(art, "The Daily Ledger", url, extra) + body, art


def page_arc(words: Words) -> tuple[str, Article]:
    """An Arc-XP-like paper: Fusion globals, div soup with data-qa hooks, wide link rails."""
    r, art = words.rng, make_article(words, 20)
    url = f"https://www.capitolpost.example/health/2024/{art.topic.slug}/"
    def between(i: int) -> str:
        return ('<div class="article-ad ad-container"><div class="ad" data-qa="ad">'
                'Advertisement</div></div>' if i % 5 == 4 else "")
    items = render_items(words, art, p_open='<p class="font-copy" data-qa="article-body">',
                         between=between)
    rail = "".join(f'<div class="rail-card"><a href="/r{i}"><span>{e(words.headline())}</span>'
                   f'</a></div>' for i in range(30))
    fusion = {"globalContent": {"content_elements": [{"type": k, "content": v}
                                                     for k, v in art.items]},
              "contentCache": {f"site-menu-{i}": [words.headline() for _ in range(12)]
                               for i in range(30)}}
    body = (f'<body><div id="fusion-app"><div class="skip-link"><a href="#main">Skip to main '
            f'content</a></div><div class="site-header-wrapper"><div class="nav-sections">'
            f'{mega_menu(words, 50, "nav-menu")}</div><div class="masthead">The Capitol Post'
            f'</div></div><main id="main"><div class="article-layout"><div class="headline-'
            f'wrapper"><h1 data-qa="headline">{e(art.topic.title)}</h1><h2 data-qa="subheadline"'
            f' class="subheadline">{e(art.standfirst)}</h2></div><div class="author-byline" '
            f'data-qa="author-name">By {e(art.author)}</div><div class="display-date" data-qa='
            f'"timestamp">{art.date}</div><div class="article-body">{items}</div><div class='
            f'"interstitial-link"><a href="/c">Coronavirus: what you need to know</a></div>'
            f'<div class="recirc-rail right-rail">{rail}</div></div></main><div class="'
            f'newsletter-module">{NEWSLETTER}</div><footer>{footer_links(words, 12)}</footer>'
            f'</div><script id="fusion-metadata">window.Fusion=window.Fusion||{{}};Fusion.'
            f'globalContent={json.dumps(fusion)};</script><script>{js_blob(r, 80)}</script>'
            f'</body></html>')
    return head(art, "The Capitol Post", url, json_ld(art, url)) + body, art


def page_portal(words: Words) -> tuple[str, Article]:
    """A 2000s portal: table layout, left menu column, font tags, many link lists."""
    r, art = words.rng, make_article(words, 12)
    url = f"http://www.healthportal.example/articles/{art.topic.slug}.html"
    left = "".join(f'<a href="/s{i}"><font size="2">{e(s)}</font></a><br>'
                   for i, s in enumerate([f"{x} {y}" for x in _SECTIONS for y in
                                          _SUBSECTIONS[:12]]))
    items = "".join(f'<p><font face="Verdana" size="2">{link_words(words, str(v))}</font></p>'
                    if k == "p" else
                    (f'<p><b><font size="3">{e(str(v))}</font></b></p>' if k == "h2" else
                     (f'<blockquote>{e(str(v))}</blockquote>' if k == "quote" else
                      "<ul>" + "".join(f"<li>{e(x)}</li>" for x in v) + "</ul>"))  # type: ignore[attr-defined]
                    for k, v in art.items)
    more = "".join(f'<tr><td><a href="/a{i}"><font size="2">{e(words.headline())}</font></a>'
                   f'</td></tr>' for i in range(60))
    body = (f'<body bgcolor="#ffffff"><table width="100%" border="0"><tr><td colspan="3" '
            f'class="banner"><img src="/banner.gif" alt="HealthPortal"> <a href="/ad">Click '
            f'here for cheap flights!</a></td></tr><tr><td width="180" valign="top" class="'
            f'leftmenu">{left}</td><td valign="top"><font face="Verdana"><h1>{e(art.topic.title)}'
            f'</h1><p><i>By {e(art.author)}, {art.date}</i></p>{items}<p><a href="/print">'
            f'Printer friendly version</a> | <a href="/mail">E-mail this article</a></p>'
            f'</font></td><td width="200" valign="top" class="rightcol"><b>More headlines</b>'
            f'<table>{more}</table></td></tr><tr><td colspan="3" align="center"><font size="1">'
            f'Copyright 2006 HealthPortal Inc. | <a href="/privacy">Privacy</a> | <a href="/t">'
            f'Terms</a></font></td></tr></table><script>{js_blob(r, 32)}</script></body></html>')
    return head(art, "HealthPortal", url) + body, art


def page_bbc(words: Words) -> tuple[str, Article]:
    """A public broadcaster: data-component text blocks, related topics, most read."""
    r, art = words.rng, make_article(words, 15)
    url = f"https://www.broadcaster.example/news/health-{r.randrange(10**8)}"
    blocks = []
    for kind, value in art.items:
        if kind == "p":
            blocks.append(f'<div data-component="text-block" class="ssrcss-11r1m41-RichText'
                          f'Container"><p class="ssrcss-1q0x1qg-Paragraph">'
                          f'{link_words(words, str(value))}</p></div>')
        elif kind == "h2":
            blocks.append(f'<div data-component="subheadline-block"><h2 class="ssrcss-'
                          f'StyledHeading">{e(str(value))}</h2></div>')
        elif kind == "quote":
            blocks.append(f'<div data-component="text-block"><blockquote><p>{e(str(value))}'
                          f'</p></blockquote></div>')
        else:
            blocks.append('<div data-component="text-block"><ul>' + "".join(
                f"<li>{e(x)}</li>" for x in value) + "</ul></div>")  # type: ignore[attr-defined]
    topics = "".join(f'<li><a href="/t{i}">{s}</a></li>' for i, s in enumerate(_SECTIONS))
    body = (f'<body><div id="main-wrapper"><div class="orb-banner-wrapper"><header '
            f'class="orbit-header-container" role="banner"><nav aria-label="Broadcaster">'
            f'{mega_menu(words, 20, "orbit-menu")}</nav></header></div><div id="main-content">'
            f'<main role="main"><article><header><h1 id="main-heading">{e(art.topic.title)}'
            f'</h1></header><div data-component="byline-block"><div>By {e(art.author)}</div>'
            f'<div>Health reporter</div></div><div data-component="image-block"><figure><img '
            f'src="/i.jpg" alt=""><figcaption>Getty Images</figcaption></figure></div>'
            f'{"".join(blocks)}<div data-component="tag-list"><ul>{topics}</ul></div>'
            f'<section data-component="links-block"><h2>More on this story</h2>'
            f'{teaser_list(words, 5, "links-item", summary=False, tag="div")}</section>'
            f'</article><div data-component="most-read"><h2>Most read</h2><ol>'
            f'{teaser_list(words, 10, "most-read-item", summary=False, tag="li")}</ol></div>'
            f'<section data-component="top-stories"><h2>Top stories</h2>'
            f'{teaser_list(words, 12, "promo")}</section></main></div><footer role="content'
            f'info">{footer_links(words, 5)}<p>Copyright 2024 Broadcaster. The Broadcaster is '
            f'not responsible for the content of external sites.</p></footer></div><script>'
            f'window.__INITIAL_DATA__={json.dumps(json.dumps({"article": art.gold(), "x": js_blob(r, 30)}))}'  # noqa: E501
            f';</script><script>{js_blob(r, 40)}</script></body></html>')
    return head(art, "Broadcaster News", url, json_ld(art, url, body=False)) + body, art


def page_medical(words: Words) -> tuple[str, Article]:
    """A consumer medical site: fact-check box, key takeaways, references, newsletter."""
    r, art = words.rng, make_article(words, 16, table=True)
    url = f"https://www.wellnessfacts.example/articles/{r.randrange(10**6)}"
    refs = "".join(f'<li>{e(words.person())}, et al. ({r.randint(2015, 2024)}). '
                   f'{e(words.headline())}. {e(r.choice(_JOURNALS))}. https://doi.org/10.'
                   f'{r.randrange(1000, 9999)}/{r.randrange(10**6)}</li>' for _ in range(25))
    body = (f'<body><div class="css-app">{COOKIE}<header class="css-header"><nav class="'
            f'css-topnav">{mega_menu(words, 28, "nav")}</nav><div class="search">'
            f'<form><input placeholder="Search"></form></div></header><main><article '
            f'class="article"><div class="breadcrumbs"><a href="/">Home</a> › <a href="/h">'
            f'{art.topic.section}</a></div><h1>{e(art.topic.title)}</h1><div class="css-'
            f'factcheck"><span>Medically reviewed by {e(words.person())}, MD</span> — <span>'
            f'Written by {e(art.author)}</span> — <span>Updated on {art.date}</span></div>'
            f'<div class="key-takeaways"><h2>Key takeaways</h2><ul><li>{e(words.sentence())}'
            f'</li><li>{e(words.sentence())}</li></ul></div><div class="article-body css-body">'
            f'{render_items(words, art, between=lambda i: NEWSLETTER if i == 9 else "")}</div>'
            f'<div class="css-sources"><h2>Sources</h2><p>We use peer-reviewed studies and '
            f'academic research to write our articles.</p><ul class="references">{refs}</ul>'
            f'</div><div class="share-tools"><a>Share</a><a>Email</a><a>Print</a></div>'
            f'</article><aside class="css-sidebar"><h3>Related coverage</h3>'
            f'{teaser_list(words, 12, "related-card")}</aside></main><footer class="css-footer">'
            f'{footer_links(words, 7)}<p>© 2024 Wellness Facts. This content does not provide '
            f'medical advice.</p></footer></div><script>{js_blob(r, 90)}</script></body></html>')
    extra = json_ld(art, url) + f"<style>{css_blob(r, 40)}</style>"
    return head(art, "Wellness Facts", url, extra) + body, art


def page_local(words: Words) -> tuple[str, Article]:
    """A local paper: ad-heavy, Taboola, sponsored links, its own comment widget."""
    r, art = words.rng, make_article(words, 13)
    url = f"https://www.valleygazette.example/news/local/{art.topic.slug}"
    def between(i: int) -> str:
        return ad_slot(r, i) if i % 3 == 2 else ""
    taboola = "".join(f'<div class="trc_spotlight_item"><a href="https://ads.example/{i}">'
                      f'<span class="video-title">{e(words.headline())}</span><span class='
                      f'"branding">Sponsored</span></a></div>' for i in range(18))
    body = (f'<body class="story-page"><div class="page-wrapper">{COOKIE}<div class="top-'
            f'leaderboard ad-slot">Advertisement</div><header class="site-header"><div class='
            f'"site-logo">Valley Gazette</div><nav class="nav-primary">'
            f'{mega_menu(words, 22, "menu")}</nav><div class="weather-widget">12°C Light rain'
            f'</div></header><div class="story-container"><div class="story"><div class="story-'
            f'section">Local News</div><h1 class="story-headline">{e(art.topic.title)}</h1>'
            f'<div class="story-meta"><span class="author">{e(art.author)}</span><span class='
            f'"timestamp">{art.date}</span></div><div class="story-body" itemprop="articleBody">'
            f'{render_items(words, art, between=between)}</div><div class="story-tags"><a>'
            f'{art.topic.agent}</a> <a>{art.topic.outcome}</a></div></div>'
            f'{comments_custom(words, 20)}<div id="taboola-below-article" class="trc_related_'
            f'container"><h3>You May Like</h3>{taboola}</div></div><div class="sidebar">'
            f'<div class="widget trending"><h3>Trending</h3>{teaser_list(words, 8, "trend")}'
            f'</div><div class="ad-slot">Advertisement</div></div><footer class="site-footer">'
            f'{footer_links(words, 6)}<p>© Valley Gazette 2024</p></footer></div><script>'
            f'{js_blob(r, 70)}</script></body></html>')
    return head(art, "Valley Gazette", url, json_ld(art, url)) + body, art


def page_ghost(words: Words) -> tuple[str, Article]:
    """A Ghost blog with a long WordPress-style comment thread and few scripts."""
    r, art = words.rng, make_article(words, 14)
    url = f"https://notesonevidence.example/{art.topic.slug}/"
    body = ('<body class="post-template"><div class="site-wrapper"><header class="gh-head">'
            '<nav class="gh-head-menu"><ul class="nav">' + "".join(
                f'<li><a href="/{s.lower()}">{s}</a></li>' for s in _SECTIONS) +
            f'</ul></nav><div class="gh-head-actions"><a href="/signin">Sign in</a><a href='
            f'"/signup" class="gh-button">Subscribe</a></div></header><main id="site-main" '
            f'class="site-main"><article class="article post"><header class="article-header '
            f'gh-canvas"><h1 class="article-title">{e(art.topic.title)}</h1><p class="article-'
            f'excerpt">{e(art.standfirst)}</p><div class="article-byline"><div class="article-'
            f'byline-meta"><h4 class="author-name"><a href="/author/">{e(art.author)}</a></h4>'
            f'<div class="byline-meta-content"><time class="byline-meta-date" datetime="'
            f'{art.date}">{art.date}</time> <span class="byline-reading-time">8 min read</span>'
            f'</div></div></div></header><section class="gh-content gh-canvas">'
            f'{render_items(words, art)}</section></article>{comments_wp(words, 30)}</main>'
            f'<aside class="read-more-wrap"><div class="read-more inner">'
            f'{teaser_list(words, 9, "post-card")}</div></aside><footer class="site-footer">'
            f'<div class="inner"><section class="copyright">Notes on Evidence © 2024</section>'
            f'</div></footer></div><script>{js_blob(r, 30)}</script></body></html>')
    return head(art, "Notes on Evidence", url, json_ld(art, url, body=False)) + body, art


def page_magazine(words: Words) -> tuple[str, Article]:
    """A magazine with sections, a pull quote, an inline gallery and a giant footer."""
    r, art = words.rng, make_article(words, 22, table=True)
    url = f"https://www.weeklyscience.example/{art.topic.section.lower()}/{art.topic.slug}"
    gallery = "".join(f'<figure class="gallery-item"><img src="/g{i}.jpg" alt=""><figcaption>'
                      f'Image {i + 1} of 8: {e(words.headline())}</figcaption></figure>'
                      for i in range(8))

    def between(i: int) -> str:
        if i == 4:
            return f'<div class="gallery-embed">{gallery}</div>'
        if i == 12:
            return (f'<aside class="pullquote"><p>{e(words.fill(r.choice(_QUOTES)))}</p>'
                    f'</aside>')
        if i == 16:
            return ad_slot(r, i)
        return ""
    body = (f'<body><div id="app"><div class="paywall-banner"><p>You have 2 free articles '
            f'left this month. Subscribe for unlimited access.</p></div><header class="header">'
            f'<nav class="primary-nav">{mega_menu(words, 36, "nav")}</nav></header><main>'
            f'<article class="article-page"><div class="article-rubric">{art.topic.section}'
            f'</div><h1 class="article-headline">{e(art.topic.title)}</h1><p class="article-'
            f'dek">{e(art.standfirst)}</p><p class="article-byline">{e(art.author)} · '
            f'{art.date}</p><div class="article-content">'
            f'{render_items(words, art, between=between)}</div><div class="article-footer">'
            f'<p class="article-correction">This article was amended on {art.date} to correct '
            f'the number of participants.</p></div></article><section class="more-from-'
            f'section"><h2>More from {art.topic.section}</h2>{teaser_list(words, 16, "card")}'
            f'</section></main><footer class="site-footer">{footer_links(words, 14)}</footer>'
            f'</div><script>{js_blob(r, 100)}</script></body></html>')
    extra = json_ld(art, url) + f"<style>{css_blob(r, 50)}</style>"
    return head(art, "Weekly Science", url, extra) + body, art


LAYOUTS: dict[str, Callable[[Words], tuple[str, Article]]] = {
    "wordpress": page_wordpress, "drupal": page_drupal, "nextjs": page_nextjs,
    "arc": page_arc, "portal": page_portal, "broadcaster": page_bbc,
    "medical": page_medical, "local": page_local, "ghost": page_ghost,
    "magazine": page_magazine,
}


def pages() -> dict[str, tuple[str, str]]:
    """id -> (page HTML, gold articleBody)."""
    out = {}
    for number, ((layout, build), topic) in enumerate(zip(LAYOUTS.items(), TOPICS,
                                                          strict=True)):
        page, article = build(Words(topic, seed=1000 + number))
        out[f"{layout}-{topic.slug}"] = (page, article.gold())
    return out


def write(folder: Path) -> None:
    (folder / "html").mkdir(parents=True, exist_ok=True)
    truth = {}
    for page_id, (page, gold) in pages().items():
        (folder / "html" / f"{page_id}.html.gz").write_bytes(
            gzip.compress(page.encode("utf-8"), mtime=0))
        truth[page_id] = {"articleBody": gold, "source": "generate.py"}
    (folder / "ground-truth.json").write_text(
        json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
