namespace EdgeTwin.Telemetry.Verification;

/// <summary>The body of a <c>gap</c> record: seqs <see cref="From"/>..<see cref="To"/> were dropped unsent.</summary>
public sealed record GapStatement(long From, long To, string FirstPrev, string LastHash);
