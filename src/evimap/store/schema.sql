-- evimap store schema, version 7. One DuckDB file; see docs/schema.md for every column.
-- Offsets (start_offset, end_offset) are character offsets into documents.text.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- One row per input file ingested (or refused): what made it, when, and why it failed.
CREATE TABLE IF NOT EXISTS files (
    path        VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    size        BIGINT,
    status      VARCHAR NOT NULL,      -- ok | error
    error       VARCHAR,
    n_docs      INTEGER,
    ingested_at TIMESTAMP,
    PRIMARY KEY (path, sha256)
);

-- A work is one paper or page however many copies (sources) of it were ingested: a connected
-- component over copy_pairs and equal content hashes. Its id comes from its members' content.
CREATE TABLE IF NOT EXISTS works (
    id           VARCHAR PRIMARY KEY,  -- stable_id('work', smallest member content key)
    title        VARCHAR,              -- title of the member holding that key
    content_hash VARCHAR,              -- smallest content hash of its members
    created_at   TIMESTAMP
);

-- A document is one source: one copy of a work, as read from one file record.
CREATE TABLE IF NOT EXISTS documents (
    id           VARCHAR PRIMARY KEY,  -- hash of format + text
    work_id      VARCHAR NOT NULL,
    path         VARCHAR NOT NULL,
    record       INTEGER NOT NULL,
    format       VARCHAR NOT NULL,
    title        VARCHAR,
    text         VARCHAR NOT NULL,
    metadata     JSON,
    offset_map   JSON,                 -- [[text offset, original offset], ...] or null
    source_kind  VARCHAR NOT NULL,
    credibility  DOUBLE NOT NULL,
    signals      JSON,                 -- [{name, weight, detail}]
    kind_scores  JSON,
    design       VARCHAR,
    content_hash VARCHAR NOT NULL,
    near_dup_of  VARCHAR,              -- the document it matched when joining its work
    similarity   DOUBLE,               -- containment with near_dup_of (1.0: exact copy)
    n_comments   INTEGER NOT NULL,
    ingested_at  TIMESTAMP
);

-- Other paths at which the same document (same bytes-derived text) was found.
CREATE TABLE IF NOT EXISTS document_paths (
    doc_id VARCHAR NOT NULL,
    path   VARCHAR NOT NULL,
    PRIMARY KEY (doc_id, path)
);

CREATE TABLE IF NOT EXISTS minhash (
    doc_id     VARCHAR PRIMARY KEY,
    signature  UBIGINT[] NOT NULL,
    n_shingles INTEGER,               -- distinct word 3-shingles of the main content
    n_sketch   INTEGER                -- how many of them are in shingle_sketch
);

CREATE TABLE IF NOT EXISTS lsh_bands (
    band   SMALLINT NOT NULL,
    hash   BIGINT NOT NULL,
    doc_id VARCHAR NOT NULL
);

-- The sketch of a document's main content: its shingle hashes divisible by 8. Documents
-- sharing enough of them are containment candidates (a short copy inside a long one).
CREATE TABLE IF NOT EXISTS shingle_sketch (
    hash   UINTEGER NOT NULL,
    doc_id VARCHAR NOT NULL
);

-- Accepted near-copy pairs (doc_a < doc_b), verified on exact shingle sets.
CREATE TABLE IF NOT EXISTS copy_pairs (
    doc_a       VARCHAR NOT NULL,
    doc_b       VARCHAR NOT NULL,
    containment DOUBLE NOT NULL,        -- share of the smaller text's shingles in the larger
    jaccard     DOUBLE NOT NULL,
    part        VARCHAR,                -- accepted by containment alone: the document held in
                                        -- the other (the smaller); null: accepted by Jaccard
    PRIMARY KEY (doc_a, doc_b)
);

CREATE TABLE IF NOT EXISTS segments (
    doc_id       VARCHAR NOT NULL,
    idx          INTEGER NOT NULL,
    kind         VARCHAR NOT NULL,
    label        VARCHAR,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    reason       VARCHAR,
    author       VARCHAR,
    date         VARCHAR,
    PRIMARY KEY (doc_id, idx)
);

CREATE TABLE IF NOT EXISTS concepts (
    id    VARCHAR PRIMARY KEY,             -- MeSH descriptor UI
    name  VARCHAR NOT NULL,
    type  VARCHAR NOT NULL,
    trees VARCHAR[]                        -- MeSH tree numbers: the hierarchy assembly uses
);

CREATE TABLE IF NOT EXISTS mentions (
    doc_id       VARCHAR NOT NULL,
    idx          INTEGER NOT NULL,
    segment_idx  INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    concept_id   VARCHAR NOT NULL,
    type         VARCHAR NOT NULL,
    source       VARCHAR,
    negated      BOOLEAN,
    hedged       BOOLEAN,
    hypothetical BOOLEAN,
    PRIMARY KEY (doc_id, idx)
);

-- One extracted assertion in one sentence of one document.
CREATE TABLE IF NOT EXISTS claims (
    id            VARCHAR PRIMARY KEY,
    statement_key VARCHAR NOT NULL,    -- hash of subject, predicate, object, negated
    doc_id        VARCHAR NOT NULL,
    work_id       VARCHAR NOT NULL,
    subject_id    VARCHAR NOT NULL,
    predicate     VARCHAR NOT NULL,
    object_id     VARCHAR NOT NULL,
    negated       BOOLEAN NOT NULL,
    hedged        BOOLEAN NOT NULL,
    hypothetical  BOOLEAN NOT NULL,
    qualifiers    JSON,
    segment_idx   INTEGER NOT NULL,
    segment_kind  VARCHAR NOT NULL,
    sentence      VARCHAR NOT NULL,
    start_offset  INTEGER NOT NULL,
    end_offset    INTEGER NOT NULL
);

-- The evidence behind one claim (one row per claim).
CREATE TABLE IF NOT EXISTS evidence (
    claim_id    VARCHAR PRIMARY KEY,
    design      VARCHAR NOT NULL,
    n           INTEGER,
    outcomes    VARCHAR[],
    dose        VARCHAR,
    population  VARCHAR,
    asserted_by VARCHAR NOT NULL,
    study       VARCHAR,
    extractor   VARCHAR,            -- name/version of the extractor that found the claim
    rule        VARCHAR             -- the rule or model that fired
);

-- Claims merged across works (rebuilt by the assemble stage after every ingest).
CREATE TABLE IF NOT EXISTS statements (
    key          VARCHAR PRIMARY KEY,
    subject_id   VARCHAR NOT NULL,
    predicate    VARCHAR NOT NULL,
    object_id    VARCHAR NOT NULL,
    negated      BOOLEAN NOT NULL,
    n_claims     INTEGER NOT NULL,
    n_works      INTEGER NOT NULL,
    best_design  VARCHAR,
    belief       DOUBLE NOT NULL,
    contested    BOOLEAN NOT NULL,
    explanation  JSON
);

-- What a claim listing shows, one row per claim (claims + evidence + the document's path,
-- source kind, credibility and identifiers + the concepts' names and types + the work's
-- title), sorted by subject_id, object_id, statement_key, id so lookups by subject, pair or
-- statement read a few vectors. Derived: rebuilt by the assemble stage after statements.
CREATE TABLE IF NOT EXISTS claim_lookup (
    id VARCHAR NOT NULL, statement_key VARCHAR NOT NULL, doc_id VARCHAR NOT NULL,
    work_id VARCHAR NOT NULL, path VARCHAR, source_kind VARCHAR, credibility DOUBLE,
    subject_id VARCHAR NOT NULL, subject_name VARCHAR, subject_type VARCHAR,
    predicate VARCHAR NOT NULL, object_id VARCHAR NOT NULL, object_name VARCHAR,
    object_type VARCHAR, negated BOOLEAN, hedged BOOLEAN, hypothetical BOOLEAN,
    qualifiers JSON, segment_idx INTEGER, segment_kind VARCHAR, sentence VARCHAR,
    start_offset INTEGER, end_offset INTEGER, design VARCHAR, n INTEGER, outcomes VARCHAR[],
    dose VARCHAR, population VARCHAR, asserted_by VARCHAR, study VARCHAR, extractor VARCHAR,
    rule VARCHAR, source_pmid VARCHAR, source_doi VARCHAR, source_pmcid VARCHAR,
    source_url VARCHAR, work_title VARCHAR
);

-- A reader's verdict on a claim (evimap curate, the API, the UI), keyed by the claim's id,
-- which is derived from its content, so it outlives a re-ingest. A claim marked wrong is
-- left out of its statement's belief.
CREATE TABLE IF NOT EXISTS curation (
    claim_id   VARCHAR PRIMARY KEY,
    verdict    VARCHAR NOT NULL,          -- wrong | right
    note       VARCHAR,
    curated_at TIMESTAMP NOT NULL
);

-- Discovery's concept index (derived, see docs/schema.md): the concepts each document is
-- about, from its mentions and the MeSH dictionary (physiological phenomena included),
-- refreshed after every ingest and before every discovery; rebuildable.
CREATE TABLE IF NOT EXISTS index_documents (
    doc_id VARCHAR PRIMARY KEY,
    year   SMALLINT                      -- publication year; null when unknown
);

CREATE TABLE IF NOT EXISTS index_terms (
    doc_id     VARCHAR NOT NULL,
    concept_id VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,         -- mention (the entity stage's) | dictionary
    in_title   BOOLEAN NOT NULL,         -- found in the title (the rest: abstract, body)
    PRIMARY KEY (doc_id, concept_id)
);

CREATE TABLE IF NOT EXISTS index_concepts (
    id    VARCHAR PRIMARY KEY,
    name  VARCHAR NOT NULL,
    type  VARCHAR NOT NULL,              -- chemical, disease, mechanism, procedure, phenomenon
    trees VARCHAR[]
);

-- The co-occurrence graph: works in which two indexed concepts occur together, per year.
CREATE VIEW IF NOT EXISTS cooccurrence AS
SELECT a.concept_id AS concept_a, b.concept_id AS concept_b, i.year,
       count(DISTINCT d.work_id) AS n_works
FROM index_terms a
JOIN index_terms b ON b.doc_id = a.doc_id AND a.concept_id < b.concept_id
JOIN index_documents i ON i.doc_id = a.doc_id
JOIN documents d ON d.id = a.doc_id
GROUP BY a.concept_id, b.concept_id, i.year;
