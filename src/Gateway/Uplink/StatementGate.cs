namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// What the gateway believes of the cloud's statements (PROTOCOL §7). A receipt is acted on only when
/// its signer is a configured receipt signer, gw/lane/epoch are this gateway's current chain, and its
/// hash is the hash of the very record this gateway holds at that seq (or its head); a re-send request
/// only when signed alike, for this gateway's current chain, starting at or below the head. Anything
/// else is refused with a <see cref="StatementProblems"/> name and changes nothing.
/// </summary>
internal sealed class StatementGate(string gw, IReadOnlyCollection<string> signers, ChainBook book)
{
    public string? CheckReceipt(ReadOnlySpan<byte> payload, out Receipt? receipt, out Lane lane)
    {
        lane = default;
        if (!Receipt.TryParse(payload, out receipt, out var problem))
        {
            return problem;
        }

        Telemetry.Chain.ChainState? head = null;
        problem = receipt!.CheckSigner(signers, out _) ?? CheckChain(receipt.Gw, receipt.Lane, receipt.Epoch, receipt.Seq, out lane, out head);
        if (problem is not null)
        {
            return problem;
        }

        if (!book.Store.TryRead(lane, receipt.Seq, receipt.Seq, 1, out var held))
        {
            // Closed after a failed write: "not held" would be a guess. The records stay until a later receipt.
            return receipt.Seq == head!.Seq ? (head.Hash == receipt.Hash ? null : StatementProblems.HashMismatch) : StatementProblems.OutboxClosed;
        }

        var hash = held.Count == 1 ? held[0].Hash : receipt.Seq == head!.Seq ? head.Hash : null;
        return hash is null ? StatementProblems.NotHeld
            : hash == receipt.Hash ? null
            : StatementProblems.HashMismatch;
    }

    public string? CheckResend(ReadOnlySpan<byte> payload, out ResendRequest? request, out Lane lane)
    {
        lane = default;
        return ResendRequest.TryParse(payload, out request, out var problem)
            ? request!.CheckSigner(signers, out _) ?? CheckChain(request.Gw, request.Lane, request.Epoch, request.From, out lane, out _)
            : problem;
    }

    private string? CheckChain(string statementGw, string laneName, string epoch, long seq, out Lane lane, out Telemetry.Chain.ChainState? head)
    {
        lane = laneName == WireNames.Alarm ? Lane.Alarm : Lane.Telemetry;
        head = null;
        if (statementGw != gw)
        {
            return StatementProblems.WrongGw;
        }

        head = book.Head(lane);
        return epoch != head.Epoch ? StatementProblems.UnknownEpoch
            : seq > head.Seq ? StatementProblems.BeyondHead
            : null;
    }
}
