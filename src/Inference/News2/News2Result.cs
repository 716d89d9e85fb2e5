namespace EdgeTwin.Inference.News2;

/// <summary>
/// A NEWS2 score. When <see cref="Complete"/> is false, <see cref="Aggregate"/> sums only the
/// parameters that could be scored and <see cref="Missing"/> says which were left out and why:
/// since every parameter scores 0 or more, the aggregate and <see cref="Band"/> are then a lower
/// bound (a partial 7 is already high; a partial 2 says nothing about being low).
/// <see cref="Sources"/> names the stream each scored parameter was read from (the pulse from
/// <c>loinc:8867-4</c>, the ECG, or <c>loinc:8889-8</c>, the oximeter ...).
/// </summary>
public sealed record News2Result(
    string Patient,
    DateTimeOffset At,
    int Aggregate,
    bool RedScore,
    News2RiskBand Band,
    bool ScaleTwo,
    IReadOnlyDictionary<News2Parameter, int> Scores,
    IReadOnlyList<MissingParameter> Missing,
    IReadOnlyDictionary<News2Parameter, string> Sources)
{
    public bool Complete => Missing.Count == 0;
}
