namespace EdgeTwin.Gateway.Twin;

/// <summary>Configuration section <c>Twin</c> (docs/twin.md).</summary>
internal sealed class TwinOptions
{
    public const string Section = "Twin";

    /// <summary>At most one reported document per interval; alarm-state changes and commands go at once.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Addresses (0x + 40 hex) whose signature makes a desired document acceptable. Empty: none is.</summary>
    public List<string> OperatorAddresses { get; set; } = [];

    /// <summary>
    /// With no desired-state floor at all (first start, or the twin store and the floor file both
    /// lost), documents issued longer than this before the start are refused: an old signed
    /// document must not roll the box back. Operators re-sign the desired state within it.
    /// </summary>
    public TimeSpan DesiredMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The desired-state floor file; default <c>desired-floor.json</c> in the data directory.</summary>
    public string? DesiredFloorPath { get; set; }

    /// <summary>The twin's LiteDB file; default <c>twin.db</c> in the data directory.</summary>
    public string? StorePath { get; set; }

    /// <summary>The site secret keying pseudonyms (mode 0600, created if absent); default <c>site-secret</c> in the data directory.</summary>
    public string? SiteSecretPath { get; set; }

    /// <summary>Stream classes a patient is taken to consent to until a decision is recorded.</summary>
    public List<string> DefaultConsent { get; set; } = ["vitals", "waveforms", "alarms"];

    /// <summary>How long a closed stay is kept so that late samples are still attributed to it.</summary>
    public TimeSpan BindingRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How far ahead of the box's clock a binding's <c>at</c> may lie (clocks of the ward's systems
    /// disagree a little). Later times are refused: an admission dated 9999 would hold its devices for good.
    /// </summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}
