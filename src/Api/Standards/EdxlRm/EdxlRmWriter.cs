using System.Globalization;
using System.Xml.Linq;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.Api.Standards.EdxlRm;

/// <summary>Who sends the request to the city: the Huadu district emergency command centre (configurable).</summary>
public sealed record EdxlRmContact(string Organisation, string Name, string Phone, string? Email);

/// <summary>An incident named in the request: id, title and where relief is to be delivered.</summary>
public sealed record EdxlRmIncident(string Id, string Title, IncidentType Type, double Lat, double Lon, string? Address);

/// <summary>One resource asked of the city: an open shortfall, the item it concerns (null if the catalogue does not know it), its incident and deadline.</summary>
public sealed record EdxlRmRequestLine(ReliefShortfall Shortfall, ReliefItem? Item, EdxlRmIncident Incident, DateTimeOffset RequestedArrival);

/// <summary>
/// Writes one OASIS EDXL-RM 1.0 (Emergency Data Exchange Language Resource Messaging) <c>RequestResource</c> message: the relief
/// items the district cannot bring by the deadline itself. Message-level elements are in the message namespace
/// (<see cref="Msg"/>), the common types' children in the EDXL-RM namespace (<see cref="Rm"/>), positions in GML. Which element
/// names are confirmed and which are assumptions is in docs/readme-relief-escalation.md.
/// </summary>
public static class EdxlRmWriter
{
    public static readonly XNamespace Msg = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg";
    public static readonly XNamespace Rm = "urn:oasis:names:tc:emergency:EDXL:RM:1.0";
    public static readonly XNamespace Gml = "http://www.opengis.net/gml";

    /// <summary>Value list of <c>Resource/TypeStructure</c>: our relief item codes (GET /api/v1/items).</summary>
    public const string ItemValueList = "urn:huadu:relief:items";
    /// <summary>Value list of the <c>Resource/Keyword</c> that carries why the district is short.</summary>
    public const string ReasonValueList = "urn:huadu:relief:shortfall-reasons";
    /// <summary>Value list of <c>MeasuredQuantity/Unit</c>: the catalogue's units.</summary>
    public const string UnitValueList = "urn:huadu:relief:units";

    public const string ContentType = "RequestResource";

    public static XDocument Write(string messageId, DateTimeOffset sent, IReadOnlyList<EdxlRmIncident> incidents,
        IReadOnlyList<EdxlRmRequestLine> lines, EdxlRmContact contact)
    {
        var root = new XElement(Msg + "RequestResource",
            new XAttribute(XNamespace.Xmlns + "rm", Rm.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "gml", Gml.NamespaceName),
            new XElement(Msg + "MessageID", messageId),
            new XElement(Msg + "SentDateTime", Time(sent)),
            new XElement(Msg + "MessageContentType", ContentType),
            new XElement(Msg + "MessageDescription",
                $"Huadu district relief: {lines.Count} item shortfall(s) over {incidents.Count} incident(s) that the district's warehouses " +
                "cannot cover by the 3-hour deadline; requested from the city."),
            incidents.Select(i => new XElement(Msg + "IncidentInformation",
                new XElement(Rm + "IncidentID", i.Id),
                new XElement(Rm + "IncidentDescription", XmlText($"{i.Title} ({i.Type})")))),
            new XElement(Msg + "ContactInformation",
                new XElement(Rm + "ContactDescription",
                    XmlText($"{contact.Organisation}, {contact.Name}, tel. {contact.Phone}" + (contact.Email is { Length: > 0 } e ? $", {e}" : ""))),
                new XElement(Rm + "ContactRole", "Requester")),
            lines.Select((line, index) => Resource(index + 1, line)));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>What is asked, in words: for <c>NoTrucks</c> the district holds the item and lacks the vehicles to bring it in
    /// time, so the city is asked for the item delivered or for transport (a logistics-chief tester's F11: the line read as a
    /// request for goods the district had on its shelves).</summary>
    internal static string Describe(ReliefShortfall s) => s.Reason == "NoTrucks"
        ? $"NoTrucks: the district holds this item but has no vehicle to bring it in time; wanted: the item delivered, or transport " +
          $"(a vehicle with its driver) from the district's warehouses to the incident. {s.Detail}"
        : $"{s.Reason}: {s.Detail}";

    private static XElement Resource(int elementId, EdxlRmRequestLine line)
    {
        var s = line.Shortfall;
        var name = line.Item is { } item ? $"{item.NameEn} ({item.NameZh})" : s.ItemCode;
        return new XElement(Msg + "ResourceInformation",
            new XElement(Msg + "ResourceInfoElementID", elementId.ToString(CultureInfo.InvariantCulture)),
            new XElement(Msg + "Resource",
                new XElement(Msg + "Name", XmlText(name)),
                ValueList(Msg + "TypeStructure", ItemValueList, s.ItemCode),
                ValueList(Msg + "Keyword", ReasonValueList, s.Reason),
                new XElement(Msg + "Description", XmlText(Describe(s)))),
            new XElement(Msg + "AssignmentInformation",
                new XElement(Msg + "Quantity",
                    new XElement(Rm + "MeasuredQuantity",
                        new XElement(Rm + "Amount", s.Missing.ToString(CultureInfo.InvariantCulture)),
                        line.Item is { } unitItem ? ValueList(Rm + "Unit", UnitValueList, unitItem.Unit) : null)),
                new XElement(Msg + "AnticipatedFunction",
                    XmlText($"Basic living needs of the people affected by incident {line.Incident.Id} ({line.Incident.Title})" +
                    (line.Incident.Address is { Length: > 0 } a ? $" at {a}" : "")))),
            new XElement(Msg + "ScheduleInformation",
                new XElement(Msg + "ScheduleType", "RequestedArrival"),
                new XElement(Msg + "DateTime", Time(line.RequestedArrival)),
                new XElement(Msg + "Location",
                    new XElement(Rm + "TargetArea",
                        new XElement(Gml + "Point",
                            new XElement(Gml + "pos", string.Create(CultureInfo.InvariantCulture, $"{line.Incident.Lat} {line.Incident.Lon}")))))));
    }

    /// <summary>
    /// Text as XML 1.0 can hold it: a character it cannot (a control character other than tab, CR and LF, such as the vertical
    /// tab of text pasted from Office into a call-taking system; a lone surrogate; U+FFFE or U+FFFF) becomes U+FFFD. Such a
    /// character is valid JSON, so a report may carry one in its title, and before the twenty-third session it made the whole
    /// district's request a 500 until the incident was closed.
    /// </summary>
    public static string XmlText(string text)
    {
        var builder = (System.Text.StringBuilder?)null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            var ok = pair || System.Xml.XmlConvert.IsXmlChar(c);
            if (!ok) (builder ??= new System.Text.StringBuilder(text, 0, i, text.Length)).Append('\uFFFD');
            else if (builder is not null) builder.Append(c);
            if (pair)
            {
                builder?.Append(text[i + 1]);
                i++;
            }
        }
        return builder?.ToString() ?? text;
    }

    private static XElement ValueList(XName name, string urn, string value) =>
        new(name, new XElement(Rm + "ValueListURN", urn), new XElement(Rm + "Value", XmlText(value)));

    /// <summary>xs:dateTime in China time (+08:00) with whole seconds, as EDXL examples write it (<see cref="DistrictTime.Text"/>).</summary>
    public static string Time(DateTimeOffset t) => DistrictTime.Text(t);
}
