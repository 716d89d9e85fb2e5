namespace EdgeTwin.Drivers.Hl7;

/// <summary>An OBX taken although the reference id it carried was not its code's: the code decided (counted and logged).</summary>
internal sealed record ReferenceIdDisagreement(int SetId, string Identifier, string Detail);
