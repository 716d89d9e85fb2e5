namespace EdgeTwin.Ingest.Options;

internal enum StorageKind
{
    LiteDb,
    Postgres,
}
