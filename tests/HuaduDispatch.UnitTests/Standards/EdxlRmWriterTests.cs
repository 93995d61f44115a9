using System.Xml;
using System.Xml.Linq;
using HuaduDispatch.Api.Standards.EdxlRm;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Standards;

public sealed class EdxlRmWriterTests
{
    private static readonly XNamespace Msg = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg";
    private static readonly XNamespace Rm = "urn:oasis:names:tc:emergency:EDXL:RM:1.0";
    private static readonly XNamespace Gml = "http://www.opengis.net/gml";
    private static readonly DateTimeOffset Sent = new(2026, 6, 12, 9, 15, 0, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset Deadline = new(2026, 6, 12, 11, 40, 0, TimeSpan.FromHours(8));

    private static readonly EdxlRmIncident Flood = new("INC-20260612-0042", "Underpass <flooded> & \"cars\" stalled", IncidentType.Waterlogging, 23.4042, 113.2245, "新华路隧道");
    private static readonly EdxlRmIncident Slide = new("INC-20260612-0043", "Landslide", IncidentType.Landslide, 23.45, 113.3, null);
    private static readonly ReliefItem Water = new() { Code = "drinking-water", NameZh = "饮用水", NameEn = "Drinking water", Unit = "case", WeightKg = 18, VolumeM3 = 0.03 };

    private static EdxlRmRequestLine Line(EdxlRmIncident incident, string item, long missing, string reason, ReliefItem? spec = null) => new(
        new ReliefShortfall { IncidentId = incident.Id, ItemCode = item, Missing = missing, Reason = reason, Detail = $"{item} <short> & late" },
        spec, incident, Deadline);

    private static XDocument Sample() => EdxlRmWriter.Write("urn:huadu:relief:request:7:all:20260612091500", Sent, [Flood, Slide],
        [Line(Flood, "drinking-water", 120, "StockShort", Water), Line(Flood, "tent", 30, "TooFar"), Line(Slide, "lighting", 10, "NoTrucks")],
        new EdxlRmContact("Huadu District Emergency Command Centre", "Duty officer <Li> & co", "+86 20 8686 0000", "duty@example.cn"));

    [Fact]
    public void The_message_is_well_formed_request_resource_in_the_edxl_rm_message_namespace()
    {
        var text = Sample().Declaration + "\n" + Sample().Root;
        var parsed = XDocument.Parse(text); // throws if not well-formed
        var root = parsed.Root!;
        Assert.Equal(Msg + "RequestResource", root.Name);
        Assert.Equal("urn:huadu:relief:request:7:all:20260612091500", root.Element(Msg + "MessageID")!.Value);
        Assert.Equal("2026-06-12T09:15:00+08:00", root.Element(Msg + "SentDateTime")!.Value);
        Assert.Equal("RequestResource", root.Element(Msg + "MessageContentType")!.Value);
        // The message header comes in the schema's order, before the resources.
        var order = root.Elements().Select(e => e.Name.LocalName).Distinct().ToList();
        Assert.Equal(["MessageID", "SentDateTime", "MessageContentType", "MessageDescription", "IncidentInformation", "ContactInformation", "ResourceInformation"], order);
        Assert.Equal([Flood.Id, Slide.Id], root.Elements(Msg + "IncidentInformation").Select(i => i.Element(Rm + "IncidentID")!.Value));
        Assert.Equal("Requester", root.Element(Msg + "ContactInformation")!.Element(Rm + "ContactRole")!.Value);
    }

    [Fact]
    public void A_NoTrucks_line_says_the_district_holds_the_item_and_asks_for_it_delivered_or_for_transport()
    {
        var resources = Sample().Root!.Elements(Msg + "ResourceInformation").Select(r => r.Element(Msg + "Resource")!).ToList();
        string Description(string item) => resources.Single(r => r.Element(Msg + "TypeStructure")!.Element(Rm + "Value")!.Value == item).Element(Msg + "Description")!.Value;
        Assert.StartsWith("NoTrucks: the district holds this item but has no vehicle to bring it in time; wanted: the item delivered, or transport",
            Description("lighting"), StringComparison.Ordinal);
        Assert.EndsWith("lighting <short> & late", Description("lighting"), StringComparison.Ordinal);
        Assert.Equal("StockShort: drinking-water <short> & late", Description("drinking-water"));
    }

    [Fact]
    public void Characters_xml_cannot_hold_become_a_replacement_character_and_the_message_is_still_written()
    {
        // A title pasted from Office into a call-taking system (a vertical tab, a bell), valid JSON that XML 1.0 cannot hold.
        var pasted = Flood with { Title = "Village\u000bflooded\u0001 bell\u0007 \uD83C\uDF0A \uD800", Address = "addr\u000c" };
        var doc = EdxlRmWriter.Write("urn:m", Sent, [pasted], [Line(pasted, "tent", 3, "TooFar")],
            new EdxlRmContact("Centre", "Duty\u000c officer", "+86", null));

        var text = new System.Text.StringBuilder();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true })) doc.Save(writer); // threw ArgumentException
        var parsed = XDocument.Parse(text.ToString()).Root!;
        Assert.Equal("Village\uFFFDflooded\uFFFD bell\uFFFD \uD83C\uDF0A \uFFFD (Waterlogging)",
            parsed.Element(Msg + "IncidentInformation")!.Element(Rm + "IncidentDescription")!.Value); // the wave (a surrogate pair) stays
        Assert.Equal("Centre, Duty\uFFFD officer, tel. +86", parsed.Element(Msg + "ContactInformation")!.Element(Rm + "ContactDescription")!.Value);
        Assert.EndsWith("(Village\uFFFDflooded\uFFFD bell\uFFFD \uD83C\uDF0A \uFFFD) at addr\uFFFD",
            parsed.Element(Msg + "ResourceInformation")!.Element(Msg + "AssignmentInformation")!.Element(Msg + "AnticipatedFunction")!.Value);
        Assert.Equal("tab\tand\nnewline", EdxlRmWriter.XmlText("tab\tand\nnewline"));
    }

    [Fact]
    public void One_resource_information_per_shortfall_with_quantity_unit_deadline_position_and_reason()
    {
        var resources = Sample().Root!.Elements(Msg + "ResourceInformation").ToList();
        Assert.Equal(3, resources.Count);
        Assert.Equal(["1", "2", "3"], resources.Select(r => r.Element(Msg + "ResourceInfoElementID")!.Value));

        var water = resources[0];
        var resource = water.Element(Msg + "Resource")!;
        Assert.Equal("drinking-water", resource.Element(Msg + "TypeStructure")!.Element(Rm + "Value")!.Value);
        Assert.Equal(EdxlRmWriter.ItemValueList, resource.Element(Msg + "TypeStructure")!.Element(Rm + "ValueListURN")!.Value);
        Assert.Equal("StockShort", resource.Element(Msg + "Keyword")!.Element(Rm + "Value")!.Value);
        Assert.Equal("Drinking water (饮用水)", resource.Element(Msg + "Name")!.Value);
        var measured = water.Element(Msg + "AssignmentInformation")!.Element(Msg + "Quantity")!.Element(Rm + "MeasuredQuantity")!;
        Assert.Equal("120", measured.Element(Rm + "Amount")!.Value);
        Assert.Equal("case", measured.Element(Rm + "Unit")!.Element(Rm + "Value")!.Value);
        var schedule = water.Element(Msg + "ScheduleInformation")!;
        Assert.Equal("RequestedArrival", schedule.Element(Msg + "ScheduleType")!.Value);
        Assert.Equal("2026-06-12T11:40:00+08:00", schedule.Element(Msg + "DateTime")!.Value);
        Assert.Equal("23.4042 113.2245", schedule.Element(Msg + "Location")!.Element(Rm + "TargetArea")!.Element(Gml + "Point")!.Element(Gml + "pos")!.Value);

        Assert.Equal("30", resources[1].Descendants(Rm + "Amount").Single().Value);
        Assert.Empty(resources[1].Descendants(Rm + "Unit")); // an item the catalogue does not know: no unit, its code as the name
        Assert.Equal("tent", resources[1].Element(Msg + "Resource")!.Element(Msg + "Name")!.Value);
        Assert.Equal("NoTrucks", resources[2].Descendants(Msg + "Keyword").Single().Element(Rm + "Value")!.Value);
        Assert.Contains(Slide.Id, resources[2].Descendants(Msg + "AnticipatedFunction").Single().Value);
    }

    [Fact]
    public void Text_is_escaped_and_round_trips()
    {
        var text = Sample().Root!.ToString();
        Assert.Contains("Underpass &lt;flooded&gt; &amp; \"cars\" stalled", text);
        Assert.DoesNotContain("<flooded>", text);
        Assert.DoesNotContain("<short>", text);
        var parsed = XDocument.Parse(text);
        Assert.Contains(parsed.Descendants(Rm + "IncidentDescription"), d => d.Value == "Underpass <flooded> & \"cars\" stalled (Waterlogging)");
        Assert.Contains("Duty officer <Li> & co", parsed.Descendants(Rm + "ContactDescription").Single().Value);
        Assert.Equal("StockShort: drinking-water <short> & late", parsed.Descendants(Msg + "Description").First().Value);
    }

    [Fact]
    public void Without_shortfalls_the_message_has_a_header_and_no_resources()
    {
        var doc = EdxlRmWriter.Write("m", Sent, [], [], new EdxlRmContact("c", "n", "p", null));
        Assert.Empty(doc.Root!.Elements(Msg + "ResourceInformation"));
        using var reader = XmlReader.Create(new StringReader(doc.ToString()));
        while (reader.Read()) { }
    }
}
