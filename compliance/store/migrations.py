"""The database's named migrations (sqlite-utils' own): shipped ones are never edited, only added to."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from compliance.store._common import forget_columns

migrations = Migrations("compliance")


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied (empty when up to date)."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    if pending:
        forget_columns()  # a migration may change what `SELECT *` gives rows_in_one_step
    return pending


def pending_migrations(db: Database) -> list[str]:
    return [m.name for m in migrations.pending(db)]


def applied_migrations(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE frameworks (
            key TEXT PRIMARY KEY,
            id TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('published', 'draft')),
            requirement_count INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            source_name TEXT NOT NULL,
            source_toml TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            UNIQUE (id, version)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sector TEXT NOT NULL,
            contact_name TEXT NOT NULL DEFAULT '',
            contact_email TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
            created_at TEXT NOT NULL
        )
        """
    )


@migrations(name="0002_accounts_and_audit_log")
def _accounts(db: Database) -> None:
    # One statement at a time: executescript() would commit, breaking the migration's transaction.
    for statement in ACCOUNTS_SCHEMA:
        db.execute(statement)


ACCOUNTS_SCHEMA = [
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        job_title TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'signatory', 'board', 'auditor')),
        organisation_id INTEGER REFERENCES organisations(id),
        password_hash TEXT,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        session_token TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
        created_at TEXT NOT NULL,
        last_sign_in_at TEXT,
        -- Organisation roles belong to exactly one organisation; partnership roles to none.
        CHECK ((role IN ('editor', 'signatory')) = (organisation_id IS NOT NULL))
    );
    """,
    """
    CREATE INDEX users_organisation ON users (organisation_id);
    """,
    """
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    """,
    """
    CREATE INDEX tokens_user ON tokens (user_id, purpose);
    """,
    """
    CREATE TABLE sign_in_attempts (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        email TEXT NOT NULL COLLATE NOCASE,
        address TEXT NOT NULL,
        success INTEGER NOT NULL CHECK (success IN (0, 1))
    );
    """,
    """
    CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at);
    """,
    """
    CREATE INDEX sign_in_attempts_address ON sign_in_attempts (address, at);
    """,
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('logged', 'sent', 'failed')),
        error TEXT NOT NULL DEFAULT ''
    );
    """,
    """
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id INTEGER,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL DEFAULT '',
        organisation_id INTEGER,
        old_value TEXT,
        new_value TEXT,
        address TEXT NOT NULL DEFAULT ''
    );
    """,
    """
    CREATE INDEX audit_log_at ON audit_log (at);
    """,
    """
    CREATE INDEX audit_log_organisation ON audit_log (organisation_id, at);
    """,
    # The audit log is append-only: the database itself refuses to change or remove a row.
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be updated'); END;
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be deleted'); END;
    """,
]


@migrations(name="0003_organisation_names_unique_ignoring_case")
def _organisation_names(db: Database) -> None:
    # The admin pages check this too; the index closes the race between two admins adding at once.
    db.execute("CREATE UNIQUE INDEX organisations_name_nocase ON organisations (name COLLATE NOCASE)")


@migrations(name="0004_cycles_returns_answers_evidence")
def _returns(db: Database) -> None:
    for statement in RETURNS_SCHEMA:
        db.execute(statement)


# Frozen with the migration that shipped it (core.returns.EDITABLE is the living rule): never edited in place.
_EDITABLE = "('not-started', 'in-progress', 'returned')"


def _frozen_guard(table: str, event: str, return_id: str) -> str:
    """A trigger refusing any change to a return's content while it is submitted or accepted."""
    # bandit B608: DDL built from this module's own constants; no user text reaches it.
    return f"""
    CREATE TRIGGER {table}_{event.lower()}_frozen BEFORE {event} ON {table}
    WHEN (SELECT status FROM returns WHERE id = {return_id}) NOT IN {_EDITABLE}
    BEGIN SELECT RAISE(ABORT, 'this return has been submitted: it cannot be changed'); END
    """  # nosec B608


RETURNS_SCHEMA = [
    """
    CREATE TABLE cycles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        open_date TEXT NOT NULL,
        due_date TEXT NOT NULL,
        declaration TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
        created_at TEXT NOT NULL,
        opened_at TEXT,
        closed_at TEXT,
        CHECK (due_date >= open_date)
    )
    """,
    """
    CREATE TABLE cycle_frameworks (
        cycle_id INTEGER NOT NULL REFERENCES cycles(id),
        framework_key TEXT NOT NULL REFERENCES frameworks(key),
        position INTEGER NOT NULL,
        PRIMARY KEY (cycle_id, framework_key)
    )
    """,
    """
    CREATE TABLE returns (
        id INTEGER PRIMARY KEY,
        cycle_id INTEGER NOT NULL REFERENCES cycles(id),
        organisation_id INTEGER NOT NULL REFERENCES organisations(id),
        sector TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('not-started', 'in-progress', 'submitted', 'returned', 'accepted')),
        version INTEGER NOT NULL DEFAULT 1,
        started_from_previous INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        UNIQUE (cycle_id, organisation_id)
    )
    """,
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        framework_key TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        rating TEXT,
        narrative TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        carried_forward INTEGER NOT NULL DEFAULT 0 CHECK (carried_forward IN (0, 1)),
        revision INTEGER NOT NULL DEFAULT 0,
        updated_by INTEGER REFERENCES users(id),
        updated_at TEXT,
        UNIQUE (return_id, framework_key, requirement_id)
    )
    """,
    """
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        answer_id INTEGER NOT NULL REFERENCES answers(id),
        what TEXT NOT NULL,
        owner TEXT NOT NULL,
        due_date TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('not-started', 'in-progress', 'done')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX actions_answer ON actions (answer_id)",
    """
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id),
        kind TEXT NOT NULL CHECK (kind IN ('file', 'link')),
        title TEXT NOT NULL,
        url TEXT,
        filename TEXT,
        content_type TEXT,
        size INTEGER,
        sha256 TEXT,
        effective_date TEXT NOT NULL,
        valid_until TEXT,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        CHECK ((kind = 'file') = (sha256 IS NOT NULL AND filename IS NOT NULL)),
        CHECK ((kind = 'link') = (url IS NOT NULL)),
        CHECK (valid_until IS NULL OR valid_until >= effective_date)
    )
    """,
    "CREATE INDEX evidence_organisation ON evidence (organisation_id)",
    """
    CREATE TABLE answer_evidence (
        answer_id INTEGER NOT NULL REFERENCES answers(id),
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        PRIMARY KEY (answer_id, evidence_id)
    )
    """,
    "CREATE INDEX answer_evidence_evidence ON answer_evidence (evidence_id)",
    """
    CREATE TABLE return_versions (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        version INTEGER NOT NULL,
        submitted_at TEXT NOT NULL,
        submitted_by INTEGER NOT NULL REFERENCES users(id),
        signatory_name TEXT NOT NULL,
        signatory_job_title TEXT NOT NULL,
        canonical TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        outcome TEXT CHECK (outcome IN ('returned', 'accepted')),
        outcome_comment TEXT NOT NULL DEFAULT '',
        outcome_by INTEGER REFERENCES users(id),
        outcome_at TEXT,
        UNIQUE (return_id, version)
    )
    """,
    # A submitted version is kept exactly as signed: only its outcome may be recorded, once.
    """
    CREATE TRIGGER return_versions_frozen BEFORE UPDATE ON return_versions
    WHEN NEW.canonical IS NOT OLD.canonical OR NEW.sha256 IS NOT OLD.sha256 OR NEW.version IS NOT OLD.version
      OR NEW.return_id IS NOT OLD.return_id OR NEW.submitted_at IS NOT OLD.submitted_at
      OR NEW.signatory_name IS NOT OLD.signatory_name OR NEW.signatory_job_title IS NOT OLD.signatory_job_title
      OR OLD.outcome IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a submitted version is kept exactly as signed'); END
    """,
    """
    CREATE TRIGGER return_versions_no_delete BEFORE DELETE ON return_versions
    BEGIN SELECT RAISE(ABORT, 'a submitted version is kept exactly as signed'); END
    """,
    _frozen_guard("answers", "INSERT", "NEW.return_id"),
    _frozen_guard("answers", "UPDATE", "OLD.return_id"),
    _frozen_guard("answers", "DELETE", "OLD.return_id"),
    _frozen_guard("actions", "INSERT", "(SELECT return_id FROM answers WHERE id = NEW.answer_id)"),
    _frozen_guard("actions", "UPDATE", "(SELECT return_id FROM answers WHERE id = OLD.answer_id)"),
    _frozen_guard("actions", "DELETE", "(SELECT return_id FROM answers WHERE id = OLD.answer_id)"),
    _frozen_guard("answer_evidence", "INSERT", "(SELECT return_id FROM answers WHERE id = NEW.answer_id)"),
    _frozen_guard("answer_evidence", "DELETE", "(SELECT return_id FROM answers WHERE id = OLD.answer_id)"),
    # Evidence items are a record: never edited or removed once added (a return may have signed them).
    """
    CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
    BEGIN SELECT RAISE(ABORT, 'evidence items cannot be changed; add a new one instead'); END
    """,
    """
    CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
    BEGIN SELECT RAISE(ABORT, 'evidence items cannot be removed'); END
    """,
]


@migrations(name="0005_jobs")
def _jobs(db: Database) -> None:
    # Background work such as the board pack: a row per run, its progress, and where its result was written.
    db.execute("""
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        cycle_id INTEGER REFERENCES cycles(id),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        result_path TEXT,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        finished_at TEXT
    )
    """)


@migrations(name="0006_verifications")
def _verifications(db: Database) -> None:
    for statement in VERIFICATIONS_SCHEMA:
        db.execute(statement)


VERIFICATIONS_SCHEMA = [
    # An auditor's check of one answer of a return: kept apart from the answer, so the organisation's own
    # (self-assessed) rating is never overwritten. version and self_rating say what was checked.
    """
    CREATE TABLE verifications (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        framework_key TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        self_rating TEXT,
        status TEXT NOT NULL CHECK (status IN ('verified', 'partly-verified', 'not-verified', 'not-checked')),
        validated_rating TEXT,
        comment TEXT NOT NULL DEFAULT '',
        revision INTEGER NOT NULL DEFAULT 1,
        verified_by INTEGER NOT NULL REFERENCES users(id),
        verified_at TEXT NOT NULL,
        CHECK (status != 'not-checked' OR validated_rating IS NULL),
        UNIQUE (return_id, framework_key, requirement_id)
    )
    """,
]


@migrations(name="0007_running_the_cycle")
def _running_the_cycle(db: Database) -> None:
    for statement in RUNNING_THE_CYCLE_SCHEMA:
        db.execute(statement)


RUNNING_THE_CYCLE_SCHEMA = [
    # The outbox becomes a queue: a message is written in the transaction that decides it, and sent after the
    # commit; one the mail server refused is tried again later, with growing waits, until it is given up.
    # 'failed' now means given up. Messages from before this migration keep their status.
    """
    CREATE TABLE outbox_queue (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'logged', 'failed')),
        error TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_attempt_at TEXT,
        sent_at TEXT
    )
    """,
    """
    INSERT INTO outbox_queue (id, created_at, recipient, subject, body, status, error, attempts, last_attempt_at,
                              sent_at)
    SELECT id, created_at, recipient, subject, body, status, error, 1, created_at,
           CASE WHEN status = 'sent' THEN created_at END FROM outbox
    """,
    "DROP TABLE outbox",
    "ALTER TABLE outbox_queue RENAME TO outbox",
    "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
    # When reminders go out on their own: days before the due date, then every so many days while overdue.
    "ALTER TABLE cycles ADD COLUMN reminder_days TEXT NOT NULL DEFAULT '14,7,1'",
    "ALTER TABLE cycles ADD COLUMN overdue_every_days INTEGER NOT NULL DEFAULT 7",
    # One row per return and day the scheduled reminders went out: running the command twice sends nothing twice.
    """
    CREATE TABLE scheduled_reminders (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        on_date TEXT NOT NULL,
        days_to_due INTEGER NOT NULL,
        recipients TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (return_id, on_date)
    )
    """,
    # An organisation that left the partnership during a cycle: its return is kept, and counts in no figure.
    "ALTER TABLE returns ADD COLUMN withdrawn_at TEXT",
    # What the coordinator asked to be changed when returning a version for amendment, requirement by requirement.
    """
    CREATE TABLE amendment_requests (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        version INTEGER NOT NULL,
        framework_key TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        UNIQUE (return_id, version, framework_key, requirement_id)
    )
    """,
]


@migrations(name="0008_sessions")
def _sessions(db: Database) -> None:
    # One row per signed-in browser, so that signing in on a second device leaves the first signed in, and signing
    # out ends only that browser's session. users.session_token still ends them all at once when it changes (a
    # new password, a new role, a deactivation). Only a hash of the session's key is kept.
    db.execute("""
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        key_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        ended_at TEXT
    )
    """)
    db.execute("CREATE INDEX sessions_user ON sessions (user_id, ended_at)")


@migrations(name="0009_kept_forms")
def _kept_forms(db: Database) -> None:
    # What someone typed into a form that arrived after their session had ended (signed out on another device, a
    # new password): kept for them alone, given back once after they sign in again, never saved for them.
    db.execute("""
    CREATE TABLE kept_forms (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users(id),
        path TEXT NOT NULL,
        fields TEXT NOT NULL,
        created_at TEXT NOT NULL,
        used_at TEXT
    )
    """)


@migrations(name="0010_queries")
def _queries(db: Database) -> None:
    for statement in QUERIES_SCHEMA:
        db.execute(statement)


QUERIES_SCHEMA = [
    # An auditor's (or the coordinator's) question about one requirement of a signed version. The signed version
    # never changes: the conversation and any evidence added to it live here, beside it.
    """
    CREATE TABLE queries (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        version INTEGER NOT NULL,
        framework_key TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        question TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        raised_by INTEGER NOT NULL REFERENCES users(id),
        raised_at TEXT NOT NULL,
        resolved_by INTEGER REFERENCES users(id),
        resolved_at TEXT,
        closing_note TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX queries_return ON queries (return_id, status)",
    """
    CREATE TABLE query_messages (
        id INTEGER PRIMARY KEY,
        query_id INTEGER NOT NULL REFERENCES queries(id),
        body TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX query_messages_query ON query_messages (query_id)",
    # A file added to a reply: stored under its SHA-256 in the evidence folder, like any evidence file.
    """
    CREATE TABLE query_evidence (
        id INTEGER PRIMARY KEY,
        query_id INTEGER NOT NULL REFERENCES queries(id),
        message_id INTEGER NOT NULL REFERENCES query_messages(id),
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX query_evidence_query ON query_evidence (query_id)",
]


@migrations(name="0011_assignments")
def _assignments(db: Database) -> None:
    # Who in the organisation is answering each requirement of a return: one person per requirement, or nobody.
    db.execute("""
    CREATE TABLE assignments (
        id INTEGER PRIMARY KEY,
        return_id INTEGER NOT NULL REFERENCES returns(id),
        framework_key TEXT NOT NULL,
        requirement_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        assigned_by INTEGER REFERENCES users(id),
        assigned_at TEXT NOT NULL,
        UNIQUE (return_id, framework_key, requirement_id)
    )
    """)
    db.execute("CREATE INDEX assignments_user ON assignments (user_id)")


@migrations(name="0012_accreditations")
def _accreditations(db: Database) -> None:
    # Accreditations an organisation holds (DAHA, SafeLives Leading Lights, ...): scheme is an id from the schemes
    # file, scheme_name its name when last saved (shown if the file no longer lists it). The evidence is an item of
    # the organisation's evidence library, checked and stored as every upload is. revision: a change made from an
    # older copy of the form is refused rather than overwriting someone else's. A signed statement keeps its own
    # copy in the signed document, so removing or changing a row never changes a statement already signed.
    db.execute("""
    CREATE TABLE accreditations (
        id INTEGER PRIMARY KEY,
        organisation_id INTEGER NOT NULL REFERENCES organisations(id),
        scheme TEXT NOT NULL,
        scheme_name TEXT NOT NULL,
        level TEXT NOT NULL DEFAULT '',
        awarded_on TEXT NOT NULL,
        expires_on TEXT,
        reference TEXT NOT NULL DEFAULT '',
        evidence_id INTEGER REFERENCES evidence(id),
        revision INTEGER NOT NULL DEFAULT 1,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_by INTEGER REFERENCES users(id),
        updated_at TEXT NOT NULL,
        CHECK (expires_on IS NULL OR expires_on > awarded_on)
    )
    """)
    db.execute("CREATE INDEX accreditations_organisation ON accreditations (organisation_id)")


@migrations(name="0013_pending_uploads")
def _pending_uploads(db: Database) -> None:
    # A file checked and shown to its person before they confirm it (a return's answers completed offline): kept
    # between the check and the confirmation for that person and that object alone, one at a time, for a day.
    db.execute("""
    CREATE TABLE pending_uploads (
        id INTEGER PRIMARY KEY,
        purpose TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        subject_id INTEGER NOT NULL,
        filename TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        data BLOB NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (purpose, user_id, subject_id)
    )
    """)


@migrations(name="0014_partnership_plan")
def _partnership_plan(db: Database) -> None:
    for statement in PLAN_SCHEMA:
        db.execute(statement)


def _append_only(table: str, what: str) -> list[str]:
    """Triggers refusing any change to, or removal of, a row once written (as the audit log's)."""
    # bandit B608: DDL built from this module's own constants; no user text reaches it.
    return [f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{what} are kept as written: rows cannot be updated'); END
    """, f"""
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, '{what} are kept as written: rows cannot be deleted'); END
    """]  # nosec B608


PLAN_SCHEMA = [
    # The partnership's own strategy (issue 13): its years are financial years, first_year/20 to last_year-1/last_year
    # ("2019-2022" is 2019/20 to 2021/22). At most one is the current strategy.
    """
    CREATE TABLE plan_strategies (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        first_year INTEGER NOT NULL,
        last_year INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (last_year > first_year)
    )
    """,
    "CREATE UNIQUE INDEX plan_strategies_one_active ON plan_strategies (active) WHERE active = 1",
    """
    CREATE TABLE plan_themes (
        id INTEGER PRIMARY KEY,
        strategy_id INTEGER NOT NULL REFERENCES plan_strategies(id),
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    "CREATE UNIQUE INDEX plan_themes_name ON plan_themes (strategy_id, name COLLATE NOCASE)",
    # The lead organisation is a member organisation (by id, so a renaming carries through and its page is linked)
    # or, for a partner that is not a member (a commissioner's office, a court), its name as typed: exactly one.
    # The lead person is the one who updates the action's progress.
    """
    CREATE TABLE plan_actions (
        id INTEGER PRIMARY KEY,
        strategy_id INTEGER NOT NULL REFERENCES plan_strategies(id),
        theme_id INTEGER NOT NULL REFERENCES plan_themes(id),
        action TEXT NOT NULL,
        outcome TEXT NOT NULL DEFAULT '',
        lead_organisation_id INTEGER REFERENCES organisations(id),
        lead_partner TEXT,
        lead_user_id INTEGER NOT NULL REFERENCES users(id),
        partners TEXT NOT NULL DEFAULT '',
        resources TEXT NOT NULL DEFAULT '',
        due_date TEXT NOT NULL,
        due_period TEXT,
        status TEXT NOT NULL CHECK (status IN ('not-started', 'in-progress', 'complete', 'delayed', 'stopped')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ((lead_organisation_id IS NULL) != (lead_partner IS NULL))
    )
    """,
    "CREATE INDEX plan_actions_theme ON plan_actions (strategy_id, theme_id)",
    "CREATE INDEX plan_actions_lead ON plan_actions (lead_user_id)",
    # A lead's dated note on an action's progress, with its colour: kept for ever, never changed.
    """
    CREATE TABLE plan_action_updates (
        id INTEGER PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES plan_actions(id),
        note TEXT NOT NULL,
        rag TEXT NOT NULL CHECK (rag IN ('green', 'amber', 'red')),
        created_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX plan_action_updates_action ON plan_action_updates (action_id, id)",
    *_append_only("plan_action_updates", "progress updates"),
    # Values are exact decimals kept as text ("40.5"), never floats. Periods are financial years ("2010/11") or
    # quarters ("2010/11 Q1"). source: a figure filled from signed returns (core.plan.FIGURE_SOURCES) rather than typed.
    """
    CREATE TABLE plan_measures (
        id INTEGER PRIMARY KEY,
        strategy_id INTEGER NOT NULL REFERENCES plan_strategies(id),
        theme_id INTEGER REFERENCES plan_themes(id),
        name TEXT NOT NULL,
        definition TEXT NOT NULL DEFAULT '',
        unit TEXT NOT NULL CHECK (unit IN ('count', 'percent', 'rate-per-1000')),
        direction TEXT NOT NULL CHECK (direction IN ('reduce', 'increase')),
        baseline_period TEXT NOT NULL,
        baseline_value TEXT NOT NULL,
        rule_kind TEXT NOT NULL CHECK (rule_kind IN ('target', 'year-on-year')),
        tolerance TEXT NOT NULL DEFAULT '0',
        lead_user_id INTEGER NOT NULL REFERENCES users(id),
        source TEXT CHECK (source IN ('percent-met')),
        source_framework TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ((source IS NULL) = (source_framework IS NULL))
    )
    """,
    "CREATE INDEX plan_measures_theme ON plan_measures (strategy_id, theme_id)",
    "CREATE INDEX plan_measures_lead ON plan_measures (lead_user_id)",
    """
    CREATE TABLE plan_measure_targets (
        measure_id INTEGER NOT NULL REFERENCES plan_measures(id),
        year INTEGER NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (measure_id, year)
    )
    """,
    # Every figure entered, corrections included: the latest for a period stands, the ones before stay as history.
    """
    CREATE TABLE plan_measure_actuals (
        id INTEGER PRIMARY KEY,
        measure_id INTEGER NOT NULL REFERENCES plan_measures(id),
        period TEXT NOT NULL,
        value TEXT NOT NULL,
        entered_by INTEGER NOT NULL REFERENCES users(id),
        entered_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX plan_measure_actuals_measure ON plan_measure_actuals (measure_id, period, id)",
    *_append_only("plan_measure_actuals", "figures entered"),
    # The partnership's risk bands: a band covers scores from `lowest` up to the next band's. None stored: the
    # defaults (core.plan.DEFAULT_BANDS).
    """
    CREATE TABLE plan_risk_bands (
        lowest INTEGER PRIMARY KEY CHECK (lowest BETWEEN 1 AND 25),
        name TEXT NOT NULL,
        rag TEXT NOT NULL CHECK (rag IN ('green', 'amber', 'red'))
    )
    """,
    """
    CREATE TABLE plan_risks (
        id INTEGER PRIMARY KEY,
        strategy_id INTEGER NOT NULL REFERENCES plan_strategies(id),
        description TEXT NOT NULL,
        cause TEXT NOT NULL DEFAULT '',
        consequence TEXT NOT NULL DEFAULT '',
        likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
        impact INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
        owner_user_id INTEGER NOT NULL REFERENCES users(id),
        review_by TEXT,
        raised_from_measure_id INTEGER REFERENCES plan_measures(id),
        closed_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX plan_risks_strategy ON plan_risks (strategy_id)",
    # A risk's mitigating actions, from the action plan.
    """
    CREATE TABLE plan_risk_actions (
        risk_id INTEGER NOT NULL REFERENCES plan_risks(id),
        action_id INTEGER NOT NULL REFERENCES plan_actions(id),
        PRIMARY KEY (risk_id, action_id)
    )
    """,
    "CREATE INDEX plan_risk_actions_action ON plan_risk_actions (action_id)",
]
