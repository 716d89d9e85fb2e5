namespace EdgeTwin.Gateway.Outbox;

/// <summary>The outcome of opening the outbox: the store, and what happened to a previous one.</summary>
internal sealed record OpenedOutbox(OutboxStore Store, bool Existed, string? QuarantinedAs, string? QuarantineReason);
