namespace EdgeTwin.Anchoring;

using Nethereum.JsonRpc.Client;
using Nethereum.Web3;

/// <summary>
/// Reads anchors back from the contract over JSON-RPC (read-only: no key). A proof's anchor holds
/// when the chain id is the one named, the transaction succeeded in the block named, its logs hold
/// the contract's <c>Anchored</c> event with the proof's index, root, first leaf and tree size, and
/// the contract's storage holds the same anchor at that index.
/// </summary>
public sealed class EvmAnchorLedger : IAnchorLedger
{
    private readonly IWeb3 _web3;

    public EvmAnchorLedger(IWeb3 web3) => _web3 = web3;

    public static EvmAnchorLedger Connect(string rpcUrl, TimeSpan timeout) => new(AnchorWeb3.ReadOnly(rpcUrl, timeout));

    public async Task<string?> CheckAsync(ProofAnchor anchor, ProofTree tree, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(tree);
        try
        {
            var chainId = (long)(await _web3.Eth.ChainId.SendRequestAsync().ConfigureAwait(false)).Value;
            if (chainId != anchor.ChainId)
            {
                return $"the RPC serves chain {chainId}, the proof names chain {anchor.ChainId}";
            }

            var receipt = await _web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(anchor.Tx).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (receipt is null)
            {
                return $"transaction {anchor.Tx} is not on chain {anchor.ChainId}";
            }

            if (receipt.Status?.Value != 1)
            {
                return $"transaction {anchor.Tx} failed (status {receipt.Status?.Value})";
            }

            if ((long)receipt.BlockNumber.Value != anchor.Block)
            {
                return $"transaction {anchor.Tx} is in block {receipt.BlockNumber.Value}, the proof names block {anchor.Block}";
            }

            var events = AnchorContract.AnchoredEvents(receipt, anchor.Contract);
            var matching = events.FirstOrDefault(e => (long)e.Index == tree.AnchorIndex);
            if (matching is null)
            {
                return $"transaction {anchor.Tx} emitted no Anchored({tree.AnchorIndex}, ...) from contract {anchor.Contract}";
            }

            var eventRoot = Convert.ToHexStringLower(matching.Root);
            if (eventRoot != tree.Root || (long)matching.FirstLeaf != tree.FirstLeaf || (long)matching.TreeSize != tree.TreeSize)
            {
                return $"anchor {tree.AnchorIndex} on the ledger is root {eventRoot}, leaves {matching.FirstLeaf} + {matching.TreeSize}; the proof says root {tree.Root}, leaves {tree.FirstLeaf} + {tree.TreeSize}";
            }

            var stored = await AnchorContract.GetAsync(_web3, anchor.Contract, tree.AnchorIndex, ct).ConfigureAwait(false);
            return Convert.ToHexStringLower(stored.Root) == tree.Root ? null
                : $"the contract holds root {Convert.ToHexStringLower(stored.Root)} at index {tree.AnchorIndex}, not {tree.Root}";
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or RpcResponseException or HttpRequestException or Nethereum.ABI.FunctionEncoding.SmartContractRevertException)
        {
            return $"the ledger could not be read: {e.Message}";
        }
    }
}
