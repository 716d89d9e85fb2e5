namespace EdgeTwin.Telemetry.Records;

/// <summary>Body of an <c>alarm</c> record (PROTOCOL §4). Wire strings are lowercase.</summary>
public sealed record AlarmBody(
    string Patient,
    string Device,
    string Priority,
    string Condition,
    string State,
    string Source,
    double? Value,
    string Text);
