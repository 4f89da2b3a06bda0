// The kernel-in-the-loop test program. It runs as the guest's test step (tests/kernel-in-the-loop/guest/init), on a
// real Linux kernel with gpio-sim, i2c-regsim and i2c-stub, and checks the gateway's Linux hardware layer and then the
// gateway itself. One line per check (PASS/FAIL/SKIP); the exit code is the number of failed checks.
using Gateway.KernelTests;

var guest = Guest.FromEnvironment();
var checks = new CheckRunner();
CheckRunner.Info($"guest: {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
GpioChecks.Run(checks, guest);
GpioChecks.Unplug(checks, guest);
await I2cChecks.RunAsync(checks, guest).ConfigureAwait(false);
foreach (var (name, program) in GatewayChecks.Builds())
{
    await GatewayChecks.RunAsync(checks, guest, name, program).ConfigureAwait(false);
}

CheckRunner.Info($"{checks.Passed} passed, {checks.Failed} failed");
return Math.Min(checks.Failed, 100);
