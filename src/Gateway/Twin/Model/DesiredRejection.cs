namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>The last refused desired document: its version when it had one, and why.</summary>
internal sealed record DesiredRejection(long? Version, string Reason, DateTimeOffset At);
