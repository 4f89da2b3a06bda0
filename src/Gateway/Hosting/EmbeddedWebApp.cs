using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// <summary>
/// Builds the small ASP.NET Core apps the gateway runs inside its own host (the web console, the WebSocket listener):
/// Kestrel, routing and nothing else. <c>WebApplication.CreateSlimBuilder()</c> would also read <c>appsettings.json</c>
/// and the <c>ASPNETCORE_</c>/<c>DOTNET_</c> environment again, bind a <c>Kestrel</c> section from them, and watch the
/// working directory for changes with a thread of its own (<c>.NET File Watch</c>, woken by every write below it,
/// e.g. the outbox's). The gateway's configuration is read once, by its own host, and handed to the apps as options.
/// </summary>
internal static class EmbeddedWebApp
{
    /// <summary>A builder with Kestrel (configured by the caller), routing and no logging providers.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Logging.ClearProviders();
        return builder;
    }
}
