namespace EdgeTwin.Inference.News2;

using EdgeTwin.Inference.Vitals;

/// <summary>
/// Scores a patient's latest valid vitals on the NEWS2 chart. A parameter whose latest sample is
/// invalid, or whose latest valid sample is older than its maximum age, is not scored: the result
/// is marked incomplete with the reason, never filled in from stale data. The pulse and the
/// respiration rate have several sources (<see cref="VitalStreams.PulseSources"/>,
/// <see cref="VitalStreams.RespirationSources"/>): the best fresh one is used
/// (<see cref="News2Options.SourceFreshness"/>), and the result says which.
/// </summary>
public sealed class News2Scorer
{
    private readonly News2Options _options;
    private readonly TimeProvider _time;

    public News2Scorer(News2Options options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
    }

    public News2Result Score(PatientVitals vitals)
    {
        ArgumentNullException.ThrowIfNull(vitals);
        var now = _time.GetUtcNow();
        var scores = new Dictionary<News2Parameter, int>();
        var missing = new List<MissingParameter>();
        var sources = new Dictionary<News2Parameter, string>();
        var scaleTwo = vitals.Hypercapnic;
        lock (vitals.Gate)
        {
            double? Read(News2Parameter parameter, params IReadOnlyList<string> codes) => ReadBest(vitals, codes, parameter, now, missing, sources);

            var oxygen = Read(News2Parameter.SupplementalOxygen, VitalStreams.SupplementalOxygen);
            var onOxygen = oxygen is >= 0.5;
            if (oxygen is { })
            {
                scores[News2Parameter.SupplementalOxygen] = News2Chart.SupplementalOxygen(onOxygen);
            }

            if (Read(News2Parameter.RespirationRate, VitalStreams.RespirationSources) is { } rr)
            {
                scores[News2Parameter.RespirationRate] = News2Chart.RespirationRate(rr);
            }

            // With the oxygen flag missing, scale 2 scores high saturations as on air: the lower
            // bound, and the flag is listed as missing.
            if (Read(News2Parameter.SpO2, VitalStreams.SpO2) is { } spo2)
            {
                scores[News2Parameter.SpO2] = scaleTwo ? News2Chart.SpO2Scale2(spo2, onOxygen) : News2Chart.SpO2Scale1(spo2);
            }

            if (Read(News2Parameter.SystolicBp, VitalStreams.SystolicBp) is { } sbp)
            {
                scores[News2Parameter.SystolicBp] = News2Chart.SystolicBp(sbp);
            }

            if (Read(News2Parameter.Pulse, VitalStreams.PulseSources) is { } pulse)
            {
                scores[News2Parameter.Pulse] = News2Chart.Pulse(pulse);
            }

            if (Read(News2Parameter.Consciousness, VitalStreams.Consciousness) is { } acvpu)
            {
                scores[News2Parameter.Consciousness] = News2Chart.Consciousness((Acvpu)(int)acvpu);
            }

            if (Read(News2Parameter.Temperature, VitalStreams.Temperature) is { } temp)
            {
                scores[News2Parameter.Temperature] = News2Chart.Temperature(temp);
            }
        }

        var aggregate = scores.Values.Sum();
        var red = scores.Values.Any(s => s == 3);
        missing.Sort((a, b) => a.Parameter.CompareTo(b.Parameter));
        return new News2Result(vitals.Patient, now, aggregate, red, News2Chart.Band(aggregate, red), scaleTwo, scores, missing, sources);
    }

    /// <summary>
    /// The value of the best source of <paramref name="parameter"/>: the first of
    /// <paramref name="codes"/> that is fresh, else the first within the parameter's maximum age.
    /// With none, the parameter is missing for the reason of the best source that has any sample.
    /// </summary>
    private double? ReadBest(PatientVitals vitals, IReadOnlyList<string> codes, News2Parameter parameter, DateTimeOffset now, List<MissingParameter> missing, Dictionary<News2Parameter, string> sources)
    {
        var best = SourceSelection.Best(
            codes,
            code => vitals.Stream(code) is { LastValid: true, LastValidAt: { } at } ? at : null,
            now,
            _options.SourceFreshness,
            _options.MaxAge(parameter));
        if (best is not null && vitals.Stream(best)?.LastValidValue is { } value)
        {
            sources[parameter] = best;
            return value;
        }

        var seen = codes.Select(vitals.Stream).FirstOrDefault(s => s is not null);
        missing.Add(seen is null ? new MissingParameter(parameter, MissingReason.NoData, null)
            : !seen.LastValid ? new MissingParameter(parameter, MissingReason.Invalid, seen.LastValidAt)
            : new MissingParameter(parameter, MissingReason.Stale, seen.LastValidAt));
        return null;
    }
}
