namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Telemetry.Desired;

public sealed class BindingBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void PatientAt_AdmitTransferDischarge_AttributesEachSampleByItsOwnTime()
    {
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-1"));
        book = Apply(book, new BindingCommand(BindingAction.Transfer, "pt-a", "bed-2", ["mon-2"], T0.AddHours(2)));
        book = Apply(book, new BindingCommand(BindingAction.Discharge, "pt-a", null, [], T0.AddHours(5)));

        Assert.Null(book.PatientAt("mon-1", T0.AddSeconds(-1)));
        Assert.Equal("pt-a", book.PatientAt("mon-1", T0));
        Assert.Equal("pt-a", book.PatientAt("mon-1", T0.AddHours(2).AddMilliseconds(-1)));
        Assert.Null(book.PatientAt("mon-1", T0.AddHours(2)));
        Assert.Null(book.PatientAt("mon-2", T0.AddHours(1)));
        Assert.Equal("pt-a", book.PatientAt("mon-2", T0.AddHours(2)));
        Assert.Null(book.PatientAt("mon-2", T0.AddHours(5)));
        Assert.Null(book.OpenWindow("pt-a"));
        Assert.Equal(2, book.Windows.Count);
    }

    [Fact]
    public void Admit_DeviceBoundToAnotherPatient_IsRefusedAndBookUnchanged()
    {
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-1"));

        var ok = book.TryApply(Admit("pt-b", "bed-2", T0.AddHours(1), "mon-2", "mon-1"), out var next, out var problem);

        Assert.False(ok);
        Assert.Same(book, next);
        Assert.StartsWith("device-bound:mon-1", problem, StringComparison.Ordinal);
        Assert.Null(book.PatientAt("mon-2", T0.AddHours(1)));
    }

    [Fact]
    public void Admit_DeviceFreedByDischarge_IsAcceptedFromThatTime()
    {
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-1"));
        book = Apply(book, new BindingCommand(BindingAction.Discharge, "pt-a", null, [], T0.AddHours(1)));

        Assert.False(book.TryApply(Admit("pt-b", "bed-1", T0.AddMinutes(30), "mon-1"), out _, out _));
        book = Apply(book, Admit("pt-b", "bed-1", T0.AddHours(1), "mon-1"));

        Assert.Equal("pt-a", book.PatientAt("mon-1", T0.AddMinutes(59)));
        Assert.Equal("pt-b", book.PatientAt("mon-1", T0.AddHours(1)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TransferOrDischarge_NotAdmitted_IsRefused(bool transfer)
    {
        var action = transfer ? BindingAction.Transfer : BindingAction.Discharge;
        var ok = BindingBook.Empty.TryApply(new BindingCommand(action, "pt-x", action == BindingAction.Transfer ? "bed-1" : null, action == BindingAction.Transfer ? ["mon-1"] : [], T0), out var next, out var problem);

        Assert.False(ok);
        Assert.Equal("not-admitted", problem);
        Assert.Empty(next.Windows);
    }

    [Fact]
    public void Admit_Twice_IsRefused()
    {
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-1"));

        Assert.False(book.TryApply(Admit("pt-a", "bed-2", T0.AddHours(1), "mon-2"), out _, out var problem));
        Assert.StartsWith("already-admitted", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Discharge_BeforeAdmission_IsRefused()
    {
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-1"));

        Assert.False(book.TryApply(new BindingCommand(BindingAction.Discharge, "pt-a", null, [], T0.AddMinutes(-1)), out var next, out _));
        Assert.Same(book, next);
    }

    /// <summary>
    /// An admission dated 9999-12-31 (taken before binding times were bounded) held its device for
    /// good: no discharge could come after its start. A discharge given before it begins withdraws it.
    /// </summary>
    [Fact]
    public void Discharge_OfAStayThatHasNotBegun_WithdrawsIt_AndFreesItsDevice()
    {
        var far = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-9"));
        book = Apply(book, Admit("pt-z", "bed-2", far, "mon-1"));
        Assert.False(book.TryApply(Admit("pt-b", "bed-2", T0, "mon-1"), out _, out var locked));
        Assert.StartsWith("device-bound:mon-1", locked, StringComparison.Ordinal);

        book = Apply(book, new BindingCommand(BindingAction.Discharge, "pt-z", null, [], T0, IssuedAt: T0));

        Assert.Null(book.OpenWindow("pt-z"));
        Assert.Equal(["pt-a"], book.Windows.Select(w => w.Patient));
        book = Apply(book, Admit("pt-b", "bed-2", T0, "mon-1"));
        Assert.Equal("pt-b", book.PatientAt("mon-1", T0.AddMinutes(1)));
    }

    [Fact]
    public void Discharge_WithdrawsAClosedStayThatHasNotBegun_AndFreesItsDevice()
    {
        var far = new DateTimeOffset(9999, 12, 30, 0, 0, 0, TimeSpan.Zero);
        var book = Apply(BindingBook.Empty, Admit("pt-z", "bed-2", far, "mon-1"));
        book = Apply(book, new BindingCommand(BindingAction.Discharge, "pt-z", null, [], far.AddDays(1)));
        Assert.False(book.TryApply(Admit("pt-b", "bed-2", T0, "mon-1"), out _, out _));

        book = Apply(book, new BindingCommand(BindingAction.Discharge, "pt-z", null, [], T0, IssuedAt: T0));

        Assert.Empty(book.Windows);
        Assert.Equal("pt-b", Apply(book, Admit("pt-b", "bed-2", T0, "mon-1")).PatientAt("mon-1", T0));
    }

    [Fact]
    public void Discharge_BeforeAStayThatHasBegun_IsStillRefused()
    {
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-1"));

        Assert.False(book.TryApply(new BindingCommand(BindingAction.Discharge, "pt-a", null, [], T0.AddMinutes(-1), IssuedAt: T0.AddHours(1)), out var next, out var problem));
        Assert.Equal("before the current stay began", problem);
        Assert.Same(book, next);
    }

    [Fact]
    public void Prune_DropsOnlyStaysClosedBeforeTheCutoff()
    {
        var book = Apply(BindingBook.Empty, Admit("pt-a", "bed-1", T0, "mon-1"));
        book = Apply(book, new BindingCommand(BindingAction.Discharge, "pt-a", null, [], T0.AddHours(1)));
        book = Apply(book, Admit("pt-b", "bed-1", T0.AddHours(1), "mon-1"));

        var pruned = book.Prune(T0.AddHours(2));

        Assert.Single(pruned.Windows);
        Assert.Equal("pt-b", pruned.Windows[0].Patient);
        Assert.Same(pruned, pruned.Prune(T0.AddHours(2)));
    }

    private static BindingCommand Admit(string patient, string bed, DateTimeOffset at, params string[] devices) =>
        new(BindingAction.Admit, patient, bed, [.. devices], at);

    private static BindingBook Apply(BindingBook book, BindingCommand command)
    {
        Assert.True(book.TryApply(command, out var next, out var problem), problem);
        return next;
    }
}
