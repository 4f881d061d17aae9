using System.Text;

namespace Resilience.Packaging.Tests;

/// <summary>The files of the fresh web projects that hold the docs' C# blocks, one project per block.</summary>
internal static class DocsApp
{
    /// <summary>
    /// What <c>dotnet new web</c> writes (Web SDK, nullable, implicit usings), warnings as errors, and the library
    /// packages. A block of declarations only is a library: a program needs statements. A block that shows the export
    /// through OpenTelemetry references its hosting package, as the application would (the version the docs test pins).
    /// </summary>
    public static string Project(string version, bool isProgram, bool usesOpenTelemetry) => $$"""
        <Project Sdk="Microsoft.NET.Sdk.Web">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>{{(isProgram ? "" : "\n    <OutputType>Library</OutputType>")}}
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Resilience" Version="{{version}}" />
            <PackageReference Include="Resilience.DependencyInjection" Version="{{version}}" />
            <PackageReference Include="Resilience.Http" Version="{{version}}" />
            <PackageReference Include="Resilience.PostgreSql" Version="{{version}}" />
            <PackageReference Include="Resilience.AspNetCore" Version="{{version}}" />{{(usesOpenTelemetry ? "\n    <PackageReference Include=\"OpenTelemetry.Extensions.Hosting\" Version=\"1.20.1\" />" : "")}}
          </ItemGroup>
        </Project>
        """;

    /// <summary>A solution listing the projects, so one <c>dotnet build</c> restores and builds them all.</summary>
    public static string Solution(IEnumerable<string> projectPaths)
    {
        var text = new StringBuilder("<Solution>\n");
        foreach (var path in projectPaths)
        {
            text.Append("  <Project Path=\"").Append(path).Append("\" />\n");
        }

        return text.Append("</Solution>\n").ToString();
    }
}
