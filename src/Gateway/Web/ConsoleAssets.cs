using System.Reflection;

namespace Gateway.Web;

/// <summary>
/// The page and its assets, embedded in the gateway's own assembly (src/Gateway/Web/wwwroot, logical names
/// <c>web/&lt;file&gt;</c>): nothing is read from disk or fetched from elsewhere, so the console works offline.
/// </summary>
internal sealed class ConsoleAssets
{
    private const string Prefix = "web/";
    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    /// <summary>Loads every embedded asset once.</summary>
    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"embedded resource {name} is missing");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[Prefix.Length..];
            _assets["/" + file] = new Asset(copy.ToArray(), ContentType(file));
        }

        if (!_assets.ContainsKey("/index.html"))
        {
            throw new InvalidOperationException("the web console's index.html is not embedded in the gateway (src/Gateway/Gateway.csproj, EmbeddedResource)");
        }
    }

    /// <summary>Paths served, e.g. <c>/index.html</c>, <c>/app.js</c>.</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>Total bytes of the page and its assets, uncompressed (the size budget in README.md).</summary>
    public long TotalBytes => _assets.Values.Sum(a => (long)a.Bytes.Length);

    /// <summary>The asset at a request path (<c>/</c> is the page), or null.</summary>
    public Asset? Find(string path) => _assets.GetValueOrDefault(path == "/" ? "/index.html" : path);

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    /// <summary>One embedded file.</summary>
    internal sealed record Asset(byte[] Bytes, string ContentType);
}
