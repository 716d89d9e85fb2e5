namespace EdgeTwin.Gateway.Twin.Binding;

/// <summary>What happens to a patient's stay (wire names lowercase).</summary>
internal enum BindingAction
{
    Admit,
    Transfer,
    Discharge,
}
