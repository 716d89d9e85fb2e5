namespace EdgeTwin.Ingest.Tests.Integration;

/// <summary>One PostgreSQL cluster for every test class that needs one (each test gets its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<MosquittoFixture>
{
    public const string Name = "postgres";
}
