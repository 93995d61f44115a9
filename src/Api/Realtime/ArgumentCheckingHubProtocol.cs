using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Api.Realtime;

/// <summary>
/// SignalR's JSON hub protocol, with one change: a call whose arguments do not bind (a wrong type, an enum name that does not
/// exist, a wrong number of arguments, a method that does not exist) is answered as every refused call is, with a
/// <c>400 Invalid: ...</c> hub error that names the method, the field and what it takes, as the REST API's 400 does. SignalR
/// itself answers such a call with a bare "Failed to invoke ... due to an error on the server", which a radio app cannot tell
/// from a server fault, and it runs no hub filter for it. So the failed call is handed to the hubs' <c>ArgumentsRefused</c>
/// method instead, which throws the 400 through the usual filters (rate limit, logging).
/// </summary>
public sealed class ArgumentCheckingHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    /// <summary>The hub method that answers a call whose arguments did not bind; both hubs have it.</summary>
    public const string RefusedTarget = "ArgumentsRefused";

    private readonly JsonHubProtocol _json = new(options);

    public string Name => _json.Name;
    public int Version => _json.Version;
    public TransferFormat TransferFormat => _json.TransferFormat;
    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _json.GetMessageBytes(message);
    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _json.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!_json.TryParseMessage(ref input, binder, out message)) return false;
        if (message is InvocationBindingFailureMessage failure)
            message = new InvocationMessage(failure.InvocationId, RefusedTarget, [failure.Target, Describe(failure.BindingFailure.SourceException)]);
        return true;
    }

    /// <summary>What was wrong with the arguments, in the REST API's words ("status: the value is not one of: ...").</summary>
    public static string Describe(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is System.Text.Json.JsonException json)
            {
                var field = DomainExceptionHandler.JsonField(json.Path);
                var reason = DomainExceptionHandler.Readable(json.Message.Split(" Path: ", 2)[0], json.Path);
                return field == "body" ? $"an argument is not valid: {reason}" : $"{field}: {reason}";
            }
        return error switch
        {
            HubException hub => hub.Message, // e.g. "Method does not exist."
            InvalidDataException data when data.Message.StartsWith("Invocation provides", StringComparison.Ordinal) => data.Message,
            _ => "the arguments do not match the method's parameters (the contract is in src/Contracts, IDispatchHub and IFieldHub)",
        };
    }
}
