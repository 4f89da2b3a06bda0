using System.CommandLine;
using System.Security.Cryptography;
using Gateway.Console.Addressing;
using Gateway.Protocol.Transport;

namespace Gateway.Console.Cli;

/// <summary>
/// <c>--ca-file</c> and <c>--pin</c>: how gwctl checks the certificate of a <c>tls://</c> or <c>wss://</c> gateway, with
/// the meaning the gateway's own upstream <c>CaFile</c> and <c>Pin</c> have (<see cref="TlsClientSettings"/>): a pin
/// (the SHA-256 of the server certificate) decides alone; else the CA file is the only trust anchor, the name still
/// checked; else the system's trust store.
/// </summary>
internal sealed class TlsOptions
{
    public TlsOptions()
    {
        CaFile = new Option<string?>("--ca-file")
        {
            Description = "for tls:// and wss://: trust only the CA certificates in this PEM file (a private CA), instead of the system's trust store; the gateway's name is still checked",
            HelpName = "pem",
        };
        Pin = new Option<string?>("--pin")
        {
            Description = "for tls:// and wss://: accept exactly the certificate with this SHA-256 fingerprint (64 hex digits, colons allowed; the gateway logs it at start as 'SHA-256 pin'), whatever its issuer or name",
            HelpName = "sha256",
        };
    }

    /// <summary>The <c>--ca-file</c> option.</summary>
    public Option<string?> CaFile { get; }

    /// <summary>The <c>--pin</c> option.</summary>
    public Option<string?> Pin { get; }

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(CaFile);
        command.Options.Add(Pin);
    }

    /// <summary><paramref name="address"/> with the certificate check the command line asks for.</summary>
    /// <exception cref="GwctlException">The options do not fit the address, the pin is malformed, or the CA file cannot be read.</exception>
    public GatewayAddress Apply(ParseResult parse, GatewayAddress address)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(address);
        var caFile = parse.GetValue(CaFile);
        var pin = parse.GetValue(Pin);
        if (caFile is null && pin is null)
        {
            return address;
        }

        if (!address.Tls)
        {
            throw new GwctlException(ExitCodes.Usage, $"--ca-file and --pin check a TLS gateway's certificate: give tls://{address.Endpoint} or wss://{address.Endpoint}{GatewayAddress.DefaultWebSocketPath}, not {address}");
        }

        var hex = pin is null ? null : TlsClientSettings.NormalizePin(pin)
            ?? throw new GwctlException(ExitCodes.Usage, $"--pin '{pin}': expected the SHA-256 fingerprint of the gateway's certificate, 64 hex digits, colons allowed (the gateway logs it at start; or: openssl x509 -in cert.pem -noout -fingerprint -sha256)");
        var caPath = caFile is null ? null : Path.GetFullPath(caFile);
        if (caPath is not null)
        {
            try
            {
                TlsClientSettings.LoadTrust(caPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new GwctlException(ExitCodes.Config, $"--ca-file {caFile}: {ex.Message} (a PEM file of the CA certificates to trust)", ex);
            }
        }

        return address with { TlsSettings = new TlsClientSettings { CaFile = caPath, Pin = hex } };
    }
}
