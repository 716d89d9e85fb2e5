namespace EdgeTwin.Drivers.Hl7;

using System.Globalization;
using EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>
/// Which OBX-3 observation identifiers become which of our streams. IEEE 11073 MDC codes are what
/// bedside monitors send (IHE PCD-01, coding system MDC or 99MDC), mapped through
/// <see cref="MdcTerms"/>; LOINC codes are taken when OBX-3 names the coding system LN.
/// The code decides: when OBX-3.2 carries another reference id than the code's, the OBX is still
/// taken and the disagreement counted, unless that reference id names another quantity (another
/// stream), which is a contradiction and refuses the OBX. Rows of the device hierarchy (object
/// partition codes: MDS, VMD, channel, attributes) describe the monitor and are no observations.
/// </summary>
internal static class ObservationMap
{
    public static ObservationMatch Match(string identifier, string text, string codingSystem)
    {
        if (identifier.Length == 0)
        {
            return ObservationMatch.Refused("no observation identifier: not mapped");
        }

        if (codingSystem is "LN")
        {
            var stream = Hl7Streams.All.FirstOrDefault(s => s.Code.Code == "loinc:" + identifier);
            return stream is null ? ObservationMatch.Refused($"LOINC {identifier} not mapped to a stream") : ObservationMatch.To(stream);
        }

        if (codingSystem is not ("MDC" or "99MDC"))
        {
            return ObservationMatch.Refused($"coding system '{codingSystem}' not mapped (MDC, 99MDC or LN are)");
        }

        if (!identifier.All(char.IsAsciiDigit) || !int.TryParse(identifier, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return ObservationMatch.Refused($"'{identifier}' is no numeric MDC code: not mapped");
        }

        if (MdcPartition.Of(code) == MdcPartition.Object)
        {
            return ObservationMatch.Description;
        }

        var term = MdcTerms.ByCode(code);
        var named = text.StartsWith("MDC_", StringComparison.Ordinal) ? MdcTerms.ByReferenceId(text) : null;
        if (term is null)
        {
            return ObservationMatch.Refused($"MDC code {code} not mapped to a stream"
                + (named is null ? "" : $" (OBX-3.2 names {named.ReferenceId}, whose code is {named.Code}: the code decides)"));
        }

        var disagrees = text.StartsWith("MDC_", StringComparison.Ordinal) && text != term.ReferenceId;
        if (disagrees && named is not null && named.Stream != term.Stream)
        {
            return ObservationMatch.Refused($"code {code} is {term.ReferenceId} but OBX-3.2 names {named.ReferenceId} ({named.Code}), another quantity: contradictory, not mapped");
        }

        return term.Stream is null
            ? ObservationMatch.Refused($"{term.ReferenceId} ({code}) not mapped: {term.NotMapped}")
            : ObservationMatch.To(term.Stream, disagrees ? term.ReferenceId : null);
    }
}
