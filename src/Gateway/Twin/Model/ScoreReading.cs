namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>The latest value of a score computed on the box (e.g. <c>news2</c>).</summary>
internal sealed record ScoreReading(string Name, double Value, DateTimeOffset At);
