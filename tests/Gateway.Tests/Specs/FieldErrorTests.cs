using Gateway.Specs;

namespace Gateway.Tests.Specs;

public class FieldErrorTests
{
    public static TheoryData<FieldError, string> Errors => new()
    {
        { FieldError.Required("spec.containers"), "spec.containers: Required value" },
        { FieldError.Required("spec.containers[0].livenessProbe", "must specify a handler type"), "spec.containers[0].livenessProbe: Required value: must specify a handler type" },
        { FieldError.Invalid("spec.containers[0].livenessProbe.successThreshold", 2, "must be 1"), "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" },
        { FieldError.Invalid("spec.terminationGracePeriodSeconds", -1L, "must be greater than or equal to 0"), "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0" },
        { FieldError.Invalid("spec.hostNetwork", true, "x"), "spec.hostNetwork: Invalid value: true: x" },
        { FieldError.Invalid("spec.containers[0].name", null, "x"), "spec.containers[0].name: Invalid value: \"null\": x" },
        { FieldError.Duplicate("spec.containers[1].name", "web"), "spec.containers[1].name: Duplicate value: \"web\"" },
        { FieldError.NotSupported("spec.restartPolicy", "Sometimes", ["Always", "OnFailure", "Never"]), "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"" },
        { FieldError.Forbidden("spec.volumes", "not supported by the gateway; remove it"), "spec.volumes: Forbidden: not supported by the gateway; remove it" },
        { FieldError.Forbidden("spec.containers[0].livenessProbe.httpGet", "may not specify more than 1 handler type"), "spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type" },
        { FieldError.NotFound("spec.containers[0].readinessProbe.httpGet.port", "metrics"), "spec.containers[0].readinessProbe.httpGet.port: Not found: \"metrics\"" },
        { FieldError.InvalidOmitValue("Gateway:Proxy:Urls", "must be a single value, not an object or a list"), "Gateway:Proxy:Urls: Invalid value: must be a single value, not an object or a list" },
        { FieldError.Duplicate("Addresses:1", "http://a:1", "the same address as Addresses:0"), "Addresses:1: Duplicate value: \"http://a:1\": the same address as Addresses:0" },
        { FieldError.Internal("Gateway:Services:web", new InvalidOperationException("the disk moved")), "Gateway:Services:web: Internal error: InvalidOperationException: the disk moved; please report" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void ToString_EachType_PrintsLikeTheApiServer(FieldError error, string expected)
    {
        Assert.Equal(expected, error.ToString());
    }

    [Theory]
    [InlineData("web", "\"web\"")]
    [InlineData("", "\"\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("C:\\dir", "\"C:\\\\dir\"")]
    [InlineData("a\nb\tc", "\"a\\nb\\tc\"")]
    [InlineData("\u0001\u007f", "\"\\x01\\x7f\"")]
    [InlineData("\u200b", "\"\\u200b\"")]
    [InlineData("naïve ✓", "\"naïve ✓\"")]
    public void Invalid_StringValue_QuotedAsGoQuote(string value, string expected)
    {
        Assert.Equal(expected, FieldError.Invalid("f", value, "d").Value);
    }
}
