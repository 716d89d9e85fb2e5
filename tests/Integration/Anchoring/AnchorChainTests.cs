namespace EdgeTwin.Integration.Tests.Anchoring;

using System.Security.Cryptography;
using EdgeTwin.Anchoring;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Anchoring;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Web3;
using Xunit.Abstractions;

/// <summary>
/// Issue 17, successive anchors on a real local EVM node (ganache) from the real anchorer over a
/// real LiteDB store: each anchor extends the last on the ledger, the contract refuses one that does
/// not and any sender but the anchorer, and the audit and the crash recovery raise
/// <c>anchor-mismatch</c> when the ledger and the store disagree (another root at an index, a
/// previous root that is not the ledger's, a ledger behind the store), sending nothing then.
/// Roots are computed here from RFC 6962's definitions, not with the production Merkle code.
/// </summary>
public sealed class AnchorChainTests : IClassFixture<AnchorChainTests.Ledger>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly ChainId Chain = new("gw-chain", "telemetry", new string('c', 32));
    private readonly Ledger _ledger;
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-it-anchorchain-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private long _nextSeq = 1;

    public AnchorChainTests(Ledger ledger, ITestOutputHelper output)
    {
        _ledger = ledger;
        _output = output;
    }

    [Fact]
    public async Task SuccessiveAnchors_EachExtendsTheLastOnTheLedger_LaterAnchorsCostTheSameGas()
    {
        var contract = await _ledger.DeployAsync();
        await using var store = await OpenStoreAsync();
        using var anchorer = NewAnchorer(store, contract);
        var web3 = _ledger.Anchorer;
        var gas = new List<long>();
        var leaves = new List<byte[]>();
        LedgerAnchor? last = null;

        // Anchors of 1, 2 and 3 checkpoints, one round each.
        for (var size = 1; size <= 3; size++)
        {
            var hashes = await AddCheckpointsAsync(store, size);
            var made = await anchorer.RoundAsync(default);
            Assert.NotNull(made);
            Assert.True(made!.Anchored);
            var expectedRoot = Rfc6962Root([.. hashes.Select(LeafOf)]);
            leaves.AddRange(hashes.Select(LeafOf));

            var held = await AnchorContract.GetAsync(web3, contract, made.Index, default);
            Assert.Equal(expectedRoot, Convert.ToHexStringLower(held.Root));
            Assert.Equal((last is null ? 0 : last.FirstLeaf + last.TreeSize, (long)size), (held.FirstLeaf, held.TreeSize));
            var receipt = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(made.Tx);
            var anchored = Assert.Single(AnchorContract.AnchoredEvents(receipt, contract));
            Assert.Equal(last is null ? new string('0', 64) : Convert.ToHexStringLower(last.Root), Convert.ToHexStringLower(anchored.PreviousRoot));
            var tx = await web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(made.Tx);
            var calldata = (tx.Input.Length - 2) / 2;
            gas.Add((long)receipt.GasUsed.Value);
            _output.WriteLine($"anchor {made.Index}: {size} checkpoints, gas used {receipt.GasUsed.Value}, calldata {calldata} bytes");
            Assert.Equal(4 + (4 * 32), calldata); // anchor(bytes32,uint64,uint64,bytes32): selector and four words, whatever the tree size
            last = held;
        }

        Assert.Equal(3, await AnchorContract.CountAsync(web3, contract, default));
        Assert.Equal(6, leaves.Count);

        // The first anchor also makes the array's length slot non-zero; later ones differ only in calldata bytes.
        Assert.True(gas[1] < gas[0] && gas[2] < gas[0], string.Join(", ", gas));
        Assert.True(Math.Abs(gas[1] - gas[2]) <= 200, string.Join(", ", gas));
        Assert.Empty(await store.AlertsAsync(0, 10, default));
    }

    [Fact]
    public async Task TheContract_RefusesAnAnchorThatDoesNotExtendTheLast_AnEmptyTree_AndAnySenderButTheAnchorer()
    {
        var contract = await _ledger.DeployAsync();
        var web3 = _ledger.Anchorer;
        var first = RandomNumberGenerator.GetBytes(32);
        var zero = new byte[32];
        await AnchorContract.AnchorAsync(web3, contract, first, 0, 2, zero, default);

        // A gap after the last anchor, or its leaves again (a retried transaction that had landed).
        var gap = await RefusedAsync<NotNextError>(() => AnchorContract.AnchorAsync(web3, contract, RandomNumberGenerator.GetBytes(32), 3, 1, first, default));
        Assert.Equal((2UL, 3UL), (gap.ExpectedFirstLeaf, gap.FirstLeaf));
        var again = await RefusedAsync<NotNextError>(() => AnchorContract.AnchorAsync(web3, contract, RandomNumberGenerator.GetBytes(32), 0, 2, zero, default));
        Assert.Equal((2UL, 0UL), (again.ExpectedFirstLeaf, again.FirstLeaf));

        // The right leaves, but not chained to the last root.
        var other = RandomNumberGenerator.GetBytes(32);
        var unchained = await RefusedAsync<PreviousMismatchError>(() => AnchorContract.AnchorAsync(web3, contract, RandomNumberGenerator.GetBytes(32), 2, 1, other, default));
        Assert.Equal((Convert.ToHexStringLower(first), Convert.ToHexStringLower(other)), (Convert.ToHexStringLower(unchained.Expected), Convert.ToHexStringLower(unchained.Given)));

        // An empty tree.
        await RefusedAsync<EmptyTreeError>(() => AnchorContract.AnchorAsync(web3, contract, RandomNumberGenerator.GetBytes(32), 2, 0, first, default));

        // A correct continuation from any other key.
        var stranger = await RefusedAsync<NotAnchorerError>(() => AnchorContract.AnchorAsync(_ledger.Stranger, contract, RandomNumberGenerator.GetBytes(32), 2, 1, first, default));
        Assert.Equal(_ledger.StrangerAddress.ToLowerInvariant(), stranger.Sender.ToLowerInvariant());

        Assert.Equal(1, await AnchorContract.CountAsync(web3, contract, default));
        Assert.Equal(Convert.ToHexStringLower(first), Convert.ToHexStringLower((await AnchorContract.GetAsync(web3, contract, 0, default)).Root));
    }

    [Fact]
    public async Task AStoredPreviousRootThatIsNotTheLedgers_RaisesAnchorMismatchOnTheNextAudit()
    {
        var contract = await _ledger.DeployAsync();
        await using var store = await OpenStoreAsync();
        using var anchorer = NewAnchorer(store, contract);
        await AddCheckpointsAsync(store, 2);
        var first = (await anchorer.RoundAsync(default))!;
        await AddCheckpointsAsync(store, 1);
        Assert.True((await anchorer.RoundAsync(default))!.Anchored);
        Assert.Empty(await store.AlertsAsync(0, 10, default));

        var rows = store.Db.GetCollection(LiteDbAnchorMapping.Anchors);
        var doc = rows.FindById(1L);
        doc["previousRoot"] = new string('e', 64);
        rows.Update(doc);
        Assert.Null(await anchorer.RoundAsync(default)); // nothing waits; the audit runs

        var alert = Assert.Single(await store.AlertsAsync(0, 10, default));
        Assert.Equal((AlertKind.AnchorMismatch, Anchorer.Everyone), (alert.Kind, alert.Gw));
        Assert.Equal($"anchor 1: the store names previous root {new string('e', 64)}, the ledger's anchor before it is root {first.Root}: the stored anchors no longer form the ledger's chain", alert.Detail);
    }

    [Fact]
    public async Task ACrashAfterTheTransaction_TheNextRoundTakesItFromTheLedger_WithoutAnchoringTwice()
    {
        var contract = await _ledger.DeployAsync();
        await using var store = await OpenStoreAsync();

        // What a round does before it sends, then the transaction, then the process dies before keeping it.
        var prepared = await PrepareAsync(store, 3);
        var sent = await AnchorContract.AnchorAsync(_ledger.Anchorer, contract, Convert.FromHexString(prepared.Root), prepared.FirstLeaf, prepared.TreeSize, Convert.FromHexString(prepared.PreviousRoot), default);

        using var anchorer = NewAnchorer(store, contract);
        var confirmed = await anchorer.RoundAsync(default);

        Assert.Equal((0L, sent.TransactionHash, (long)sent.BlockNumber.Value), (confirmed!.Index, confirmed.Tx, confirmed.Block!.Value));
        Assert.Equal(sent.TransactionHash, (await ((IAnchorStore)store).AnchorAsync(0, default))!.Tx);
        Assert.Equal(1, await AnchorContract.CountAsync(_ledger.Anchorer, contract, default));
        Assert.Empty(await store.AlertsAsync(0, 10, default));
    }

    [Fact]
    public async Task ALedgerHoldingAnotherRootAtThePreparedIndex_RaisesAnchorMismatch_AndNothingIsSent()
    {
        var contract = await _ledger.DeployAsync();
        await using var store = await OpenStoreAsync();
        var prepared = await PrepareAsync(store, 2);
        var foreign = RandomNumberGenerator.GetBytes(32);
        await AnchorContract.AnchorAsync(_ledger.Anchorer, contract, foreign, 0, prepared.TreeSize, new byte[32], default);

        using var anchorer = NewAnchorer(store, contract);
        Assert.Null(await anchorer.RoundAsync(default));

        var alert = Assert.Single(await store.AlertsAsync(0, 10, default));
        Assert.Equal(AlertKind.AnchorMismatch, alert.Kind);
        Assert.Equal($"anchor 0: the ledger holds root {Convert.ToHexStringLower(foreign)}, the store prepared {prepared.Root}", alert.Detail);
        Assert.False((await ((IAnchorStore)store).AnchorAsync(0, default))!.Anchored);
        Assert.Equal(1, await AnchorContract.CountAsync(_ledger.Anchorer, contract, default));
    }

    [Fact]
    public async Task ALedgerBehindTheStore_RaisesAnchorMismatchForTheMissingAnchor_AndSendsNothing()
    {
        var contract = await _ledger.DeployAsync();
        await using var store = await OpenStoreAsync();
        using (var before = NewAnchorer(store, contract))
        {
            await AddCheckpointsAsync(store, 2);
            Assert.True((await before.RoundAsync(default))!.Anchored);
        }

        // The ingest pointed at another (fresh) contract: it holds none of the store's anchors.
        var fresh = await _ledger.DeployAsync();
        var tx = (await ((IAnchorStore)store).AnchorAsync(0, default))!.Tx;
        await AddCheckpointsAsync(store, 1);
        using var anchorer = NewAnchorer(store, fresh);
        Assert.Null(await anchorer.RoundAsync(default));

        var alerts = await store.AlertsAsync(0, 10, default);
        Assert.Equal(
            [
                $"anchor 0: the store has it anchored in transaction {tx}, the ledger holds only 0 anchors: a different contract or chain, or a ledger rolled back",
                "the ledger holds 0 anchors, the store 1: a different contract or chain? Nothing sent",
            ],
            alerts.Select(a => a.Detail));
        Assert.All(alerts, a => Assert.Equal(AlertKind.AnchorMismatch, a.Kind));
        Assert.Equal(0, await AnchorContract.CountAsync(_ledger.Anchorer, fresh, default));
        Assert.False((await ((IAnchorStore)store).AnchorAsync(1, default))!.Anchored);
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The contract's custom error a refused transaction reverted with (Nethereum estimates gas first, which reverts).</summary>
    private static async Task<T> RefusedAsync<T>(Func<Task> send)
        where T : class, new()
    {
        var e = await Assert.ThrowsAnyAsync<SmartContractCustomErrorRevertException>(send);
        Assert.True(e.IsCustomErrorFor<T>(), $"reverted with {e.ExceptionEncodedData}, not {typeof(T).Name}");
        return e.DecodeError<T>();
    }

    /// <summary>RFC 6962 §2.1 over leaf hashes, written out here: split at the largest power of two below n.</summary>
    private static string Rfc6962Root(IReadOnlyList<byte[]> leaves)
    {
        static byte[] Node(IReadOnlyList<byte[]> l)
        {
            if (l.Count == 1)
            {
                return l[0];
            }

            var k = 1;
            while (k * 2 < l.Count)
            {
                k *= 2;
            }

            return SHA256.HashData([0x01, .. Node([.. l.Take(k)]), .. Node([.. l.Skip(k)])]);
        }

        return Convert.ToHexStringLower(Node(leaves));
    }

    private static byte[] LeafOf(string checkpointHash) => SHA256.HashData([0x00, .. Convert.FromHexString(checkpointHash)]);

    private async Task<LiteDbIngestStore> OpenStoreAsync()
    {
        var store = new LiteDbIngestStore(Path.Combine(_dir, $"store-{Guid.NewGuid():N}"));
        await store.InitializeAsync(default);
        return store;
    }

    /// <summary>Stored checkpoint records (their hash the SHA-256 of their bytes) made leaves, as a verifying batch does.</summary>
    private async Task<List<string>> AddCheckpointsAsync(LiteDbIngestStore store, int count)
    {
        var hashes = new List<string>();
        var from = _nextSeq;
        _nextSeq += count;
        await store.WriteAsync([Chain], "site", async s =>
        {
            for (var seq = from; seq < from + count; seq++)
            {
                var payload = RandomNumberGenerator.GetBytes(64);
                var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
                hashes.Add(hash);
                await s.TryInsertRecordAsync(new RecordRow(Chain, seq, hash, "checkpoint", "site", null, null, null, payload, DateTimeOffset.UnixEpoch));
            }

            await s.AddAnchorLeavesAsync(Chain, from, from + count - 1);
            return 0;
        }, default);
        return hashes;
    }

    /// <summary>New checkpoints and the anchor a round prepares of them before it sends.</summary>
    private async Task<AnchorRow> PrepareAsync(LiteDbIngestStore store, int checkpoints)
    {
        await AddCheckpointsAsync(store, checkpoints);
        return (await ((IAnchorStore)store).PrepareAnchorAsync(100, Anchorer.RootOf, DateTimeOffset.UtcNow, default))!;
    }

    private Anchorer NewAnchorer(LiteDbIngestStore store, string contract)
    {
        var options = new IngestOptions
        {
            Storage = $"litedb:{_dir}",
            KeyFile = Path.Combine(_dir, "ingest.key"),
            Anchor = new AnchorOptions { Rpc = _ledger.Node.Rpc, ChainId = Ganache.ChainId, Contract = contract, KeyFile = _ledger.AnchorerKeyFile, Timeout = Timeout },
        };
        var meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var alerts = new AlertPublisher(NullLogger<AlertPublisher>.Instance, new IngestMetrics(meters));
        return new Anchorer(store, new FixedOptionsMonitor<IngestOptions>(options), alerts, TimeProvider.System, NullLogger<Anchorer>.Instance, meters);
    }

    /// <summary>One ganache for the class, funding the anchorer and a stranger; each test deploys its own contract.</summary>
    public sealed class Ledger : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-it-ledger-").FullName;
        private readonly GatewayKey _anchorer;
        private readonly GatewayKey _stranger;

        public Ledger()
        {
            var anchorerHex = "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var strangerHex = "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            _anchorer = GatewayKey.FromPrivateKeyHex(anchorerHex);
            _stranger = GatewayKey.FromPrivateKeyHex(strangerHex);
            AnchorerKeyFile = Path.Combine(_dir, "anchor.key");
            _anchorer.SaveToFile(AnchorerKeyFile);
            Node = new Ganache(anchorerHex, strangerHex);
            Anchorer = AnchorWeb3.Signing(Node.Rpc, _anchorer, Ganache.ChainId, Timeout);
            Stranger = AnchorWeb3.Signing(Node.Rpc, _stranger, Ganache.ChainId, Timeout);
        }

        public Ganache Node { get; }

        public string AnchorerKeyFile { get; }

        public IWeb3 Anchorer { get; }

        public IWeb3 Stranger { get; }

        public string StrangerAddress => _stranger.Address;

        public Task<string> DeployAsync() => AnchorContract.DeployAsync(Anchorer, default);

        public void Dispose()
        {
            Node.Dispose();
            _anchorer.Dispose();
            _stranger.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Error("NotNext")]
    private sealed class NotNextError
    {
        [Parameter("uint64", "expectedFirstLeaf", 1)]
        public ulong ExpectedFirstLeaf { get; set; }

        [Parameter("uint64", "firstLeaf", 2)]
        public ulong FirstLeaf { get; set; }
    }

    [Error("PreviousMismatch")]
    private sealed class PreviousMismatchError
    {
        [Parameter("bytes32", "expected", 1)]
        public byte[] Expected { get; set; } = [];

        [Parameter("bytes32", "given", 2)]
        public byte[] Given { get; set; } = [];
    }

    [Error("EmptyTree")]
    private sealed class EmptyTreeError
    {
    }

    [Error("NotAnchorer")]
    private sealed class NotAnchorerError
    {
        [Parameter("address", "sender", 1)]
        public string Sender { get; set; } = string.Empty;
    }
}
