namespace EdgeTwin.Gateway.Configuration;

/// <summary><c>Status:*</c> settings: the loopback status page and Prometheus metrics.</summary>
internal sealed class StatusOptions
{
    public const string Section = "Status";

    /// <summary>Where <c>/status</c> and <c>/metrics</c> listen; empty turns the endpoint off.</summary>
    public string? Url { get; set; } = "http://127.0.0.1:8480";
}
