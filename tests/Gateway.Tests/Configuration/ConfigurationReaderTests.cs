using Gateway.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Configuration;

public class ConfigurationReaderTests
{
    [Fact]
    public void A_secret_value_never_appears_in_a_problem()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Gateway:Mqtt:Password", "hunter2")])
            .Build();
        var reader = new ConfigurationReader(configuration);
        reader.Secret("Gateway:Mqtt:Password");

        reader.Required("Gateway:Mqtt:Password", v => v.Length > 10, "at least 11 characters");

        var problem = Assert.Single(reader.Problems);
        Assert.DoesNotContain("hunter2", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains("<redacted>", problem.ToString(), StringComparison.Ordinal);
    }
}
