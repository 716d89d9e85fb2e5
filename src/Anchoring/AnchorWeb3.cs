namespace EdgeTwin.Anchoring;

using EdgeTwin.Telemetry.Signing;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

/// <summary>Web3 clients for the anchoring chain: signing with the anchoring key (EIP-155 chain id), or read-only.</summary>
public static class AnchorWeb3
{
    /// <summary>A client whose transactions the anchoring key signs for <paramref name="chainId"/>; every RPC call has <paramref name="timeout"/>.</summary>
    public static IWeb3 Signing(string rpcUrl, GatewayKey key, long chainId, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(key);
        var web3 = new Web3(new Account(key.EcKey, chainId), Client(rpcUrl, timeout));
        web3.TransactionReceiptPolling.SetPollingRetryIntervalInMilliseconds(100);
        return web3;
    }

    public static IWeb3 ReadOnly(string rpcUrl, TimeSpan timeout) => new Web3(Client(rpcUrl, timeout));

    private static RpcClient Client(string rpcUrl, TimeSpan timeout)
    {
        ClientBase.ConnectionTimeout = timeout;
        return new RpcClient(new Uri(rpcUrl));
    }
}
