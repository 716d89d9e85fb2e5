namespace EdgeTwin.Ingest.Tests.Support;

using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Telemetry.Chain;

/// <summary>Puts real records straight into a store, for read-side tests (FHIR, twin, API).</summary>
internal static class StoreSeeder
{
    public static async Task SeedAsync(IIngestStore store, string site, IReadOnlyList<ChainRecord> records, long verifiedThrough)
    {
        foreach (var chain in records.GroupBy(r => (r.Lane, r.Epoch)))
        {
            var headers = chain.Select(r => (Record: r, Header: Parse(r))).ToList();
            var id = new ChainId(headers[0].Header.Gw, headers[0].Header.Lane, chain.Key.Epoch);
            await store.WriteAsync([id], site, async s =>
            {
                foreach (var (r, h) in headers)
                {
                    await s.TryInsertRecordAsync(new RecordRow(id, r.Seq, r.Hash, r.Kind, site, h.Ts, h.Patient, h.Code, r.Payload, h.Ts ?? DateTimeOffset.UnixEpoch));
                }

                s.SetChain(s.Chain(id) with { Received = headers.Count, VerifiedThrough = verifiedThrough });
                return 0;
            }, default);
        }
    }

    private static RecordHeader Parse(ChainRecord r) =>
        RecordHeader.TryParse(r.Payload, out var h, out var problem) ? h! : throw new InvalidOperationException(problem);
}
