namespace EdgeTwin.Gateway.Twin.Binding;

/// <summary>
/// Which times a binding command may carry: not later than the box's clock plus
/// <c>Twin:MaxClockSkew</c>, not earlier than the box keeps stays for (<c>Twin:BindingRetention</c>).
/// An admission dated 9999-12-31 would otherwise hold its devices for good, and one before the
/// retention would reach back over stays already forgotten.
/// </summary>
internal static class BindingTimes
{
    public const string InFuture = "at-in-future";

    public const string TooOld = "at-before-retention";

    /// <summary>Null when <paramref name="at"/> may be used at <paramref name="now"/>, else the reason.</summary>
    public static string? Check(DateTimeOffset at, DateTimeOffset now, TimeSpan maxSkew, TimeSpan retention)
    {
        if (at > now + maxSkew)
        {
            return $"{InFuture}:{TwinTime.Format(at)} is more than {maxSkew} ahead of the box's clock {TwinTime.Format(now)} (Twin:MaxClockSkew)";
        }

        return at < now - retention
            ? $"{TooOld}:{TwinTime.Format(at)} is more than {retention} before the box's clock {TwinTime.Format(now)} (Twin:BindingRetention)"
            : null;
    }

    /// <summary>Whether a refusal is about the command's time (the caller's mistake: 400), not about the ward's state (409).</summary>
    public static bool IsTimeProblem(string problem) =>
        problem.StartsWith(InFuture, StringComparison.Ordinal) || problem.StartsWith(TooOld, StringComparison.Ordinal);
}
