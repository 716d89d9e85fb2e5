namespace EdgeTwin.Ingest.Tests.Storage;

/// <summary>Runs <see cref="LiteDbExpressionCacheTests"/> with no other test beside it.</summary>
[CollectionDefinition(LiteDbExpressionCacheTests.Name, DisableParallelization = true)]
public sealed class LiteDbExpressionCacheCollection;
