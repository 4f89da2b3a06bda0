using System.CommandLine;
using Gateway.FirmwareSim.Host;

// firmware-sim: the simulated board as its own process.
//   firmware-sim serve [--socket PATH] [--scenario FILE] [--seed N]
//   firmware-sim fault inject "nack bme280" | fault clear bme280 | fault list   [--socket PATH]
//   firmware-sim hello [--socket PATH]
var socket = new Option<string>("--socket", "-s")
{
    Description = "the Unix socket the simulator serves (the gateway's Gateway:Hardware:SimulatorSocket)",
    DefaultValueFactory = _ => "firmware-sim.sock",
    Recursive = true,
};

var scenario = new Option<string?>("--scenario") { Description = "scenario file (JSON); the built-in default scenario when omitted" };
var seed = new Option<int?>("--seed") { Description = "overrides the scenario's random seed" };
var serve = new Command("serve", "serve the simulated board on the socket until stopped (SIGTERM or Ctrl-C)") { scenario, seed };
serve.SetAction((parse, ct) => Commands.ServeAsync(parse.GetValue(socket)!, parse.GetValue(scenario), parse.GetValue(seed), ct));

var faultText = new Argument<string[]>("fault") { Description = "the fault, e.g. nack bme280, timeout sht3x 5s, badcrc sht3x, gone ds18b20, busy gpio17", Arity = ArgumentArity.OneOrMore };
var inject = new Command("inject", "inject a fault into the running simulator") { faultText };
inject.SetAction(parse => Commands.Call(parse.GetValue(socket)!, Gateway.Hardware.Remote.RemoteOps.FaultInject, string.Join(' ', parse.GetValue(faultText)!)));

var target = new Argument<string>("target") { Description = "what to clear: a sensor or line name, or all" };
var clear = new Command("clear", "clear the faults on a target") { target };
clear.SetAction(parse => Commands.Call(parse.GetValue(socket)!, Gateway.Hardware.Remote.RemoteOps.FaultClear, parse.GetValue(target)!));

var list = new Command("list", "list the active faults");
list.SetAction(parse => Commands.Call(parse.GetValue(socket)!, Gateway.Hardware.Remote.RemoteOps.FaultList, null));

var hello = new Command("hello", "ask the running simulator who it is");
hello.SetAction(parse => Commands.Call(parse.GetValue(socket)!, Gateway.Hardware.Remote.RemoteOps.Hello, null));

var chipArgument = new Argument<int>("chip") { Description = "GPIO chip number, e.g. 0" };
var lineArgument = new Argument<int>("line") { Description = "line offset, e.g. 22 for GPIO22" };
var line = new Command("line", "print the level (0 or 1) a GPIO line is at now, whoever drives it") { chipArgument, lineArgument };
line.SetAction(parse => Commands.Line(parse.GetValue(socket)!, parse.GetValue(chipArgument), parse.GetValue(lineArgument)));

var root = new RootCommand("firmware-sim: the simulated board for the Gateway, served over a Unix socket")
{
    socket,
    serve,
    new Command("fault", "inject, clear and list faults in a running simulator") { inject, clear, list },
    hello,
    line,
};

return await root.Parse(args).InvokeAsync();
