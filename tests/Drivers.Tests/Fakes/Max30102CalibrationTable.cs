namespace EdgeTwin.Drivers.Tests.Fakes;

/// <summary>
/// The R -> SpO2 calibration of Maxim's reference design as the vendor ships it: the lookup table
/// <c>uch_spo2_table</c> of the MAXREFDES117 firmware (SpO2 in whole percent for R = index / 100),
/// not the curve the production estimator evaluates. The fake light signal is built from this
/// table, so the estimator's calibration test compares two independent sources. Only the falling
/// branch (R = 0.44 .. 1.19, SpO2 100 .. 67) is kept: the range a finger gives.
/// </summary>
internal static class Max30102CalibrationTable
{
    private const int FirstIndex = 44;

    private static readonly byte[] FallingBranch =
    [
        99, 99, 99, 99, 99, 99, 99, 99, 98, 98, 98, 98, 98, 98, 97, 97, 97, 97, 96,
        96, 96, 96, 95, 95, 95, 94, 94, 94, 93, 93, 93, 92, 92, 92, 91, 91, 90, 90,
        89, 89, 89, 88, 88, 87, 87, 86, 86, 85, 85, 84, 84, 83, 82, 82, 81, 81, 80,
        80, 79, 78, 78, 77, 76, 76, 75, 74, 74, 73, 72, 72, 71, 70, 69, 69, 68, 67,
    ];

    /// <summary>The middle of the R interval the table reads as <paramref name="spo2"/> (whole percent, 67..99).</summary>
    public static double RatioFor(double spo2)
    {
        var target = (int)Math.Round(spo2);
        var indices = Enumerable.Range(0, FallingBranch.Length).Where(i => FallingBranch[i] == target).ToList();
        if (indices.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(spo2), spo2, "outside the table's falling branch (67..99 %)");
        }

        return (FirstIndex + ((indices[0] + indices[^1]) / 2.0)) / 100.0;
    }
}
