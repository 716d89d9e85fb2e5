namespace EdgeTwin.Anchoring;

using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

/// <summary>
/// The <c>EdgeTwinAnchor</c> contract (contracts/EdgeTwinAnchor.sol): its compiled bytecode and ABI,
/// embedded from the files tools/evm/compile.js writes, and typed calls over Nethereum.
/// </summary>
public static class AnchorContract
{
    public static string Abi { get; } = Resource("EdgeTwinAnchor.abi.json");

    public static string Bytecode { get; } = Resource("EdgeTwinAnchor.bin").Trim();

    /// <summary>Deploys the contract from the web3 account, which becomes its only anchorer; returns its address.</summary>
    public static async Task<string> DeployAsync(IWeb3 web3, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(web3);
        var receipt = await web3.Eth.GetContractDeploymentHandler<Deployment>()
            .SendRequestAndWaitForReceiptAsync(new Deployment(), ct).ConfigureAwait(false);
        if (receipt.Status?.Value != 1 || string.IsNullOrEmpty(receipt.ContractAddress))
        {
            throw new AnchorLedgerException($"deploying the anchor contract failed (transaction {receipt.TransactionHash}, status {receipt.Status?.Value})");
        }

        return receipt.ContractAddress;
    }

    public static async Task<long> CountAsync(IWeb3 web3, string contract, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(web3);
        var count = await web3.Eth.GetContractQueryHandler<CountFunction>().QueryAsync<BigInteger>(contract, new CountFunction()).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return (long)count;
    }

    public static async Task<LedgerAnchor> GetAsync(IWeb3 web3, string contract, long index, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(web3);
        var output = await web3.Eth.GetContractQueryHandler<GetFunction>()
            .QueryDeserializingToObjectAsync<GetOutput>(new GetFunction { Index = index }, contract).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return new LedgerAnchor(index, output.Root, (long)output.FirstLeaf, (long)output.TreeSize, DateTimeOffset.FromUnixTimeSeconds((long)output.Time));
    }

    /// <summary>Sends <c>anchor(root, firstLeaf, treeSize, previousRoot)</c> and waits for it to be mined.</summary>
    public static async Task<TransactionReceipt> AnchorAsync(IWeb3 web3, string contract, byte[] root, long firstLeaf, long treeSize, byte[] previousRoot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(web3);
        var message = new AnchorFunction { Root = root, FirstLeaf = (ulong)firstLeaf, TreeSize = (ulong)treeSize, PreviousRoot = previousRoot };
        return await web3.Eth.GetContractTransactionHandler<AnchorFunction>()
            .SendRequestAndWaitForReceiptAsync(contract, message, ct).ConfigureAwait(false);
    }

    /// <summary>The <c>Anchored</c> events a receipt's logs hold that the contract at <paramref name="contract"/> emitted.</summary>
    public static IReadOnlyList<AnchoredEvent> AnchoredEvents(TransactionReceipt receipt, string contract)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return receipt.DecodeAllEvents<AnchoredEvent>()
            .Where(e => string.Equals(e.Log.Address, contract, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Event)
            .ToList();
    }

    private static string Resource(string name)
    {
        using var stream = typeof(AnchorContract).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed class Deployment : ContractDeploymentMessage
    {
        public Deployment()
            : base(Bytecode)
        {
        }
    }

    [Function("count", "uint256")]
    private sealed class CountFunction : FunctionMessage
    {
    }

    [Function("get", typeof(GetOutput))]
    private sealed class GetFunction : FunctionMessage
    {
        [Parameter("uint256", "index", 1)]
        public BigInteger Index { get; set; }
    }

    [FunctionOutput]
    private sealed class GetOutput : IFunctionOutputDTO
    {
        [Parameter("bytes32", "root", 1)]
        public byte[] Root { get; set; } = [];

        [Parameter("uint64", "firstLeaf", 2)]
        public ulong FirstLeaf { get; set; }

        [Parameter("uint64", "treeSize", 3)]
        public ulong TreeSize { get; set; }

        [Parameter("uint64", "time", 4)]
        public ulong Time { get; set; }
    }

    [Function("anchor", "uint256")]
    private sealed class AnchorFunction : FunctionMessage
    {
        [Parameter("bytes32", "root", 1)]
        public byte[] Root { get; set; } = [];

        [Parameter("uint64", "firstLeaf", 2)]
        public ulong FirstLeaf { get; set; }

        [Parameter("uint64", "treeSize", 3)]
        public ulong TreeSize { get; set; }

        [Parameter("bytes32", "previousRoot", 4)]
        public byte[] PreviousRoot { get; set; } = [];
    }
}

/// <summary>The contract's <c>Anchored(index, root, firstLeaf, treeSize, previousRoot, time)</c> event.</summary>
[Event("Anchored")]
public sealed class AnchoredEvent : IEventDTO
{
    [Parameter("uint256", "index", 1, true)]
    public BigInteger Index { get; set; }

    [Parameter("bytes32", "root", 2, true)]
    public byte[] Root { get; set; } = [];

    [Parameter("uint64", "firstLeaf", 3, false)]
    public ulong FirstLeaf { get; set; }

    [Parameter("uint64", "treeSize", 4, false)]
    public ulong TreeSize { get; set; }

    [Parameter("bytes32", "previousRoot", 5, false)]
    public byte[] PreviousRoot { get; set; } = [];

    [Parameter("uint64", "time", 6, false)]
    public ulong Time { get; set; }
}

/// <summary>An anchor as the contract stores it.</summary>
public sealed record LedgerAnchor(long Index, byte[] Root, long FirstLeaf, long TreeSize, DateTimeOffset Time);

/// <summary>The ledger said no, or said something other than what was expected.</summary>
public sealed class AnchorLedgerException : Exception
{
    public AnchorLedgerException(string message)
        : base(message)
    {
    }

    public AnchorLedgerException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AnchorLedgerException()
    {
    }
}
