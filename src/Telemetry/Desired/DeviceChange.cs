namespace EdgeTwin.Telemetry.Desired;

using System.Collections.Immutable;

/// <summary>What a desired document changes for one device; what it leaves out stays.</summary>
public sealed record DeviceChange(bool? Enabled, ImmutableSortedDictionary<string, double> SampleRatesHz);
