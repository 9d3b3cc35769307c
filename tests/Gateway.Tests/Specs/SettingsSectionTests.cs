using System.Text;
using Gateway.Specs;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Specs;

public class SettingsSectionTests
{
    /// <summary>The section <c>S</c> of <paramref name="json"/> (an object's fields), at the path <c>P</c>.</summary>
    private static SettingsSection Section(string json, List<FieldError> errors)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "S": { {{json}} } }"""))).Build();
        return new SettingsSection(configuration.GetSection("S"), "P", errors);
    }

    /// <summary>What <paramref name="read"/> gives for <paramref name="json"/>, and the errors as text.</summary>
    private static (T Value, string Errors) Read<T>(string json, Func<SettingsSection, T> read)
    {
        var errors = new List<FieldError>();
        var value = read(Section(json, errors));
        return (value, string.Join('\n', errors));
    }

    [Theory]
    [InlineData("\"k\": \"v\"", "v", "")]
    [InlineData("\"k\": 7", "7", "")]
    [InlineData("\"other\": 1", null, "")]
    [InlineData("\"k\": [ 1 ]", null, "P:k: Invalid value: must be a single value, not an object or a list")]
    [InlineData("\"k\": { \"a\": 1 }", null, "P:k: Invalid value: must be a single value, not an object or a list")]
    public void Scalar_Field_IsItsSingleValue(string json, string? value, string errors)
    {
        Assert.Equal((value, errors), Read(json, s => s.Scalar("k")));
    }

    [Theory]
    [InlineData("\"k\": \"a\"", "P:k:0=a", "")]
    [InlineData("\"k\": [ \"a\", \"\", \"b\" ]", "P:k:0=a,P:k:2=b", "")]
    [InlineData("\"k\": []", "", "")]
    [InlineData("\"k\": { \"x\": \"a\" }", "", "P:k: Invalid value: must be a list of strings, found the key \"x\"")]
    [InlineData("\"k\": [ \"a\", [ \"b\" ] ]", "P:k:0=a", "P:k:1: Invalid value: must be a single value, not an object or a list")]
    public void Strings_Field_IsAListOrOneStringEachWithItsPath(string json, string items, string errors)
    {
        Assert.Equal((items, errors), Read(json, s => string.Join(',', s.Strings("k").Select(item => $"{item.Path}={item.Text}"))));
    }

    [Theory]
    [InlineData("\"k\": 3", 3L, "")]
    [InlineData("\"k\": 1e1", 10L, "")]
    [InlineData("\"k\": 2.5", null, "P:k: Invalid value: 2.5: must be an integer")]
    [InlineData("\"k\": 11", null, "P:k: Invalid value: 11: must be between 0 and 10, inclusive")]
    [InlineData("\"k\": \"three\"", null, "P:k: Invalid value: \"three\": must be an integer")]
    public void Integer_Field_IsParsedAndRangeChecked(string json, long? value, string errors)
    {
        Assert.Equal((value, errors), Read(json, s => s.Integer("k", 0, 10)));
    }

    [Theory]
    [InlineData("\"k\": true", true, "")]
    [InlineData("\"k\": \"False\"", false, "")]
    [InlineData("\"k\": \"yes\"", null, "P:k: Invalid value: \"yes\": must be true or false")]
    public void Boolean_Field_IsTrueOrFalse(string json, bool? value, string errors)
    {
        Assert.Equal((value, errors), Read(json, s => s.Boolean("k")));
    }

    [Theory]
    [InlineData("\"k\": \"a/b.yaml\"", "/settings/a/b.yaml", "")]
    [InlineData("\"k\": \"/abs/b.yaml\"", "/abs/b.yaml", "")]
    [InlineData("\"k\": \"a\\u0000b\"", null, "P:k: Invalid value: \"a\\x00b\": a path may not contain a NUL character")]
    public void FilePath_Field_IsRelativeToTheSettingsFolder(string json, string? path, string errors)
    {
        Assert.Equal((path, errors), Read(json, s => s.FilePath("k", "/settings")));
    }

    [Theory]
    [InlineData("\"o\": { \"Urls\": \"x\" }", "")]
    [InlineData("\"o\": \"x\"", "P:o: Invalid value: \"x\": must be an object with the fields Urls, Hosts")]
    [InlineData("\"o\": { \"Url\": \"x\" }", "P:o:Url: Invalid value: \"Url\": unknown field; did you mean \"Urls\"?")]
    [InlineData("\"o\": { \"urls\": \"x\", \"Colour\": 1 }", "P:o:Colour: Invalid value: \"Colour\": unknown field; supported fields: Urls, Hosts")]
    public void Object_Field_IsAnObjectOfKnownKeys(string json, string errors)
    {
        Assert.Equal(errors, Read(json, s => s.Object("o", ["Urls", "Hosts"]).Path).Errors);
    }

    [Fact]
    public void Children_OfAnObject_HaveTheirPathsAndShareTheErrors()
    {
        var errors = new List<FieldError>();

        var children = Section("\"web\": { \"Replicas\": [ 1 ] }, \"api\": { }", errors).Children().ToList();
        children.Single(c => c.Key == "web").Scalar("Replicas");

        Assert.Equal(["P:api", "P:web"], children.Select(c => c.Path).Order(StringComparer.Ordinal));
        Assert.Equal("P:web:Replicas: Invalid value: must be a single value, not an object or a list", Assert.Single(errors).ToString());
    }
}
