namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// <c>receipt check FILE --signer 0x..</c>: is the receipt in FILE (its payload bytes, as published)
/// well formed and signed by one of the given ingest addresses (PROTOCOL §7)? Prints the chain, seq,
/// hash and signer. Exit 0 valid, 1 malformed or not signed by a listed signer, 2 usage or I/O error.
/// Whether the hash is the gateway's record at that seq only the gateway (or its outbox) can tell.
/// </summary>
internal static class ReceiptCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "the receipt payload, exactly as published" };
        var signers = new Option<string[]>("--signer") { Description = "an ingest address whose receipts count (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var check = new Command("check", "check a receipt's shape and signature") { file, signers };
        check.SetAction(parse =>
        {
            var addresses = parse.GetRequiredValue(signers);
            if (addresses.FirstOrDefault(a => !Eip191.IsAddress(a)) is { } bad)
            {
                stderr.WriteLine($"edgetwin receipt check: --signer '{bad}' is not an address (0x + 40 hex digits)");
                return CliApp.Usage;
            }

            byte[] payload;
            try
            {
                payload = File.ReadAllBytes(parse.GetRequiredValue(file).FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"edgetwin receipt check: {e.Message}");
                return CliApp.Usage;
            }

            // A file written by an editor may end in a newline; the payload itself never does.
            var trimmed = payload.AsSpan().TrimEnd("\r\n"u8);
            if (!Receipt.TryParse(trimmed, out var receipt, out var problem))
            {
                stdout.WriteLine($"invalid: {problem}");
                return CliApp.Failed;
            }

            problem = receipt!.CheckSigner(addresses, out var signer);
            stdout.WriteLine($"gw {receipt.Gw} lane {receipt.Lane} epoch {receipt.Epoch} seq {receipt.Seq} hash {receipt.Hash}");
            stdout.WriteLine(problem is null ? $"valid: signed by {signer}" : $"invalid: {problem}{(signer is null ? string.Empty : $" (signed by {signer})")}");
            return problem is null ? CliApp.Ok : CliApp.Failed;
        });
        return new Command("receipt", "signed receipts (PROTOCOL §7)") { check };
    }
}
