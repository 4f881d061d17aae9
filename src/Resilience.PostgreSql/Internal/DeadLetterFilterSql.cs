using System.Text;
using Npgsql;
using NpgsqlTypes;
using Resilience.DeadLetter;

namespace Resilience.PostgreSql.Internal;

/// <summary>
/// The <c>WHERE</c> clause of a pushed-down query: each criterion of a <see cref="DeadLetterQuery"/> that is set becomes
/// one parameterised condition (no value is ever spliced into the SQL), and the statuses one <c>= ANY</c>. The
/// conditions follow the schema's indexes: status with id, operation type, failure group.
/// </summary>
internal static class DeadLetterFilterSql
{
    /// <summary>Appends <c>WHERE …</c> to <paramref name="sql"/>, adding the values to <paramref name="parameters"/>.</summary>
    public static void AppendWhere(StringBuilder sql, NpgsqlParameterCollection parameters, DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses)
    {
        sql.Append(" WHERE status = ANY(").Append(Add(parameters, new NpgsqlParameter<short[]> { TypedValue = [.. statuses.Select(s => (short)s)] })).Append(')');
        Text(sql, parameters, "id >", criteria.AfterId);
        Text(sql, parameters, "operation_type =", criteria.OperationType);
        Text(sql, parameters, "failure_group =", criteria.FailureGroup);
        Text(sql, parameters, "error_type =", criteria.ErrorType);
        Text(sql, parameters, "error_message =", criteria.ErrorMessage);
        if (criteria.ErrorMessageContains is { } contains)
        {
            // Case-insensitive like the file store's OrdinalIgnoreCase for ASCII; other letters fold as the database's upper() does.
            sql.Append(" AND strpos(upper(error_message), upper(").Append(Add(parameters, new NpgsqlParameter<string> { TypedValue = contains })).Append(")) > 0");
        }

        Time(sql, parameters, "created_at >=", criteria.CreatedFrom);
        Time(sql, parameters, "created_at <", criteria.CreatedTo);
    }

    private static void Text(StringBuilder sql, NpgsqlParameterCollection parameters, string condition, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(condition).Append(' ').Append(Add(parameters, new NpgsqlParameter<string> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text }));
        }
    }

    private static void Time(StringBuilder sql, NpgsqlParameterCollection parameters, string condition, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            sql.Append(" AND ").Append(condition).Append(' ').Append(Add(parameters, new NpgsqlParameter<DateTimeOffset> { TypedValue = time.ToUniversalTime() }));
        }
    }

    private static string Add(NpgsqlParameterCollection parameters, NpgsqlParameter parameter)
    {
        parameters.Add(parameter);
        return "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
