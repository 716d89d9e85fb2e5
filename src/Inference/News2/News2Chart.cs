namespace EdgeTwin.Inference.News2;

/// <summary>
/// The NEWS2 observation chart (Royal College of Physicians, 2017), one function per parameter.
/// The chart is written in whole numbers (temperature in tenths of a degree); monitors report
/// fractions, so values are rounded half away from zero first, as a nurse would read a display.
/// </summary>
public static class News2Chart
{
    public static int RespirationRate(double perMinute) => Whole(perMinute) switch
    {
        <= 8 => 3,
        <= 11 => 1,
        <= 20 => 0,
        <= 24 => 2,
        _ => 3,
    };

    /// <summary>SpO2 scale 1: every patient not flagged for hypercapnic respiratory failure.</summary>
    public static int SpO2Scale1(double percent) => Whole(percent) switch
    {
        <= 91 => 3,
        <= 93 => 2,
        <= 95 => 1,
        _ => 0,
    };

    /// <summary>
    /// SpO2 scale 2 (target 88-92 %, hypercapnic respiratory failure): high saturations score only
    /// on oxygen, because on air they carry no risk of oxygen-induced hypercapnia.
    /// </summary>
    public static int SpO2Scale2(double percent, bool onOxygen) => Whole(percent) switch
    {
        <= 83 => 3,
        <= 85 => 2,
        <= 87 => 1,
        <= 92 => 0,
        _ when !onOxygen => 0,
        <= 94 => 1,
        <= 96 => 2,
        _ => 3,
    };

    public static int SupplementalOxygen(bool onOxygen) => onOxygen ? 2 : 0;

    public static int SystolicBp(double mmHg) => Whole(mmHg) switch
    {
        <= 90 => 3,
        <= 100 => 2,
        <= 110 => 1,
        <= 219 => 0,
        _ => 3,
    };

    public static int Pulse(double perMinute) => Whole(perMinute) switch
    {
        <= 40 => 3,
        <= 50 => 1,
        <= 90 => 0,
        <= 110 => 1,
        <= 130 => 2,
        _ => 3,
    };

    public static int Consciousness(Acvpu level) => level == Acvpu.Alert ? 0 : 3;

    public static int Temperature(double celsius) => Tenths(celsius) switch
    {
        <= 350 => 3,
        <= 360 => 1,
        <= 380 => 0,
        <= 390 => 1,
        _ => 2,
    };

    /// <summary>Band from an aggregate and the red-score flag; the aggregate rule wins over the red score.</summary>
    public static News2RiskBand Band(int aggregate, bool redScore) => aggregate switch
    {
        >= 7 => News2RiskBand.High,
        >= 5 => News2RiskBand.Medium,
        _ when redScore => News2RiskBand.LowMedium,
        _ => News2RiskBand.Low,
    };

    private static long Whole(double value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);

    // 35.1 * 10 is 351.00000000000006 in binary floating point: rounding to tenths keeps the chart edges exact.
    private static long Tenths(double celsius) => (long)Math.Round(celsius * 10, MidpointRounding.AwayFromZero);
}
