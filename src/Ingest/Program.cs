using EdgeTwin.Ingest;

await using var app = IngestHost.Create(args);
await app.RunAsync().ConfigureAwait(false);
