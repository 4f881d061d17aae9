// Compiled into every C# snippet of README.md and docs/*.md by DocsSnippetsCompileTests (not into the test assembly).
// It stands for what `dotnet new web` gives a snippet pasted into Program.cs, and nothing more: the implicit usings
// of Microsoft.NET.Sdk.Web (a superset of Microsoft.NET.Sdk's). No Resilience namespace and no ambient value: a
// snippet says its own `using Resilience.*;` lines and declares every variable it uses, so a reader can copy it whole.
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Linq;
global using System.Net.Http;
global using System.Net.Http.Json;
global using System.Threading;
global using System.Threading.Tasks;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.AspNetCore.Hosting;
global using Microsoft.AspNetCore.Http;
global using Microsoft.AspNetCore.Routing;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Logging;
