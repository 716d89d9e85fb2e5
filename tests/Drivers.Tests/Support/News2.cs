namespace EdgeTwin.Drivers.Tests.Support;

/// <summary>
/// NEWS2 (Royal College of Physicians 2017, SpO2 scale 1), only so simulator tests can state what a
/// scenario scores; the gateway's inference has its own.
/// </summary>
internal static class News2
{
    public static int Score(double rr, double spo2, bool onOxygen, double systolic, double hr, int acvpu, double temperature)
    {
        var score = rr switch { <= 8 => 3, <= 11 => 1, <= 20 => 0, <= 24 => 2, _ => 3 };
        score += spo2 switch { <= 91 => 3, <= 93 => 2, <= 95 => 1, _ => 0 };
        score += onOxygen ? 2 : 0;
        score += systolic switch { <= 90 => 3, <= 100 => 2, <= 110 => 1, <= 219 => 0, _ => 3 };
        score += hr switch { <= 40 => 3, <= 50 => 1, <= 90 => 0, <= 110 => 1, <= 130 => 2, _ => 3 };
        score += acvpu == 0 ? 0 : 3;
        score += temperature switch { <= 35.0 => 3, <= 36.0 => 1, <= 38.0 => 0, <= 39.0 => 1, _ => 2 };
        return score;
    }
}
