namespace EdgeTwin.Ingest.Tests.Storage;

using EdgeTwin.Ingest.Storage;

/// <summary>What every backend must do; run once per backend.</summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);
    private static readonly ChainId Chain = new("gw-1", "telemetry", new string('a', 32));
    private readonly List<IIngestStore> _opened = [];

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var s in _opened)
        {
            await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryInsertRecord_SameSeqTwice_KeepsTheFirstOnly()
    {
        var store = await OpenAsync();
        var first = await store.WriteAsync([Chain], "site", s => s.TryInsertRecordAsync(Record(5, "h1")), default);
        var second = await store.WriteAsync([Chain], "site", s => s.TryInsertRecordAsync(Record(5, "h2")), default);
        Assert.True(first);
        Assert.False(second);
        await store.WriteAsync([Chain], "site", s => { s.SetChain(s.Chain(Chain) with { VerifiedThrough = 10 }); return Task.FromResult(0); }, default);
        var rows = await store.VerifiedRecordsAsync(new RecordQuery(null, "gw-1", null, null, 100), default);
        Assert.Equal("h1", Assert.Single(rows).Hash);
    }

    [Fact]
    public async Task TryInsertRecord_SameSeqTwiceInOneTransaction_KeepsTheFirst_WhichTheSameTransactionReadsBack()
    {
        // PostgreSQL inserts a transaction's records in one COPY before the next read or the commit: what it holds back still counts.
        var store = await OpenAsync();
        var (first, second, read, hashes) = await store.WriteAsync([Chain], "site", async s =>
            (await s.TryInsertRecordAsync(Record(7, "h1")), await s.TryInsertRecordAsync(Record(7, "h2")),
             await s.RecordsAsync(Chain, 7, 7), await s.StoredHashesAsync(Chain, 0, 10)), default);
        Assert.Equal((true, false), (first, second));
        Assert.Equal("h1", Assert.Single(read).Hash);
        Assert.Equal(new Dictionary<long, string> { [7] = "h1" }, hashes);
        Assert.Equal(1, await store.RecordCountAsync(default));
    }

    [Fact]
    public async Task Prepared_StoredHashesCountTheRecordsNotYetWritten_AndTheCommitStoresEachOnce()
    {
        // PostgreSQL answers a look-up of stored hashes from the table and from what waits for the COPY
        // (without writing it first), so the batch's records go in one COPY at the commit.
        var store = await OpenAsync();
        await store.WriteAsync([Chain], "site", s => s.TryInsertRecordAsync(Record(1, "old1")), default);
        var (inserted, before, late, after) = await store.WriteAsync([Chain], "site", async s =>
        {
            await s.PrepareAsync([(Chain, 1), (Chain, 2), (Chain, 3)], []);
            var taken = (await s.TryInsertRecordAsync(Record(1, "new1")), await s.TryInsertRecordAsync(Record(2, "h2")), await s.TryInsertRecordAsync(Record(3, "h3")));
            var first = await s.StoredHashesAsync(Chain, 0, 2);
            var fourth = await s.TryInsertRecordAsync(Record(4, "h4"));
            return (taken, first, fourth, await s.StoredHashesAsync(Chain, 2, 10));
        }, default);

        Assert.Equal((false, true, true), inserted);
        Assert.Equal(new Dictionary<long, string> { [1] = "old1", [2] = "h2" }, before);
        Assert.True(late);
        Assert.Equal(new Dictionary<long, string> { [2] = "h2", [3] = "h3", [4] = "h4" }, after);
        Assert.Equal(4, await store.RecordCountAsync(default));
        var stored = await store.WriteAsync([Chain], "site", s => s.StoredHashesAsync(Chain, 0, 10), default);
        Assert.Equal(new Dictionary<long, string> { [1] = "old1", [2] = "h2", [3] = "h3", [4] = "h4" }, stored);
    }

    [Fact]
    public async Task Prepared_SeqsFarApart_StoredAndNewAreStillToldApart()
    {
        // A batch whose seqs of one chain lie far apart (a record far ahead, or a seq anyone may publish):
        // LiteDB reads a chain's stored ids in one range only when the range is about the batch's size.
        const long Far = 1_000_000;
        var store = await OpenAsync();
        await store.WriteAsync([Chain], "site", async s => (await s.TryInsertRecordAsync(Record(0, "old0")), await s.TryInsertRecordAsync(Record(Far, "oldFar"))), default);
        var taken = await store.WriteAsync([Chain], "site", async s =>
        {
            await s.PrepareAsync([(Chain, 0), (Chain, 1), (Chain, Far), (Chain, Far + 1)], []);
            return (await s.TryInsertRecordAsync(Record(0, "new0")), await s.TryInsertRecordAsync(Record(1, "h1")),
                await s.TryInsertRecordAsync(Record(Far, "newFar")), await s.TryInsertRecordAsync(Record(Far + 1, "hFar1")), await s.TryInsertRecordAsync(Record(1, "again1")));
        }, default);

        Assert.Equal((false, true, false, true, false), taken);
        var stored = await store.WriteAsync([Chain], "site", s => s.StoredHashesAsync(Chain, 0, Far + 1), default);
        Assert.Equal(new Dictionary<long, string> { [0] = "old0", [1] = "h1", [Far] = "oldFar", [Far + 1] = "hFar1" }, stored);
    }

    [Fact]
    public async Task Prepared_RecordsInAHoleBelowTheHighestStoredSeq_AreToldApartFromTheStoredOnes()
    {
        // PostgreSQL looks up a chain's highest stored seq and takes every record above it as new; those at
        // or below it (a hole filled late, a repeat) are each looked up. A chain with nothing stored has no highest.
        var store = await OpenAsync();
        var empty = new ChainId(Chain.Gw, Chain.Lane, new string('e', 32));
        await store.WriteAsync([Chain], "site", async s => (await s.TryInsertRecordAsync(Record(1, "old1")), await s.TryInsertRecordAsync(Record(5, "old5"))), default);
        var taken = await store.WriteAsync([Chain, empty], "site", async s =>
        {
            await s.PrepareAsync([(Chain, 3), (Chain, 4), (Chain, 5), (Chain, 6), (Chain, 1), (empty, 1), (empty, 2)], []);
            return (await s.TryInsertRecordAsync(Record(3, "h3")), await s.TryInsertRecordAsync(Record(4, "h4")), await s.TryInsertRecordAsync(Record(5, "new5")),
                await s.TryInsertRecordAsync(Record(6, "h6")), await s.TryInsertRecordAsync(Record(1, "new1")),
                await s.TryInsertRecordAsync(Record(1, "e1") with { Chain = empty }), await s.TryInsertRecordAsync(Record(2, "e2") with { Chain = empty }));
        }, default);

        Assert.Equal((true, true, false, true, false, true, true), taken);
        var (stored, other) = await store.WriteAsync([Chain, empty], "site", async s => (await s.StoredHashesAsync(Chain, 0, 10), await s.StoredHashesAsync(empty, 0, 10)), default);
        Assert.Equal(new Dictionary<long, string> { [1] = "old1", [3] = "h3", [4] = "h4", [5] = "old5", [6] = "h6" }, stored);
        Assert.Equal(new Dictionary<long, string> { [1] = "e1", [2] = "e2" }, other);
    }

    [Fact]
    public async Task Prepared_ARecordPutInPlaceMeanwhile_IsNotInsertedASecondTime()
    {
        // A seq looked up as not stored, then filled by ReplaceRecordAsync (a fork variant taking its
        // seq): a later insert there must find it, not take the look-up's word for it.
        var store = await OpenAsync();
        var (replacedThenInserted, hashes) = await store.WriteAsync([Chain], "site", async s =>
        {
            await s.PrepareAsync([(Chain, 8)], []);
            await s.ReplaceRecordAsync(Record(8, "variant"));
            return (await s.TryInsertRecordAsync(Record(8, "late")), await s.StoredHashesAsync(Chain, 8, 8));
        }, default);

        Assert.False(replacedThenInserted);
        Assert.Equal(new Dictionary<long, string> { [8] = "variant" }, hashes);
        Assert.Equal(1, await store.RecordCountAsync(default));
    }

    [Fact]
    public async Task PrefetchedStoredHashes_AnswerAsTheTableDoes_AfterTheTransactionsOwnInsertsReplacementAndDeletion()
    {
        // PostgreSQL answers look-ups inside a range read ahead from what it read, so every write of
        // the transaction after the read must show in the answers as it does without the read.
        var store = await OpenAsync();
        var other = new ChainId("gw-1", "alarm", new string('b', 32));
        await store.WriteAsync([Chain, other], "site", async s =>
        {
            foreach (var seq in new long[] { 1, 2, 3 })
            {
                await s.TryInsertRecordAsync(Record(seq, $"h{seq}"));
                await s.TryInsertRecordAsync(Record(seq, $"o{seq}") with { Chain = other });
            }

            return 0;
        }, default);

        var (read, afterInserts, afterReplace, outside, afterDelete, untouched) = await store.WriteAsync([Chain, other], "site", async s =>
        {
            await s.PrefetchStoredHashesAsync([(Chain, 1, 10), (other, 1, 10)]);
            var first = await s.StoredHashesAsync(Chain, 1, 10);
            await s.TryInsertRecordAsync(Record(4, "h4")); // not prepared: written at once
            await s.PrepareAsync([(Chain, 5)], []);
            await s.TryInsertRecordAsync(Record(5, "h5")); // prepared: waits for the COPY
            var inserted = await s.StoredHashesAsync(Chain, 2, 6);
            await s.ReplaceRecordAsync(Record(2, "v2")); // writes the COPY first, then replaces seq 2
            var replaced = await s.StoredHashesAsync(Chain, 1, 10);
            await s.TryInsertRecordAsync(Record(12, "h12"));
            var beyond = await s.StoredHashesAsync(Chain, 1, 20); // wider than the range read: from the table
            await s.DeleteRecordsAsync(Chain);
            return (first, inserted, replaced, beyond, await s.StoredHashesAsync(Chain, 1, 10), await s.StoredHashesAsync(other, 1, 10));
        }, default);

        Assert.Equal(new Dictionary<long, string> { [1] = "h1", [2] = "h2", [3] = "h3" }, read);
        Assert.Equal(new Dictionary<long, string> { [2] = "h2", [3] = "h3", [4] = "h4", [5] = "h5" }, afterInserts);
        Assert.Equal(new Dictionary<long, string> { [1] = "h1", [2] = "v2", [3] = "h3", [4] = "h4", [5] = "h5" }, afterReplace);
        Assert.Equal(new Dictionary<long, string> { [1] = "h1", [2] = "v2", [3] = "h3", [4] = "h4", [5] = "h5", [12] = "h12" }, outside);
        Assert.Empty(afterDelete);
        Assert.Equal(new Dictionary<long, string> { [1] = "o1", [2] = "o2", [3] = "o3" }, untouched);
    }

    [Fact]
    public async Task Prepared_GatewayRows_ReadBackWhatTheTransactionSetsThem_AndANewGatewayIsCreatedOnce()
    {
        var store = await OpenAsync();
        await store.WriteAsync([Chain], "site", async s => { await s.SetGatewayAsync(new GatewayRow { Gw = "gw-1", Site = "site", Status = "one", UpdatedAt = T0 }); return 0; }, default);
        var (known, unknown, changed, created) = await store.WriteAsync([Chain], "site", async s =>
        {
            await s.PrepareAsync([], ["gw-1", "gw-2"]);
            var one = await s.GatewayAsync("gw-1");
            var two = await s.GatewayAsync("gw-2");
            await s.SetGatewayAsync(one! with { Status = "two", UpdatedAt = T0.AddSeconds(1) });
            await s.SetGatewayAsync(new GatewayRow { Gw = "gw-2", Site = "site", Status = "new", UpdatedAt = T0 });
            return (one, two, await s.GatewayAsync("gw-1"), await s.GatewayAsync("gw-2"));
        }, default);

        Assert.Equal("one", known!.Status);
        Assert.Null(unknown);
        Assert.Equal("two", changed!.Status);
        Assert.Equal("new", created!.Status);
        Assert.Equal([("gw-1", "two"), ("gw-2", "new")], (await store.GatewaysAsync(default)).Select(g => (g.Gw, g.Status)).Order());
    }

    [Fact]
    public async Task VerifiedRecords_OfAGateway_AreItsOwnOnly_WhenAnotherGatewaysNameStartsWithIt()
    {
        // LiteDB finds a gateway's records by the prefix of their id: "gw-1|" must not take gw-10's.
        var store = await OpenAsync();
        var ten = new ChainId("gw-10", "telemetry", new string('c', 32));
        foreach (var chain in new[] { Chain, ten })
        {
            await store.WriteAsync([chain], "site", async s =>
            {
                await s.TryInsertRecordAsync(Record(0, $"{chain.Gw}-h0") with { Chain = chain });
                s.SetChain(s.Chain(chain) with { VerifiedThrough = 0, Received = 1 });
                return 0;
            }, default);
        }

        var one = await store.VerifiedRecordsAsync(new RecordQuery(null, "gw-1", null, null, 100), default);
        var other = await store.VerifiedRecordsAsync(new RecordQuery(null, "gw-10", null, null, 100), default);

        Assert.Equal(["gw-1-h0"], one.Select(r => r.Hash));
        Assert.Equal(["gw-10-h0"], other.Select(r => r.Hash));
    }

    [Fact]
    public async Task WriteAsync_WhenWorkThrows_StoresNothing()
    {
        var store = await OpenAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync<int>([Chain], "site", async s =>
        {
            await s.TryInsertRecordAsync(Record(0, "h0"));
            await s.AddAlertAsync(new AlertRow(T0, "fork", "gw-1", null, null, null, "x"));
            s.SetChain(s.Chain(Chain) with { Received = 1, VerifiedThrough = 0 });
            throw new InvalidOperationException("boom");
        }, default));
        Assert.Equal(0, await store.RecordCountAsync(default));
        Assert.Empty(await store.AlertsAsync(0, 10, default));
        var chains = await store.ChainsAsync(null, default);
        Assert.All(chains, c => Assert.Equal(0, c.Received));
    }

    [Fact]
    public async Task VerifiedRecords_AreThoseAtOrBelowVerifiedThrough()
    {
        var store = await OpenAsync();
        await store.WriteAsync([Chain], "site", async s =>
        {
            for (var i = 0; i < 6; i++)
            {
                await s.TryInsertRecordAsync(Record(i, $"h{i}"));
            }

            s.SetChain(s.Chain(Chain) with { VerifiedThrough = 3, Received = 6 });
            return 0;
        }, default);
        var rows = await store.VerifiedRecordsAsync(new RecordQuery("pat-1", null, null, "obs", 100), default);
        Assert.Equal([0L, 1, 2, 3], rows.Select(r => r.Seq));
        var limited = await store.VerifiedRecordsAsync(new RecordQuery("pat-1", null, null, "obs", 2), default);
        Assert.Equal([2L, 3], limited.Select(r => r.Seq));
        var since = await store.VerifiedRecordsAsync(new RecordQuery("pat-1", null, T0.AddSeconds(2), "obs", 100), default);
        Assert.Equal([2L, 3], since.Select(r => r.Seq));
    }

    [Fact]
    public async Task ChainState_SurvivesReopening()
    {
        var store = await OpenAsync();
        await store.WriteAsync([Chain], "site-a", s =>
        {
            s.SetChain(s.Chain(Chain) with { VerifierState = [0, 69, 83, 1, 200, 7], Received = 7, VerifiedThrough = 5, ReceiptedThrough = 5, LastCheckpointAt = T0, GenesisReason = "first-start" });
            return Task.FromResult(0);
        }, default);
        await store.DisposeAsync();
        _opened.Remove(store);
        var reopened = await ReopenAsync();
        var row = Assert.Single(await reopened.ChainsAsync("gw-1", default));
        Assert.Equal([(byte)0, 69, 83, 1, 200, 7], row.VerifierState);
        Assert.Equal((7L, 5L, 5L, "site-a", "first-start"), (row.Received, row.VerifiedThrough, row.ReceiptedThrough, row.Site, row.GenesisReason));
        Assert.Equal(T0, row.LastCheckpointAt);
    }

    [Fact]
    public async Task SeveralChainRowsChangedInOneTransaction_EachKeepsItsOwnFigures()
    {
        // PostgreSQL writes a transaction's changed chain rows in one statement: each row's own values, nulls where they are null.
        var store = await OpenAsync();
        var chains = Enumerable.Range(0, 3).Select(i => new ChainId($"gw-{i}", i == 1 ? "alarm" : "telemetry", new string((char)('a' + i), 32))).ToList();
        ChainRow Figures(ChainRow row, int i) => row with
        {
            Site = $"site-{i}", VerifierState = [(byte)i, 1, 2], Received = 100 + i, VerifiedThrough = 10 + i, Verified = 20 + i, Pending = 30 + i,
            Missing = 40 + i, Duplicates = 50 + i, Forks = 60 + i, BadSignatures = 70 + i, BrokenLinks = 80 + i, GapCovered = 90 + i,
            Rejected = 5 + i, ReceiptedThrough = 9 + i, LastCheckpointAt = i == 0 ? null : T0.AddSeconds(i), MissingSince = i == 2 ? T0.AddMinutes(i) : null,
            GapAlerted = i == 2, FirstSeenAt = T0.AddHours(i), GenesisReason = i == 1 ? null : $"reason-{i}", UnsignedBranch = 3 + i,
        };
        await store.WriteAsync(chains, c => $"site-{chains.IndexOf(c)}", _ => null, s =>
        {
            foreach (var (c, i) in chains.Select((c, i) => (c, i)))
            {
                s.SetChain(Figures(s.Chain(c), i));
            }

            return Task.FromResult(0);
        }, default);

        var rows = (await store.ChainsAsync(null, default)).OrderBy(r => r.Id.Gw, StringComparer.Ordinal).ToList();
        Assert.Equal(3, rows.Count);
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            var expected = Figures(row, i);
            Assert.Equal(chains[i], row.Id);
            Assert.Equal(expected.VerifierState, row.VerifierState);
            Assert.Equal(
                (expected.Site, expected.Received, expected.VerifiedThrough, expected.Verified, expected.Pending, expected.Missing, expected.Duplicates, expected.Forks),
                (row.Site, row.Received, row.VerifiedThrough, row.Verified, row.Pending, row.Missing, row.Duplicates, row.Forks));
            Assert.Equal(
                (expected.BadSignatures, expected.BrokenLinks, expected.GapCovered, expected.Rejected, expected.ReceiptedThrough, expected.UnsignedBranch, expected.GapAlerted),
                (row.BadSignatures, row.BrokenLinks, row.GapCovered, row.Rejected, row.ReceiptedThrough, row.UnsignedBranch, row.GapAlerted));
            Assert.Equal((expected.LastCheckpointAt, expected.MissingSince, expected.FirstSeenAt, expected.GenesisReason), (row.LastCheckpointAt, row.MissingSince, row.FirstSeenAt, row.GenesisReason));
        }
    }

    [Fact]
    public async Task Alerts_ComeBackInOrder_AfterAnId()
    {
        var store = await OpenAsync();
        await store.WriteAsync([Chain], "site", async s =>
        {
            await s.AddAlertAsync(new AlertRow(T0, "fork", "gw-1", "telemetry", Chain.Epoch, 4, "one"));
            await s.AddAlertAsync(new AlertRow(T0, "bad-signature", "gw-1", "telemetry", Chain.Epoch, 5, "two"));
            await s.AddEvidenceAsync(new EvidenceRow(T0, "t/x", "gw-1", "fork", [1, 2, 3]));
            return 0;
        }, default);
        var all = await store.AlertsAsync(0, 10, default);
        Assert.Equal(["fork", "bad-signature"], all.Select(a => a.Kind));
        var after = await store.AlertsAsync(all[0].Id, 10, default);
        Assert.Equal("two", Assert.Single(after).Detail);
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(await store.EvidenceAsync(10, default)).Payload);
    }

    [Fact]
    public async Task Gateway_RoundTrips()
    {
        var store = await OpenAsync();
        await store.WriteAsync([Chain], "site", async s =>
        {
            await s.SetGatewayAsync(new GatewayRow { Gw = "gw-1", Site = "site", Reported = "{}", ReportedVersion = 3, Status = "{\"online\":true}", UpdatedAt = T0 });
            return 0;
        }, default);
        var g = await store.GatewayAsync("gw-1", default);
        Assert.Equal((3L, "{\"online\":true}"), (g!.ReportedVersion, g.Status));
        Assert.Null(g.KeyRotations);
        Assert.Null(await store.GatewayAsync("gw-2", default));
    }

    [Fact]
    public async Task GatewayKeyRotations_RoundTripInsideTheWriteSession_AndKeepOtherMembers()
    {
        var store = await OpenAsync();
        var rotations = "[{\"lane\":\"telemetry\",\"epoch\":\"" + new string('a', 32) + "\",\"seq\":9}]";
        await store.WriteAsync([Chain], "site", async s =>
        {
            await s.SetGatewayAsync(new GatewayRow { Gw = "gw-1", Site = "site", ReportedVersion = 3, UpdatedAt = T0 });
            var held = await s.GatewayAsync("gw-1");
            await s.SetGatewayAsync(held! with { KeyRotations = rotations });
            return 0;
        }, default);
        var read = await store.WriteAsync([Chain], "site", s => s.GatewayAsync("gw-1"), default);
        Assert.Equal((rotations, 3L), (read!.KeyRotations, read.ReportedVersion));
        Assert.Equal(rotations, (await store.GatewayAsync("gw-1", default))!.KeyRotations);
    }

    internal abstract Task<IIngestStore> CreateAsync();

    internal abstract Task<IIngestStore> CreateSecondAsync();

    internal async Task<IIngestStore> OpenAsync()
    {
        var s = await CreateAsync();
        await s.InitializeAsync(default);
        _opened.Add(s);
        return s;
    }

    internal async Task<IIngestStore> ReopenAsync()
    {
        var s = await CreateSecondAsync();
        await s.InitializeAsync(default);
        _opened.Add(s);
        return s;
    }

    internal static RecordRow Record(long seq, string hash) =>
        new(Chain, seq, hash, "obs", "site", T0.AddSeconds(seq), "pat-1", "loinc:8867-4", [(byte)seq], T0);
}
