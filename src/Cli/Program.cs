return await EdgeTwin.Cli.CliApp.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
