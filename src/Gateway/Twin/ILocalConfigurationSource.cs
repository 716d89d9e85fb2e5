namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Gateway.Twin.Desired;

/// <summary>
/// A part of the gateway whose own settings are part of the twin's local configuration (the
/// configuration before any desired document): the alarm rules' limits are the local thresholds,
/// so a desired document changes them and the reported twin shows the limits truly in force.
/// </summary>
internal interface ILocalConfigurationSource
{
    TwinConfiguration AddTo(TwinConfiguration local);
}
