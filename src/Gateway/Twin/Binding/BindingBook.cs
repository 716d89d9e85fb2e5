namespace EdgeTwin.Gateway.Twin.Binding;

using System.Collections.Immutable;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Who was bound to which device when. Samples are attributed to the patient whose window covers
/// the sample's own time, so a late BLE spot measurement taken before a transfer still goes to the
/// right patient. Immutable: a command yields a new book or a reason and leaves this one as it was.
/// </summary>
internal sealed class BindingBook
{
    private readonly FrozenIndex _byDevice;

    public BindingBook(IEnumerable<BindingWindow> windows)
    {
        Windows = [.. windows];
        _byDevice = new FrozenIndex(Windows);
    }

    public static BindingBook Empty { get; } = new([]);

    public ImmutableList<BindingWindow> Windows { get; }

    /// <summary>The pseudonym bound to <paramref name="device"/> at <paramref name="at"/>, or null.</summary>
    public string? PatientAt(string device, DateTimeOffset at)
    {
        if (!_byDevice.TryGet(device, out var windows))
        {
            return null;
        }

        foreach (var window in windows)
        {
            if (window.Covers(at))
            {
                return window.Patient;
            }
        }

        return null;
    }

    public BindingWindow? OpenWindow(string patient) =>
        Windows.FirstOrDefault(w => w.IsOpen && string.Equals(w.Patient, patient, StringComparison.Ordinal));

    /// <summary>Windows covering <paramref name="at"/>: the patients in a bed now.</summary>
    public IEnumerable<BindingWindow> CurrentAt(DateTimeOffset at) => Windows.Where(w => w.Covers(at));

    public bool TryApply(BindingCommand command, out BindingBook next, out string? problem)
    {
        next = this;
        problem = command.Action switch
        {
            BindingAction.Admit => Admit(command, ref next),
            BindingAction.Transfer => Transfer(command, ref next),
            BindingAction.Discharge => Discharge(command, ref next),
            _ => "unknown binding action",
        };
        return problem is null;
    }

    /// <summary>Drops windows that closed before <paramref name="before"/>: samples that old are no longer attributed.</summary>
    public BindingBook Prune(DateTimeOffset before) =>
        Windows.Any(w => w.To < before) ? new BindingBook(Windows.Where(w => !(w.To < before))) : this;

    private string? Admit(BindingCommand command, ref BindingBook next)
    {
        if (OpenWindow(command.Patient) is not null)
        {
            return "already-admitted (use transfer)";
        }

        if (Windows.Any(w => string.Equals(w.Patient, command.Patient, StringComparison.Ordinal) && w.OverlapsFrom(command.At)))
        {
            return "admission overlaps an earlier stay";
        }

        var conflict = DeviceConflict(command, this);
        if (conflict is not null)
        {
            return conflict;
        }

        next = new BindingBook(Windows.Add(new BindingWindow(command.Patient, command.Bed!, command.Devices, command.At, null)));
        return null;
    }

    private string? Transfer(BindingCommand command, ref BindingBook next)
    {
        var problem = CloseStay(command, out var closed);
        if (problem is not null)
        {
            return problem;
        }

        var conflict = DeviceConflict(command, closed);
        if (conflict is not null)
        {
            return conflict;
        }

        next = new BindingBook(closed.Windows.Add(new BindingWindow(command.Patient, command.Bed!, command.Devices, command.At, null)));
        return null;
    }

    private string? Discharge(BindingCommand command, ref BindingBook next)
    {
        // Stays dated after the box's clock (admissions from before times were bounded, e.g.
        // 9999-12-31, open or already closed) cannot be ended at a time after their start and held
        // their devices for good; they never began, so a discharge withdraws them.
        var notBegun = command.IssuedAt is { } issued
            ? Windows.Where(w => string.Equals(w.Patient, command.Patient, StringComparison.Ordinal) && w.From > issued && command.At <= w.From).ToList()
            : [];
        var book = notBegun.Count == 0 ? this : new BindingBook(Windows.RemoveRange(notBegun));
        if (notBegun.Count > 0 && book.OpenWindow(command.Patient) is null)
        {
            next = book;
            return null;
        }

        var problem = book.CloseStay(command, out var closed);
        next = problem is null ? closed : next;
        return problem;
    }

    /// <summary>Ends the patient's open stay at the command's time (transfer and discharge both start so).</summary>
    private string? CloseStay(BindingCommand command, out BindingBook closed)
    {
        closed = this;
        var open = OpenWindow(command.Patient);
        if (open is null)
        {
            return "not-admitted";
        }

        if (command.At <= open.From)
        {
            return "before the current stay began";
        }

        closed = new BindingBook(Windows.Replace(open, open with { To = command.At }));
        return null;
    }

    private static string? DeviceConflict(BindingCommand command, BindingBook book)
    {
        foreach (var device in command.Devices)
        {
            if (book._byDevice.TryGet(device, out var windows) &&
                windows.Any(w => !string.Equals(w.Patient, command.Patient, StringComparison.Ordinal) && w.OverlapsFrom(command.At)))
            {
                return $"device-bound:{device} (bound to another patient then)";
            }
        }

        return null;
    }

    /// <summary>Windows by device, newest first, so attribution does not scan every stay of the ward.</summary>
    private sealed class FrozenIndex(IEnumerable<BindingWindow> windows)
    {
        private readonly Dictionary<string, BindingWindow[]> _index = windows
            .SelectMany(w => w.Devices.Select(d => (Device: d, Window: w)))
            .GroupBy(x => x.Device, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Window).OrderByDescending(w => w.From).ToArray(), StringComparer.Ordinal);

        public bool TryGet(string device, out BindingWindow[] found) => _index.TryGetValue(device, out found!);
    }
}
