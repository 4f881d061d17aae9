using Microsoft.AspNetCore.Http;

namespace Resilience.AspNetCore.Internal;

/// <summary>RFC 9457 problem details for every error the endpoints return.</summary>
internal static class AdminProblems
{
    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Invalid request", detail);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult Problem(int status, string title, string detail)
        => TypedResults.Problem(detail: detail, statusCode: status, title: title, type: "https://www.rfc-editor.org/rfc/rfc9110#section-15." + Section(status));

    public static Task Write(HttpContext context, int status, string title, string detail) => Problem(status, title, detail).ExecuteAsync(context);

    private static string Section(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "5.1",
        StatusCodes.Status403Forbidden => "5.4",
        StatusCodes.Status404NotFound => "5.5",
        StatusCodes.Status409Conflict => "5.10",
        StatusCodes.Status429TooManyRequests => "5.1",
        _ => "6.1",
    };
}
