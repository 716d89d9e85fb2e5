namespace EdgeTwin.Ingest.Storage.Postgres;

/// <summary>
/// The tables but ingest_records (<see cref="PostgresRecordPartitions"/>). A seq holds one record
/// whatever the workers do: chain rows are locked with SELECT ... FOR UPDATE around each batch, and a
/// record is inserted only after looking for one stored at its seq under that lock.
/// </summary>
internal static class PostgresSchema
{
    // Workers start together: an advisory lock keeps two CREATE TABLE IF NOT EXISTS from racing.
    // chain_state is stored uncompressed (STORAGE EXTERNAL): it is hashes and small numbers, which pglz
    // cannot shrink, and each batch's attempt on each chain it wrote was 8 % of PostgreSQL's CPU at the
    // default batch (docs/benchmarks.md, issue 13 ninth pass). Only values written from then on.
    // A state of up to 8,160 bytes stays in the row (toast_tuple_target; the default moves anything over
    // about 2 KB to the TOAST table), and half of each page is left free (fillfactor 50) so its next
    // version goes on the same page, a HOT update without an index entry: a chain's state is rewritten
    // with every batch that advances it, and out of line each write was new TOAST chunks, their index
    // entries and the old ones' deletion, 17 % of PostgreSQL's CPU from 1,000 gateways and a table 20
    // times the size until vacuumed (issue 13 eleventh pass). Larger states still go out of line,
    // uncompressed. Both apply to rows written from then on; setting them takes no lock a worker's
    // updates wait for.
    public const long AdvisoryLock = 0x45545031;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS ingest_chains (
            gw text NOT NULL, lane text NOT NULL, epoch text NOT NULL, site text NOT NULL,
            verifier_state text NULL,
            received bigint NOT NULL DEFAULT 0, verified_through bigint NOT NULL DEFAULT -1,
            verified bigint NOT NULL DEFAULT 0, pending bigint NOT NULL DEFAULT 0, missing bigint NOT NULL DEFAULT 0,
            duplicates bigint NOT NULL DEFAULT 0, forks bigint NOT NULL DEFAULT 0, bad_sigs bigint NOT NULL DEFAULT 0,
            broken_links bigint NOT NULL DEFAULT 0, gap_covered bigint NOT NULL DEFAULT 0, rejected bigint NOT NULL DEFAULT 0,
            receipted_through bigint NOT NULL DEFAULT -1,
            last_checkpoint_at timestamptz NULL, missing_since timestamptz NULL,
            gap_alerted boolean NOT NULL DEFAULT false, first_seen_at timestamptz NOT NULL DEFAULT now(),
            genesis_reason text NULL,
            PRIMARY KEY (gw, lane, epoch));
        ALTER TABLE ingest_chains ADD COLUMN IF NOT EXISTS unsigned_branch bigint NOT NULL DEFAULT 0;
        ALTER TABLE ingest_chains ADD COLUMN IF NOT EXISTS chain_state bytea NULL;
        ALTER TABLE ingest_chains ADD COLUMN IF NOT EXISTS state_digest bytea GENERATED ALWAYS AS (sha256(chain_state)) STORED;
        ALTER TABLE ingest_chains ALTER COLUMN chain_state SET STORAGE EXTERNAL;
        ALTER TABLE ingest_chains SET (toast_tuple_target = 8160, fillfactor = 50);
        CREATE TABLE IF NOT EXISTS ingest_evidence (
            id bigserial PRIMARY KEY, at timestamptz NOT NULL, topic text NOT NULL, gw text NULL,
            problem text NOT NULL, payload bytea NOT NULL,
            lane text NULL, epoch text NULL, seq bigint NULL, hash text NULL);
        ALTER TABLE ingest_evidence ADD COLUMN IF NOT EXISTS size bigint NULL;
        ALTER TABLE ingest_evidence ADD COLUMN IF NOT EXISTS sha256 text NULL;
        CREATE INDEX IF NOT EXISTS ingest_evidence_variant ON ingest_evidence (gw, lane, epoch, seq) WHERE seq IS NOT NULL;
        CREATE TABLE IF NOT EXISTS ingest_alerts (
            id bigserial PRIMARY KEY, at timestamptz NOT NULL, kind text NOT NULL, gw text NOT NULL,
            lane text NULL, epoch text NULL, seq bigint NULL, detail text NOT NULL);
        CREATE TABLE IF NOT EXISTS ingest_gateways (
            gw text PRIMARY KEY, site text NOT NULL, reported text NULL, reported_version bigint NOT NULL DEFAULT -1,
            status text NULL, updated_at timestamptz NOT NULL, silent_alerted boolean NOT NULL DEFAULT false);
        ALTER TABLE ingest_gateways ADD COLUMN IF NOT EXISTS key_rotations text NULL;
        CREATE TABLE IF NOT EXISTS ingest_acm_alerts (
            alert_id text PRIMARY KEY, gw text NOT NULL, key text NOT NULL, patient text NOT NULL, device text NOT NULL,
            condition text NOT NULL, priority text NOT NULL, phase text NOT NULL, state text NOT NULL, open boolean NOT NULL,
            raised_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, updates integer NOT NULL, bed text NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ingest_acm_alerts_open ON ingest_acm_alerts (gw, key) WHERE open;
        CREATE TABLE IF NOT EXISTS ingest_acm_messages (
            id bigserial PRIMARY KEY, manager text NOT NULL, control_id text NOT NULL, alert_id text NOT NULL, gw text NOT NULL,
            message text NOT NULL, queued_at timestamptz NOT NULL, status text NOT NULL, attempts integer NOT NULL,
            error_answers integer NOT NULL, last_attempt_at timestamptz NULL, done_at timestamptz NULL, detail text NULL,
            UNIQUE (manager, control_id));
        CREATE INDEX IF NOT EXISTS ingest_acm_messages_outstanding ON ingest_acm_messages (manager, id) WHERE status IN ('queued', 'sent');
        CREATE INDEX IF NOT EXISTS ingest_acm_messages_alert ON ingest_acm_messages (alert_id);
        CREATE INDEX IF NOT EXISTS ingest_acm_messages_control ON ingest_acm_messages (control_id);
        CREATE TABLE IF NOT EXISTS ingest_acm_statuses (
            id bigserial PRIMARY KEY, alert_id text NOT NULL, status text NOT NULL, who text NULL, at timestamptz NOT NULL,
            received_at timestamptz NOT NULL, peer text NOT NULL, control_id text NOT NULL);
        CREATE INDEX IF NOT EXISTS ingest_acm_statuses_alert ON ingest_acm_statuses (alert_id);
        CREATE TABLE IF NOT EXISTS ingest_access_log (
            id bigserial PRIMARY KEY, at timestamptz NOT NULL, subject text NOT NULL, roles text NOT NULL,
            route text NOT NULL, path text NOT NULL, patient text NULL, gw text NULL, status integer NOT NULL);
        CREATE INDEX IF NOT EXISTS ingest_access_log_patient ON ingest_access_log (patient, id) WHERE patient IS NOT NULL;
        """;

    public const string AcmAlertColumns = "alert_id, gw, key, patient, device, condition, priority, phase, state, open, raised_at, updated_at, updates, bed";

    public const string AcmMessageColumns = "id, manager, control_id, alert_id, gw, message, queued_at, status, attempts, error_answers, last_attempt_at, done_at, detail";

    public const string AcmStatusColumns = "id, alert_id, status, who, at, received_at, peer, control_id";

    // The chain state: the compact bytes (chain_state), or the JSON text an ingest before 2026-12
    // wrote (verifier_state, emptied at the chain's next write), as its UTF-8 bytes: ChainStateCodec reads both.
    // state_digest is computed by PostgreSQL from chain_state, so it is the stored state's own digest
    // whichever worker (or older ingest) wrote it.
    private const string StateColumn = "COALESCE(chain_state, convert_to(verifier_state, 'UTF8'))";

    private const string CountColumns = "received, verified_through, verified, pending, missing, duplicates, forks, bad_sigs, broken_links, gap_covered, rejected, receipted_through, last_checkpoint_at, missing_since, gap_alerted, first_seen_at, genesis_reason, unsigned_branch, state_digest";

    public const string ChainColumns = $"gw, lane, epoch, site, {StateColumn}, {CountColumns}";

    // The lock's columns (chains as c joined to the caller's held digests as k): the state only where the
    // caller does not hold the stored one, then whether it was left out.
    public const string LockColumns =
        $"gw, lane, epoch, site, CASE WHEN k.held IS NOT NULL AND c.state_digest = k.held THEN NULL ELSE {StateColumn} END, {CountColumns}, k.held IS NOT NULL AND c.state_digest IS NOT DISTINCT FROM k.held";

    public const string RecordColumns = "gw, lane, epoch, seq, hash, kind, site, ts, patient, code, payload, received_at";

    public const string EvidenceColumns = "id, at, topic, gw, problem, payload, lane, epoch, seq, hash, size, sha256";

    public const string GatewayColumns = "gw, site, reported, reported_version, status, updated_at, silent_alerted, key_rotations";
}
