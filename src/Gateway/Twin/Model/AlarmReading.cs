namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>The current state (<c>raised</c>, <c>acknowledged</c>, <c>cleared</c>) of one alarm condition of a patient.</summary>
internal sealed record AlarmReading(string Condition, string State, string Priority, DateTimeOffset At);
