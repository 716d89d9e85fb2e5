namespace EdgeTwin.Outbox.Tests.Storage;

/// <summary>Runs <see cref="ExpressionCacheTests"/> with no other test beside it.</summary>
[CollectionDefinition(ExpressionCacheTests.Name, DisableParallelization = true)]
public sealed class ExpressionCacheCollection;
