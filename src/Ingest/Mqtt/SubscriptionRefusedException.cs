namespace EdgeTwin.Ingest.Mqtt;

/// <summary>The broker answered a SUBSCRIBE with a failure code for at least one filter.</summary>
internal sealed class SubscriptionRefusedException(string message) : Exception(message);
