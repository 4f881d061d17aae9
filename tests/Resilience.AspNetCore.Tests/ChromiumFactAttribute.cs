namespace Resilience.AspNetCore.Tests;

/// <summary>
/// A fact that needs Debian's Chromium at <see cref="ExecutablePath"/>. Without it the test is skipped with the reason
/// on a workstation, but runs (and fails, saying how to install it) in CI, where <c>.ci/run</c> installs it through
/// <c>eng/chromium.sh</c>: a missing browser must never pass silently there.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Where Debian's chromium package puts the browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Initializes a new instance of the <see cref="ChromiumFactAttribute"/> class.</summary>
    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath) && !IsCi)
        {
            Skip = $"Chromium is not installed at {ExecutablePath}; run eng/chromium.sh (apt-get install -y chromium) to run the dashboard's browser test.";
        }
    }

    /// <summary>Gets a value indicating whether this is a CI run (CI=true).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
