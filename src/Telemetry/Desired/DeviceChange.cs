namespace EdgeTwin.Gateway.Twin.Desired;

using System.Collections.Immutable;

/// <summary>What a desired document changes for one device; what it leaves out stays.</summary>
internal sealed record DeviceChange(bool? Enabled, ImmutableSortedDictionary<string, double> SampleRatesHz);
