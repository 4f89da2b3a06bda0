Console.WriteLine("PASS hello from .NET in the guest");
Console.WriteLine($"INFO {Environment.GetEnvironmentVariable("KIL_GPIO_CHIP")}");
return 0;
