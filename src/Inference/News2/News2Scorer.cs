namespace EdgeTwin.Inference.News2;

using EdgeTwin.Inference.Vitals;

/// <summary>
/// Scores a patient's latest valid vitals on the NEWS2 chart. A parameter whose latest sample is
/// invalid, or whose latest valid sample is older than its maximum age, is not scored: the result
/// is marked incomplete with the reason, never filled in from stale data.
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
        var scaleTwo = vitals.Hypercapnic;
        lock (vitals.Gate)
        {
            var oxygen = Read(vitals, VitalStreams.SupplementalOxygen, News2Parameter.SupplementalOxygen, now, missing);
            var onOxygen = oxygen is >= 0.5;
            if (oxygen is { })
            {
                scores[News2Parameter.SupplementalOxygen] = News2Chart.SupplementalOxygen(onOxygen);
            }

            if (Read(vitals, VitalStreams.RespirationRate, News2Parameter.RespirationRate, now, missing) is { } rr)
            {
                scores[News2Parameter.RespirationRate] = News2Chart.RespirationRate(rr);
            }

            // With the oxygen flag missing, scale 2 scores high saturations as on air: the lower
            // bound, and the flag is listed as missing.
            if (Read(vitals, VitalStreams.SpO2, News2Parameter.SpO2, now, missing) is { } spo2)
            {
                scores[News2Parameter.SpO2] = scaleTwo ? News2Chart.SpO2Scale2(spo2, onOxygen) : News2Chart.SpO2Scale1(spo2);
            }

            if (Read(vitals, VitalStreams.SystolicBp, News2Parameter.SystolicBp, now, missing) is { } sbp)
            {
                scores[News2Parameter.SystolicBp] = News2Chart.SystolicBp(sbp);
            }

            if (Read(vitals, VitalStreams.HeartRate, News2Parameter.Pulse, now, missing) is { } pulse)
            {
                scores[News2Parameter.Pulse] = News2Chart.Pulse(pulse);
            }

            if (Read(vitals, VitalStreams.Consciousness, News2Parameter.Consciousness, now, missing) is { } acvpu)
            {
                scores[News2Parameter.Consciousness] = News2Chart.Consciousness((Acvpu)(int)acvpu);
            }

            if (Read(vitals, VitalStreams.Temperature, News2Parameter.Temperature, now, missing) is { } temp)
            {
                scores[News2Parameter.Temperature] = News2Chart.Temperature(temp);
            }
        }

        var aggregate = scores.Values.Sum();
        var red = scores.Values.Any(s => s == 3);
        missing.Sort((a, b) => a.Parameter.CompareTo(b.Parameter));
        return new News2Result(vitals.Patient, now, aggregate, red, News2Chart.Band(aggregate, red), scaleTwo, scores, missing);
    }

    private double? Read(PatientVitals vitals, string code, News2Parameter parameter, DateTimeOffset now, List<MissingParameter> missing)
    {
        var state = vitals.Stream(code);
        if (state is null)
        {
            missing.Add(new MissingParameter(parameter, MissingReason.NoData, null));
            return null;
        }

        if (!state.LastValid)
        {
            missing.Add(new MissingParameter(parameter, MissingReason.Invalid, state.LastValidAt));
            return null;
        }

        if (now - state.LastValidAt!.Value > _options.MaxAge(parameter))
        {
            missing.Add(new MissingParameter(parameter, MissingReason.Stale, state.LastValidAt));
            return null;
        }

        return state.LastValidValue;
    }
}
