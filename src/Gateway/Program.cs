using Gateway.Hosting;

return await GatewayHost.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
