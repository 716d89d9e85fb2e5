namespace EdgeTwin.Gateway.Access;

/// <summary>A refused request's answer on the status address: <c>{"error": ...}</c>.</summary>
internal sealed record ErrorBody(string Error);
