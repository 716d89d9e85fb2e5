namespace EdgeTwin.Drivers.Simulation;

/// <summary>Separate noise channels so that, say, the heart-rate drift and the SpO2 drift are independent.</summary>
internal static class NoiseChannel
{
    public const int HeartRateDrift = 1;
    public const int RespiratoryDrift = 2;
    public const int SpO2Drift = 3;
    public const int TemperatureDrift = 4;
    public const int PressureDrift = 5;
    public const int BeatJitter = 6;
    public const int BreathJitter = 7;
    public const int EcgNoise = 8;
    public const int PlethNoise = 9;
    public const int Phase = 10;
    public const int ArtefactEpisode = 11;
    public const int ArtefactMotion = 12;
    public const int ArtefactSpO2 = 13;
    public const int HeartRateReading = 14;
    public const int RespiratoryReading = 15;
    public const int SpO2Reading = 16;
    public const int TemperatureReading = 17;
    public const int PressureReading = 18;
}
