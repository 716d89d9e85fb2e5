namespace EdgeTwin.Gateway.Tests.Twin;

using System.Collections.Immutable;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Telemetry.Desired;
using FsCheck.Xunit;

/// <summary>Whatever sequence of admits, transfers and discharges comes in, the book stays sound.</summary>
public sealed class BindingBookProperties
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Patients = ["pt-a", "pt-b", "pt-c"];
    private static readonly string[] Devices = ["mon-1", "mon-2", "mon-3"];

    [Property(MaxTest = 300)]
    public bool AnyCommands_NoDeviceEverHasTwoPatientsAndRefusalsChangeNothing(int[] ops)
    {
        var book = BindingBook.Empty;
        foreach (var op in ops)
        {
            var command = Decode(op);
            if (!book.TryApply(command, out var next, out _))
            {
                if (!ReferenceEquals(next, book))
                {
                    return false;
                }

                continue;
            }

            book = next;
        }

        // Two windows overlap exactly when one covers the other's start: probe every start.
        foreach (var at in book.Windows.Select(w => w.From).Distinct())
        {
            foreach (var device in Devices)
            {
                var owners = book.Windows.Where(w => w.Devices.Contains(device) && w.Covers(at)).Select(w => w.Patient).Distinct().Count();
                if (owners > 1)
                {
                    return false;
                }
            }

            foreach (var patient in Patients)
            {
                if (book.Windows.Count(w => w.Patient == patient && w.Covers(at)) > 1)
                {
                    return false;
                }
            }
        }

        return Patients.All(p => book.Windows.Count(w => w.Patient == p && w.IsOpen) <= 1);
    }

    /// <summary>An int packs action, patient, device set and time (0-640 min), so shrinking stays meaningful.</summary>
    private static BindingCommand Decode(int op)
    {
        var u = (uint)op;
        var action = (BindingAction)(u % 3);
        var patient = Patients[(u / 3) % 3];
        var mask = (int)((u / 9) % 7) + 1;
        var devices = Devices.Where((_, i) => (mask & (1 << i)) != 0).ToImmutableArray();
        var at = T0.AddMinutes((u / 63) % 64 * 10);
        return action == BindingAction.Discharge
            ? new BindingCommand(action, patient, null, [], at)
            : new BindingCommand(action, patient, "bed-" + patient[^1], devices, at);
    }
}
