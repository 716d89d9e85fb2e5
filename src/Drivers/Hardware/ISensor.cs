namespace EdgeTwin.Drivers.Hardware;

/// <summary>
/// A chip (or front end) the <see cref="PolledSensorDriver"/> polls. It may throw on any call: the
/// driver turns every failure into invalid samples and a health state, never into a crash.
/// </summary>
internal interface ISensor : IDisposable
{
    string Model { get; }

    /// <summary>Where it sits, e.g. <c>i2c-1/0x57</c>.</summary>
    string BusAddress { get; }

    /// <summary>The streams it yields and the values a working sensor can plausibly report.</summary>
    IReadOnlyList<SensorStream> Streams { get; }

    TimeSpan PollInterval { get; }

    /// <summary>Checks it is the expected chip and configures it; throws if absent or not that chip.</summary>
    SensorIdentity Probe();

    /// <summary>Reads what is new since the last call into <paramref name="readout"/>.</summary>
    void Read(SensorReadout readout);
}
