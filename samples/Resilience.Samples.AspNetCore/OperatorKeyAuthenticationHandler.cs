using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Resilience.Samples.AspNetCore;

/// <summary>
/// The sample's stand-in for a real sign-in: a request whose X-Operator-Key header matches
/// Resilience:Admin:OperatorKey is the user "operator" with the role operator. Use your identity provider (cookies with
/// OpenID Connect, JWT bearer) in a real app; the admin group only needs a policy to require.
/// </summary>
public sealed class OperatorKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "OperatorKey";

    /// <summary>The header that carries the key.</summary>
    public const string HeaderName = "X-Operator-Key";

    /// <inheritdoc/>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var expected = configuration["Resilience:Admin:OperatorKey"];
        if (string.IsNullOrEmpty(expected) || !Request.Headers.TryGetValue(HeaderName, out var given) || string.IsNullOrEmpty(given))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Constant time: the comparison does not tell an attacker how much of the key they guessed.
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given.ToString()), Encoding.UTF8.GetBytes(expected)))
        {
            return Task.FromResult(AuthenticateResult.Fail("Wrong operator key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator"), new Claim(ClaimTypes.Role, "operator")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
