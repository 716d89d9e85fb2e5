namespace EdgeTwin.Telemetry.Desired;

/// <summary>What happens to a patient's stay (wire names lowercase).</summary>
public enum BindingAction
{
    Admit,
    Transfer,
    Discharge,
}
