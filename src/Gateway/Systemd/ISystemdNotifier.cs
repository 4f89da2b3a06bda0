namespace Gateway.Systemd;

/// <summary>Sends sd_notify messages to the service manager; does nothing when not under systemd.</summary>
internal interface ISystemdNotifier
{
    /// <summary>True when there is a notify socket to talk to.</summary>
    bool IsEnabled { get; }

    /// <summary>Sends one state; failures are logged once and never thrown.</summary>
    void Notify(ServiceState state);
}
