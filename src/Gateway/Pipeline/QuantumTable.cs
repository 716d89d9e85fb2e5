namespace EdgeTwin.Gateway.Pipeline;

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Telemetry.Compact;

/// <summary>
/// The quantum a compact record uses per stream (docs/operations.md, "Records on a metered link"):
/// the resolution the driver states for the stream (<see cref="StreamCode.Resolution"/>), so no
/// sample is rounded coarser than its source gives it; else the table's entry for its code, fine
/// enough for any real source. A code the settings remove, or one without an entry whose driver
/// states no resolution, is recorded as a plain <c>obs</c>.
/// </summary>
internal sealed class QuantumTable
{
    /// <summary>
    /// Built in, for drivers that state no resolution. Rates, SpO2, pressures and the NEWS2 scores are
    /// whole numbers. Temperature 0.01 Cel (Bluetooth thermometers give 0.01). ECG 0.001 mV and pleth
    /// 0.0001 of its scale: finer than any source we know (ECG front ends and recordings give 1-5 µV,
    /// bedside pleth 8-12 bits), so a source that states nothing loses nothing it measures. The
    /// drivers of this project state theirs: the simulator 0.005 mV and 0.001, MIT-BIH replay 0.005 mV
    /// (200 units per mV), ADS1115/AD8232 0.0001 mV, MAX30102 0.00001. Weight 0.005 kg (the Bluetooth
    /// weight scale's SI resolution).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [StreamCodes.HeartRate.Code] = "1",
        [StreamCodes.PulseRateOximetry.Code] = "1",
        [StreamCodes.PulseRateNoninvasive.Code] = "1",
        [StreamCodes.RespiratoryRate.Code] = "1",
        [StreamCodes.RespiratoryRateCo2.Code] = "1",
        [StreamCodes.RespiratoryRateAirwayFlow.Code] = "1",
        [StreamCodes.RespiratoryRateAcoustic.Code] = "1",
        [StreamCodes.RespiratoryRatePleth.Code] = "1",
        [StreamCodes.SpO2.Code] = "1",
        [StreamCodes.BodyTemperature.Code] = "0.01",
        [StreamCodes.SystolicBp.Code] = "1",
        [StreamCodes.DiastolicBp.Code] = "1",
        [StreamCodes.MeanBp.Code] = "1",
        [StreamCodes.Consciousness.Code] = "1",
        [StreamCodes.SupplementalO2.Code] = "1",
        [StreamCodes.EcgLeadII.Code] = "0.001",
        [StreamCodes.Pleth.Code] = "0.0001",
        [StreamCodes.BodyWeight.Code] = "0.005",
    };

    private readonly Dictionary<string, Quantum> _quanta;
    private readonly HashSet<string> _plain;
    private readonly ConcurrentDictionary<string, Quantum> _stated = new(StringComparer.Ordinal);

    private QuantumTable(Dictionary<string, Quantum> quanta, HashSet<string> plain)
    {
        _quanta = quanta;
        _plain = plain;
    }

    /// <summary>The table's entry for <paramref name="code"/> (default or setting).</summary>
    public bool TryGet(string code, [NotNullWhen(true)] out Quantum? q) => _quanta.TryGetValue(code, out q);

    /// <summary>The quantum of <paramref name="stream"/>: its stated resolution, else the table's; none when the settings removed its code.</summary>
    public bool TryGet(StreamCode stream, [NotNullWhen(true)] out Quantum? q)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_plain.Contains(stream.Code))
        {
            q = null;
            return false;
        }

        if (stream.Resolution is { } step)
        {
            // StreamCode.Resolution holds only a quantum's form, so this parses.
            q = _stated.GetOrAdd(step, Quantum.Parse);
            return true;
        }

        return TryGet(stream.Code, out q);
    }

    public static QuantumTable Build(IEnumerable<string> overrides) =>
        TryBuild(overrides, out var table, out var error) ? table : throw new ArgumentException(error, nameof(overrides));

    /// <summary>The defaults with <paramref name="overrides"/> (<c>code=quantum</c>; <c>code=</c> removes) applied in order.</summary>
    public static bool TryBuild(IEnumerable<string> overrides, [NotNullWhen(true)] out QuantumTable? table, [NotNullWhen(false)] out string? error)
    {
        var quanta = Defaults.ToDictionary(kv => kv.Key, kv => Quantum.Parse(kv.Value), StringComparer.Ordinal);
        var plain = new HashSet<string>(StringComparer.Ordinal);
        table = null;
        foreach (var entry in overrides ?? [])
        {
            var eq = entry.LastIndexOf('=');
            var code = eq > 0 ? entry[..eq].Trim() : string.Empty;
            var text = eq > 0 ? entry[(eq + 1)..].Trim() : string.Empty;
            if (code.Length == 0)
            {
                error = $"'{entry}' is not code=quantum";
                return false;
            }

            if (text.Length == 0)
            {
                quanta.Remove(code);
                plain.Add(code);
            }
            else if (Quantum.TryParse(text, out var q))
            {
                quanta[code] = q;
                plain.Remove(code);
            }
            else
            {
                error = $"'{entry}': the quantum must be a plain decimal > 0 with at most {Quantum.MaxScale} fraction digits";
                return false;
            }
        }

        table = new QuantumTable(quanta, plain);
        error = null;
        return true;
    }
}
