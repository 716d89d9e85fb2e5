namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>
/// The latest value of a score computed on the box (e.g. <c>news2</c>), its band, the inputs it
/// had to leave out (parameter → <c>no-data</c> | <c>invalid</c> | <c>stale</c>): a score with
/// missing inputs is incomplete, a lower bound, and the twin says so rather than showing it as whole;
/// and the stream each scored input was read from (parameter → stream code: the pulse from the ECG
/// heart rate or the oximeter's pulse rate), empty when the score does not say.
/// </summary>
internal sealed record ScoreReading(string Name, double Value, DateTimeOffset At, string? Band, IReadOnlyDictionary<string, string> Missing, IReadOnlyDictionary<string, string>? Sources = null)
{
    public bool Complete => Missing.Count == 0;
}
