"""The state file's SQLite schema (tables and indexes), and its version.

:class:`waform.emulator.store.Store` creates these on open and refuses a file written with
another version.
"""

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (project TEXT PRIMARY KEY, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS templates (
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    state TEXT,
    change_status TEXT,
    review_due REAL,
    dto TEXT NOT NULL,
    internal TEXT NOT NULL,
    PRIMARY KEY (project, name, language)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS templates_due ON templates (review_due)
    WHERE review_due IS NOT NULL;
-- The keys alone: a list page's COUNT reads these instead of every stored DTO (a tenth of the
-- pages of the table: 10,000 templates are counted in about 1 ms instead of 3). A page filtered
-- by state or change status still counts from the table, as its rows are read anyway.
CREATE INDEX IF NOT EXISTS templates_keys ON templates (project, name, language);
CREATE TABLE IF NOT EXISTS blocks (
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    kind TEXT NOT NULL,          -- 'name' (deleted by name) or 'language' (deleted alone)
    until REAL NOT NULL,
    PRIMARY KEY (project, name, language)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activities_key ON activities (project, name, language, id);
CREATE TABLE IF NOT EXISTS webhooks (
    project TEXT NOT NULL,
    id TEXT NOT NULL,
    target TEXT NOT NULL,
    secret TEXT NOT NULL,
    triggers TEXT NOT NULL,
    PRIMARY KEY (project, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    target TEXT NOT NULL,
    secret TEXT NOT NULL,
    trigger TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    created REAL NOT NULL,
    last_error TEXT,
    response_status INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, next_at);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    status INTEGER NOT NULL,
    fault TEXT,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_project ON requests (project, id);
"""
