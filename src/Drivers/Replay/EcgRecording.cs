namespace EdgeTwin.Drivers.Replay;

using System.Buffers.Binary;
using System.Globalization;
using EdgeTwin.Drivers.Model;

/// <summary>A recorded single-lead ECG in millivolts at its own sampling rate.</summary>
internal sealed class EcgRecording
{
    /// <summary>Resource name of the bundled excerpt (see Replay/Data/README.md).</summary>
    public const string MitBih208ResourceName = "EdgeTwin.Drivers.Replay.mitbih-208-mlii-360hz.u16le";

    public const string MitBih208Citation =
        "MIT-BIH Arrhythmia Database record 208, lead MLII, first 5 min (PhysioNet; Moody GB, Mark RG, " +
        "The impact of the MIT-BIH Arrhythmia Database, IEEE Eng Med Biol 20(3):45-50, 2001; Goldberger AL et al., " +
        "PhysioBank, PhysioToolkit, and PhysioNet, Circulation 101(23):e215-e220, 2000)";

    public EcgRecording(string name, double sampleRateHz, double[] millivolts, string? resolution = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRateHz);
        if (millivolts.Length == 0)
        {
            throw new ArgumentException("A recording needs at least one sample.", nameof(millivolts));
        }

        Name = name;
        SampleRateHz = sampleRateHz;
        Millivolts = millivolts;
        Ecg = resolution is null ? StreamCodes.EcgLeadII.AtRate(sampleRateHz) : StreamCodes.EcgLeadII.AtRate(sampleRateHz).AtResolution(resolution);
    }

    public string Name { get; }

    public double SampleRateHz { get; }

    public IReadOnlyList<double> Millivolts { get; }

    /// <summary>The stream as replayed: its rate, and its step when every sample is a whole number of a short decimal.</summary>
    public StreamCode Ecg { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds(Millivolts.Count / SampleRateHz);

    /// <summary>
    /// The bundled 5-minute excerpt of MIT-BIH record 208 at 360 Hz (108,000 samples; 11-bit ADC,
    /// baseline 1024, 200 units per mV, as the database's header gives).
    /// </summary>
    public static EcgRecording MitBih208()
    {
        using var stream = typeof(EcgRecording).Assembly.GetManifestResourceStream(MitBih208ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {MitBih208ResourceName} is missing from the build.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return FromUInt16LittleEndian("mitbih-208-mlii", 360, bytes, baseline: 1024, unitsPerMillivolt: 200);
    }

    /// <summary>Decodes raw ADC counts; mV = (raw - baseline) / unitsPerMillivolt.</summary>
    public static EcgRecording FromUInt16LittleEndian(string name, double sampleRateHz, ReadOnlySpan<byte> raw, int baseline, double unitsPerMillivolt)
    {
        if (raw.Length == 0 || raw.Length % 2 != 0)
        {
            throw new FormatException($"Recording {name}: {raw.Length} bytes is not a whole, non-empty number of 16-bit samples.");
        }

        // 200 units per mV: every sample is a whole number of 0.005 mV, the stream's stated resolution.
        string? resolution = null;
        if (unitsPerMillivolt is >= 1e-6 and <= 1e9)
        {
            var step = 1m / (decimal)unitsPerMillivolt;
            resolution = step * (decimal)unitsPerMillivolt == 1m && step.Scale <= 6 ? step.ToString(CultureInfo.InvariantCulture) : null;
        }

        var millivolts = new double[raw.Length / 2];
        for (var i = 0; i < millivolts.Length; i++)
        {
            millivolts[i] = (BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i, 2)) - baseline) / unitsPerMillivolt;
        }

        return new EcgRecording(name, sampleRateHz, millivolts, resolution);
    }
}
