namespace EdgeTwin.Ingest.Storage.Postgres;

/// <summary>
/// The anchoring tables (issue 17). A leaf is a verified checkpoint; its <c>position</c> stays null
/// until an anchor takes it, so positions follow the order leaves were added (<c>id</c>) and are
/// given under <see cref="AdvisoryLock"/> by one anchorer at a time.
/// </summary>
internal static class PostgresAnchorSchema
{
    public const long AdvisoryLock = 0x45545032;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS ingest_anchor_leaves (
            id bigserial PRIMARY KEY, gw text NOT NULL, lane text NOT NULL, epoch text NOT NULL, seq bigint NOT NULL,
            hash text NOT NULL, position bigint NULL UNIQUE,
            UNIQUE (gw, lane, epoch, seq));
        CREATE INDEX IF NOT EXISTS ingest_anchor_leaves_pending ON ingest_anchor_leaves (id) WHERE position IS NULL;
        CREATE TABLE IF NOT EXISTS ingest_anchors (
            idx bigint PRIMARY KEY, root text NOT NULL, first_leaf bigint NOT NULL, tree_size bigint NOT NULL,
            previous_root text NOT NULL, prepared_at timestamptz NOT NULL,
            chain_id bigint NULL, contract text NULL, tx text NULL, block bigint NULL, anchored_at timestamptz NULL);
        """;

    public const string AnchorColumns = "idx, root, first_leaf, tree_size, previous_root, prepared_at, chain_id, contract, tx, block, anchored_at";
}
