namespace EdgeTwin.Gateway.Chains;

using System.Runtime.InteropServices;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Asks the Linux kernel (adjtimex, read-only) whether NTP has synchronised the clock: a board
/// without a battery clock boots in 1970 and must say <c>unsynced</c> until it has been set.
/// Elsewhere (or if the call fails) the answer is <c>unsynced</c>: never claim what is not known.
/// </summary>
internal sealed partial class KernelClockQuality : IClockQuality
{
    private const int TimeError = 5;

    public ClockQuality Current
    {
        get
        {
            if (!OperatingSystem.IsLinux())
            {
                return ClockQuality.Unsynced;
            }

            // struct timex is 208 bytes on 64-bit Linux; modes = 0 (the first int) only reads.
            Span<byte> timex = stackalloc byte[512];
            timex.Clear();
            var state = Adjtimex(ref MemoryMarshal.GetReference(timex));
            return state is < 0 or TimeError ? ClockQuality.Unsynced : ClockQuality.Synced;
        }
    }

    [LibraryImport("libc", EntryPoint = "adjtimex")]
    private static partial int Adjtimex(ref byte timex);
}
