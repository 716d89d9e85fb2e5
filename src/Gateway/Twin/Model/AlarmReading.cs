namespace EdgeTwin.Gateway.Twin.Model;

/// <summary>
/// The current state (<c>raised</c>, <c>acknowledged</c>, <c>cleared</c>) of one alarm condition of a
/// patient, and the latest answer an alarm manager gave about it (<see cref="Response"/>, put back by
/// the ingest), shown until the condition is raised anew after a clear.
/// </summary>
internal sealed record AlarmReading(string Condition, string State, string Priority, DateTimeOffset At, AlarmResponse? Response = null);
