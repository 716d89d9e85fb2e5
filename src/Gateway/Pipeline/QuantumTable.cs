namespace EdgeTwin.Gateway.Pipeline;

using System.Diagnostics.CodeAnalysis;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Telemetry.Compact;

/// <summary>
/// The quantum a compact record uses per stream code (docs/operations.md, "Records on a metered link"):
/// the resolution the devices give, so that nothing they measure is lost. A code without a quantum
/// is recorded as a plain <c>obs</c>.
/// </summary>
internal sealed class QuantumTable
{
    /// <summary>
    /// Built in. Rates, SpO2, pressures and the NEWS2 scores are whole numbers. Temperature 0.01 Cel
    /// (Bluetooth thermometers give 0.01; the simulator 0.1). ECG 0.001 mV: the simulator's resolution
    /// (1 µV); the ADS1115/AD8232 front end gives 1.25 µV steps, so its samples move by at most
    /// 0.5 µV, far below its noise. Pleth 0.0001: the simulator's and the MAX30102 driver's resolution
    /// of the normalised ratio. Weight 0.005 kg (the Bluetooth weight scale's SI resolution).
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

    private QuantumTable(Dictionary<string, Quantum> quanta) => _quanta = quanta;

    public bool TryGet(string code, [NotNullWhen(true)] out Quantum? q) => _quanta.TryGetValue(code, out q);

    public static QuantumTable Build(IEnumerable<string> overrides) =>
        TryBuild(overrides, out var table, out var error) ? table : throw new ArgumentException(error, nameof(overrides));

    /// <summary>The defaults with <paramref name="overrides"/> (<c>code=quantum</c>; <c>code=</c> removes) applied in order.</summary>
    public static bool TryBuild(IEnumerable<string> overrides, [NotNullWhen(true)] out QuantumTable? table, [NotNullWhen(false)] out string? error)
    {
        var quanta = Defaults.ToDictionary(kv => kv.Key, kv => Quantum.Parse(kv.Value), StringComparer.Ordinal);
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
            }
            else if (Quantum.TryParse(text, out var q))
            {
                quanta[code] = q;
            }
            else
            {
                error = $"'{entry}': the quantum must be a plain decimal > 0 with at most {Quantum.MaxScale} fraction digits";
                return false;
            }
        }

        table = new QuantumTable(quanta);
        error = null;
        return true;
    }
}
